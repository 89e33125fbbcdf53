/**
 * One resource's series across all tiers (pure, no I/O): the current chunk of each tier as a
 * Float32Array laid out metric-major ([metric][slot]), and the running sums of the step being
 * filled so that a step's value is the average of the samples that fell into it.
 */
import { chunkMs, chunkStartOf, TIERS, type Tier } from './tiers.js';

export interface FinishedChunk {
  tier: Tier;
  start: number;
  data: Float32Array;
}

class TierSeries {
  start = Number.NaN;
  data: Float32Array;
  /** Index of the step being filled (t / stepMs). */
  step = -1;
  readonly sums: Float64Array;
  readonly counts: Uint32Array;
  dirty = false;

  constructor(
    readonly tier: Tier,
    readonly metrics: number,
  ) {
    this.data = new Float32Array(0);
    this.sums = new Float64Array(metrics);
    this.counts = new Uint32Array(metrics);
  }
}

/** Where a resource's earlier, partly filled chunk comes from after a restart. */
export type ChunkLoader = (tier: Tier, start: number) => Float32Array | undefined;

export function emptyChunk(tier: Tier, metrics: number): Float32Array {
  return new Float32Array(tier.slots * metrics).fill(Number.NaN);
}

export class ResourceSeries {
  readonly #tiers: TierSeries[];
  /** The state object last recorded (identity), and the 10-s step it was recorded in. */
  lastSource: object | undefined;
  lastRecorded = Number.NEGATIVE_INFINITY;

  constructor(readonly metrics: number) {
    this.#tiers = TIERS.map((t) => new TierSeries(t, metrics));
  }

  /**
   * Adds a sample at time `t` to every tier. Returns the chunks that this sample closed (the
   * caller persists them). Samples older than the step being filled are ignored (clock went back).
   */
  record(t: number, values: ArrayLike<number>, load?: ChunkLoader): FinishedChunk[] {
    const finished: FinishedChunk[] = [];
    for (const ts of this.#tiers) {
      const { tier } = ts;
      const step = Math.floor(t / tier.stepMs);
      if (step < ts.step) continue;
      const start = chunkStartOf(tier, t);
      if (start !== ts.start) {
        if (ts.dirty) finished.push({ tier, start: ts.start, data: ts.data });
        ts.start = start;
        const loaded = load?.(tier, start);
        ts.data = loaded && loaded.length === tier.slots * this.metrics ? loaded : emptyChunk(tier, this.metrics);
        ts.dirty = loaded !== undefined;
      }
      if (step !== ts.step) {
        ts.step = step;
        ts.sums.fill(0);
        ts.counts.fill(0);
      }
      const slot = step - start / tier.stepMs;
      for (let m = 0; m < this.metrics; m++) {
        const v = values[m];
        if (!Number.isFinite(v)) continue;
        ts.sums[m] += v;
        ts.counts[m]++;
        ts.data[m * tier.slots + slot] = ts.sums[m] / ts.counts[m];
      }
      ts.dirty = true;
    }
    this.lastRecorded = t;
    return finished;
  }

  /** The in-memory chunk of `tier` (undefined before the first sample). */
  current(tier: Tier): { start: number; data: Float32Array } | undefined {
    const ts = this.#tiers[tier.id];
    return Number.isNaN(ts.start) ? undefined : { start: ts.start, data: ts.data };
  }

  /** Chunks changed since the last call (for periodic checkpoints); marks them clean. */
  takeDirty(): FinishedChunk[] {
    const out: FinishedChunk[] = [];
    for (const ts of this.#tiers) {
      if (!ts.dirty) continue;
      // Not copied: callers write synchronously (better-sqlite3 copies bound blobs).
      out.push({ tier: ts.tier, start: ts.start, data: ts.data });
      ts.dirty = false;
    }
    return out;
  }

  /** True when the newest sample is older than every tier's current chunk end (nothing live). */
  idleSince(now: number): boolean {
    return this.#tiers.every((ts) => Number.isNaN(ts.start) || ts.start + chunkMs(ts.tier) <= now);
  }
}
