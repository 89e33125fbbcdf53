/**
 * PVE and PBS backups together. The first table answers "is every guest backed up, and how
 * recently?"; the second lists the backups themselves, newest first.
 */
import { guestBackupKey, guestsByVmid, pbsBackupOwner } from '@model/backup-owner';
import type { Guest } from '@model/state';
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { api } from '../api/client';
import type { BackupsReply } from '../api/types';
import { Card, Empty, ErrorText, inputClass, StatusDot, td, th } from '../components/ui';
import { backupDays, type DayBucket } from '../lib/backup-days';
import { formatAge, formatBytes, formatDateTime } from '../lib/format';
import { linkClick } from '../router';
import { live } from '../stores/live';

/**
 * A backup time as the server sends it: RFC3339 (wire contract §10), or unix seconds from an older
 * server. Go's zero time ("unset", e.g. a running task's end) gives 0.
 */
function backupMs(v: number | string): number {
  if (typeof v === 'number') return v * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) || t < 0 ? 0 : t;
}

interface BackupItem {
  id: string;
  vmid: number;
  kind: 'PVE' | 'PBS';
  type: string;
  /** ms */
  time: number;
  size: number;
  where: string;
  node: string;
  /** PVE instance the backup belongs to; PBS snapshots only know the VMID. */
  instance?: string;
  /** `<instance>:<vmid>` of the guest it belongs to; undefined for a PBS snapshot no guest can claim. */
  owner?: string;
  /** A PBS snapshot whose VMID several guests have, and whose comment and namespace name none. */
  ambiguous?: boolean;
  verified: boolean;
  protected: boolean;
  notes?: string;
}

const DAY = 86_400_000;

function ageTone(ms: number | undefined, now: number): string {
  if (!ms) return 'text-red-600 dark:text-red-400';
  const age = now - ms;
  if (age < DAY * 1.5) return 'text-emerald-600 dark:text-emerald-400';
  if (age < DAY * 7) return 'text-amber-600 dark:text-amber-400';
  return 'text-red-600 dark:text-red-400';
}

const KIND_COLOURS = { PVE: 'bg-orange-500', PBS: 'bg-violet-500', Snapshots: 'bg-amber-400' } as const;

/** Backups per day, stacked by kind: gaps (a night without backups) stand out at a glance. */
function BackupFrequency(props: { items: BackupItem[]; snapshots: number[]; now: number }) {
  const [days, setDays] = createSignal(30);
  const buckets = createMemo(() => backupDays(props.items, props.snapshots, props.now, days()));
  const missed = (b: DayBucket) => b.missed;
  const labelEvery = () => (days() <= 7 ? 1 : days() <= 30 ? 5 : 15);
  const max = () => Math.max(1, ...buckets().map((b) => b.PVE + b.PBS + b.Snapshots));
  const total = () => buckets().reduce((a, b) => a + b.PVE + b.PBS + b.Snapshots, 0);
  const empty = () => buckets().filter(missed).length;
  return (
    <Card
      title="Backup frequency"
      actions={
        <fieldset aria-label="Backup frequency range" class="flex gap-1">
          <For each={[7, 30, 90]}>
            {(d) => (
              <button
                type="button"
                aria-pressed={days() === d}
                class="rounded px-2 py-0.5 text-xs"
                classList={{
                  'bg-sky-600 text-white': days() === d,
                  'text-slate-600 dark:text-slate-300': days() !== d,
                }}
                onClick={() => setDays(d)}
              >
                {d}d
              </button>
            )}
          </For>
        </fieldset>
      }
    >
      <div
        class="flex h-24 items-end gap-px"
        role="img"
        aria-label={`${total()} backups and snapshots in the last ${days()} days; ${empty()} days without a backup`}
      >
        <For each={buckets()}>
          {(b) => (
            <div
              class="flex h-full flex-1 flex-col-reverse"
              title={`${b.day.toLocaleDateString()}: ${b.PVE} PVE, ${b.PBS} PBS, ${b.Snapshots} snapshots`}
            >
              <div class={KIND_COLOURS.PVE} style={{ height: `${(b.PVE / max()) * 100}%` }} />
              <div class={KIND_COLOURS.PBS} style={{ height: `${(b.PBS / max()) * 100}%` }} />
              <div class={KIND_COLOURS.Snapshots} style={{ height: `${(b.Snapshots / max()) * 100}%` }} />
              <Show when={missed(b)}>
                <div class="h-0.5 bg-red-500/70" />
              </Show>
            </div>
          )}
        </For>
      </div>
      <div class="mt-1 flex gap-px text-[10px] text-slate-500" aria-hidden="true" data-testid="backup-date-axis">
        <For each={buckets()}>
          {(b, i) => (
            <span class="flex-1 overflow-visible whitespace-nowrap">
              {(buckets().length - 1 - i()) % labelEvery() === 0
                ? b.day.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
                : ''}
            </span>
          )}
        </For>
      </div>
      <p class="mt-2 flex flex-wrap gap-3 text-xs text-slate-500">
        <For each={Object.entries(KIND_COLOURS)}>
          {([k, cls]) => (
            <span class="inline-flex items-center gap-1">
              <span class={`inline-block h-2 w-2 rounded-sm ${cls}`} />
              {k}
            </span>
          )}
        </For>
        <span class="inline-flex items-center gap-1">
          <span class="inline-block h-0.5 w-3 bg-red-500/70" />
          no backup that day ({empty()})
        </span>
      </p>
    </Card>
  );
}

export function BackupsPage() {
  const [pbsBackups, setPbsBackups] = createSignal<BackupsReply['pbsBackups']>([]);
  const [error, setError] = createSignal('');
  const [query, setQuery] = createSignal('');
  const [limit, setLimit] = createSignal(200);
  const [now, setNow] = createSignal(Date.now());

  // PBS backups travel only in the raw state and GET /api/backups; the live broadcast lacks them.
  const load = async () => {
    try {
      const res = await api.get<BackupsReply>('/api/backups');
      setPbsBackups(res?.pbsBackups ?? []);
      setError('');
    } catch (err) {
      setError(`Backups could not be loaded: ${(err as Error).message}`);
    }
    setNow(Date.now());
  };
  onMount(() => {
    void load();
    const t = setInterval(load, 60_000);
    onCleanup(() => clearInterval(t));
  });

  const allGuests = createMemo<Guest[]>(() => [...live.state.vms, ...live.state.containers]);
  const guestByKey = createMemo(() => new Map(allGuests().map((g) => [guestBackupKey(g.instance, g.vmid), g])));

  // Only who is who matters to ownership: live CPU and memory updates must not re-match every backup.
  const ownerIndex = createMemo(
    () => {
      const list = allGuests();
      return {
        byVmid: guestsByVmid(list),
        sig: list.map((g) => `${g.instance}:${g.vmid}:${g.type}:${g.node}:${g.name}`).join('|'),
      };
    },
    undefined,
    { equals: (a, b) => a?.sig === b.sig },
  );

  const items = createMemo<BackupItem[]>(() => {
    const { byVmid } = ownerIndex();
    const pve = live.state.pveBackups.storageBackups
      .filter((b) => !b.isPBS)
      .map<BackupItem>((b) => ({
        id: b.id,
        vmid: b.vmid,
        kind: 'PVE',
        type: b.type,
        time: backupMs(b.time),
        size: b.size,
        where: b.storage,
        node: b.node,
        instance: b.instance,
        owner: guestBackupKey(b.instance, b.vmid),
        verified: b.verified,
        protected: b.protected,
        notes: b.notes,
      }));
    const pbsSource = pbsBackups().length > 0 ? pbsBackups() : live.state.pbsBackups;
    const pbs = pbsSource.map<BackupItem>((b) => {
      const owner = pbsBackupOwner(b, byVmid);
      return {
        id: b.id,
        owner: owner ? guestBackupKey(owner.instance, owner.vmid) : undefined,
        ambiguous: !owner && b.backupType !== 'host' && (byVmid.get(String(b.vmid))?.length ?? 0) > 1,
        vmid: Number(b.vmid),
        kind: 'PBS',
        type: b.backupType === 'vm' ? 'qemu' : b.backupType === 'ct' ? 'lxc' : 'host',
        time: backupMs(b.backupTime),
        size: b.size,
        where: `${b.instance}:${b.datastore}${b.namespace ? `/${b.namespace}` : ''}`,
        node: b.instance,
        verified: b.verified,
        protected: b.protected,
        notes: b.comment,
      };
    });
    // PBS-backed PVE storage lists the same snapshots the PBS poller sees; prefer the PBS entry.
    const pvePbs = live.state.pveBackups.storageBackups
      .filter((b) => b.isPBS && pbs.length === 0)
      .map<BackupItem>((b) => ({
        id: b.id,
        vmid: b.vmid,
        kind: 'PBS',
        type: b.type,
        time: backupMs(b.time),
        size: b.size,
        where: b.storage,
        node: b.node,
        instance: b.instance,
        owner: guestBackupKey(b.instance, b.vmid),
        verified: b.verified,
        protected: b.protected,
        notes: b.notes,
      }));
    return [...pve, ...pbs, ...pvePbs].sort((a, b) => b.time - a.time);
  });

  const guests = createMemo(() => {
    // Newest first, so the first backup per guest is its last one.
    const byOwner = new Map<string, BackupItem[]>();
    for (const b of items()) {
      if (!b.owner) continue;
      const list = byOwner.get(b.owner);
      if (list) list.push(b);
      else byOwner.set(b.owner, [b]);
    }
    const snaps = new Map<string, number>();
    for (const s of live.state.pveBackups.guestSnapshots) {
      const k = guestBackupKey(s.instance, s.vmid);
      snaps.set(k, (snaps.get(k) ?? 0) + 1);
    }
    return allGuests()
      .map((g) => {
        const k = guestBackupKey(g.instance, g.vmid);
        const mine = byOwner.get(k) ?? [];
        return { g, last: mine[0], count: mine.length, snaps: snaps.get(k) ?? 0 };
      })
      .sort((a, b) => (a.last?.time ?? 0) - (b.last?.time ?? 0) || a.g.vmid - b.g.vmid);
  });

  const nameOf = (owner: string | undefined) => (owner ? (guestByKey().get(owner)?.name ?? '') : '');

  const filtered = createMemo(() => {
    const q = query().trim().toLowerCase();
    if (!q) return items();
    return items().filter((b) =>
      `${b.vmid} ${nameOf(b.owner).toLowerCase()} ${b.kind} ${b.where} ${b.node} ${b.notes ?? ''}`
        .toLowerCase()
        .includes(q),
    );
  });

  const failedTasks = createMemo(() =>
    live.state.pveBackups.backupTasks
      .filter((t) => t.status && t.status !== 'OK' && backupMs(t.endTime) > 0)
      .sort((a, b) => backupMs(b.startTime) - backupMs(a.startTime)),
  );

  return (
    <div class="space-y-4">
      <h1 class="text-xl font-semibold">Backups</h1>
      <ErrorText error={error()} />
      <BackupFrequency
        items={items()}
        snapshots={live.state.pveBackups.guestSnapshots.map((x) => backupMs(x.time))}
        now={now()}
      />
      <Show when={failedTasks().length > 0}>
        <Card title={`Failed backup tasks (${failedTasks().length})`}>
          <ul class="space-y-1 text-sm">
            <For each={failedTasks().slice(0, 5)}>
              {(t) => (
                <li>
                  <StatusDot
                    status="failed"
                    label={`${t.vmid ? `Guest ${t.vmid} ${nameOf(guestBackupKey(t.instance, t.vmid))}` : 'Backup job'} on ${t.node}: ${t.status} — ${formatDateTime(backupMs(t.startTime))}`}
                  />
                </li>
              )}
            </For>
          </ul>
          <Show when={failedTasks().length > 5}>
            <p class="mt-1 text-xs text-slate-500">and {failedTasks().length - 5} older failures</p>
          </Show>
        </Card>
      </Show>

      <Card
        title="Last backup per guest"
        actions={
          <a href="/backups/coverage" onClick={linkClick} class="text-sm text-sky-600 underline">
            Coverage audit
          </a>
        }
      >
        <div class="max-h-96 overflow-auto">
          <table class="w-full text-sm" aria-label="Last backup per guest">
            <thead class="sticky top-0 bg-white dark:bg-slate-800">
              <tr>
                <th class={th}>Guest</th>
                <th class={th}>VMID</th>
                <th class={`${th} hidden sm:table-cell`}>Node</th>
                <th class={th}>Last backup</th>
                <th class={th}>Age</th>
                <th class={`${th} hidden md:table-cell`}>Where</th>
                <th class={`${th} hidden md:table-cell`}>Backups</th>
                <th class={`${th} hidden md:table-cell`}>Snapshots</th>
              </tr>
            </thead>
            <tbody>
              <For each={guests()}>
                {(row) => (
                  <tr class="border-t border-slate-100 dark:border-slate-700/60" data-row-id={row.g.id}>
                    <td class={td}>{row.g.name}</td>
                    <td class={`${td} tabular-nums`}>{row.g.vmid}</td>
                    <td class={`${td} hidden sm:table-cell`}>{row.g.node}</td>
                    <td class={`${td} text-xs`}>{row.last ? formatDateTime(row.last.time) : 'none'}</td>
                    <td
                      class={`${td} font-medium ${ageTone(row.last?.time, now())}`}
                      title={row.last ? `Newest backup: ${new Date(row.last.time).toISOString()}` : 'No backup found'}
                    >
                      {row.last ? formatAge(row.last.time, now()) : 'never'}
                    </td>
                    <td class={`${td} hidden md:table-cell text-xs`}>
                      {row.last ? `${row.last.kind} · ${row.last.where}` : '–'}
                    </td>
                    <td class={`${td} hidden md:table-cell tabular-nums`}>{row.count}</td>
                    <td class={`${td} hidden md:table-cell tabular-nums`}>{row.snaps}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
          <Show when={guests().length === 0}>
            <Empty>No guests yet.</Empty>
          </Show>
        </div>
      </Card>

      <Card
        title={`All backups (${filtered().length})`}
        actions={
          <input
            type="search"
            aria-label="Filter backups"
            placeholder="VMID, name, storage, PBS…"
            class={`${inputClass} w-56`}
            value={query()}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        }
      >
        <div class="overflow-x-auto">
          <table class="w-full text-sm" aria-label="Backups">
            <thead>
              <tr>
                <th class={th}>VMID</th>
                <th class={`${th} hidden sm:table-cell`}>Name</th>
                <th class={th}>Source</th>
                <th class={th}>Time</th>
                <th class={th}>Size</th>
                <th class={`${th} hidden md:table-cell`}>Location</th>
                <th class={`${th} hidden md:table-cell`}>Verified</th>
                <th class={`${th} hidden lg:table-cell`}>Notes</th>
              </tr>
            </thead>
            <tbody>
              <For each={filtered().slice(0, limit())}>
                {(b) => (
                  <tr class="border-t border-slate-100 dark:border-slate-700/60">
                    <td class={`${td} tabular-nums`}>{b.vmid}</td>
                    <td class={`${td} hidden sm:table-cell`}>
                      <Show
                        when={b.owner}
                        fallback={
                          <Show when={b.ambiguous}>
                            <span
                              class="text-slate-400"
                              title="Several guests have this VMID and the snapshot's comment and namespace name none of them"
                            >
                              unattributed
                            </span>
                          </Show>
                        }
                      >
                        {nameOf(b.owner)}
                      </Show>
                    </td>
                    <td class={td}>
                      <span
                        class="rounded px-1.5 text-[11px] font-semibold"
                        classList={{
                          'bg-orange-100 text-orange-700 dark:bg-orange-900/50 dark:text-orange-300': b.kind === 'PVE',
                          'bg-violet-100 text-violet-700 dark:bg-violet-900/50 dark:text-violet-300': b.kind === 'PBS',
                        }}
                      >
                        {b.kind}
                      </span>
                    </td>
                    <td class={`${td} text-xs`} title={new Date(b.time).toISOString()}>
                      {formatDateTime(b.time)}
                    </td>
                    <td class={`${td} tabular-nums`}>{formatBytes(b.size)}</td>
                    <td class={`${td} hidden md:table-cell text-xs`}>{b.where}</td>
                    <td class={`${td} hidden md:table-cell`}>
                      {b.verified ? '✓' : '–'}
                      {b.protected ? ' · protected' : ''}
                    </td>
                    <td class={`${td} hidden lg:table-cell text-xs text-slate-500`}>
                      <span class="block max-w-xs truncate">{b.notes}</span>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
          <Show when={filtered().length > limit()}>
            <button type="button" class="mt-2 text-sm text-sky-600 underline" onClick={() => setLimit((l) => l + 500)}>
              Show more ({filtered().length - limit()} hidden)
            </button>
          </Show>
          <Show when={filtered().length === 0}>
            <Empty>No backups {query() ? 'match this filter' : 'found yet'}.</Empty>
          </Show>
        </div>
      </Card>
    </div>
  );
}
