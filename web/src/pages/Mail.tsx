/** Proxmox Mail Gateway: today's mail flow, queues per node, quarantine and spam scores. */
import type { PmgInstance } from '@model/state';
import { createMemo, For, Show } from 'solid-js';
import { TimeChart } from '../components/Chart';
import { Card, Empty, StatusDot, td, th } from '../components/ui';
import { formatBytes, formatUptime } from '../lib/format';
import { live } from '../stores/live';

function Stat(props: { label: string; value: string | number }) {
  return (
    <div class="rounded border border-slate-200 px-3 py-2 dark:border-slate-700">
      <dt class="text-xs text-slate-500">{props.label}</dt>
      <dd class="text-lg font-semibold tabular-nums">{props.value}</dd>
    </div>
  );
}

function PmgCard(props: { p: PmgInstance }) {
  const p = () => props.p;
  const counts = createMemo(() =>
    [...(p().mailCount ?? [])].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp)),
  );
  return (
    <Card
      title={p().name}
      actions={
        <span class="flex items-center gap-2 text-xs text-slate-500">
          <StatusDot status={p().status} /> <span>{p().version}</span>
        </span>
      }
    >
      <Show when={p().mailStats}>
        {(s) => (
          <dl class="mb-4 grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-6">
            <Stat label="Mail today" value={s().countTotal} />
            <Stat label="Inbound / outbound" value={`${s().countIn} / ${s().countOut}`} />
            <Stat label="Spam in" value={s().spamIn} />
            <Stat label="Viruses in" value={s().virusIn} />
            <Stat label="Bounces in" value={s().bouncesIn} />
            <Stat label="Traffic in" value={formatBytes(s().bytesIn)} />
            <Stat label="Greylisted" value={s().greylistCount} />
            <Stat label="RBL rejects" value={s().rblRejects} />
            <Stat label="Avg. processing" value={`${s().averageProcessTimeMs.toFixed(0)} ms`} />
          </dl>
        )}
      </Show>
      <Show when={counts().length > 1}>
        <h3 class="mb-1 text-sm font-semibold">Mail per hour</h3>
        <TimeChart
          label={`Mail per hour on ${p().name}`}
          times={counts().map((c) => Date.parse(c.timestamp) / 1000)}
          series={[
            { label: 'In', color: '#0ea5e9', values: counts().map((c) => c.countIn) },
            { label: 'Out', color: '#22c55e', values: counts().map((c) => c.countOut) },
            { label: 'Spam', color: '#f59e0b', values: counts().map((c) => c.spamIn) },
          ]}
        />
      </Show>
      <div class="mt-4 grid gap-4 md:grid-cols-2">
        <div>
          <h3 class="mb-1 text-sm font-semibold">Queues</h3>
          <table class="w-full text-sm" aria-label={`Mail queues of ${p().name}`}>
            <thead>
              <tr>
                <th class={th}>Node</th>
                <th class={th}>Active</th>
                <th class={th}>Deferred</th>
                <th class={th}>Hold</th>
                <th class={th}>Oldest</th>
              </tr>
            </thead>
            <tbody>
              <For each={p().nodes ?? []}>
                {(n) => (
                  <tr class="border-t border-slate-100 dark:border-slate-700/60">
                    <td class={td}>
                      <StatusDot
                        status={n.status === 'active' || n.status === 'master' || n.status === 'node' ? 'ok' : n.status}
                        label={`${n.name} (${n.role})`}
                      />
                    </td>
                    <td class={td}>{n.queueStatus?.active ?? '–'}</td>
                    <td class={td}>{n.queueStatus?.deferred ?? '–'}</td>
                    <td class={td}>{n.queueStatus?.hold ?? '–'}</td>
                    <td class={td}>{n.queueStatus ? formatUptime(n.queueStatus.oldestAge) : '–'}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
        <div>
          <h3 class="mb-1 text-sm font-semibold">Quarantine</h3>
          <Show when={p().quarantine} fallback={<p class="text-sm text-slate-500">Not reported.</p>}>
            {(q) => (
              <dl class="grid grid-cols-2 gap-2">
                <Stat label="Spam" value={q().spam} />
                <Stat label="Virus" value={q().virus} />
              </dl>
            )}
          </Show>
          <Show when={(p().spamDistribution ?? []).length > 0}>
            <h3 class="mt-3 mb-1 text-sm font-semibold">Spam scores</h3>
            <div class="flex h-16 items-end gap-1" role="img" aria-label={`Spam score distribution of ${p().name}`}>
              {(() => {
                const dist = p().spamDistribution ?? [];
                const max = Math.max(1, ...dist.map((d) => d.count));
                return (
                  <For each={dist}>
                    {(d) => (
                      <div
                        class="flex-1 rounded-t bg-amber-400/80"
                        style={{ height: `${(d.count / max) * 100}%` }}
                        title={`Score ${d.score}: ${d.count} messages`}
                      />
                    )}
                  </For>
                );
              })()}
            </div>
          </Show>
        </div>
      </div>
    </Card>
  );
}

export function MailPage() {
  return (
    <div class="space-y-4">
      <h1 class="text-xl font-semibold">Mail gateway</h1>
      <Show
        when={live.state.pmg.length > 0}
        fallback={<Empty>No Proxmox Mail Gateway configured. Add one under Settings → Nodes.</Empty>}
      >
        <For each={live.state.pmg}>{(p) => <PmgCard p={p} />}</For>
      </Show>
    </div>
  );
}
