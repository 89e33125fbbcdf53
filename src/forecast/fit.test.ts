import { describe, expect, it } from 'vitest';
import { DAY, GiB, linear, samplePoints, type UsageCurve, withDrops } from '../../test/helpers/forecast.js';
import { forecastUsage, segmentsOf } from './fit.js';

const T0 = Date.UTC(2026, 10, 1);

/** Seven days of 5-minute samples of `used`. */
const week = (used: UsageCurve) => samplePoints(used, T0, 7);
const END = T0 + 7 * DAY;
// Small deterministic wiggle (±200 MiB) so fits are not made on perfect lines only.
const wiggle = (d: number) => Math.sin(d * 37) * 200 * 1024 ** 2;

describe('forecastUsage', () => {
  it('linear growth: 10 GiB/day from 500 of 1000 GiB reaches 85 % in 28 days and 100 % in 43', () => {
    const f = forecastUsage({
      points: week((d) => linear(500 * GiB, 10 * GiB)(d) + wiggle(d)),
      total: 1000 * GiB,
      warnPercent: 85,
      now: END,
    });
    expect(f.trend).toBe('growing');
    expect(f.bytesPerDay / GiB).toBeCloseTo(10, 1);
    expect(f.daysToWarn).toBeGreaterThan(27.8);
    expect(f.daysToWarn).toBeLessThan(28.2);
    expect(f.daysToFull).toBeGreaterThan(42.8);
    expect(f.daysToFull).toBeLessThan(43.2);
    expect(f.fullAt).toBe(Math.round(END + ((1000 * GiB - f.usedBytes) / f.bytesPerDay) * DAY));
    expect(f.drops).toBe(0);
    expect(f.confidence).toBeGreaterThan(0.95);
  });

  it('growth with GC drops: the drops are cut out and the growth rate is the gross 10 GiB/day', () => {
    // Every 1.5 days garbage collection frees 8 GiB; between, data grows 10 GiB/day.
    const gc = withDrops(linear(400 * GiB, 10 * GiB), 8 * GiB, 1.5);
    const used = (d: number) => gc(d) + wiggle(d);
    const f = forecastUsage({ points: week(used), total: 1000 * GiB, warnPercent: 90, now: END });
    expect(f.drops).toBe(4);
    expect(f.trend).toBe('growing');
    expect(f.bytesPerDay / GiB).toBeCloseTo(10, 1);
    // From the last level (470 − 32 = 438 GiB), 562 GiB at 10 GiB/day.
    expect(f.usedBytes / GiB).toBeCloseTo(438, 0);
    expect(f.daysToFull).toBeGreaterThan(56);
    expect(f.daysToFull).toBeLessThan(56.5);
    // A single line through the saw-tooth would see only the net 4.7 GiB/day.
    expect(segmentsOf(week(used), GiB)).toHaveLength(5);
  });

  it('flat usage gives no date and full confidence in the flatness', () => {
    const f = forecastUsage({
      points: week((d) => 300 * GiB + wiggle(d) / 10),
      total: 1000 * GiB,
      warnPercent: 85,
      now: END,
    });
    expect(f.trend).toBe('flat');
    expect(f.fullAt).toBeNull();
    expect(f.warnAt).toBeNull();
    expect(f.daysToFull).toBeNull();
  });

  it('shrinking usage gives no date', () => {
    const f = forecastUsage({
      points: week((d) => linear(600 * GiB, -5 * GiB)(d) + wiggle(d)),
      total: 1000 * GiB,
      warnPercent: 85,
      now: END,
    });
    expect(f.trend).toBe('shrinking');
    expect(f.bytesPerDay / GiB).toBeCloseTo(-5, 1);
    expect(f.fullAt).toBeNull();
    expect(f.confidence).toBeGreaterThan(0.9);
  });

  it('already past the warning threshold: warnAt is now, fullAt still projected', () => {
    const f = forecastUsage({ points: week((d) => 900 * GiB + d * GiB), total: 1000 * GiB, warnPercent: 85, now: END });
    expect(f.warnAt).toBe(END);
    expect(f.daysToWarn).toBe(0);
    expect(f.daysToFull).toBeCloseTo(93, 0);
  });

  it('too little history gives an insufficient forecast; a short history lowers confidence', () => {
    const few = forecastUsage({
      points: week((d) => d * GiB).slice(0, 5),
      total: 1000 * GiB,
      warnPercent: 85,
      now: END,
    });
    expect(few.trend).toBe('insufficient');
    expect(few.fullAt).toBeNull();
    const day = week((d) => 100 * GiB + d * 10 * GiB).filter((p) => p.t <= T0 + DAY);
    const short = forecastUsage({ points: day, total: 1000 * GiB, warnPercent: 85, now: T0 + DAY });
    expect(short.trend).toBe('growing');
    expect(short.confidence).toBeCloseTo(1 / 3, 2);
  });

  it('ignores non-finite samples and unsorted input', () => {
    const pts = week((d) => 500 * GiB + d * 10 * GiB).reverse();
    pts.push({ t: END, used: Number.NaN });
    const f = forecastUsage({ points: pts, total: 1000 * GiB, warnPercent: 85, now: END });
    expect(f.bytesPerDay / GiB).toBeCloseTo(10, 3);
  });
});
