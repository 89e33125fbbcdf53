import { describe, expect, it } from 'vitest';
import { downsample, outputStep } from './downsample.js';
import { ResourceSeries } from './series.js';
import { TIERS, tierForRange } from './tiers.js';

const [raw, m1, m5] = TIERS;
const T0 = Date.UTC(2026, 0, 1); // aligned to every chunk boundary

describe('ResourceSeries', () => {
  it('averages samples that fall into the same step, per tier', () => {
    const s = new ResourceSeries(2);
    // Six 10-s samples in the first minute: cpu 0..50, second metric constant.
    for (let i = 0; i < 6; i++) s.record(T0 + i * 10_000, [i * 10, 5]);
    const r = s.current(raw);
    expect(r?.start).toBe(T0);
    expect(Array.from(r?.data.subarray(0, 6) ?? [])).toEqual([0, 10, 20, 30, 40, 50]);
    const one = s.current(m1);
    expect(one?.data[0]).toBeCloseTo(25); // mean of 0..50
    expect(one?.data[m1.slots]).toBe(5); // metric 1, slot 0
    expect(s.current(m5)?.data[0]).toBeCloseTo(25);
  });

  it('ignores NaN values instead of counting them as zero', () => {
    const s = new ResourceSeries(1);
    s.record(T0, [10]);
    s.record(T0 + 1000, [Number.NaN]);
    s.record(T0 + 2000, [30]);
    expect(s.current(raw)?.data[0]).toBe(20);
    expect(Number.isNaN(s.current(raw)?.data[1] ?? 0)).toBe(true);
  });

  it('returns the chunk a sample closes, and ignores samples from the past', () => {
    const s = new ResourceSeries(1);
    s.record(T0, [1]);
    const closed = s.record(T0 + 10 * 60_000, [2]); // next 10-min raw chunk
    expect(closed.map((c) => c.tier.name)).toEqual(['10s']);
    expect(closed[0].start).toBe(T0);
    expect(s.record(T0, [99])).toEqual([]);
    expect(s.current(raw)?.start).toBe(T0 + 10 * 60_000);
  });
});

describe('downsample', () => {
  it('averages tier steps into output buckets and leaves gaps out', () => {
    const s = new ResourceSeries(1);
    for (let i = 0; i < 60; i++) if (i < 24 || i >= 30) s.record(T0 + i * 10_000, [i]);
    const chunk = s.current(raw);
    if (!chunk) throw new Error('no chunk');
    const [pts] = downsample(raw, 1, [chunk], T0, T0 + 599_999, 60_000);
    // 10 one-minute buckets (6 steps each); minute 4 (steps 24..29) has no samples
    expect(pts.map((p) => p.timestamp)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9].map((m) => T0 + m * 60_000));
    expect(pts[0].value).toBeCloseTo(2.5);
    expect(pts[3].value).toBeCloseTo(20.5);
    expect(pts[4].value).toBeCloseTo(32.5);
  });

  it('chooses tiers and steps that bound the point count', () => {
    expect(tierForRange(3_600_000).name).toBe('10s');
    expect(tierForRange(4 * 3_600_000).name).toBe('1m');
    expect(tierForRange(7 * 86_400_000).name).toBe('5m');
    expect(outputStep(raw, 5 * 60_000, 120)).toBe(10_000);
    expect(outputStep(m1, 24 * 3_600_000, 120)).toBe(12 * 60_000);
  });
});
