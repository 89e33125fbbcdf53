/**
 * MetricHistory: records node, guest and storage metrics on every state commit and answers chart
 * queries from the tiers (tiers.ts; layout in slab.ts; design in docs/ARCHITECTURE.md).
 *
 * Recording is rate-limited per resource: a resource is sampled when its state object changed
 * (a poller replaced it), or once per 10-s step otherwise, so commits by unrelated pollers do not
 * multiply its samples. Slabs that a commit closes are queued for writing every `flushIntervalMs`;
 * the partly filled current slabs are queued every `checkpointIntervalMs`. The queue is written
 * one part (≤ 512 resources) per event-loop turn, so a 10,000-guest slab never stalls requests;
 * on close everything is written at once. Current slabs are picked up again at start, so a
 * restart resumes where it stopped.
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type { Guest, Node, PulseState, Storage } from '../model/state.js';
import type { StateStore } from '../state/store.js';
import { type ChartPoint, type ChunkRef, downsample, outputStep } from './downsample.js';
import { fillGuest, fillNode, fillStorage } from './extract.js';
import { Slab } from './slab.js';
import { partsOf, SlabRepo } from './slab-repo.js';
import { chunkMs, chunkStartOf, KIND_METRICS, type ResourceKind, roundMetric, TIERS, tierForRange } from './tiers.js';

export interface HistoryDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
}

/** Series of one resource for a window: metric name → points (ms timestamps, rounded values). */
export type ResourceChart = Record<string, ChartPoint[]>;

export interface HistoryQuery {
  rangeMs: number;
  /** Only these kinds (default all). */
  kinds?: readonly ResourceKind[];
  /** Only these resources per kind (default all that have history). */
  ids?: Partial<Record<ResourceKind, ReadonlySet<string>>>;
  /** Upper bound of points per series (default 120). */
  maxPoints?: number;
}

export interface HistoryResult {
  /** kind → resource id → metric → points */
  series: Record<ResourceKind, Map<string, ResourceChart>>;
  /** Oldest timestamp among the returned points (ms), undefined if none. */
  oldest?: number;
  /** Which tier answered, and the width of the returned buckets. */
  tier: string;
  stepMs: number;
}

/**
 * Where a resource sits in the current slabs, cached so that a commit costs one Map lookup per
 * resource instead of one per tier (this loop runs for 10,000 guests on every poll).
 */
interface Entry {
  /** Row in the current slab of tier 0, 1, 2 … valid while gens match the slabs' generations. */
  rows: number[];
  gens: number[];
  /** The state object last recorded, and the 10-s step it was recorded in. */
  source: object | undefined;
  rawStep: number;
}

interface KindState {
  kind: ResourceKind;
  metrics: number;
  /** Current slab per tier (index = tier id), and its generation (bumped on every roll). */
  slabs: Array<Slab | undefined>;
  gens: number[];
  entries: Map<string, Entry>;
  scratch: Float64Array;
}

const ALL_KINDS: readonly ResourceKind[] = ['node', 'guest', 'storage'];
const slabKey = (tier: number, kind: ResourceKind, start: number) => `${tier}|${kind}|${start}`;

export class MetricHistory {
  flushIntervalMs = 60_000;
  checkpointIntervalMs = 5 * 60_000;
  /** Diagnostics: samples recorded, parts written, the longest single write (real ms). */
  readonly counters = { samples: 0, slabsWritten: 0, maxWriteMs: 0 };

  readonly #kinds: Record<ResourceKind, KindState>;
  /** Slabs closed by commits since the last flush. */
  #pending: Array<{ kind: ResourceKind; slab: Slab }> = [];
  /** Parts waiting to be written, in order; a later write of the same part wins. */
  #queue: Array<{ kind: ResourceKind; slab: Slab; part: number }> = [];
  /** Closed slabs not yet completely written (queries read them from memory meanwhile). */
  #unwritten = new Map<Slab, { kind: ResourceKind; parts: number }>();
  #draining?: NodeJS.Immediate;
  /** Current slabs found in SQLite at start, picked up when recording reaches them. */
  #resume = new Map<string, Slab>();
  #repo?: SlabRepo;
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe?: () => void;
  #closed = false;
  /** The 10-s step each state list was last recorded in (lists are immutable once committed). */
  readonly #recorded = new WeakMap<readonly object[], number>();

  constructor(private readonly deps: HistoryDeps) {
    const mk = (kind: ResourceKind): KindState => ({
      kind,
      metrics: KIND_METRICS[kind].length,
      slabs: TIERS.map(() => undefined),
      gens: TIERS.map(() => 0),
      entries: new Map(),
      scratch: new Float64Array(KIND_METRICS[kind].length),
    });
    this.#kinds = { node: mk('node'), guest: mk('guest'), storage: mk('storage') };
  }

  get #r(): SlabRepo {
    this.#repo ??= new SlabRepo(this.deps.db);
    return this.#repo;
  }

  /** Loads the partly filled slabs of the current period, subscribes to commits, starts timers. */
  start(store: StateStore): void {
    const now = this.deps.clock.now();
    for (const tier of TIERS) {
      const start = chunkStartOf(tier, now);
      for (const kind of ALL_KINDS) {
        const slab = this.#r.loadWhole(tier, kind, start);
        if (slab) this.#resume.set(slabKey(tier.id, kind, start), slab);
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

  /** Resources in the current 10-s slabs (a gauge for benchmarks). */
  get size(): number {
    let n = 0;
    for (const k of ALL_KINDS) n += this.#kinds[k].slabs[0]?.ids.length ?? 0;
    return n;
  }

  /** Records one snapshot at the clock's current time. */
  record(state: Readonly<PulseState>): void {
    if (this.#closed) return;
    const now = this.deps.clock.now();
    this.#recordList(this.#kinds.node, state.nodes ?? [], fillNode, now);
    this.#recordList(this.#kinds.guest, state.vms ?? [], fillGuest, now);
    this.#recordList(this.#kinds.guest, state.containers ?? [], fillGuest, now);
    this.#recordList(this.#kinds.storage, state.storage ?? [], fillStorage, now);
  }

  /** Moves every tier of `ks` to the chunk containing `now`, queueing closed slabs for writing. */
  #roll(ks: KindState, now: number): void {
    for (const tier of TIERS) {
      const start = chunkStartOf(tier, now);
      const cur = ks.slabs[tier.id];
      if (cur && cur.start >= start) continue; // same chunk, or the clock went back: keep it
      if (cur?.dirty) this.#pending.push({ kind: ks.kind, slab: cur });
      const key = slabKey(tier.id, ks.kind, start);
      const resumed = this.#resume.get(key);
      this.#resume.delete(key);
      ks.slabs[tier.id] = resumed ?? new Slab(tier, ks.metrics, start, cur ? cur.ids.length + 8 : 16);
      const gen = ++ks.gens[tier.id];
      // Forget resources that did not report during the whole previous 10-s chunk.
      if (tier.id === 0) for (const [id, e] of ks.entries) if (e.gens[0] < gen - 1) ks.entries.delete(id);
    }
  }

  #recordList<T extends Node | Guest | Storage>(
    ks: KindState,
    list: readonly T[],
    fill: (x: T, out: Float64Array) => void,
    now: number,
  ): void {
    if (list.length === 0) return;
    const rawStep = Math.floor(now / TIERS[0].stepMs);
    // A commit that did not touch this list (alerts, backups, another instance) adds nothing to it.
    if (this.#recorded.get(list) === rawStep) return;
    this.#recorded.set(list, rawStep);
    this.#roll(ks, now);
    const slabs = ks.slabs as Slab[];
    const { gens, entries, scratch } = ks;
    for (const item of list) {
      let e = entries.get(item.id);
      if (!e) {
        e = { rows: TIERS.map(() => -1), gens: TIERS.map(() => -1), source: undefined, rawStep: -1 };
        entries.set(item.id, e);
      } else if (e.source === item && e.rawStep === rawStep) {
        continue;
      }
      e.source = item;
      e.rawStep = rawStep;
      fill(item, scratch);
      for (let t = 0; t < slabs.length; t++) {
        if (e.gens[t] !== gens[t]) {
          e.rows[t] = slabs[t].row(item.id);
          e.gens[t] = gens[t];
        }
        slabs[t].add(e.rows[t], now, scratch);
      }
      this.counters.samples++;
    }
  }

  /** Queues the slabs that commits have closed since the last flush. */
  flush(): void {
    const items = this.#pending;
    this.#pending = [];
    for (const it of items) this.#enqueue(it.kind, it.slab, true);
  }

  /** Queues the changed current slabs too, and prunes expired ones. */
  checkpoint(): void {
    this.flush();
    for (const k of ALL_KINDS) {
      for (const slab of this.#kinds[k].slabs) {
        if (!slab?.dirty) continue;
        this.#enqueue(k, slab, false);
        slab.dirty = false;
      }
    }
    const now = this.deps.clock.now();
    for (const tier of TIERS) this.#r.prune(tier, now);
    this.#resume.clear();
  }

  /** Parts still waiting to be written (tests and benchmarks). */
  get queuedParts(): number {
    return this.#queue.length;
  }

  /** Writes every queued part now (tests; shutdown uses the same path). */
  drain(): void {
    if (this.#draining) clearImmediate(this.#draining);
    this.#draining = undefined;
    while (this.#queue.length > 0) this.#writeNext();
  }

  #enqueue(kind: ResourceKind, slab: Slab, closed: boolean): void {
    // Already past retention (the clock moved far ahead): writing it would only be pruned again.
    if (slab.start + slab.spanMs + slab.tier.retentionMs <= this.deps.clock.now()) return;
    const parts = partsOf(slab);
    if (closed) this.#unwritten.set(slab, { kind, parts });
    for (let part = 0; part < parts; part++) this.#queue.push({ kind, slab, part });
    this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#draining || this.#queue.length === 0 || this.#closed) return;
    this.#draining = setImmediate(() => {
      this.#draining = undefined;
      try {
        this.#writeNext();
      } catch (err) {
        this.deps.logger.warn({ err }, 'metric history write failed');
      }
      this.#scheduleDrain();
    });
  }

  /** Writes one queued part. */
  #writeNext(): void {
    const item = this.#queue.shift();
    if (!item) return;
    const t = performance.now();
    this.#r.savePart(item.kind, item.slab, item.part);
    this.counters.maxWriteMs = Math.max(this.counters.maxWriteMs, performance.now() - t);
    this.counters.slabsWritten++;
    const u = this.#unwritten.get(item.slab);
    if (u && item.part === u.parts - 1) this.#unwritten.delete(item.slab);
  }

  /** Answers a chart window from the tier that fits it (tierForRange). */
  query(q: HistoryQuery): HistoryResult {
    const steps = this.#compute(q);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  }

  /**
   * As `query`, yielding to the event loop every few hundred resources: a 10,000-guest reply
   * takes a second or more to compute, and requests arriving meanwhile must not wait for it.
   */
  async queryAsync(q: HistoryQuery): Promise<HistoryResult> {
    const steps = this.#compute(q);
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  *#compute(q: HistoryQuery): Generator<void, HistoryResult> {
    const now = this.deps.clock.now();
    const maxPoints = q.maxPoints ?? 120;
    const tier = tierForRange(q.rangeMs, maxPoints);
    const from = now - q.rangeMs;
    const outStep = outputStep(tier, q.rangeMs, maxPoints);
    const kinds = q.kinds ?? ALL_KINDS;

    // Per kind: chunk start → slab parts. A slab still in memory (current, or closed but not yet
    // written) replaces whatever is stored for its chunk.
    const slabs = new Map<ResourceKind, Map<number, Slab[]>>(kinds.map((k) => [k, new Map()]));
    const ids = q.ids;
    const wanted = ids ? (kind: ResourceKind, id: string) => ids[kind]?.has(id) ?? true : undefined;
    for (const { kind, slab } of this.#r.load(tier, from, now, kinds, wanted)) {
      const byStart = slabs.get(kind);
      const list = byStart?.get(slab.start);
      if (list) list.push(slab);
      else byStart?.set(slab.start, [slab]);
    }
    const inWindow = (slab: Slab) => slab.tier.id === tier.id && slab.start + slab.spanMs > from && slab.start <= now;
    const closed = [...this.#pending, ...[...this.#unwritten].map(([slab, u]) => ({ kind: u.kind, slab }))];
    for (const { kind, slab } of closed) if (inWindow(slab)) slabs.get(kind)?.set(slab.start, [slab]);
    for (const k of kinds) {
      const cur = this.#kinds[k].slabs[tier.id];
      if (cur && inWindow(cur)) slabs.get(k)?.set(cur.start, [cur]);
    }

    const result: HistoryResult = {
      series: { node: new Map(), guest: new Map(), storage: new Map() },
      tier: tier.name,
      stepMs: outStep,
    };
    for (const k of kinds) {
      const names = KIND_METRICS[k];
      const wanted = q.ids?.[k];
      const refs = new Map<string, ChunkRef[]>();
      const ordered = [...(slabs.get(k)?.values() ?? [])].flat().sort((a, b) => a.start - b.start);
      for (const slab of ordered) {
        slab.ids.forEach((id, row) => {
          if (wanted && !wanted.has(id)) return;
          let list = refs.get(id);
          if (!list) {
            list = [];
            refs.set(id, list);
          }
          list.push({ start: slab.start, slots: slab.slots, data: slab.rowData(row) });
        });
      }
      let done = 0;
      for (const [id, list] of refs) {
        if (++done % 500 === 0) yield;
        const points = downsample(tier, names.length, list, from, now, outStep);
        const chart: ResourceChart = {};
        names.forEach((name, m) => {
          const series = points[m];
          for (const p of series) p.value = roundMetric(name, p.value);
          chart[name] = series;
          const first = series[0];
          if (first && (result.oldest === undefined || first.timestamp < result.oldest))
            result.oldest = first.timestamp;
        });
        result.series[k].set(id, chart);
      }
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
      // Everything left, in one transaction: shutdown must not leave half a queue behind.
      if (this.#draining) clearImmediate(this.#draining);
      this.#draining = undefined;
      const items = this.#queue;
      this.#queue = [];
      this.#r.saveAll([...new Map(items.map((it) => [it.slab, { kind: it.kind, slab: it.slab }])).values()]);
      this.#unwritten.clear();
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not write metric history on close');
    }
    this.#closed = true;
  }
}
