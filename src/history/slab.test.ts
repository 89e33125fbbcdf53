import { describe, expect, it } from 'vitest';
import { downsample, outputStep } from './downsample.js';
import { Slab } from './slab.js';
import { TIERS, tierForRange } from './tiers.js';

const [raw, m1] = TIERS;
const T0 = Date.UTC(2026, 0, 1); // aligned to every chunk boundary

describe('Slab', () => {
  it('averages samples that fall into the same step', () => {
    const r = new Slab(raw, 2, T0);
    const m = new Slab(m1, 2, T0);
    const a = r.row('a');
    // Six 10-s samples in the first minute: metric 0 = 0..50, metric 1 constant.
    for (let i = 0; i < 6; i++) {
      r.add(a, T0 + i * 10_000, [i * 10, 5]);
      m.add(m.row('a'), T0 + i * 10_000, [i * 10, 5]);
    }
    expect(Array.from(r.rowData(a).subarray(0, 6))).toEqual([0, 10, 20, 30, 40, 50]);
    expect(m.rowData(0)[0]).toBeCloseTo(25); // mean of 0..50
    expect(m.rowData(0)[m1.slots]).toBe(5); // metric 1, slot 0
    // Two samples inside one 10-s step average too.
    r.add(a, T0 + 61_000, [10, 1]);
    r.add(a, T0 + 65_000, [30, 3]);
    expect(r.rowData(a)[6]).toBe(20);
    expect(r.rowData(a)[raw.slots + 6]).toBe(2);
  });

  it('skips NaN instead of counting it as zero, and ignores samples outside the chunk or older', () => {
    const s = new Slab(raw, 1, T0);
    const a = s.row('a');
    s.add(a, T0, [10]);
    s.add(a, T0 + 1000, [Number.NaN]);
    s.add(a, T0 + 2000, [30]);
    expect(s.rowData(a)[0]).toBe(20);
    expect(Number.isNaN(s.rowData(a)[1])).toBe(true);
    s.add(a, T0 + 20_000, [7]);
    s.add(a, T0 + 10_000, [99]); // older step than the one being filled
    s.add(a, T0 + 10 * 60_000, [99]); // next chunk
    expect(Number.isNaN(s.rowData(a)[1])).toBe(true);
    expect(s.rowData(a)[2]).toBe(7);
  });

  it('grows past its capacity and keeps every row intact; restores from its stored form', () => {
    const s = new Slab(raw, 2, T0, 1);
    for (let i = 0; i < 100; i++) s.add(s.row(`r${i}`), T0, [i, -i]);
    expect(s.ids).toHaveLength(100);
    expect(s.rowData(s.row('r77'))[0]).toBe(77);
    expect(s.rowData(s.row('r77'))[raw.slots]).toBe(-77);
    const back = Slab.restore(raw, 2, T0, [...s.ids], s.used().slice());
    expect(back?.rowData(back.row('r42'))[0]).toBe(42);
    expect(Slab.restore(raw, 2, T0, ['x'], new Float32Array(3))).toBeUndefined();
  });
});

describe('downsample', () => {
  it('averages tier steps into output buckets and leaves gaps out', () => {
    const s = new Slab(raw, 1, T0);
    for (let i = 0; i < raw.slots; i++) if (i < 12 || i >= 18) s.add(s.row('a'), T0 + i * 10_000, [i]);
    const ref = { start: T0, slots: s.slots, data: s.rowData(0) };
    const [pts] = downsample(raw, 1, [ref], T0, T0 + raw.slots * 10_000 - 1, 60_000);
    // 5 one-minute buckets (6 steps each); minute 2 (steps 12..17) has no samples
    expect(pts.map((p) => p.timestamp)).toEqual([0, 1, 3, 4].map((m) => T0 + m * 60_000));
    expect(pts[0].value).toBeCloseTo(2.5);
    expect(pts[2].value).toBeCloseTo(20.5);
    expect(pts[3].value).toBeCloseTo(26.5);
  });

  it('reads chunks stored with the longer chunks of Pulse 0.1 alongside the current ones', () => {
    // A 10-minute chunk of the 10-s tier as 0.1 wrote it (60 steps), then a current 5-minute one.
    const old = new Slab(raw, 1, T0, 1, raw.storedSlots);
    for (let i = 0; i < raw.storedSlots; i++) old.add(old.row('a'), T0 + i * 10_000, [1]);
    const back = Slab.restore(raw, 1, T0, [...old.ids], old.used().slice());
    expect(back?.slots).toBe(raw.storedSlots);
    expect(back?.spanMs).toBe(10 * 60_000);
    const cur = new Slab(raw, 1, T0 + 10 * 60_000);
    for (let i = 0; i < raw.slots; i++) cur.add(cur.row('a'), cur.start + i * 10_000, [3]);
    const refs = [back, cur].map((x) => ({
      start: x?.start ?? 0,
      slots: x?.slots ?? 0,
      data: x?.rowData(0) ?? new Float32Array(),
    }));
    const [pts] = downsample(raw, 1, refs, T0, T0 + 15 * 60_000 - 1, 5 * 60_000);
    expect(pts.map((p) => [(p.timestamp - T0) / 60_000, p.value])).toEqual([
      [0, 1],
      [5, 1],
      [10, 3],
    ]);
  });

  it('chooses tiers and steps that bound the point count', () => {
    expect(tierForRange(3_600_000).name).toBe('10s');
    expect(tierForRange(3_600_000, 12).name).toBe('5m'); // a large estate: few points, coarse tier
    expect(tierForRange(4 * 3_600_000).name).toBe('1m');
    expect(tierForRange(24 * 3_600_000).name).toBe('5m');
    expect(tierForRange(7 * 86_400_000).name).toBe('5m');
    expect(outputStep(raw, 5 * 60_000, 120)).toBe(10_000);
    expect(outputStep(m1, 4 * 3_600_000, 120)).toBe(2 * 60_000);
  });
});
