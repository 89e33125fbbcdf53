/** Docker hosts reported by agents, and their containers. */
import type { DockerHost } from '@model/docker';
import { For, Show } from 'solid-js';
import { Bar, Card, Empty, StatusDot, td, th } from '../components/ui';
import { formatAge, formatBytes, formatPercent, formatUptime } from '../lib/format';
import { live } from '../stores/live';
import { DockerSetup } from './DockerSetup';

export function DockerPage() {
  const hosts = (): DockerHost[] => live.state.dockerHosts;
  return (
    <div class="space-y-4">
      <h1 class="text-xl font-semibold">Docker hosts</h1>
      <Show
        when={hosts().length > 0}
        fallback={
          <>
            <Empty>No Docker agents are reporting yet.</Empty>
            <DockerSetup title="Monitor a Docker host" />
          </>
        }
      >
        <For each={hosts()}>
          {(h) => (
            <Card
              title={h.displayName || h.hostname}
              actions={
                <span class="flex items-center gap-3 text-xs text-slate-500">
                  <StatusDot status={h.status} />
                  <span>{h.os}</span>
                  <span>Docker {h.dockerVersion}</span>
                  <span>
                    {h.cpus} CPUs · {formatBytes(h.totalMemoryBytes)}
                  </span>
                  <span>seen {formatAge(h.lastSeen)}</span>
                </span>
              }
            >
              <div class="overflow-x-auto">
                <table class="w-full text-sm" aria-label={`Containers on ${h.hostname}`}>
                  <thead>
                    <tr>
                      <th class={th}>Container</th>
                      <th class={`${th} hidden md:table-cell`}>Image</th>
                      <th class={th}>State</th>
                      <th class={th}>CPU</th>
                      <th class={th}>Memory</th>
                      <th class={`${th} hidden sm:table-cell`}>Uptime</th>
                      <th class={`${th} hidden sm:table-cell`}>Restarts</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={h.containers ?? []}>
                      {(c) => (
                        <tr class="border-t border-slate-100 dark:border-slate-700/60">
                          <td class={td}>{c.name}</td>
                          <td class={`${td} hidden md:table-cell text-xs`}>{c.image}</td>
                          <td class={td}>
                            <StatusDot
                              status={
                                c.state === 'running' ? (c.health === 'unhealthy' ? 'degraded' : 'running') : c.state
                              }
                              label={c.health ? `${c.state} (${c.health})` : c.state}
                            />
                          </td>
                          <td class={td}>
                            <Bar
                              name={`CPU of ${c.name}`}
                              percent={c.cpuPercent}
                              label={formatPercent(c.cpuPercent, 1)}
                              title={`CPU ${c.cpuPercent.toFixed(2)}%`}
                            />
                          </td>
                          <td class={td}>
                            <Bar
                              name={`Memory of ${c.name}`}
                              percent={c.memoryPercent}
                              label={formatPercent(c.memoryPercent)}
                              title={`Memory ${formatBytes(c.memoryUsageBytes, 2)}${c.memoryLimitBytes ? ` of ${formatBytes(c.memoryLimitBytes, 2)}` : ''}`}
                            />
                          </td>
                          <td class={`${td} hidden sm:table-cell`}>{formatUptime(c.uptimeSeconds)}</td>
                          <td class={`${td} hidden sm:table-cell`}>{c.restartCount}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </Card>
          )}
        </For>
      </Show>
      <Show when={hosts().length > 0}>
        <details>
          <summary class="cursor-pointer text-sm font-medium">Add another Docker host</summary>
          <div class="mt-2">
            <DockerSetup />
          </div>
        </details>
      </Show>
    </div>
  );
}
