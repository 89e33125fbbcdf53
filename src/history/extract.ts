/**
 * What is recorded from a state snapshot (pure): per node, guest and storage the metric values in
 * KIND_METRICS order. Unknown values (a VM disk with usage −1, a missing memory block) are NaN and
 * leave a gap instead of a false zero.
 */
import type { Guest, Node, PulseState, Storage } from '../model/state.js';
import type { ResourceKind } from './tiers.js';

const pctOrNaN = (v: number | undefined): number => (typeof v === 'number' && v >= 0 ? v : Number.NaN);
const num = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);

export function nodeValues(n: Node): number[] {
  return [num(n.cpu) * 100, pctOrNaN(n.memory?.usage), pctOrNaN(n.disk?.usage)];
}

export function guestValues(g: Guest): number[] {
  return [
    num(g.cpu) * 100,
    pctOrNaN(g.memory?.usage),
    pctOrNaN(g.disk?.usage),
    num(g.diskRead),
    num(g.diskWrite),
    num(g.networkIn),
    num(g.networkOut),
  ];
}

export function storageValues(s: Storage): number[] {
  return [pctOrNaN(s.usage), num(s.used), num(s.total), num(s.avail ?? s.free)];
}

export interface ResourceSample {
  kind: ResourceKind;
  id: string;
  /** The state object the values came from (lets the recorder skip objects it already saw). */
  source: object;
  values: () => number[];
}

/** Every recordable resource of a snapshot. Values are computed lazily (most are skipped). */
export function* resourcesOf(state: Readonly<PulseState>): Generator<ResourceSample> {
  for (const n of state.nodes ?? []) yield { kind: 'node', id: n.id, source: n, values: () => nodeValues(n) };
  for (const g of state.vms ?? []) yield { kind: 'guest', id: g.id, source: g, values: () => guestValues(g) };
  for (const g of state.containers ?? []) yield { kind: 'guest', id: g.id, source: g, values: () => guestValues(g) };
  for (const s of state.storage ?? []) yield { kind: 'storage', id: s.id, source: s, values: () => storageValues(s) };
}
