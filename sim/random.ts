/**
 * Deterministic randomness: every generated value derives from the estate seed plus a stable key,
 * so the same seed always yields the same estate and the same metric curves.
 */

/** 32-bit FNV-1a of a string, mixed with a seed. */
export function hash32(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mix32(h);
}

/** A finaliser that spreads the bits of a 32-bit integer (from murmur3). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) for (seed, key). */
export function unit(seed: number, key: string): number {
  return hash32(seed, key) / 4294967296;
}

/** A small seeded PRNG (mulberry32) for generating sequences. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * Smooth value noise in [0, 1): random values at integer steps of `t / period`, blended with a
 * smoothstep so metrics wander instead of jumping. Cheap enough for 10,000 guests per request.
 */
export function wander(seed: number, t: number, period: number): number {
  const x = t / period;
  const i = Math.floor(x);
  const f = x - i;
  const a = mix32((seed ^ Math.imul(i, 0x27d4eb2d)) >>> 0) / 4294967296;
  const b = mix32((seed ^ Math.imul(i + 1, 0x27d4eb2d)) >>> 0) / 4294967296;
  const s = f * f * (3 - 2 * f);
  return a + (b - a) * s;
}
