/**
 * ForecastService (`deps.forecast`): storage-full forecasts for every storage in the state (ZFS
 * pools included: PVE lists them as `zfspool` storage), fitted on the metric history's last 7
 * days at the 5-minute tier. Results are cached for `cacheMs` of clock time, since a fit over a
 * week of 5-minute points changes little between polls.
 */

import type { AlertConfig } from '../alerts/config.js';
import type { Clock } from '../clock.js';
import type { MetricHistory } from '../history/service.js';
import type { Storage } from '../model/state.js';
import type { StateStore } from '../state/store.js';
import { type Forecast, forecastUsage } from './fit.js';

const DAY = 86_400_000;
const WINDOW_MS = 7 * DAY;
/** 7 days of 5-minute steps: the query then answers from the 5m tier without widening buckets. */
const WINDOW_POINTS = WINDOW_MS / 300_000;

export interface StorageForecast extends Forecast {
  id: string;
  name: string;
  node: string;
  instance: string;
  type: string;
  /** Current usage, percent. */
  usage: number;
  /** The warning threshold the forecast projects to (the storage usage alert trigger). */
  warnPercent: number;
}

export interface ForecastSnapshot {
  /** unix ms */
  computedAt: number;
  forecasts: StorageForecast[];
}

export interface ForecastServiceDeps {
  history: Pick<MetricHistory, 'query'>;
  state: Pick<StateStore, 'get'>;
  clock: Clock;
  /** The alert configuration's storage usage thresholds: the warning level forecasts project to. */
  thresholds: () => Pick<AlertConfig, 'storageDefault' | 'overrides'>;
  cacheMs?: number;
}

export class ForecastService {
  #cached?: ForecastSnapshot;

  constructor(private readonly deps: ForecastServiceDeps) {}

  /** The cached forecasts, recomputed when older than the cache period. */
  current(): ForecastSnapshot {
    const now = this.deps.clock.now();
    const cacheMs = this.deps.cacheMs ?? 5 * 60_000;
    const c = this.#cached;
    if (c && now >= c.computedAt && now - c.computedAt < cacheMs) return c;
    this.#cached = this.compute(now);
    return this.#cached;
  }

  compute(now: number): ForecastSnapshot {
    const storage = this.deps.state.get().storage ?? [];
    const result = this.deps.history.query({ rangeMs: WINDOW_MS, kinds: ['storage'], maxPoints: WINDOW_POINTS });
    const series = result.series.storage;
    const th = this.deps.thresholds();
    const warnOf = (s: Storage) => {
      const trigger = th.overrides[s.id]?.usage?.trigger ?? th.storageDefault.trigger;
      // A disabled usage alert (trigger 0) still gets a forecast of when it would be full.
      return trigger > 0 && trigger <= 100 ? trigger : 100;
    };
    const forecasts = storage.map((s): StorageForecast => {
      const used = series.get(s.id)?.used ?? [];
      const warnPercent = warnOf(s);
      const f = forecastUsage({
        points: used.map((p) => ({ t: p.timestamp, used: p.value })),
        total: s.total,
        warnPercent,
        now,
      });
      return {
        id: s.id,
        name: s.name,
        node: s.node,
        instance: s.instance,
        type: s.type,
        usage: s.usage,
        warnPercent,
        ...f,
      };
    });
    // Soonest to fill first; storages with no date after them.
    forecasts.sort((a, b) => (a.fullAt ?? Number.POSITIVE_INFINITY) - (b.fullAt ?? Number.POSITIVE_INFINITY));
    return { computedAt: now, forecasts };
  }
}
