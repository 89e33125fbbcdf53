/**
 * Recent history for sparklines, from GET /api/charts (polled while a page needs it). Kept
 * apart from the live state: it changes slowly and only the visible rows read it.
 */
import { createSignal, onCleanup } from 'solid-js';
import { api } from '../api/client';
import type { ChartPoint, ChartsResponse } from '../api/types';
import { live } from './live';

const [charts, setCharts] = createSignal<ChartsResponse>();
const [chartsError, setChartsError] = createSignal('');
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * /api/charts answers for every resource at once (about a million points for 10,000 guests), too
 * much to poll for sparklines; above this many guests they are off (a row's history still works).
 */
export const SPARKLINE_GUEST_LIMIT = 2000;

async function load(): Promise<void> {
  if (live.state.vms.length + live.state.containers.length > SPARKLINE_GUEST_LIMIT) {
    setCharts(undefined);
    setChartsError('');
    return;
  }
  try {
    setCharts(await api.get<ChartsResponse>('/api/charts?range=1h'));
    setChartsError('');
  } catch (err) {
    setChartsError((err as Error).message);
  }
}

/** Call from a component: polls every 30 s while at least one user is mounted. */
export function useCharts(): void {
  users++;
  if (users === 1) {
    void load();
    timer = setInterval(load, 30_000);
  }
  onCleanup(() => {
    users--;
    if (users === 0) clearInterval(timer);
  });
}

const values = (pts: ChartPoint[] | undefined) => (pts ?? []).map((p) => p.value);

export function guestSeries(id: string, metric: string): number[] {
  return values(charts()?.data?.[id]?.[metric]);
}

export function nodeSeries(id: string, metric: string): number[] {
  return values(charts()?.nodeData?.[id]?.[metric]);
}

export { charts, chartsError };
