/**
 * A slab: one tier's current chunk for every resource of one kind (pure, no I/O).
 *
 * All resources are sampled at about the same moments (each poll), so their series share the
 * time grid. A slab stores them together as one Float32Array laid out [row][metric][slot], with
 * `ids[row]` naming the resource. One slab per (tier, kind, chunk) means a 10,000-guest estate
 * writes one SQLite row per tier and chunk instead of 10,000, and a chart query reads a handful
 * of blobs. A step's value is the running average of the samples that fell into it.
 */
import type { Tier } from './tiers.js';

export class Slab {
  readonly ids: string[] = [];
  readonly index = new Map<string, number>();
  data: Float32Array;
  /** Running sums and counts of the step being filled, [row][metric]. */
  sums: Float64Array;
  counts: Uint32Array;
  /** Step index (t / stepMs) each row last recorded, NaN before the first sample. */
  steps: Float64Array;
  dirty = false;

  constructor(
    readonly tier: Tier,
    readonly metrics: number,
    /** Chunk start, unix ms. */
    readonly start: number,
    capacity = 16,
    /** Steps in this chunk: the tier's, except for a stored slab written with longer chunks. */
    readonly slots = tier.slots,
  ) {
    const cap = Math.max(1, capacity);
    this.data = new Float32Array(cap * metrics * slots).fill(Number.NaN);
    this.sums = new Float64Array(cap * metrics);
    this.counts = new Uint32Array(cap * metrics);
    this.steps = new Float64Array(cap).fill(Number.NaN);
  }

  /** Floats per row. */
  get rowSize(): number {
    return this.metrics * this.slots;
  }

  /** The time this chunk spans (ms). */
  get spanMs(): number {
    return this.tier.stepMs * this.slots;
  }

  get capacity(): number {
    return this.steps.length;
  }

  /**
   * A slab restored from storage (ids and data as written by `used()`), with the tier's steps per
   * chunk or, for a chunk an earlier version wrote, the longer chunk's (Tier.storedSlots).
   */
  static restore(tier: Tier, metrics: number, start: number, ids: string[], data: Float32Array): Slab | undefined {
    const slots = [tier.slots, tier.storedSlots].find((n) => data.length === ids.length * metrics * n);
    if (slots === undefined) return undefined;
    const slab = new Slab(tier, metrics, start, ids.length + 16, slots);
    slab.data.set(data);
    ids.forEach((id, i) => {
      slab.ids.push(id);
      slab.index.set(id, i);
    });
    return slab;
  }

  /** The row of `id`, added (growing the arrays) when new. */
  row(id: string): number {
    const found = this.index.get(id);
    if (found !== undefined) return found;
    const row = this.ids.length;
    if (row >= this.capacity) this.#grow(this.capacity * 2);
    this.ids.push(id);
    this.index.set(id, row);
    return row;
  }

  #grow(cap: number): void {
    const data = new Float32Array(cap * this.rowSize).fill(Number.NaN);
    data.set(this.data);
    this.data = data;
    const sums = new Float64Array(cap * this.metrics);
    sums.set(this.sums);
    this.sums = sums;
    const counts = new Uint32Array(cap * this.metrics);
    counts.set(this.counts);
    this.counts = counts;
    const steps = new Float64Array(cap).fill(Number.NaN);
    steps.set(this.steps);
    this.steps = steps;
  }

  /** Folds one sample at time `t` (inside this chunk) into `row`. Non-finite values are skipped. */
  add(row: number, t: number, values: ArrayLike<number>): void {
    const { stepMs } = this.tier;
    const slots = this.slots;
    const step = Math.floor(t / stepMs);
    const slot = step - this.start / stepMs;
    if (slot < 0 || slot >= slots) return;
    const m0 = row * this.metrics;
    if (this.steps[row] !== step) {
      if (this.steps[row] > step) return; // older than the step being filled
      this.steps[row] = step;
      this.sums.fill(0, m0, m0 + this.metrics);
      this.counts.fill(0, m0, m0 + this.metrics);
    }
    const base = row * this.rowSize;
    for (let m = 0; m < this.metrics; m++) {
      const v = values[m];
      if (!Number.isFinite(v)) continue;
      this.sums[m0 + m] += v;
      this.counts[m0 + m]++;
      this.data[base + m * slots + slot] = this.sums[m0 + m] / this.counts[m0 + m];
    }
    this.dirty = true;
  }

  /** The series of `row`, [metric][slot] (a view, not a copy). */
  rowData(row: number): Float32Array {
    return this.data.subarray(row * this.rowSize, (row + 1) * this.rowSize);
  }

  /** The filled part of the data (rows in use), a view. */
  used(): Float32Array {
    return this.data.subarray(0, this.ids.length * this.rowSize);
  }
}
