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
 * only around this collection (on the main thread, between two collections), so V8's own
 * collections keep their usual heuristics; Node warns that flags changed at run time may do
 * nothing, which is why a unit test checks that this one takes effect.
 */
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

/** The engine's `gc()`: exposed at run time, so no command-line flag is needed. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  // A new context is created with the flag in effect, so it has `gc`; it collects the whole heap.
  return runInNewContext('gc') as () => void;
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
  /** Collections run, what they freed, their pause and the process CPU time (all threads) they
   * took meanwhile (diagnostics, benchmarks). */
  readonly counters = { collections: 0, freedBytes: 0, ms: 0, cpuMs: 0 };
  #gc?: () => void;
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

  /** True while a burst is still being waited out (benchmarks wait for it to be counted). */
  get pending(): boolean {
    return this.#timer !== undefined;
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
    if (!this.#gc) return false;
    const before = usedBytes();
    if (!grownEnough(before, this.#levels, this.minGrowthBytes, this.growthFactor)) return false;
    this.collect(before);
    return true;
  }

  /** Collects now, whatever grew (tests, diagnostics); `before` is the used memory just before. */
  collect(before = usedBytes()): void {
    const gc = this.#gc;
    if (!gc) return;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const compact = this.compact;
    if (compact) setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      if (compact) setFlagsFromString('--no-compact-on-every-full-gc');
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    this.counters.cpuMs += (cpu.user + cpu.system) / 1000;
    const after = usedBytes();
    // A handful of levels (RECENT_LEVELS): enough to see past a collection in the middle of a
    // burst, few enough that a live size that really grew (more guests, more history) is the
    // baseline again soon.
    this.#levels = withLevel(this.#levels, after);
    this.counters.collections++;
    this.counters.freedBytes += Math.max(0, before - after);
    this.counters.ms += ms;
    this.logger.debug(
      { before: before >> 20, after: after >> 20, ms: Math.round(ms) },
      'reclaimed memory after a burst of commits (MB)',
    );
  }
}
