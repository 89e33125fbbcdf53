/**
 * ForecastService (`deps.forecast`): storage-full forecasts for every storage in the state (ZFS
 * pools included: PVE lists them as `zfspool` storage), fitted on the metric history's last 7
 * days at the 5-minute tier. Results are cached for `cacheMs` of clock time, since a fit over a
 * week of 5-minute points changes little between polls.
 *
 * PBS datastores and Ceph pools are not in the metric history, so the service samples them
 * itself on every commit into 5-minute averages kept in memory for 7 days (after a restart their
 * forecasts need an hour of samples again).
 */

import type { Clock } from '../clock.js';
import type { MetricHistory } from '../history/service.js';
import type { PulseState, Storage } from '../model/state.js';
import type { StateStore } from '../state/store.js';
import { type Forecast, forecastUsage, type UsagePoint } from './fit.js';

const DAY = 86_400_000;
const WINDOW_MS = 7 * DAY;
/** 7 days of 5-minute steps: the query then answers from the 5m tier without widening buckets. */
const WINDOW_POINTS = WINDOW_MS / 300_000;

export type ForecastKind = 'storage' | 'pbs-datastore' | 'ceph-pool';

export interface StorageForecast extends Forecast {
  kind: ForecastKind;
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

/**
 * The storage usage alert triggers (percent) forecasts project to: the default and per-storage
 * overrides (the alert configuration has this shape).
 */
export interface StorageTriggers {
  storageDefault: { trigger: number };
  overrides: Record<string, { usage?: { trigger: number } } | undefined>;
}

export interface ForecastServiceDeps {
  history: Pick<MetricHistory, 'query'>;
  state: Pick<StateStore, 'get'>;
  clock: Clock;
  /** The alert configuration's storage usage thresholds: the warning level forecasts project to. */
  thresholds: () => StorageTriggers;
  cacheMs?: number;
}

const STEP_MS = 300_000;

/** 5-minute averages of one PBS datastore or Ceph pool (see the module comment). */
interface Sampled {
  kind: Exclude<ForecastKind, 'storage'>;
  name: string;
  node: string;
  instance: string;
  type: string;
  total: number;
  usage: number;
  points: UsagePoint[];
  /** Running sum and count of the step being filled. */
  step: number;
  sum: number;
  n: number;
}

type SampledInfo = Omit<Sampled, 'points' | 'step' | 'sum' | 'n'>;

export class ForecastService {
  #cached?: ForecastSnapshot;
  readonly #sampled = new Map<string, Sampled>();
  #unsubscribe?: () => void;

  constructor(private readonly deps: ForecastServiceDeps) {}

  /** Samples PBS datastores and Ceph pools on every commit of `store`. */
  start(store: Pick<StateStore, 'onChange'>): void {
    this.#unsubscribe ??= store.onChange((state) => this.sample(state));
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Folds the current PBS datastore and Ceph pool figures into their 5-minute steps. */
  sample(state: Readonly<PulseState>): void {
    const now = this.deps.clock.now();
    const step = Math.floor(now / STEP_MS);
    const seen = (id: string, info: SampledInfo, used: number) => {
      if (!(info.total > 0) || !Number.isFinite(used)) return;
      let e = this.#sampled.get(id);
      if (!e) {
        e = { ...info, points: [], step, sum: 0, n: 0 };
        this.#sampled.set(id, e);
      }
      Object.assign(e, info);
      if (e.step !== step) {
        if (e.n > 0) e.points.push({ t: e.step * STEP_MS, used: e.sum / e.n });
        e.step = step;
        e.sum = 0;
        e.n = 0;
        const cutoff = now - WINDOW_MS;
        while (e.points.length > 0 && e.points[0].t < cutoff) e.points.shift();
      }
      e.sum += used;
      e.n++;
    };
    for (const p of state.pbs ?? []) {
      if (p.status !== 'online') continue;
      for (const d of p.datastores ?? []) {
        const info: SampledInfo = {
          kind: 'pbs-datastore',
          name: d.name,
          node: p.name,
          instance: p.id,
          type: 'pbs',
          total: d.total,
          usage: d.usage,
        };
        seen(`${p.id}-${d.name}`, info, d.used);
      }
    }
    for (const c of state.cephClusters ?? []) {
      for (const pool of c.pools ?? []) {
        const info: SampledInfo = {
          kind: 'ceph-pool',
          name: pool.name,
          node: c.name,
          instance: c.instance,
          type: 'ceph',
          total: pool.storedBytes + pool.availableBytes,
          usage: pool.percentUsed,
        };
        seen(`${c.id}-pool-${pool.name}`, info, pool.storedBytes);
      }
    }
  }

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
        kind: 'storage',
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
    const defaultWarn =
      th.storageDefault.trigger > 0 && th.storageDefault.trigger <= 100 ? th.storageDefault.trigger : 100;
    for (const [id, e] of this.#sampled) {
      // The step being filled counts too: its average so far is the latest figure.
      const points = e.n > 0 ? [...e.points, { t: e.step * STEP_MS, used: e.sum / e.n }] : e.points;
      const f = forecastUsage({ points, total: e.total, warnPercent: defaultWarn, now });
      const { kind, name, node, instance, type, usage } = e;
      forecasts.push({ kind, id, name, node, instance, type, usage, warnPercent: defaultWarn, ...f });
    }
    // Soonest to fill first; storages with no date after them.
    forecasts.sort((a, b) => (a.fullAt ?? Number.POSITIVE_INFINITY) - (b.fullAt ?? Number.POSITIVE_INFINITY));
    return { computedAt: now, forecasts };
  }
}
