/**
 * Storage-full forecast (pure): fits a growth rate to a used-bytes history and projects when the
 * storage reaches a warning threshold and 100 %.
 *
 * Deletions, prunes and garbage collection make used space fall in steps, and a plain least-squares
 * line through such a saw-tooth underestimates growth (or even turns negative). So the series is cut
 * into segments at every drop, and one slope is fitted to all segments at once with a separate
 * intercept per segment (the "within" least-squares estimator): each segment tells how fast data
 * grows, none of them is penalised for where it starts. The projection starts from the fitted
 * value at the last sample.
 */

export interface UsagePoint {
  /** unix ms */
  t: number;
  /** bytes used */
  used: number;
}

export type ForecastTrend = 'growing' | 'flat' | 'shrinking' | 'insufficient';

export interface ForecastInput {
  points: readonly UsagePoint[];
  /** Capacity in bytes (the current one). */
  total: number;
  /** Warning threshold, percent 0–100. */
  warnPercent: number;
  /** The time the forecast is made at (unix ms); projections are measured from it. */
  now: number;
}

export interface Forecast {
  trend: ForecastTrend;
  /** Fitted growth in bytes per day (0 when insufficient). */
  bytesPerDay: number;
  /** Fitted used bytes at the last sample. */
  usedBytes: number;
  totalBytes: number;
  /** When usage reaches `warnPercent` (unix ms); `now` when already there; null when it never does. */
  warnAt: number | null;
  /** When usage reaches 100 % (unix ms); null when it never does. */
  fullAt: number | null;
  daysToWarn: number | null;
  daysToFull: number | null;
  /** 0–1: how well the fit explains the growth, scaled down for short or sparse histories. */
  confidence: number;
  /** Samples used and the time they span (ms). */
  samples: number;
  spanMs: number;
  /** Drops (deletions, GC) the fit cut the series at. */
  drops: number;
}

const DAY = 86_400_000;
/** Fewer samples than this (one hour of the 5-min tier) give no forecast. */
export const MIN_SAMPLES = 12;
/** A history this long (or longer) earns full confidence for its span. */
const FULL_SPAN_MS = 3 * DAY;
/** Growth below this share of capacity per day is flat (0.01 %/day: 27 years to fill). */
const FLAT_SHARE_PER_DAY = 1e-4;
/** A fall larger than this share of capacity (or 64 MiB) between samples is a drop, not noise. */
const DROP_SHARE = 1e-3;
const DROP_MIN_BYTES = 64 * 1024 * 1024;
/** Projections past this are reported as "never": a fit on a week says nothing about years. */
const HORIZON_MS = 5 * 365 * DAY;

/** Splits a time-ordered series at every fall larger than `tolerance` bytes. */
export function segmentsOf(points: readonly UsagePoint[], tolerance: number): UsagePoint[][] {
  const out: UsagePoint[][] = [];
  let cur: UsagePoint[] = [];
  for (const p of points) {
    const prev = cur[cur.length - 1];
    if (prev && p.used < prev.used - tolerance) {
      out.push(cur);
      cur = [];
    }
    cur.push(p);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export function forecastUsage(input: ForecastInput): Forecast {
  const { total, warnPercent, now } = input;
  const points = input.points
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.used) && p.used >= 0)
    .slice()
    .sort((a, b) => a.t - b.t);
  const last = points[points.length - 1];
  const spanMs = points.length > 1 ? last.t - points[0].t : 0;
  const empty: Forecast = {
    trend: 'insufficient',
    bytesPerDay: 0,
    usedBytes: last?.used ?? 0,
    totalBytes: total,
    warnAt: null,
    fullAt: null,
    daysToWarn: null,
    daysToFull: null,
    confidence: 0,
    samples: points.length,
    spanMs,
    drops: 0,
  };
  if (!(total > 0) || points.length < MIN_SAMPLES || spanMs <= 0) return empty;

  const segments = segmentsOf(points, Math.max(total * DROP_SHARE, DROP_MIN_BYTES));
  // Pooled within-segment least squares, time in days relative to each segment's mean.
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  const means: Array<{ t: number; y: number }> = [];
  for (const seg of segments) {
    const n = seg.length;
    let mt = 0;
    let my = 0;
    for (const p of seg) {
      mt += p.t;
      my += p.used;
    }
    mt /= n;
    my /= n;
    means.push({ t: mt, y: my });
    for (const p of seg) {
      const x = (p.t - mt) / DAY;
      const y = p.used - my;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
  }
  if (!(sxx > 0)) return { ...empty, drops: segments.length - 1 };
  const slope = sxy / sxx; // bytes per day
  const lastMean = means[means.length - 1];
  const usedBytes = Math.max(0, lastMean.y + (slope * (last.t - lastMean.t)) / DAY);
  // R² of the within fit: the share of within-segment variation the slope explains. A perfectly
  // flat series has nothing to explain, and its flatness is certain.
  const r2 = syy > 0 ? Math.min(1, (sxy * sxy) / (sxx * syy)) : 1;
  // Time actually covered by segments of two or more samples (a drop is not growth time).
  let covered = 0;
  for (const seg of segments) if (seg.length > 1) covered += seg[seg.length - 1].t - seg[0].t;
  const confidence = Math.round(r2 * Math.min(1, covered / FULL_SPAN_MS) * 100) / 100;

  const flat = Math.abs(slope) < total * FLAT_SHARE_PER_DAY;
  const trend: ForecastTrend = flat ? 'flat' : slope > 0 ? 'growing' : 'shrinking';
  const at = (target: number): number | null => {
    if (usedBytes >= target) return now;
    if (trend !== 'growing') return null;
    const ms = last.t + ((target - usedBytes) / slope) * DAY;
    return ms - now > HORIZON_MS ? null : Math.max(now, Math.round(ms));
  };
  const warnAt = at((total * warnPercent) / 100);
  const fullAt = at(total);
  const days = (ms: number | null) => (ms === null ? null : Math.round(((ms - now) / DAY) * 10) / 10);
  return {
    trend,
    bytesPerDay: Math.round(slope),
    usedBytes: Math.round(usedBytes),
    totalBytes: total,
    warnAt,
    fullAt,
    daysToWarn: days(warnAt),
    daysToFull: days(fullAt),
    confidence,
    samples: points.length,
    spanMs,
    drops: segments.length - 1,
  };
}
