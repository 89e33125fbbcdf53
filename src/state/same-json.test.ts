import { describe, expect, it } from 'vitest';
import { sameJson } from './delta.js';

/** A small deterministic random source (tests must repeat). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LEAVES: unknown[] = [
  0,
  -0,
  1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  null,
  undefined,
  '',
  'a',
  '1',
  true,
  false,
];

/** A random JSON-ish value, with what JSON drops or rewrites (undefined, NaN, functions) mixed in. */
function value(r: () => number, depth: number): unknown {
  const k = r();
  if (depth <= 0 || k < 0.5) return LEAVES[Math.floor(r() * LEAVES.length)];
  if (k < 0.6) return () => 1;
  if (k < 0.8) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth - 1));
  const o: Record<string, unknown> = {};
  for (const key of ['a', 'b', '2', 'c'].filter(() => r() < 0.6)) o[key] = value(r, depth - 1);
  return o;
}

/** `v` with one leaf changed, or a key dropped, added or moved (sometimes to the same JSON). */
function mutate(v: unknown, r: () => number): unknown {
  if (Array.isArray(v)) {
    if (v.length === 0 || r() < 0.2) return [...v, value(r, 1)];
    const i = Math.floor(r() * v.length);
    return v.map((x, j) => (j === i ? mutate(x, r) : x));
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    const o = v as Record<string, unknown>;
    if (keys.length === 0 || r() < 0.2) return { ...o, z: value(r, 1) };
    const k = keys[Math.floor(r() * keys.length)];
    if (r() < 0.3) {
      const { [k]: moved, ...rest } = o;
      return { ...rest, [k]: moved }; // same keys, another order (unless it was last)
    }
    return { ...o, [k]: mutate(o[k], r) };
  }
  return LEAVES[Math.floor(r() * LEAVES.length)];
}

describe('sameJson', () => {
  it('agrees with comparing JSON.stringify of both sides, over many random pairs', () => {
    const r = rng(7);
    let equal = 0;
    for (let n = 0; n < 20_000; n++) {
      const a = value(r, 4);
      const b = r() < 0.3 ? structuredCloneJsonish(a) : mutate(a, r);
      const expected = JSON.stringify(a) === JSON.stringify(b);
      if (expected) equal++;
      expect(sameJson(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(expected);
    }
    // Both answers were exercised.
    expect(equal).toBeGreaterThan(2_000);
    expect(equal).toBeLessThan(18_000);
  });

  it('falls back to JSON for objects that write themselves (toJSON, Date)', () => {
    expect(sameJson(new Date(0), new Date(0))).toBe(true);
    expect(sameJson(new Date(0), new Date(1))).toBe(false);
    expect(sameJson({ toJSON: () => 1 }, { toJSON: () => 1 })).toBe(true);
    expect(sameJson({ x: { toJSON: () => 'a' } }, { x: 'a' })).toBe(true);
  });
});

/** A deep copy that keeps functions and undefined (structuredClone would refuse functions). */
function structuredCloneJsonish(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(structuredCloneJsonish);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, structuredCloneJsonish(x)]));
  }
  return v;
}
