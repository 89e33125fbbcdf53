/**
 * The history tiers and the metrics recorded per kind of resource.
 *
 * Every sample is folded into every tier: a tier is a grid of fixed steps (10 s, 1 min, 5 min),
 * and a step's value is the average of the samples that fell into it. Steps are grouped into
 * chunks; a chunk of one tier for all resources of one kind is a slab (slab.ts). Only the current
 * slab of each tier is kept in memory; finished slabs go to SQLite (`metric_slabs`) and are read
 * back for queries.
 */
export interface Tier {
  /** Stored in the `tier` column; never renumber. */
  id: number;
  name: string;
  stepMs: number;
  /** Steps per chunk of the slabs written now. */
  slots: number;
  /**
   * The most steps per chunk a stored slab of this tier can have: Pulse 0.1 wrote longer chunks
   * (twice as many steps for the two finer tiers), which stay readable until they age out, so a
   * reader looks back this far for a chunk overlapping its window.
   */
  storedSlots: number;
  /** How long chunks are kept. */
  retentionMs: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// The current slab of each tier stays in memory and is rewritten to SQLite at every checkpoint, so
// its chunk is kept short for the tiers whose chunks hold the most resources × steps.
export const TIERS: readonly Tier[] = [
  { id: 0, name: '10s', stepMs: 10_000, slots: 30, storedSlots: 60, retentionMs: HOUR }, // chunk: 5 min
  { id: 1, name: '1m', stepMs: MIN, slots: 10, storedSlots: 20, retentionMs: DAY }, // chunk: 10 min
  { id: 2, name: '5m', stepMs: 5 * MIN, slots: 12, storedSlots: 12, retentionMs: 7 * DAY }, // chunk: 1 h
];

export const chunkMs = (tier: Tier): number => tier.stepMs * tier.slots;
/** The longest chunk a stored slab of `tier` can span (see Tier.storedSlots). */
export const longestChunkMs = (tier: Tier): number => tier.stepMs * Math.max(tier.slots, tier.storedSlots);
export const chunkStartOf = (tier: Tier, t: number): number => Math.floor(t / chunkMs(tier)) * chunkMs(tier);

/**
 * The tier to answer a window from: among the tiers that keep `rangeMs`, the coarsest whose step
 * still fits `maxPoints` points (fewer, smaller reads), else the finest of them.
 */
export function tierForRange(rangeMs: number, maxPoints = 120): Tier {
  const keeping = TIERS.filter((t) => t.retentionMs >= rangeMs);
  if (keeping.length === 0) return TIERS[TIERS.length - 1];
  const wanted = rangeMs / maxPoints;
  const fits = keeping.filter((t) => t.stepMs <= wanted);
  return fits.length > 0 ? fits[fits.length - 1] : keeping[0];
}

export type ResourceKind = 'node' | 'guest' | 'storage';

/** Metric names per kind, in storage order. `pct` values are percent, `bytes` are bytes or bytes/s. */
export const KIND_METRICS = {
  node: ['cpu', 'memory', 'disk'],
  guest: ['cpu', 'memory', 'disk', 'diskread', 'diskwrite', 'netin', 'netout'],
  storage: ['usage', 'used', 'total', 'avail'],
} as const satisfies Record<ResourceKind, readonly string[]>;

export type MetricName<K extends ResourceKind> = (typeof KIND_METRICS)[K][number];

const PERCENT_METRICS = new Set(['cpu', 'memory', 'disk', 'usage']);

/** Rounds for the wire: percent to 2 decimals, byte figures to whole numbers. */
export function roundMetric(metric: string, v: number): number {
  return PERCENT_METRICS.has(metric) ? Math.round(v * 100) / 100 : Math.round(v);
}

export const isResourceKind = (k: string): k is ResourceKind => k === 'node' || k === 'guest' || k === 'storage';
