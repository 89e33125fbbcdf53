/**
 * MetricHistory: records node, guest and storage metrics on every state commit and answers chart
 * queries from the tiers (see tiers.ts and docs/ARCHITECTURE.md "Metric history").
 *
 * Recording is rate-limited per resource: a resource is sampled when its state object changed
 * (a poller replaced it) or once per 10-s step otherwise, so commits by unrelated pollers do not
 * multiply its samples. Chunks that a sample closes are queued and written to SQLite every
 * `flushIntervalMs`; the partly filled current chunks are checkpointed every `checkpointIntervalMs`
 * and on close, so a restart resumes where it stopped.
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type { PulseState } from '../model/state.js';
import type { StateStore } from '../state/store.js';
import { ChunkRepo } from './chunk-repo.js';
import { type ChartPoint, type ChunkRef, downsample, outputStep } from './downsample.js';
import { resourcesOf } from './extract.js';
import { ResourceSeries } from './series.js';
import { chunkMs, chunkStartOf, KIND_METRICS, type ResourceKind, roundMetric, TIERS, type Tier } from './tiers.js';

export interface HistoryDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
}

interface Pending {
  tier: Tier;
  kind: ResourceKind;
  resource: string;
  start: number;
  data: Float32Array;
}

/** Series of one resource for a window: metric name → points (ms timestamps, rounded values). */
export type ResourceChart = Record<string, ChartPoint[]>;

export interface HistoryQuery {
  rangeMs: number;
  /** Only these kinds (default all). */
  kinds?: readonly ResourceKind[];
  /** Upper bound of points per series (default 120). */
  maxPoints?: number;
}

export interface HistoryResult {
  /** kind → resource id → metric → points */
  series: Record<ResourceKind, Map<string, ResourceChart>>;
  /** Oldest timestamp among the returned points (ms), undefined if none. */
  oldest?: number;
}

const seriesKey = (kind: ResourceKind, id: string) => `${kind}\u0000${id}`;

export class MetricHistory {
  flushIntervalMs = 60_000;
  checkpointIntervalMs = 5 * 60_000;
  readonly counters = { samples: 0, chunksWritten: 0 };

  readonly #series = new Map<string, { kind: ResourceKind; id: string; s: ResourceSeries }>();
  #pending: Pending[] = [];
  /** Current chunks found in SQLite at start, handed to series as they resume. */
  #resume = new Map<string, Float32Array>();
  #repo?: ChunkRepo;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe?: () => void;
  #closed = false;

  constructor(private readonly deps: HistoryDeps) {}

  get #r(): ChunkRepo {
    this.#repo ??= new ChunkRepo(this.deps.db);
    return this.#repo;
  }

  /** Loads the partly filled chunks of the current period, subscribes to commits, starts timers. */
  start(store: StateStore): void {
    const now = this.deps.clock.now();
    for (const tier of TIERS) {
      for (const c of this.#r.loadAt(tier, chunkStartOf(tier, now))) {
        this.#resume.set(`${tier.id}\u0000${seriesKey(c.kind, c.resource)}\u0000${c.start}`, c.data);
      }
    }
    this.#unsubscribe = store.onChange((next) => this.record(next));
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (err) {
          this.deps.logger.warn({ err }, 'metric history write failed');
        }
      }, ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.flushIntervalMs, () => this.flush());
    every(this.checkpointIntervalMs, () => this.checkpoint());
  }

  /** Number of resources with live series in memory. */
  get size(): number {
    return this.#series.size;
  }

  /** Records one snapshot at the clock's current time. */
  record(state: Readonly<PulseState>): void {
    if (this.#closed) return;
    const now = this.deps.clock.now();
    const rawStep = TIERS[0].stepMs;
    for (const r of resourcesOf(state)) {
      const key = seriesKey(r.kind, r.id);
      let entry = this.#series.get(key);
      if (!entry) {
        entry = { kind: r.kind, id: r.id, s: new ResourceSeries(KIND_METRICS[r.kind].length) };
        this.#series.set(key, entry);
      }
      const s = entry.s;
      const sameStep = Math.floor(s.lastRecorded / rawStep) === Math.floor(now / rawStep);
      if (s.lastSource === r.source && sameStep) continue;
      s.lastSource = r.source;
      const finished = s.record(now, r.values(), (tier, start) => {
        const k = `${tier.id}\u0000${key}\u0000${start}`;
        const data = this.#resume.get(k);
        if (data) this.#resume.delete(k);
        return data;
      });
      this.counters.samples++;
      for (const f of finished) {
        this.#pending.push({ tier: f.tier, kind: entry.kind, resource: entry.id, start: f.start, data: f.data });
      }
    }
  }

  /** Writes the chunks that samples have closed since the last flush. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const items = this.#pending;
    this.#pending = [];
    this.#r.save(items);
    this.counters.chunksWritten += items.length;
  }

  /**
   * Writes every changed current chunk too, prunes expired chunks, and forgets series of
   * resources that stopped reporting (their history stays in SQLite until it expires).
   */
  checkpoint(): void {
    this.flush();
    const now = this.deps.clock.now();
    const items: Pending[] = [];
    for (const [key, e] of this.#series) {
      for (const c of e.s.takeDirty())
        items.push({ tier: c.tier, kind: e.kind, resource: e.id, start: c.start, data: c.data });
      if (e.s.idleSince(now)) this.#series.delete(key);
    }
    this.#r.save(items);
    this.counters.chunksWritten += items.length;
    for (const tier of TIERS) this.#r.prune(tier, now);
    this.#resume.clear();
  }

  /** Answers a chart window from the finest tier whose retention covers it. */
  query(q: HistoryQuery): HistoryResult {
    const now = this.deps.clock.now();
    const tier = TIERS.find((t) => t.retentionMs >= q.rangeMs) ?? TIERS[TIERS.length - 1];
    const from = now - q.rangeMs;
    const outStep = outputStep(tier, q.rangeMs, q.maxPoints ?? 120);
    const kinds = q.kinds ?? (['node', 'guest', 'storage'] as const);

    this.flush();
    const chunks = new Map<string, { kind: ResourceKind; id: string; list: Map<number, ChunkRef> }>();
    const add = (kind: ResourceKind, id: string, ref: ChunkRef) => {
      const key = seriesKey(kind, id);
      let e = chunks.get(key);
      if (!e) {
        e = { kind, id, list: new Map() };
        chunks.set(key, e);
      }
      e.list.set(ref.start, ref); // memory (added last) wins over the stored copy
    };
    const stored = kinds.length === 1 ? this.#r.load(tier, from, now, kinds[0]) : this.#r.load(tier, from, now);
    for (const c of stored) if (kinds.includes(c.kind)) add(c.kind, c.resource, c);
    for (const e of this.#series.values()) {
      if (!kinds.includes(e.kind)) continue;
      const cur = e.s.current(tier);
      if (cur && cur.start + chunkMs(tier) > from - tier.stepMs) add(e.kind, e.id, cur);
    }

    const result: HistoryResult = { series: { node: new Map(), guest: new Map(), storage: new Map() } };
    for (const e of chunks.values()) {
      const names = KIND_METRICS[e.kind];
      const points = downsample(tier, names.length, [...e.list.values()], from, now, outStep);
      const chart: ResourceChart = {};
      names.forEach((name, m) => {
        chart[name] = points[m].map((p) => ({ timestamp: p.timestamp, value: roundMetric(name, p.value) }));
        const first = points[m][0];
        if (first && (result.oldest === undefined || first.timestamp < result.oldest)) result.oldest = first.timestamp;
      });
      result.series[e.kind].set(e.id, chart);
    }
    return result;
  }

  /** Stops recording and writes everything still in memory. */
  close(): void {
    if (this.#closed) return;
    this.#unsubscribe?.();
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    try {
      this.checkpoint();
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not write metric history on close');
    }
    this.#closed = true;
  }
}
