/** Storage per node with usage, ZFS pool health, Ceph cluster health and physical disks. */
import type { Storage, ZfsPool } from '@model/state';
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { api, seg } from '../api/client';
import type { StorageOneReply } from '../api/types';
import { ForecastHint } from '../components/ForecastHint';
import { Bar, Card, Empty, ErrorText, inputClass, StatusDot, td, th } from '../components/ui';
import { formatBytes, formatDateTime, formatPercent } from '../lib/format';
import { live } from '../stores/live';

const isZfs = (s: Storage) => ['zfspool', 'zfs', 'local-zfs'].includes(s.type) || s.name === 'local-zfs';

function poolTone(state: string): string {
  if (state === 'ONLINE') return 'text-emerald-600 dark:text-emerald-400';
  if (state === 'DEGRADED') return 'text-amber-600 dark:text-amber-400';
  return 'text-red-600 dark:text-red-400';
}

function ZfsHealth(props: { pool: ZfsPool }) {
  const errs = () => props.pool.readErrors + props.pool.writeErrors + props.pool.checksumErrors;
  const bad = () =>
    props.pool.devices.filter((d) => d.state !== 'ONLINE' || d.readErrors + d.writeErrors + d.checksumErrors > 0);
  return (
    <span
      class={`text-xs font-medium ${poolTone(props.pool.state)}`}
      title={[
        `ZFS pool ${props.pool.name}: ${props.pool.state}`,
        props.pool.status,
        props.pool.scan,
        `errors read/write/checksum: ${props.pool.readErrors}/${props.pool.writeErrors}/${props.pool.checksumErrors}`,
        ...bad().map(
          (d) =>
            `${d.name}: ${d.state} (${d.readErrors}/${d.writeErrors}/${d.checksumErrors})${d.message ? ` ${d.message}` : ''}`,
        ),
      ]
        .filter(Boolean)
        .join('\n')}
    >
      ZFS {props.pool.state}
      <Show when={errs() > 0}> · {errs()} errors</Show>
      <Show when={bad().length > 0}> · {bad().length} device(s) need attention</Show>
    </span>
  );
}

export function StoragePage() {
  const [query, setQuery] = createSignal('');
  const [pools, setPools] = createSignal<Record<string, ZfsPool>>({});
  const [poolError, setPoolError] = createSignal('');

  // The live (frontend-shaped) state omits zfsPool; the per-storage route carries it.
  const loadPools = async () => {
    const zfs = live.state.storage.filter(isZfs);
    const found: Record<string, ZfsPool> = {};
    try {
      for (const s of zfs) {
        // A storage id answers with that one storage (a list is what a node id gets).
        const one = (await api.get<StorageOneReply>(`/api/storage/${seg(s.id)}`))?.data;
        if (one && !Array.isArray(one) && one.zfsPool) found[s.id] = one.zfsPool;
      }
      setPools(found);
      setPoolError('');
    } catch (err) {
      setPoolError(`ZFS pool health unavailable: ${(err as Error).message}`);
    }
  };
  onMount(() => {
    void loadPools();
    const t = setInterval(loadPools, 60_000);
    onCleanup(() => clearInterval(t));
  });

  const zfsPools = createMemo(() =>
    live.state.storage
      .map((st) => [st, pools()[st.id] ?? st.zfsPool] as const)
      .filter((x): x is readonly [Storage, ZfsPool] => !!x[1]),
  );

  const list = createMemo(() => {
    const q = query().trim().toLowerCase();
    const nodeTerm = /^node:(\S+)$/.exec(q)?.[1];
    return [...live.state.storage]
      .filter((s) =>
        nodeTerm
          ? s.node.toLowerCase() === nodeTerm
          : !q || `${s.name} ${s.node} ${s.type} ${s.content}`.toLowerCase().includes(q),
      )
      .sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name));
  });

  return (
    <div class="space-y-4">
      <h1 class="text-xl font-semibold">Storage</h1>
      <div class="flex flex-wrap items-center gap-2">
        <input
          type="search"
          aria-label="Filter storage"
          placeholder="Filter storage by name, type, content or node:name"
          class={`${inputClass} max-w-md`}
          value={query()}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      <ErrorText error={poolError()} />
      <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-800/60">
        <table class="w-full text-sm" aria-label="Storage">
          <thead class="bg-slate-50 dark:bg-slate-800">
            <tr>
              <th scope="col" class={th}>
                Storage
              </th>
              <th scope="col" class={th}>
                Node
              </th>
              <th scope="col" class={`${th} hidden sm:table-cell`}>
                Type
              </th>
              <th scope="col" class={`${th} hidden lg:table-cell`}>
                Content
              </th>
              <th scope="col" class={th}>
                Status
              </th>
              <th scope="col" class={`${th} hidden md:table-cell`}>
                Shared
              </th>
              <th scope="col" class={th} style={{ width: '28%' }}>
                Usage
              </th>
              <th scope="col" class={`${th} hidden md:table-cell`}>
                Free
              </th>
              <th scope="col" class={`${th} hidden md:table-cell`}>
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            <For each={list()}>
              {(s) => (
                <tr class="border-t border-slate-100 dark:border-slate-700/60" data-row-id={s.id}>
                  <td class={`${td} font-medium`}>
                    {s.name}
                    <Show when={pools()[s.id] ?? s.zfsPool}>
                      {(p) => (
                        <div>
                          <ZfsHealth pool={p()} />
                        </div>
                      )}
                    </Show>
                  </td>
                  <td class={td}>{s.shared && s.nodes?.length ? `${s.node} (${s.nodes.length} nodes)` : s.node}</td>
                  <td class={`${td} hidden sm:table-cell`}>
                    <span class="rounded bg-slate-100 px-1.5 text-xs dark:bg-slate-700">{s.type}</span>
                  </td>
                  <td class={`${td} hidden lg:table-cell text-xs text-slate-500`}>{s.content}</td>
                  <td class={td}>
                    <StatusDot status={s.status} />
                  </td>
                  <td class={`${td} hidden md:table-cell`}>{s.shared ? 'yes' : '–'}</td>
                  <td class={td}>
                    <Bar
                      name={`Usage of ${s.name} on ${s.node}`}
                      percent={s.usage}
                      label={`${formatPercent(s.usage)} (${formatBytes(s.used)}/${formatBytes(s.total)})`}
                      title={`${formatBytes(s.used, 2)} used of ${formatBytes(s.total, 2)} (${s.usage.toFixed(1)}%), ${formatBytes(s.free, 2)} free`}
                    />
                    <ForecastHint id={s.id} />
                  </td>
                  <td class={`${td} hidden md:table-cell tabular-nums`}>{formatBytes(s.free)}</td>
                  <td class={`${td} hidden md:table-cell tabular-nums`}>{formatBytes(s.total)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <Show when={list().length === 0}>
          <Empty>No storage {query() ? 'matches this filter' : 'reported yet'}.</Empty>
        </Show>
      </div>

      <Show when={zfsPools().length > 0}>
        <Card title="ZFS pools">
          <div class="space-y-4">
            <For each={zfsPools()}>
              {([st, pool]) => (
                <div data-zfs-pool={pool.name}>
                  <p class="text-sm">
                    <span class="font-medium">{pool.name}</span> on {st.node} ({st.name}) ·{' '}
                    <span class={`font-semibold ${poolTone(pool.state)}`}>{pool.state}</span> · errors
                    read/write/checksum {pool.readErrors}/{pool.writeErrors}/{pool.checksumErrors}
                  </p>
                  <Show when={pool.status}>
                    <p class="text-xs text-slate-600 dark:text-slate-300">{pool.status}</p>
                  </Show>
                  <Show when={pool.scan}>
                    <p class="text-xs text-slate-500">{pool.scan}</p>
                  </Show>
                  <table class="mt-1 w-full text-xs" aria-label={`Devices of ZFS pool ${pool.name} on ${st.node}`}>
                    <thead>
                      <tr>
                        <th class={th}>Device</th>
                        <th class={th}>Type</th>
                        <th class={th}>State</th>
                        <th class={th}>Read / write / checksum errors</th>
                        <th class={`${th} hidden md:table-cell`}>Message</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={pool.devices}>
                        {(d) => (
                          <tr class="border-t border-slate-100 dark:border-slate-700/60">
                            <td class={`${td} font-mono`}>{d.name}</td>
                            <td class={td}>{d.type}</td>
                            <td class={`${td} font-semibold ${poolTone(d.state)}`}>{d.state}</td>
                            <td class={td}>
                              {d.readErrors} / {d.writeErrors} / {d.checksumErrors}
                            </td>
                            <td class={`${td} hidden md:table-cell`}>{d.message}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              )}
            </For>
          </div>
        </Card>
      </Show>

      <Show when={live.state.cephClusters.length > 0}>
        <Card title="Ceph">
          <div class="grid gap-4 md:grid-cols-2">
            <For each={live.state.cephClusters}>
              {(c) => (
                <div class="space-y-2" data-ceph-id={c.id}>
                  <div class="flex items-center justify-between">
                    <span class="font-medium">
                      {c.name} · {c.instance}
                    </span>
                    <span
                      class="rounded px-2 py-0.5 text-xs font-semibold"
                      classList={{
                        'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-200':
                          c.health === 'HEALTH_OK',
                        'bg-amber-100 text-amber-800 dark:bg-amber-900/50 dark:text-amber-200':
                          c.health === 'HEALTH_WARN',
                        'bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-200':
                          c.health !== 'HEALTH_OK' && c.health !== 'HEALTH_WARN',
                      }}
                    >
                      {c.health}
                    </span>
                  </div>
                  <Show when={c.healthMessage}>
                    <p class="text-xs text-slate-600 dark:text-slate-300">{c.healthMessage}</p>
                  </Show>
                  <Bar
                    name={`Ceph usage of ${c.instance}`}
                    percent={c.usagePercent}
                    label={`${formatPercent(c.usagePercent, 1)} (${formatBytes(c.usedBytes)}/${formatBytes(c.totalBytes)})`}
                    title={`${formatBytes(c.usedBytes, 2)} used of ${formatBytes(c.totalBytes, 2)}`}
                  />
                  <p class="text-xs text-slate-500">
                    {c.numMons} mons · {c.numMgrs} mgrs · OSDs {c.numOsdsUp} up / {c.numOsdsIn} in / {c.numOsds} ·{' '}
                    {c.numPGs} PGs
                  </p>
                  <For each={c.services ?? []}>
                    {(svc) => (
                      <p class="text-xs">
                        <StatusDot
                          status={svc.running === svc.total ? 'ok' : 'degraded'}
                          label={`${svc.type}: ${svc.running}/${svc.total} running${svc.message ? ` — ${svc.message}` : ''}`}
                        />
                      </p>
                    )}
                  </For>
                  <Show when={(c.pools ?? []).length > 0}>
                    <table class="w-full text-xs" aria-label={`Ceph pools of ${c.instance}`}>
                      <thead>
                        <tr>
                          <th class={th}>Pool</th>
                          <th class={th}>Stored</th>
                          <th class={th}>Objects</th>
                          <th class={th}>Used</th>
                        </tr>
                      </thead>
                      <tbody>
                        <For each={c.pools}>
                          {(p) => (
                            <tr>
                              <td class={td}>{p.name}</td>
                              <td class={td}>{formatBytes(p.storedBytes)}</td>
                              <td class={td}>{p.objects}</td>
                              <td class={td}>
                                {formatPercent(p.percentUsed * (p.percentUsed <= 1 ? 100 : 1), 1)}
                                <ForecastHint id={`${c.id}-pool-${p.name}`} />
                              </td>
                            </tr>
                          )}
                        </For>
                      </tbody>
                    </table>
                  </Show>
                </div>
              )}
            </For>
          </div>
        </Card>
      </Show>

      <Show when={live.state.physicalDisks.length > 0}>
        <Card title="Physical disks">
          <div class="overflow-x-auto">
            <table class="w-full text-sm" aria-label="Physical disks">
              <thead>
                <tr>
                  <th class={th}>Node</th>
                  <th class={th}>Device</th>
                  <th class={`${th} hidden md:table-cell`}>Model</th>
                  <th class={th}>Type</th>
                  <th class={th}>Size</th>
                  <th class={th}>Health</th>
                  <th class={th}>Life left</th>
                  <th class={`${th} hidden sm:table-cell`}>Temp</th>
                  <th class={`${th} hidden lg:table-cell`}>Checked</th>
                </tr>
              </thead>
              <tbody>
                <For each={live.state.physicalDisks}>
                  {(d) => (
                    <tr class="border-t border-slate-100 dark:border-slate-700/60">
                      <td class={td}>{d.node}</td>
                      <td class={`${td} font-mono text-xs`}>{d.devPath}</td>
                      <td class={`${td} hidden md:table-cell text-xs`}>{d.model}</td>
                      <td class={td}>{d.type}</td>
                      <td class={td}>{formatBytes(d.size)}</td>
                      <td class={td}>
                        <StatusDot
                          status={
                            ['PASSED', 'OK'].includes(d.health.toUpperCase())
                              ? 'ok'
                              : d.health.toUpperCase() === 'UNKNOWN'
                                ? 'unknown'
                                : 'failed'
                          }
                          label={d.health}
                        />
                      </td>
                      <td class={td}>{d.wearout >= 0 ? `${d.wearout}%` : '–'}</td>
                      <td class={`${td} hidden sm:table-cell`}>{d.temperature > 0 ? `${d.temperature}°C` : '–'}</td>
                      <td class={`${td} hidden lg:table-cell text-xs`}>{formatDateTime(d.lastChecked)}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Card>
      </Show>
    </div>
  );
}
