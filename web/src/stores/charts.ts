/**
 * Recent history for sparklines, from GET /api/charts (polled while a page needs it). Kept
 * apart from the live state: it changes slowly and only the visible rows read it.
 */
import { createSignal, onCleanup } from 'solid-js';
import { api } from '../api/client';
import type { ChartPoint, ChartsResponse } from '../api/types';

const [charts, setCharts] = createSignal<ChartsResponse>();
const [chartsError, setChartsError] = createSignal('');
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

async function load(): Promise<void> {
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
