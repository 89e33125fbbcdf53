/**
 * Recent history for sparklines, from GET /api/charts (polled while a page needs it). Kept
 * apart from the live state: it changes slowly and only the visible rows read it.
 *
 * Only what is on screen is asked for: each sparkline that reads a series registers its id while
 * it exists (rows are virtualised, so that is the rows in view), and a request names those ids
 * and the `cpu` metric the sparklines draw (`/api/charts?ids=…&metrics=cpu`).
 */
import { createSignal, getOwner, onCleanup } from 'solid-js';
import { api } from '../api/client';
import type { ChartPoint, ChartsResponse } from '../api/types';

const [charts, setCharts] = createSignal<ChartsResponse>();
const [chartsError, setChartsError] = createSignal('');
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** Ids read by mounted sparklines, with how many readers each, and the metrics they draw. */
const wanted = new Map<string, number>();
const metrics = new Set<string>();
/** Ids named in the last request, so an id the server does not know is not asked for in a loop. */
let requested = new Set<string>();
let soon: ReturnType<typeof setTimeout> | undefined;
/** The server's limit on ids per request. */
const IDS_PER_REQUEST = 2000;

async function load(): Promise<void> {
  clearTimeout(soon);
  soon = undefined;
  const ids = [...wanted.keys()].slice(0, IDS_PER_REQUEST);
  requested = new Set(ids);
  if (ids.length === 0) return;
  try {
    const names = [...metrics].map(encodeURIComponent).join(',');
    const query = `range=1h&metrics=${names}&ids=${ids.map(encodeURIComponent).join(',')}`;
    setCharts(await api.get<ChartsResponse>(`/api/charts?${query}`));
    setChartsError('');
  } catch (err) {
    setChartsError((err as Error).message);
  }
}

/** Registers a reader of `id` for the life of the current computation; new ids are fetched soon. */
function want(id: string, metric: string): void {
  if (!getOwner()) return;
  wanted.set(id, (wanted.get(id) ?? 0) + 1);
  const newMetric = !metrics.has(metric);
  metrics.add(metric);
  // Rows scrolled into view arrive together: one request for all of them.
  if ((newMetric || !requested.has(id)) && users > 0) soon ??= setTimeout(load, 250);
  onCleanup(() => {
    const n = (wanted.get(id) ?? 1) - 1;
    if (n > 0) wanted.set(id, n);
    else wanted.delete(id);
  });
}

/** Call from a component: polls every 30 s while at least one user is mounted. */
export function useCharts(): void {
  users++;
  if (users === 1) {
    // After the first rows have mounted and registered their ids.
    soon ??= setTimeout(load, 0);
    timer = setInterval(load, 30_000);
  }
  onCleanup(() => {
    users--;
    if (users === 0) clearInterval(timer);
  });
}

const values = (pts: ChartPoint[] | undefined) => (pts ?? []).map((p) => p.value);

export function guestSeries(id: string, metric: string): number[] {
  want(id, metric);
  return values(charts()?.data?.[id]?.[metric]);
}

export function nodeSeries(id: string, metric: string): number[] {
  want(id, metric);
  return values(charts()?.nodeData?.[id]?.[metric]);
}

export { charts, chartsError };
