/** Proxmox Backup Server instances: health, datastores (usage, deduplication), namespaces, jobs. */
import type { PbsJob } from '@model/state';
import { For, Show } from 'solid-js';
import { ForecastHint } from '../components/ForecastHint';
import { Bar, Card, Empty, StatusDot, td, th } from '../components/ui';
import { formatBytes, formatDateTime, formatPercent, formatUptime } from '../lib/format';
import { live } from '../stores/live';

export function PbsPage() {
  return (
    <div class="space-y-4">
      <h1 class="text-xl font-semibold">Proxmox Backup Server</h1>
      <Show
        when={live.state.pbs.length > 0}
        fallback={<Empty>No PBS configured. Add one under Settings → Nodes.</Empty>}
      >
        <For each={live.state.pbs}>
          {(p) => {
            const jobs = (): PbsJob[] => [
              ...(p.backupJobs ?? []),
              ...(p.syncJobs ?? []),
              ...(p.verifyJobs ?? []),
              ...(p.pruneJobs ?? []),
              ...(p.garbageJobs ?? []),
            ];
            // PBS reports cpu as a 0–1 fraction; show it as a percentage.
            const cpuPct = () => (p.cpu <= 1 ? p.cpu * 100 : p.cpu);
            return (
              <Card
                title={p.name}
                actions={
                  <span class="flex items-center gap-3 text-xs text-slate-500">
                    <StatusDot status={p.status} /> <span>v{p.version}</span> <span>up {formatUptime(p.uptime)}</span>
                  </span>
                }
              >
                <div class="mb-3 grid gap-3 sm:grid-cols-2">
                  <Bar
                    name={`CPU of ${p.name}`}
                    percent={cpuPct()}
                    label={`CPU ${formatPercent(cpuPct())}`}
                    title={`CPU ${cpuPct().toFixed(1)}%`}
                  />
                  <Bar
                    name={`Memory of ${p.name}`}
                    percent={p.memory}
                    label={`Memory ${formatPercent(p.memory)}`}
                    title={`Memory ${formatBytes(p.memoryUsed, 2)} of ${formatBytes(p.memoryTotal, 2)}`}
                  />
                </div>
                <table class="w-full text-sm" aria-label={`Datastores of ${p.name}`}>
                  <thead>
                    <tr>
                      <th class={th}>Datastore</th>
                      <th class={th} style={{ width: '40%' }}>
                        Usage
                      </th>
                      <th class={`${th} hidden sm:table-cell`}>Free</th>
                      <th class={`${th} hidden sm:table-cell`}>Dedup</th>
                      <th class={`${th} hidden md:table-cell`}>Namespaces</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={p.datastores ?? []}>
                      {(d) => (
                        <tr class="border-t border-slate-100 dark:border-slate-700/60">
                          <td class={td}>
                            {d.name}
                            <Show when={d.error}>
                              <span class="block text-xs text-red-600">{d.error}</span>
                            </Show>
                          </td>
                          <td class={td}>
                            <Bar
                              name={`Usage of datastore ${d.name}`}
                              percent={d.usage}
                              label={`${formatPercent(d.usage)} (${formatBytes(d.used)}/${formatBytes(d.total)})`}
                              title={`${formatBytes(d.used, 2)} of ${formatBytes(d.total, 2)} used`}
                            />
                            <ForecastHint id={`${p.id}-${d.name}`} />
                          </td>
                          <td class={`${td} hidden sm:table-cell`}>{formatBytes(d.free)}</td>
                          <td class={`${td} hidden sm:table-cell`}>
                            {d.deduplicationFactor ? `${d.deduplicationFactor.toFixed(2)}×` : '–'}
                          </td>
                          <td class={`${td} hidden md:table-cell text-xs`}>
                            {(d.namespaces ?? []).map((n) => n.path || '(root)').join(', ') || '–'}
                          </td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
                <Show when={jobs().length > 0}>
                  <h3 class="mt-4 mb-1 text-sm font-semibold">Jobs</h3>
                  <table class="w-full text-sm" aria-label={`Jobs of ${p.name}`}>
                    <thead>
                      <tr>
                        <th class={th}>Job</th>
                        <th class={th}>Type</th>
                        <th class={th}>Store</th>
                        <th class={th}>Last run</th>
                        <th class={th}>State</th>
                        <th class={`${th} hidden sm:table-cell`}>Next</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={jobs()}>
                        {(j) => (
                          <tr class="border-t border-slate-100 dark:border-slate-700/60">
                            <td class={td}>{j.id || `${j.type} ${j.store}`}</td>
                            <td class={td}>{j.type}</td>
                            <td class={td}>{j.store}</td>
                            <td class={`${td} text-xs`}>
                              {formatDateTime(j.lastRun ? j.lastRun * (j.lastRun < 1e12 ? 1000 : 1) : undefined)}
                            </td>
                            <td class={td}>
                              {j.lastState ? (
                                <StatusDot
                                  status={j.lastState.toLowerCase() === 'ok' ? 'ok' : 'failed'}
                                  label={j.lastState}
                                />
                              ) : (
                                '–'
                              )}
                            </td>
                            <td class={`${td} hidden sm:table-cell text-xs`}>
                              {formatDateTime(j.nextRun ? j.nextRun * (j.nextRun < 1e12 ? 1000 : 1) : undefined)}
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </Show>
              </Card>
            );
          }}
        </For>
      </Show>
    </div>
  );
}
