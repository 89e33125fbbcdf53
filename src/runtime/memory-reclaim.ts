/**
 * MemoryReclaimer: one full garbage collection after a burst of state commits, when the heap and
 * the external buffers have grown well past what the previous collection left.
 *
 * Why: a poll cycle of a large estate allocates hundreds of megabytes that are dead a second
 * later (13,000 response bodies and their parsed JSON, the normalised state, serialised lists).
 * When allocation is that fast, V8 lets the old generation grow to several times the live heap
 * before it collects, and the ArrayBuffers behind response bodies and documents are only freed
 * when it does. V8 would shrink the heap when the process goes idle (its "memory reducer"), but
 * Node never tells it that it is idle, so between two polls the garbage just sits there. Pulse
 * knows when a burst is over — the commits stop — so it collects then: one full GC per burst
 * (its cost is proportional to the live heap, tens of milliseconds for a 10,000-guest estate)
 * keeps the resident size near the live size instead of a multiple of it.
 *
 * The collection runs only when the heap plus external memory grew by at least `minGrowthBytes`
 * and by `growthFactor` over what recent collections left (the lowest of the last few), so a small
 * estate (or a quiet one) never pays for it. The lowest, not the last: a collection that ran while
 * a longer burst was still in flight (a backup listing that outlasts the poll) leaves a level that
 * is high with that burst's data; measured from it, the garbage that data becomes could stay under
 * the threshold and resident (seen once in the benchmark: 306 MB after the hour instead of ~268).
 *
 * It also compacts. A full GC of V8's own choosing moves at most a few megabytes of survivors per
 * collection (it compacts only when the process is short of memory), so the pages a burst
 * promoted its garbage into stay committed, each holding a few live objects: measured on the large
 * estate, ~130 MB of old space for ~85 MB of live objects right after the collection. Moving the
 * survivors together lets those pages go — ~60 MB less resident in the benchmark. The flag is set
 * only while this collection runs (from its start to its end, tens of milliseconds), so V8's own
 * collections keep their usual heuristics; Node warns that flags changed at run time may do
 * nothing, which is why a unit test checks that this one takes effect.
 *
 * The collection is incremental, the kind V8 runs by itself, not a blocking `gc()`: see
 * `incrementalFullGc` for why (a blocking one makes the next poll recompile the request path).
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from '../logging.js';
import type { StateStore } from '../state/store.js';

export interface MemoryReclaimOptions {
  /**
   * Quiet time after the last commit before the burst counts as over (real ms; default 1 s:
   * longer than the /ws hub's 500-ms coalescing window, so the broadcast a burst causes — a new
   * document and its gzip — is part of it and its garbage goes with the rest).
   */
  quietMs?: number;
  /** Collect only when used memory grew by this factor since the last collection (default 1.2)… */
  growthFactor?: number;
  /** …and by at least this many bytes (default 32 MiB). Measured on the large estate, where a
   * poll leaves ~50 MB: 32 MiB collects after nearly every poll (each compacting collection ~300 ms
   * of CPU at a 90-MB live heap) and keeps RSS between polls at 265–285 MB; 64 MiB collects after
   * about every other poll, ~0.15 less cycle CPU over the fetch floor, but a burst that stays just
   * under it leaves its garbage resident (one run in three: 348 MB). */
  minGrowthBytes?: number;
  /** Compact the old generation in these collections (default true; see above). */
  compact?: boolean;
}

/** V8's `gc()` extension: no argument for a full collection, `{ type: 'minor' }` for a young one. */
type GcFunction = (options?: { type: 'major' | 'minor' }) => void;

/** The engine's `gc()`: exposed at run time, so no command-line flag is needed. */
function exposeGc(): GcFunction {
  const existing = (globalThis as { gc?: GcFunction }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  // A new context is created with the flag in effect, so it has `gc`.
  return runInNewContext('gc') as GcFunction;
}

/** How long an incremental collection may take to finish before a blocking one is run instead. */
const COLLECTION_TIMEOUT_MS = 5000;

/**
 * A full collection V8 runs the way it runs its own: incremental marking, finished by a task.
 * Resolves with its final pause in ms, and whether it had to fall back to a blocking one.
 *
 * Why not `gc()`: a blocking (atomic) full collection deoptimises every optimised function that
 * refers to an object that is dead at that moment ("weak objects" in `--trace-deopt`), and right
 * after a burst that is most of the request path — Node's streams, timers and microtasks and
 * undici's handlers refer to per-request objects. The next poll then runs them unoptimised and
 * compiles them again. An incremental collection frees the same garbage without those
 * deoptimisations: a standalone undici script shows ~600 of them over 8 cycles with `gc()`, ~250
 * with a blocking collection V8 chose itself, none with an incremental one. On the large estate
 * V8's helper threads took 0.9–1.05 s per cycle with blocking collections, 0.53–0.72 s with
 * incremental ones, and the cycle's CPU over the fetch floor fell from 2.07–2.44 to 1.68–1.98
 * (docs/BENCHMARKS.md, "Incremental reclaimer collections").
 *
 * How: with `--stress-incremental-marking` set, the check V8 makes after every young collection
 * ("start marking now?") says yes, so one young collection starts incremental marking; the flag
 * is cleared right after, and V8 finishes the marking and the full collection on its own. The end
 * is seen through the `gc` performance entries. If none comes in time (marking could not start),
 * a blocking collection is run so memory is reclaimed all the same.
 */
async function incrementalFullGc(gc: GcFunction, timeoutMs: number): Promise<{ pauseMs: number; blocking: boolean }> {
  let observer: PerformanceObserver | undefined;
  const done = new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    timer.unref();
    observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
        if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
          clearTimeout(timer);
          resolve(entry.duration);
          return;
        }
      }
    });
    observer.observe({ entryTypes: ['gc'] });
  });
  try {
    setFlagsFromString('--stress-incremental-marking');
    try {
      gc({ type: 'minor' });
    } finally {
      setFlagsFromString('--no-stress-incremental-marking');
    }
    const pauseMs = await done;
    if (pauseMs !== undefined) return { pauseMs, blocking: false };
    const t0 = performance.now();
    gc();
    return { pauseMs: performance.now() - t0, blocking: true };
  } finally {
    observer?.disconnect();
  }
}

/** Heap in use plus ArrayBuffers held outside it (response bodies, documents). */
function usedBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** How many post-collection levels the baseline is the lowest of. */
const RECENT_LEVELS = 6;

/**
 * Whether used memory (`before`, bytes) grew enough to collect: by `minGrowth` bytes and by
 * `factor` over the lowest of the recent post-collection `levels`.
 */
export function grownEnough(before: number, levels: readonly number[], minGrowth: number, factor: number): boolean {
  const baseline = Math.min(...levels);
  return before - baseline >= minGrowth && before >= baseline * factor;
}

/** The recent levels with `after` added, the oldest dropped past RECENT_LEVELS. */
export function withLevel(levels: readonly number[], after: number): number[] {
  return [...levels, after].slice(-RECENT_LEVELS);
}

export class MemoryReclaimer {
  readonly quietMs: number;
  readonly growthFactor: number;
  minGrowthBytes: number;
  compact: boolean;
  /** Collections run, what they freed, their final pause, the process CPU time (all threads)
   * from their start to their end (which includes any other work meanwhile), and how many fell
   * back to a blocking collection (diagnostics, benchmarks, tests). */
  readonly counters = { collections: 0, freedBytes: 0, ms: 0, cpuMs: 0, blocking: 0 };
  #gc?: GcFunction;
  /** The collection under way, if any. */
  #collecting?: Promise<void>;
  /** What the last few collections left (used bytes), newest last. */
  #levels: number[] = [];
  #timer?: NodeJS.Timeout;
  #unsubscribe?: () => void;

  constructor(
    private readonly logger: Logger,
    opts: MemoryReclaimOptions = {},
  ) {
    this.quietMs = opts.quietMs ?? 1000;
    this.growthFactor = opts.growthFactor ?? 1.2;
    this.minGrowthBytes = opts.minGrowthBytes ?? 32 * 1024 * 1024;
    this.compact = opts.compact ?? true;
  }

  start(store: StateStore): void {
    this.#gc = exposeGc();
    this.#levels = [usedBytes()];
    this.#unsubscribe = store.onChange(() => this.#schedule());
  }

  stop(): void {
    this.#unsubscribe?.();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** True while a burst is still being waited out or its collection runs (benchmarks wait for
   * it to be counted). */
  get pending(): boolean {
    return this.#timer !== undefined || this.#collecting !== undefined;
  }

  /** Restarts the quiet period on every commit: the check runs once the commits stop. */
  #schedule(): void {
    if (this.#timer) this.#timer.refresh();
    else {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.reclaimIfGrown();
      }, this.quietMs);
      this.#timer.unref();
    }
  }

  /** Collects when used memory grew enough since the last collection; returns whether it did. */
  reclaimIfGrown(): boolean {
    if (!this.#gc || this.#collecting) return false;
    const before = usedBytes();
    if (!grownEnough(before, this.#levels, this.minGrowthBytes, this.growthFactor)) return false;
    void this.collect(before);
    return true;
  }

  /**
   * Collects now, whatever grew (tests, diagnostics); `before` is the used memory just before.
   * Resolves once the collection is over (a collection already under way is waited for).
   */
  collect(before = usedBytes()): Promise<void> {
    if (!this.#gc) return Promise.resolve();
    this.#collecting ??= this.#collect(this.#gc, before).finally(() => {
      this.#collecting = undefined;
    });
    return this.#collecting;
  }

  async #collect(gc: GcFunction, before: number): Promise<void> {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const compact = this.compact;
    if (compact) setFlagsFromString('--compact-on-every-full-gc');
    let pauseMs: number;
    try {
      const run = await incrementalFullGc(gc, COLLECTION_TIMEOUT_MS);
      pauseMs = run.pauseMs;
      if (run.blocking) this.counters.blocking++;
    } finally {
      if (compact) setFlagsFromString('--no-compact-on-every-full-gc');
    }
    const cpu = process.cpuUsage(c0);
    this.counters.cpuMs += (cpu.user + cpu.system) / 1000;
    const after = usedBytes();
    // A handful of levels (RECENT_LEVELS): enough to see past a collection in the middle of a
    // burst, few enough that a live size that really grew (more guests, more history) is the
    // baseline again soon.
    this.#levels = withLevel(this.#levels, after);
    this.counters.collections++;
    this.counters.freedBytes += Math.max(0, before - after);
    this.counters.ms += pauseMs;
    const ms = performance.now() - t0;
    this.logger.debug(
      { before: before >> 20, after: after >> 20, ms: Math.round(ms), pauseMs: Math.round(pauseMs) },
      'reclaimed memory after a burst of commits (MB)',
    );
  }
}
