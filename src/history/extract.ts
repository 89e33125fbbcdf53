/**
 * What is recorded from a state snapshot (pure): per node, guest and storage the metric values in
 * KIND_METRICS order. Unknown values (a VM disk with usage −1, a missing memory block) are NaN and
 * leave a gap instead of a false zero.
 */
import type { Guest, Node, Storage } from '../model/state.js';

const pctOrNaN = (v: number | undefined): number => (typeof v === 'number' && v >= 0 ? v : Number.NaN);
const num = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);

/** Writes a node's values into `out` (no allocation: this runs for every resource on every commit). */
export function fillNode(n: Node, out: Float64Array): void {
  out[0] = num(n.cpu) * 100;
  out[1] = pctOrNaN(n.memory?.usage);
  out[2] = pctOrNaN(n.disk?.usage);
}

export function fillGuest(g: Guest, out: Float64Array): void {
  out[0] = num(g.cpu) * 100;
  out[1] = pctOrNaN(g.memory?.usage);
  out[2] = pctOrNaN(g.disk?.usage);
  out[3] = num(g.diskRead);
  out[4] = num(g.diskWrite);
  out[5] = num(g.networkIn);
  out[6] = num(g.networkOut);
}

export function fillStorage(s: Storage, out: Float64Array): void {
  out[0] = pctOrNaN(s.usage);
  out[1] = num(s.used);
  out[2] = num(s.total);
  out[3] = num(s.avail ?? s.free);
}

const collect =
  <T>(fill: (x: T, out: Float64Array) => void, n: number) =>
  (x: T): number[] => {
    const out = new Float64Array(n);
    fill(x, out);
    return Array.from(out);
  };
export const nodeValues = collect(fillNode, 3);
export const guestValues = collect(fillGuest, 7);
export const storageValues = collect(fillStorage, 4);
