/**
 * Nodes and their guests in one virtualised table, live from /ws. Only the rows in view exist in
 * the DOM; rows are the store's objects, so an update touches only the cells whose values changed.
 */
import type { Guest, Node } from '@model/state';
import { createEffect, createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { HistoryPanel } from '../components/HistoryPanel';
import { Bar, ErrorText, inputClass, Sparkline, StatusDot, Tags, td, th } from '../components/ui';
import { explainDisk, explainLine, explainMemory } from '../lib/explain';
import { parseFilter } from '../lib/filter';
import { formatBytes, formatPercent, formatRate, formatUptime, splitTags } from '../lib/format';
import {
  buildRows,
  type GuestCounts,
  guestCounts,
  guestDiskPercent,
  isNode,
  nodeKey,
  type Row,
  type SortKey,
  type SortSpec,
} from '../lib/rows';
import { linkClick } from '../router';
import { chartsError, guestSeries, nodeSeries, useCharts } from '../stores/charts';
import { changedIn, live, rawList } from '../stores/live';

const ROW_H = 36;
/** Rows rendered beyond each edge of the viewport: a scroll's next frame already has them. Each row
 * is positioned at its index and contained (styles.css `.dash-table`), so a frame lays out only the
 * rows it adds; every row kept costs its share of each update's cell writes. */
const OVERSCAN = 2;

function Segmented(props: {
  label: string;
  value: string;
  options: Array<[string, string]>;
  onChange: (v: string) => void;
}) {
  return (
    <fieldset
      aria-label={props.label}
      class="inline-flex rounded-md border border-slate-300 p-0.5 dark:border-slate-600"
    >
      <For each={props.options}>
        {([value, text]) => (
          <button
            type="button"
            aria-pressed={props.value === value}
            class="rounded px-2.5 py-1 text-xs"
            classList={{
              'bg-slate-200 font-semibold dark:bg-slate-600': props.value === value,
              'text-slate-600 dark:text-slate-300': props.value !== value,
            }}
            onClick={() => props.onChange(value)}
          >
            {text}
          </button>
        )}
      </For>
    </fieldset>
  );
}

/** `pve-manager/9.0.10/abc` → `9.0.10` */
const shortVersion = (v: string) => /(\d+\.\d+(?:[.-]\d+)*)/.exec(v)?.[1] ?? v;

/** Rates without the space and "/s", to fit two in a narrow cell (the title has the full words). */
const shortRate = (v: number) => `${v > 0 ? formatBytes(v).replace(' ', '') : '0B'}/s`;

function cpuTitle(r: Row): string {
  const cores = isNode(r) ? r.cpuInfo?.cores : (r as Guest).cpus;
  return `CPU ${(r.cpu * 100).toFixed(1)}%${cores ? ` of ${cores} cores (${(r.cpu * cores).toFixed(2)} cores busy)` : ''}`;
}

function memTitle(r: Row): string {
  const m = r.memory;
  if (!m) return 'Memory: unknown';
  return `Memory ${formatBytes(m.used, 2)} of ${formatBytes(m.total, 2)} (${m.usage.toFixed(1)}%)${m.balloon ? `, balloon ${formatBytes(m.balloon)}` : ''}${explainLine(explainMemory(r))}`;
}

function diskTitle(r: Row): string {
  const d = r.disk;
  if (!d) return 'Disk: unknown';
  if (d.usage < 0) {
    const reason = (r as Guest).diskStatusReason;
    return `Disk usage unknown${reason ? ` (${reason})` : ''}; ${formatBytes(d.total)} allocated${explainLine(explainDisk(r))}`;
  }
  return `Disk ${formatBytes(d.used, 2)} of ${formatBytes(d.total, 2)} (${d.usage.toFixed(1)}%)${explainLine(explainDisk(r))}`;
}

function NodeCells(props: { n: Node; onOpen: (r: Row) => void; counts?: GuestCounts }) {
  const n = () => props.n;
  return (
    <>
      <td class={`${td} font-semibold`}>
        <span class="flex min-w-0 items-center gap-2">
          <StatusDot status={n().status} label="" />
          <button
            type="button"
            class="min-w-0 truncate hover:underline"
            aria-label={`Show history of ${n().name}`}
            title={n().displayName || n().name}
            onClick={() => props.onOpen(n())}
          >
            {n().displayName || n().name}
          </button>
          <span class="hidden rounded bg-orange-100 px-1 text-[10px] font-semibold text-orange-700 sm:inline dark:bg-orange-900/50 dark:text-orange-300">
            PVE
          </span>
          <Show when={n().pveVersion}>
            <span class="hidden shrink-0 whitespace-nowrap text-[11px] font-normal text-slate-500 xl:inline">
              {shortVersion(n().pveVersion)}
            </span>
          </Show>
          <Show when={n().connectionHealth && n().connectionHealth !== 'healthy'}>
            <span
              class="shrink-0 rounded bg-amber-100 px-1 text-[10px] font-normal text-amber-800 dark:bg-amber-900/50 dark:text-amber-200"
              title={
                n().dataAgeSeconds !== undefined
                  ? 'The host stopped answering; these figures are its last ones'
                  : n().connectionHealth === 'degraded'
                    ? 'Some cluster endpoints do not answer; Pulse reads through the others'
                    : 'Pulse cannot read this node'
              }
            >
              {n().dataAgeSeconds !== undefined ? `stale ${n().dataAgeSeconds} s` : n().connectionHealth}
            </span>
          </Show>
          <Show when={n().clusterName}>
            <span class="hidden shrink-0 whitespace-nowrap rounded bg-sky-100 px-1 text-[10px] font-normal text-sky-700 lg:inline dark:bg-sky-900/50 dark:text-sky-300">
              {n().clusterName}
            </span>
          </Show>
        </span>
      </td>
      <td class={`${td} hidden md:table-cell text-xs text-slate-500`}>node</td>
      <td class={`${td} hidden md:table-cell`} />
      <td class={`${td} hidden sm:table-cell text-xs`}>{n().status}</td>
      <td class={`${td} hidden md:table-cell text-xs tabular-nums`}>{formatUptime(n().uptime)}</td>
      <td class={td}>
        <Bar
          name={`CPU of ${n().name}`}
          percent={n().cpu * 100}
          label={formatPercent(n().cpu * 100)}
          title={cpuTitle(n())}
          muted={n().status !== 'online'}
        />
      </td>
      <td class={td}>
        <Bar
          name={`Memory of ${n().name}`}
          percent={n().memory?.usage ?? 0}
          label={formatPercent(n().memory?.usage)}
          title={memTitle(n())}
          muted={n().status !== 'online'}
        />
      </td>
      <td class={`${td} hidden sm:table-cell`}>
        <Bar
          name={`Disk of ${n().name}`}
          percent={n().disk?.usage ?? 0}
          label={formatPercent(n().disk?.usage)}
          title={diskTitle(n())}
          muted={n().status !== 'online'}
        />
      </td>
      <td class={`${td} hidden lg:table-cell`}>
        <Sparkline values={nodeSeries(n().id, 'cpu')} max={100} label={`CPU trend of ${n().name}, last hour`} />
      </td>
      <td class={`${td} hidden 2xl:table-cell text-xs text-slate-500`}>
        <span class="block truncate">{n().kernelVersion}</span>
      </td>
      <td class={`${td} hidden xl:table-cell text-xs text-slate-500`}>
        <Show when={n().temperature?.available && (n().temperature?.cpuPackage ?? n().temperature?.cpuMax)}>
          {(t) => (
            <span
              title={
                (n().temperature?.nvme ?? []).map((d) => `${d.device} ${Math.round(d.temp)}°C`).join(', ') || undefined
              }
            >
              CPU {Math.round(t())}°C
            </span>
          )}
        </Show>
      </td>
      <td class={`${td} hidden xl:table-cell text-xs text-slate-500`}>
        <span class="block truncate">
          {n().cpuInfo?.cores ? `${n().cpuInfo.cores} cores` : ''}
          <Show when={n().loadAverage?.length}>
            {' '}
            · load{' '}
            {n()
              .loadAverage.map((l) => l.toFixed(2))
              .join(' ')}
          </Show>
        </span>
      </td>
      <td class={`${td} hidden lg:table-cell text-xs text-slate-500`}>
        <Show when={props.counts}>
          {(c) => (
            <span
              class="block truncate"
              title={`${c().vmsRunning} of ${c().vms} VMs and ${c().ctsRunning} of ${c().cts} containers running`}
            >
              {c().vmsRunning}/{c().vms} VMs · {c().ctsRunning}/{c().cts} CTs
            </span>
          )}
        </Show>
      </td>
    </>
  );
}

function GuestCells(props: { g: Guest; onTag: (t: string) => void; onOpen: (r: Row) => void }) {
  const g = () => props.g;
  const running = () => g().status === 'running';
  const disk = () => guestDiskPercent(g());
  return (
    <>
      <td class={`${td} pl-6`}>
        <span class="flex min-w-0 items-center gap-2">
          <StatusDot status={g().status} label="" />
          <button
            type="button"
            class="truncate text-left hover:underline"
            classList={{ 'text-slate-400': !running() }}
            title={`${g().name}: show history`}
            onClick={() => props.onOpen(g())}
          >
            {g().name}
          </button>
          <Show when={g().lock}>
            <span
              class="rounded bg-amber-100 px-1 text-[10px] text-amber-700 dark:bg-amber-900/50 dark:text-amber-300"
              title={`Locked: ${g().lock}`}
            >
              {g().lock}
            </span>
          </Show>
        </span>
      </td>
      <td class={`${td} hidden md:table-cell`}>
        <span
          class="rounded px-1.5 text-[11px] font-medium"
          classList={{
            'bg-indigo-100 text-indigo-700 dark:bg-indigo-900/50 dark:text-indigo-300': g().type === 'qemu',
            'bg-emerald-100 text-emerald-700 dark:bg-emerald-900/50 dark:text-emerald-300': g().type === 'lxc',
          }}
        >
          {g().type === 'qemu' ? 'VM' : 'LXC'}
        </span>
      </td>
      <td class={`${td} hidden md:table-cell tabular-nums`}>{g().vmid}</td>
      <td class={`${td} hidden sm:table-cell text-xs`}>{g().status}</td>
      <td class={`${td} hidden md:table-cell text-xs tabular-nums`}>{running() ? formatUptime(g().uptime) : '–'}</td>
      <td class={td}>
        <Bar
          name={`CPU of ${g().name}`}
          percent={g().cpu * 100}
          label={running() ? formatPercent(g().cpu * 100) : '–'}
          title={cpuTitle(g())}
          muted={!running()}
        />
      </td>
      <td class={td}>
        <Bar
          name={`Memory of ${g().name}`}
          percent={g().memory?.usage ?? 0}
          label={running() ? formatPercent(g().memory?.usage) : '–'}
          title={memTitle(g())}
          muted={!running()}
        />
      </td>
      <td class={`${td} hidden sm:table-cell`}>
        <Bar
          name={`Disk of ${g().name}`}
          percent={Math.max(0, disk())}
          label={disk() < 0 ? '–' : formatPercent(disk())}
          title={diskTitle(g())}
          muted={!running()}
        />
      </td>
      <td class={`${td} hidden lg:table-cell`}>
        <Sparkline values={guestSeries(g().id, 'cpu')} max={100} label={`CPU trend of ${g().name}, last hour`} />
      </td>
      <td
        class={`${td} hidden 2xl:table-cell truncate whitespace-nowrap text-xs tabular-nums`}
        title={`Disk read ${formatRate(g().diskRead)}, write ${formatRate(g().diskWrite)}`}
      >
        {running() ? `R ${shortRate(g().diskRead)} · W ${shortRate(g().diskWrite)}` : '–'}
      </td>
      <td
        class={`${td} hidden xl:table-cell truncate whitespace-nowrap text-xs tabular-nums`}
        title={`Network in ${formatRate(g().networkIn)}, out ${formatRate(g().networkOut)}`}
      >
        {running() ? `↓ ${shortRate(g().networkIn)} · ↑ ${shortRate(g().networkOut)}` : '–'}
      </td>
      <td class={`${td} hidden xl:table-cell text-xs`}>
        <span
          class="block truncate"
          title={[g().osName, g().osVersion, ...(g().ipAddresses ?? [])].filter(Boolean).join(' · ')}
        >
          {(g().ipAddresses ?? []).slice(0, 2).join(', ')}
          <Show when={g().osName}>
            <span class="text-slate-500">
              {(g().ipAddresses ?? []).length ? ' · ' : ''}
              {g().osName}
            </span>
          </Show>
        </span>
      </td>
      <td class={`${td} hidden lg:table-cell`}>
        <Tags tags={splitTags(g().tags)} onClick={props.onTag} />
      </td>
    </>
  );
}

export function DashboardPage() {
  useCharts();
  const params = new URLSearchParams(location.search);
  const [query, setQuery] = createSignal(params.get('q') ?? '');
  const [type, setType] = createSignal('all');
  const [status, setStatus] = createSignal('all');
  const [grouped, setGrouped] = createSignal(true);
  const [sort, setSort] = createSignal<SortSpec>({ key: 'vmid', dir: 'asc' });
  const filter = createMemo(() => parseFilter(query()));
  // The filter lives in the URL (?q=…), so a filtered view can be bookmarked or shared.
  createEffect(() => {
    const q = query().trim();
    if (location.pathname !== '/') return;
    const next = q ? `/?q=${encodeURIComponent(q)}` : '/';
    if (location.pathname + location.search !== next) history.replaceState(null, '', next);
  });
  const [detail, setDetail] = createSignal<Row>();
  const guests = createMemo(() => [...live.state.vms, ...live.state.containers]);
  const rows = createMemo(() =>
    buildRows(live.state.nodes, guests(), {
      filter: filter(),
      sort: sort(),
      grouped: grouped(),
      type: type(),
      status: status(),
    }),
  );
  // Summary counts go through every guest on the raw lists (no signal per guest), and only when a
  // message changed a field they read or the lists' membership, not on a poll's metrics.
  const guestsMoved = changedIn(['vms', 'containers'], ['instance', 'node', 'type', 'status']);
  const counts = createMemo(() => {
    guestsMoved();
    return guestCounts([rawList(live.state.vms), rawList(live.state.containers)]);
  });
  const guestCount = () => rows().filter((r) => !isNode(r)).length;

  // Virtualisation: only the rows in (and just around) the viewport are rendered.
  let scroller!: HTMLDivElement;
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewH, setViewH] = createSignal(600);
  onMount(() => {
    const ro = new ResizeObserver(() => setViewH(scroller.clientHeight));
    ro.observe(scroller);
    onCleanup(() => ro.disconnect());
  });
  const range = createMemo(() => {
    const n = rows().length;
    const start = Math.max(0, Math.floor(scrollTop() / ROW_H) - OVERSCAN);
    const end = Math.min(n, Math.ceil((scrollTop() + viewH()) / ROW_H) + OVERSCAN);
    return { start, end, n };
  });
  const visible = createMemo(() => rows().slice(range().start, range().end));

  const sortBy = (key: SortKey) =>
    setSort((s) =>
      s.key === key
        ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' }
        : { key, dir: key === 'name' || key === 'vmid' ? 'asc' : 'desc' },
    );
  const addTerm = (term: string) => setQuery((q) => (q.split(/\s+/).includes(term) ? q : `${q} ${term}`.trim()));

  const SortTh = (p: { key: SortKey; label: string; class?: string }) => (
    <th
      scope="col"
      class={`${th} ${p.class ?? ''}`}
      aria-sort={sort().key === p.key ? (sort().dir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        class="uppercase hover:text-slate-900 dark:hover:text-white"
        aria-label={`Sort by ${p.label}`}
        onClick={() => sortBy(p.key)}
      >
        {p.label}
        {sort().key === p.key ? (sort().dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );

  // One memo per figure, each a string, so only a figure that changed touches the DOM; counted on
  // the raw lists, when a status or a list's membership changed (`changedIn`).
  const running = (l: readonly Guest[]) => {
    let n = 0;
    for (const g of rawList(l)) if (g.status === 'running') n++;
    return `${n}/${l.length}`;
  };
  const nodesChanged = changedIn(['nodes'], ['status']);
  const nodesOnline = createMemo(() => {
    nodesChanged();
    let n = 0;
    for (const node of rawList(live.state.nodes)) if (node.status === 'online') n++;
    return `${n}/${live.state.nodes.length}`;
  });
  const vmsRunning = createMemo(() => {
    guestsMoved();
    return running(live.state.vms);
  });
  const ctsRunning = createMemo(() => {
    guestsMoved();
    return running(live.state.containers);
  });
  const alertCount = createMemo(() => String(live.state.activeAlerts.length));

  return (
    <div class="space-y-3">
      <h1 class="sr-only">Dashboard</h1>
      <dl class="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <For
          each={
            [
              ['Nodes online', nodesOnline],
              ['VMs running', vmsRunning],
              ['Containers running', ctsRunning],
              ['Active alerts', alertCount],
            ] as Array<[string, () => string]>
          }
        >
          {([label, value]) => (
            <div class="rounded-lg border border-slate-200 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-800/60">
              <dt class="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
              <dd class="text-lg font-semibold tabular-nums">{value()}</dd>
            </div>
          )}
        </For>
      </dl>

      <div class="flex flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white p-2 dark:border-slate-700 dark:bg-slate-800/60">
        <input
          type="search"
          aria-label="Filter guests"
          placeholder="Filter: name, vmid, cpu>80, mem>50, tags:prod, status:stopped, node:pve1"
          class={`${inputClass} min-w-0 flex-1 basis-64`}
          value={query()}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <Segmented
          label="Guest type"
          value={type()}
          onChange={setType}
          options={[
            ['all', 'All'],
            ['qemu', 'VMs'],
            ['lxc', 'LXCs'],
          ]}
        />
        <Segmented
          label="Guest status"
          value={status()}
          onChange={setStatus}
          options={[
            ['all', 'All'],
            ['running', 'Running'],
            ['stopped', 'Stopped'],
          ]}
        />
        <Segmented
          label="Layout"
          value={grouped() ? 'g' : 'l'}
          onChange={(v) => setGrouped(v === 'g')}
          options={[
            ['g', 'Grouped'],
            ['l', 'List'],
          ]}
        />
        <button
          type="button"
          class="rounded px-2 py-1 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-700"
          onClick={() => {
            setQuery('');
            setType('all');
            setStatus('all');
            setGrouped(true);
            setSort({ key: 'vmid', dir: 'asc' });
          }}
        >
          Reset
        </button>
        <span class="text-xs text-slate-500" role="status" aria-live="polite">
          {guestCount()} guests shown
        </span>
      </div>
      <Show when={detail()} keyed>
        {(row) => <HistoryPanel row={row} onClose={() => setDetail(undefined)} />}
      </Show>
      <For each={filter().errors}>{(e) => <ErrorText error={e} />}</For>
      <Show when={chartsError()}>
        <p class="text-xs text-slate-500">Trends unavailable: {chartsError()}</p>
      </Show>

      <div
        ref={scroller}
        class="relative overflow-auto rounded-lg border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-800/60"
        style={{ height: 'max(420px, calc(100vh - 300px))' }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <table class="dash-table text-sm" aria-label="Nodes and guests" aria-rowcount={range().n + 1}>
          <thead class="sticky top-0 z-10 bg-slate-50 dark:bg-slate-800">
            <tr aria-rowindex={1}>
              <SortTh key="name" label="Name" />
              <th scope="col" class={`${th} hidden md:table-cell`}>
                Type
              </th>
              <SortTh key="vmid" label="VMID" class="hidden md:table-cell" />
              <SortTh key="status" label="Status" class="hidden sm:table-cell" />
              <SortTh key="uptime" label="Uptime" class="hidden md:table-cell" />
              <SortTh key="cpu" label="CPU" />
              <SortTh key="mem" label="Memory" />
              <SortTh key="disk" label="Disk" class="hidden sm:table-cell" />
              <th scope="col" class={`${th} hidden lg:table-cell`}>
                Trend
              </th>
              <SortTh key="diskread" label="Disk R/W" class="hidden 2xl:table-cell" />
              <SortTh key="netin" label="Net in/out" class="hidden xl:table-cell" />
              <th scope="col" class={`${th} hidden xl:table-cell`}>
                OS / IP
              </th>
              <th scope="col" class={`${th} hidden lg:table-cell`}>
                Tags
              </th>
            </tr>
          </thead>
          <tbody style={{ height: `${range().n * ROW_H}px` }}>
            <For each={visible()}>
              {(row, i) => (
                <tr
                  data-row-id={row.id}
                  aria-rowindex={range().start + i() + 2}
                  // The whole row opens the detail panel, by mouse and by keyboard (Enter or Space).
                  tabIndex={0}
                  title={`${row.name}: click or press Enter for details`}
                  onClick={(e) => {
                    // Controls inside the row (name, tags) do their own thing.
                    if ((e.target as Element).closest('button, a, input, select')) return;
                    setDetail(row);
                  }}
                  onKeyDown={(e) => {
                    if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return;
                    e.preventDefault();
                    setDetail(row);
                  }}
                  style={{ height: `${ROW_H}px`, top: `${(range().start + i()) * ROW_H}px` }}
                  class="cursor-pointer border-t border-slate-100 focus:outline-2 focus:-outline-offset-2 focus:outline-sky-500 dark:border-slate-700/60"
                  classList={{
                    'bg-slate-50 dark:bg-slate-800': isNode(row),
                    'hover:bg-sky-50/60 dark:hover:bg-slate-700/40': !isNode(row),
                  }}
                >
                  <Show
                    when={isNode(row)}
                    fallback={<GuestCells g={row as Guest} onTag={(t) => addTerm(`tags:${t}`)} onOpen={setDetail} />}
                  >
                    <NodeCells
                      n={row as Node}
                      onOpen={setDetail}
                      counts={counts().get(nodeKey(row.instance, row.name))}
                    />
                  </Show>
                </tr>
              )}
            </For>
          </tbody>
        </table>
        <Show when={rows().length === 0}>
          <p class="p-6 text-center text-sm text-slate-500">
            <Show when={live.state.nodes.length === 0} fallback="Nothing matches this filter.">
              No nodes yet — add a Proxmox server under{' '}
              <a href="/settings/nodes" onClick={linkClick} class="text-sky-600 underline dark:text-sky-400">
                Settings → Nodes
              </a>
              .
            </Show>
          </p>
        </Show>
      </div>
    </div>
  );
}
