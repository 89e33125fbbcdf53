/**
 * MemoryReclaimer: one full garbage collection (`gc()`, exposed by the `--expose-gc` start-up flag
 * that bin/pulse passes) once a burst of state commits is over, when the heap and the external
 * buffers have grown well past what recent collections left.
 *
 * Why: a poll cycle of a large estate allocates hundreds of megabytes that are dead a second later
 * (response bodies and their parsed JSON, the normalised state, serialised lists). V8 lets the old
 * generation grow well past the live heap before it collects (twice it with bin/pulse's
 * `--heap-growing-percent=100`), and it would only shrink it again when told the process is idle,
 * which Node never does; so between two polls the garbage stays resident, and glibc's allocator
 * keeps much of what is freed late (the large estate after a simulated hour: 413 MB resident
 * without this, 248–271 MB with it; 295–385 MB without it even with V8 collecting at 1.5× the
 * live heap; docs/BENCHMARKS.md). Pulse knows when a burst is over (the commits stop), so
 * it collects then, and only when used memory grew by `minGrowthBytes` and by `growthFactor` over
 * the lowest of the last few post-collection levels (the lowest, so a collection that ran
 * mid-burst does not raise the baseline): a small or quiet estate never pays for it. The price is
 * one blocking collection per burst of a large estate, and recompiling what it discards: a forced
 * collection keeps no object layout whose objects all died, as V8's own ones do for a while, so
 * code compiled for the burst's per-request objects is thrown away (docs/BENCHMARKS.md, "Which
 * collections discard compiled code"). Without `--expose-gc` (or
 * with PULSE_MEMORY_RECLAIM=false) it does nothing and V8 keeps its own schedule.
 */
import type { Logger } from '../logging.js';
import type { StateStore } from '../state/store.js';

/** A full, blocking garbage collection (V8's `gc()`). */
export type GcFunction = () => void;

export interface MemoryReclaimOptions {
  /**
   * Quiet time after the last commit before the burst counts as over (real ms; default 1 s:
   * longer than the /ws hub's 500-ms coalescing window, so the broadcast a burst causes is part of
   * it and its garbage goes with the rest).
   */
  quietMs?: number;
  /** Collect only when used memory grew by this factor since the last collection (default 1.2)… */
  growthFactor?: number;
  /** …and by at least this many bytes (default 32 MiB). */
  minGrowthBytes?: number;
  /** The collection to run (default the `gc` that `--expose-gc` puts on the global object). */
  gc?: GcFunction;
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
  /** Collections run, what they freed, their time and the process CPU time (all threads) they
   * took (diagnostics, benchmarks, tests). */
  readonly counters = { collections: 0, freedBytes: 0, ms: 0, cpuMs: 0 };
  readonly #gc: GcFunction | undefined;
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
    this.#gc = opts.gc ?? (globalThis as { gc?: GcFunction }).gc;
  }

  /** Whether a collection can run at all (`gc` given or exposed). */
  get available(): boolean {
    return this.#gc !== undefined;
  }

  start(store: StateStore): void {
    if (!this.#gc) {
      this.logger.info('memory reclaim off: node was started without --expose-gc (bin/pulse passes it)');
      return;
    }
    this.#levels = [usedBytes()];
    this.#unsubscribe = store.onChange(() => this.#schedule());
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** True while a burst is still being waited out (benchmarks wait for its collection). */
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
    if (!this.#gc) return;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    this.#gc();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const after = usedBytes();
    this.#levels = withLevel(this.#levels, after);
    this.counters.collections++;
    this.counters.freedBytes += Math.max(0, before - after);
    this.counters.ms += ms;
    this.counters.cpuMs += (cpu.user + cpu.system) / 1000;
    this.logger.debug(
      { before: before >> 20, after: after >> 20, ms: Math.round(ms) },
      'reclaimed memory after a burst of commits (MB)',
    );
  }
}
