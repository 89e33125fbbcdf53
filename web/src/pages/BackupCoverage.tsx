/**
 * Backups → Coverage: the coverage audit (GET /api/backups/coverage) per guest, at risk first,
 * sortable and filterable. The policy is edited through PUT /api/backups/policy (docs/INSIGHT.md).
 */
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { api } from '../api/client';
import type { CoverageReply } from '../api/types';
import { Card, Empty, ErrorText, inputClass, td, th } from '../components/ui';
import { linkClick } from '../router';

/** The reply is the route's schema (src/schemas/insight.ts). */
type Reply = CoverageReply;
type Row = Reply['guests'][number];
type Target = Row['targets'][number];

type SortKey = 'risk' | 'name' | 'age' | 'points';

const ageText = (h: number | null) =>
  h === null ? 'never' : h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} d`;

/** "verified 5 h ago" for the newest backup of a target, measured from when the report was made. */
function verifiedText(t: Target, computedAt: string | undefined): string {
  if (t.newestVerified === null) return '';
  if (t.newestVerified === false) return ' · unverified';
  if (t.newestVerifiedAt === null || !computedAt) return ' · verified';
  const hours = Math.max(0, (Date.parse(computedAt) / 1000 - t.newestVerifiedAt) / 3600);
  return ` · verified ${ageText(hours)} ago`;
}

export function BackupCoveragePage() {
  const [reply, setReply] = createSignal<Reply>();
  const [error, setError] = createSignal('');
  const [query, setQuery] = createSignal('');
  const [riskOnly, setRiskOnly] = createSignal(false);
  const [sort, setSort] = createSignal<SortKey>('risk');

  const load = async () => {
    try {
      setReply(await api.get<Reply>('/api/backups/coverage'));
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  };
  onMount(() => {
    void load();
    const t = setInterval(load, 60_000);
    onCleanup(() => clearInterval(t));
  });

  const rows = createMemo(() => {
    const q = query().trim().toLowerCase();
    const list = (reply()?.guests ?? []).filter(
      (g) =>
        (!riskOnly() || g.atRisk) &&
        (!q ||
          `${g.name} ${g.vmid} ${g.instance} ${g.node} ${g.tags.join(' ')} ${g.flags.map((f) => f.reason).join(' ')}`
            .toLowerCase()
            .includes(q)),
    );
    const by: Record<SortKey, (a: Row, b: Row) => number> = {
      // The server's order: at risk first.
      risk: () => 0,
      name: (a, b) => a.name.localeCompare(b.name),
      age: (a, b) => (b.newestAgeHours ?? Number.POSITIVE_INFINITY) - (a.newestAgeHours ?? Number.POSITIVE_INFINITY),
      points: (a, b) => a.restorePoints - b.restorePoints,
    };
    return [...list].sort(by[sort()]);
  });

  const header = (label: string, key: SortKey) => (
    <th class={th}>
      <button type="button" class={sort() === key ? 'font-semibold underline' : ''} onClick={() => setSort(key)}>
        {label}
      </button>
    </th>
  );

  return (
    <div class="space-y-4">
      <Card
        title="Backup coverage"
        actions={
          <a href="/backups" onClick={linkClick} class="text-sm text-sky-600 underline">
            All backups
          </a>
        }
      >
        <ErrorText error={error()} />
        <Show when={reply()}>
          {(r) => (
            <p class="mb-2 text-sm" data-testid="coverage-summary">
              {r().summary.atRisk} of {r().summary.guests} guests at risk
              <Show when={(r().summary.pending ?? 0) + (r().summary.unknown ?? 0) > 0}>
                {' '}
                · {(r().summary.pending ?? 0) + (r().summary.unknown ?? 0)} not judged yet (backup listings missing)
              </Show>
              <Show when={r().unattributedPbsGroups > 0}>
                {' '}
                · {r().unattributedPbsGroups} PBS group(s) could not be tied to one guest
              </Show>
            </p>
          )}
        </Show>
        <div class="mb-2 flex flex-wrap items-center gap-3">
          <input
            class={inputClass}
            placeholder="Filter: name, VMID, tag, reason…"
            aria-label="Filter guests"
            value={query()}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <label class="flex items-center gap-1 text-sm">
            <input type="checkbox" checked={riskOnly()} onChange={(e) => setRiskOnly(e.currentTarget.checked)} />
            At risk only
          </label>
        </div>
        <div class="overflow-x-auto">
          <table class="w-full text-sm">
            <thead>
              <tr>
                {header('Guest', 'name')}
                <th class={th}>Status</th>
                {header('Newest', 'age')}
                {header('Restore points', 'points')}
                <th class={th}>Targets</th>
                <th class={th}>Policy</th>
                {header('Risk', 'risk')}
              </tr>
            </thead>
            <tbody>
              <For each={rows()}>
                {(g) => (
                  <tr class="border-t border-slate-100 dark:border-slate-700" data-testid="coverage-row">
                    <td class={td}>
                      <div class="font-medium">{g.name}</div>
                      <div class="text-xs text-slate-500">
                        {g.instance} · {g.node} · {g.type === 'qemu' ? 'VM' : 'CT'} {g.vmid}
                      </div>
                    </td>
                    <td class={td}>
                      <Show
                        when={g.atRisk}
                        fallback={
                          <Show
                            when={g.status && g.status !== 'judged'}
                            fallback={<span class="text-emerald-600 dark:text-emerald-400">covered</span>}
                          >
                            <span class="text-slate-500" title={g.statusReason} data-testid="coverage-pending">
                              {g.status === 'unknown' ? 'unknown' : 'pending'}: {g.statusReason}
                            </span>
                          </Show>
                        }
                      >
                        <ul class="text-red-600 dark:text-red-400">
                          <For each={g.flags}>{(f) => <li>{f.message}</li>}</For>
                        </ul>
                      </Show>
                    </td>
                    <td class={`${td} tabular-nums`}>{ageText(g.newestAgeHours)}</td>
                    <td class={`${td} tabular-nums`}>{g.restorePoints}</td>
                    <td class={`${td} text-xs`}>
                      <For each={g.targets}>
                        {(t) => (
                          <div
                            title={`${t.restorePoints} restore points, ${t.verifiedCount} verified, ${t.protectedCount} protected`}
                          >
                            {t.target} · {ageText(t.ageHours)}
                            <span data-testid="coverage-verified">{verifiedText(t, reply()?.computedAt)}</span>
                            <Show when={t.newestEncrypted !== null}>
                              <span
                                data-testid="coverage-encrypted"
                                class={t.newestEncrypted ? '' : 'text-slate-500'}
                                title={
                                  t.kind === 'pve-storage'
                                    ? 'vzdump archives on a storage are not encrypted'
                                    : 'whether the newest snapshot is encrypted with a client key'
                                }
                              >
                                {t.newestEncrypted ? ' · encrypted' : ' · not encrypted'}
                              </span>
                            </Show>
                            <Show when={t.newestProtected}>
                              <span data-testid="coverage-protected"> · protected</span>
                            </Show>
                          </div>
                        )}
                      </For>
                    </td>
                    <td
                      class={`${td} text-xs text-slate-500`}
                      title={`max age ${g.policy.maxAgeHours} h, ≥ ${g.policy.minRestorePoints} restore points, ≥ ${g.policy.minTargets} targets${g.policy.requireVerified ? ', verified' : ''}`}
                    >
                      {g.policySource}
                    </td>
                    <td class={`${td} tabular-nums`}>{g.flags.length}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
        <Show when={reply() && rows().length === 0}>
          <Empty>No guest {query() || riskOnly() ? 'matches this filter' : 'reported yet'}.</Empty>
        </Show>
      </Card>
    </div>
  );
}
