/**
 * Turning stored chunks into chart points (pure): the steps of one tier inside a window are
 * averaged into output buckets of `outStepMs` (a multiple of the tier step), so every range
 * answers with a bounded number of points whatever the tier's resolution.
 */
import type { Tier } from './tiers.js';

export interface ChartPoint {
  /** Bucket start (or the window start for a bucket that begins earlier), unix ms. */
  timestamp: number;
  value: number;
}

/** Output bucket width for a window: the tier step, widened so there are at most `maxPoints`. */
export function outputStep(tier: Tier, rangeMs: number, maxPoints: number): number {
  const steps = Math.ceil(rangeMs / tier.stepMs / maxPoints);
  return Math.max(1, steps) * tier.stepMs;
}

export interface ChunkRef {
  start: number;
  /** Steps in the chunk (data holds `slots` values per metric). */
  slots: number;
  data: Float32Array;
}

/**
 * Averages the finite values of `chunks` (one resource, one tier) that fall in [from, to] into
 * buckets of `outStepMs`, one series per metric. Empty buckets are left out (a gap).
 */
export function downsample(
  tier: Tier,
  metrics: number,
  chunks: readonly ChunkRef[],
  from: number,
  to: number,
  outStepMs: number,
): ChartPoint[][] {
  const firstBucket = Math.floor(from / outStepMs);
  const buckets = Math.floor(to / outStepMs) - firstBucket + 1;
  const sums = new Float64Array(buckets * metrics);
  const counts = new Uint32Array(buckets * metrics);
  for (const chunk of chunks) {
    const slots = chunk.slots;
    if (chunk.data.length !== slots * metrics) continue;
    for (let s = 0; s < slots; s++) {
      const t = chunk.start + s * tier.stepMs;
      if (t + tier.stepMs <= from || t > to) continue;
      const b = Math.floor(Math.max(t, from) / outStepMs) - firstBucket;
      if (b < 0 || b >= buckets) continue;
      for (let m = 0; m < metrics; m++) {
        const v = chunk.data[m * slots + s];
        if (Number.isNaN(v)) continue;
        sums[b * metrics + m] += v;
        counts[b * metrics + m]++;
      }
    }
  }
  const out: ChartPoint[][] = [];
  for (let m = 0; m < metrics; m++) {
    const series: ChartPoint[] = [];
    for (let b = 0; b < buckets; b++) {
      const c = counts[b * metrics + m];
      // The first bucket may begin before the window; label it with the window start instead.
      const timestamp = Math.max((firstBucket + b) * outStepMs, from);
      if (c > 0) series.push({ timestamp, value: sums[b * metrics + m] / c });
    }
    out.push(series);
  }
  return out;
}
