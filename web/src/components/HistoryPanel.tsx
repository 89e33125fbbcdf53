/**
 * The history of one node or guest (GET /api/charts), drawn with uPlot: utilisation in percent,
 * and for guests the I/O rates. Opened from a dashboard row; the numbers a bar shows now, over time.
 */
import type { Guest, Node } from '@model/state';
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../api/client';
import type { ChartPoint, ChartsResponse } from '../api/types';
import { explainDisk, explainMemory } from '../lib/explain';
import { formatBytes, formatUptime, splitTags } from '../lib/format';
import { isNode } from '../lib/rows';
import { TimeChart } from './Chart';
import { Bar, Button, ErrorText, td, th } from './ui';

const RANGES = ['15m', '1h', '4h', '12h', '24h', '7d'];

/** The agent often repeats the version inside the name ("Debian … 12 (bookworm)"): say it once. */
const osLabel = (g: Guest) =>
  g.osName && g.osVersion && !g.osName.includes(g.osVersion)
    ? `${g.osName} ${g.osVersion}`
    : (g.osName ?? g.osVersion ?? '');

function aligned(series: Record<string, ChartPoint[] | undefined>, keys: string[]) {
  const times = [...new Set(keys.flatMap((k) => (series[k] ?? []).map((p) => p.timestamp)))].sort((a, b) => a - b);
  const values = keys.map((k) => {
    const m = new Map((series[k] ?? []).map((p) => [p.timestamp, p.value]));
    return times.map((t) => m.get(t) ?? null);
  });
  return { times: times.map((t) => t / 1000), values };
}

export function HistoryPanel(props: { row: Node | Guest; onClose: () => void }) {
  const [range, setRange] = createSignal('1h');
  const [error, setError] = createSignal('');
  const [data] = createResource(range, async (r) => {
    try {
      setError('');
      // Only this resource's series, not the whole estate's.
      return await api.get<ChartsResponse>(`/api/charts?range=${r}&ids=${encodeURIComponent(props.row.id)}`);
    } catch (err) {
      setError((err as Error).message);
      return undefined;
    }
  });
  const series = () => {
    const d = data();
    if (!d) return undefined;
    return (isNode(props.row) ? d.nodeData?.[props.row.id] : d.data?.[props.row.id]) ?? {};
  };
  const usage = () => {
    const s = series();
    return s ? aligned(s, ['cpu', 'memory', 'disk']) : undefined;
  };
  const io = () => {
    const s = series();
    return s && !isNode(props.row) ? aligned(s, ['netin', 'netout', 'diskread', 'diskwrite']) : undefined;
  };
  const g = () => (isNode(props.row) ? undefined : (props.row as Guest));
  return (
    <section
      aria-label={`History of ${props.row.name}`}
      class="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-700 dark:bg-slate-800/60"
    >
      <header class="mb-2 flex flex-wrap items-center gap-2">
        <h2 class="text-sm font-semibold">
          {props.row.name}
          <span class="ml-2 font-normal text-slate-500">
            {isNode(props.row) ? 'node' : `${g()?.type === 'qemu' ? 'VM' : 'LXC'} ${g()?.vmid} on ${g()?.node}`} · up{' '}
            {formatUptime(props.row.uptime)}
          </span>
        </h2>
        <div class="ml-auto flex flex-wrap items-center gap-1">
          <For each={RANGES}>
            {(r) => (
              <button
                type="button"
                aria-pressed={range() === r}
                class="rounded px-2 py-0.5 text-xs"
                classList={{
                  'bg-sky-600 text-white': range() === r,
                  'text-slate-600 dark:text-slate-300': range() !== r,
                }}
                onClick={() => setRange(r)}
              >
                {r}
              </button>
            )}
          </For>
          <Button variant="ghost" aria-label="Close history" onClick={props.onClose}>
            ✕
          </Button>
        </div>
      </header>
      <Show when={g()}>
        {(guest) => (
          <p class="mb-2 text-xs text-slate-600 dark:text-slate-300">
            {osLabel(guest()) || 'OS unknown (no guest agent data)'}
            <Show when={(guest().ipAddresses ?? []).length > 0}> · {guest().ipAddresses?.join(', ')}</Show>
            <Show when={splitTags(guest().tags).length > 0}> · tags {splitTags(guest().tags).join(', ')}</Show>
            <Show when={guest().memory?.balloon}> · balloon {formatBytes(guest().memory?.balloon)}</Show>
          </p>
        )}
      </Show>
      <dl aria-label={`How the figures of ${props.row.name} are computed`} class="mb-2 grid gap-1 text-xs">
        <For
          each={
            [
              ['Memory', explainMemory(props.row)],
              ['Disk', explainDisk(props.row)],
            ] as const
          }
        >
          {([label, e]) => (
            <Show when={e}>
              {(x) => (
                <div>
                  <dt class="inline font-medium">{label}: </dt>
                  <dd class="inline text-slate-600 dark:text-slate-300">
                    {x().how}
                    <Show when={x().differs}>
                      {' '}
                      <span class="text-slate-500">Why Proxmox can differ: {x().differs}</span>
                    </Show>
                  </dd>
                </div>
              )}
            </Show>
          )}
        </For>
      </dl>
      <Show when={(g()?.disks ?? []).length > 0 || (g()?.networkInterfaces ?? []).length > 0}>
        <div class="mb-3 grid gap-3 lg:grid-cols-2">
          <Show when={(g()?.disks ?? []).length > 0}>
            <table class="w-full text-xs" aria-label={`Filesystems of ${props.row.name}`}>
              <thead>
                <tr>
                  <th class={th}>Filesystem</th>
                  <th class={th} style={{ width: '55%' }}>
                    Used
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={g()?.disks ?? []}>
                  {(d) => (
                    <tr>
                      <td class={td}>
                        {d.mountpoint ?? d.device ?? '?'} <span class="text-slate-500">{d.type}</span>
                      </td>
                      <td class={td}>
                        <Bar
                          name={`Usage of ${d.mountpoint ?? d.device ?? 'filesystem'}`}
                          percent={d.usage}
                          label={`${d.usage.toFixed(0)}% (${formatBytes(d.used)}/${formatBytes(d.total)})`}
                          title={`${formatBytes(d.used, 2)} of ${formatBytes(d.total, 2)} used`}
                        />
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
          <Show when={(g()?.networkInterfaces ?? []).length > 0}>
            <table class="w-full text-xs" aria-label={`Network interfaces of ${props.row.name}`}>
              <thead>
                <tr>
                  <th class={th}>Interface</th>
                  <th class={th}>Addresses</th>
                  <th class={th}>Received / sent</th>
                </tr>
              </thead>
              <tbody>
                <For each={g()?.networkInterfaces ?? []}>
                  {(n) => (
                    <tr>
                      <td class={td}>
                        {n.name} <span class="text-slate-500">{n.mac}</span>
                      </td>
                      <td class={td}>{(n.addresses ?? []).join(', ') || '–'}</td>
                      <td class={td}>
                        {formatBytes(n.rxBytes)} / {formatBytes(n.txBytes)}
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        </div>
      </Show>
      <ErrorText error={error()} />
      <Show when={usage()} fallback={<p class="text-xs text-slate-500">Loading history…</p>}>
        {(u) => (
          <Show
            when={u().times.length > 1}
            fallback={<p class="text-xs text-slate-500">Not enough history yet for this range.</p>}
          >
            <div class="grid gap-3 lg:grid-cols-2">
              <TimeChart
                label={`CPU, memory and disk of ${props.row.name} (percent)`}
                unit="percent"
                times={u().times}
                series={[
                  { label: 'CPU %', color: '#0ea5e9', values: u().values[0] as number[] },
                  { label: 'Memory %', color: '#22c55e', values: u().values[1] as number[] },
                  { label: 'Disk %', color: '#a855f7', values: u().values[2] as number[] },
                ]}
              />
              <Show when={io()}>
                {(x) => (
                  <TimeChart
                    label={`Network and disk I/O of ${props.row.name} (bytes per second)`}
                    unit="bytesPerSecond"
                    times={x().times}
                    series={[
                      { label: 'Net in', color: '#0ea5e9', values: x().values[0] as number[] },
                      { label: 'Net out', color: '#22c55e', values: x().values[1] as number[] },
                      { label: 'Disk read', color: '#f59e0b', values: x().values[2] as number[] },
                      { label: 'Disk write', color: '#ef4444', values: x().values[3] as number[] },
                    ]}
                  />
                )}
              </Show>
            </div>
          </Show>
        )}
      </Show>
    </section>
  );
}
