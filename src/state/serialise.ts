/**
 * Serialising the state document from cached per-object fragments.
 *
 * Committed state is immutable, and the pollers keep an unchanged guest's object between commits
 * (src/collect/slices.ts), so most elements of a new version are objects already serialised for
 * the previous one: a commit that only changed PBS, alerts or one instance re-serialises only what
 * changed. Fragments are cached by object identity (WeakMap: they go with their objects). The
 * output is byte-for-byte `escapeJsonForHtml(JSON.stringify(document))` — the tests hold it to that.
 */
import type { PulseState } from '../model/state.js';
import { rawCeph, rawDockerHost, rawGuest, rawNode, rawStorage, toRfc3339 } from './raw-shape.js';

/**
 * Go's encoder escapes `<`, `>`, `&` (and U+2028/9) inside JSON strings, so a JSON body sniffed as
 * HTML cannot run script. These characters only occur inside strings, so a textual pass is safe.
 */
export function escapeJsonForHtml(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const json = (v: unknown): string => escapeJsonForHtml(JSON.stringify(v) ?? 'null');

/** JSON fragments of objects, cached by identity, optionally after a conversion. */
export class FragmentCache {
  #cache = new WeakMap<object, string>();
  /** Fragments served from the cache / built (diagnostics). */
  readonly counters = { hits: 0, built: 0 };

  element(o: unknown, convert?: (o: never) => unknown): string {
    if (o === null || typeof o !== 'object') return json(convert ? convert(o as never) : o);
    const cached = this.#cache.get(o);
    if (cached !== undefined) {
      this.counters.hits++;
      return cached;
    }
    const s = json(convert ? convert(o as never) : o);
    this.#cache.set(o, s);
    this.counters.built++;
    return s;
  }

  list(items: readonly unknown[] | null | undefined, convert?: (o: never) => unknown): string {
    if (!items || items.length === 0) return '[]';
    const parts = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) parts[i] = this.element(items[i], convert);
    return `[${parts.join(',')}]`;
  }

  /** Forgets every fragment (when the conversion itself changes, e.g. the time-zone offset). */
  clear(): void {
    this.#cache = new WeakMap();
  }
}

/** The frontend document (key order as in StateSnapshots.frontendDocument). */
export function serialiseFrontend(d: PulseState, c: FragmentCache): string {
  return (
    `{"nodes":${c.list(d.nodes)},"vms":${c.list(d.vms)},"containers":${c.list(d.containers)}` +
    `,"dockerHosts":${c.list(d.dockerHosts)},"storage":${c.list(d.storage)}` +
    `,"cephClusters":${c.list(d.cephClusters)},"physicalDisks":${c.list(d.physicalDisks)}` +
    `,"pbs":${c.list(d.pbs)},"pmg":${c.list(d.pmg)}` +
    `,"pveBackups":{"backupTasks":${c.list(d.pveBackups.backupTasks)}` +
    `,"storageBackups":${c.list(d.pveBackups.storageBackups)}` +
    `,"guestSnapshots":${c.list(d.pveBackups.guestSnapshots)}}` +
    `,"pbsBackups":${c.list(d.pbsBackups)},"metrics":${json(d.metrics)}` +
    `,"performance":${json(d.performance)},"stats":${json(d.stats)}` +
    `,"activeAlerts":${c.list(d.activeAlerts)},"recentlyResolved":${c.list(d.recentlyResolved)}` +
    `,"connectionHealth":${json(d.connectionHealth)},"lastUpdate":${json(d.lastUpdate)}}`
  );
}

/**
 * The raw document (key order as in toRawState) for the offset `tz`. Converted elements are cached
 * in `c` by their frontend object; `c` must be cleared when `tz` changes.
 */
export function serialiseRaw(d: PulseState, tz: number, c: FragmentCache, plain: FragmentCache): string {
  const node = (n: never) => rawNode(n, tz);
  const guest = (g: never) => rawGuest(g, tz);
  // Elements that are the same in both shapes come from `plain` (the frontend fragments).
  return (
    `{"nodes":${c.list(d.nodes, node)},"vms":${c.list(d.vms, guest)},"containers":${c.list(d.containers, guest)}` +
    `,"dockerHosts":${c.list(d.dockerHosts, (h: never) => rawDockerHost(h, tz))}` +
    `,"storage":${c.list(d.storage, rawStorage as (s: never) => unknown)}` +
    `,"cephClusters":${c.list(d.cephClusters, (x: never) => rawCeph(x, tz))}` +
    `,"physicalDisks":${plain.list(d.physicalDisks)},"pbs":${plain.list(d.pbs)},"pmg":${plain.list(d.pmg)}` +
    `,"pveBackups":{"backupTasks":${plain.list(d.pveBackups.backupTasks)}` +
    `,"storageBackups":${plain.list(d.pveBackups.storageBackups)}` +
    `,"guestSnapshots":${plain.list(d.pveBackups.guestSnapshots)}}` +
    `,"pbsBackups":${plain.list(d.pbsBackups)},"metrics":[]` +
    `,"performance":${json(d.performance)},"stats":${json(d.stats)}` +
    `,"activeAlerts":${plain.list(d.activeAlerts)},"recentlyResolved":${plain.list(d.recentlyResolved)}` +
    `,"connectionHealth":${json(d.connectionHealth)},"lastUpdate":${json(toRfc3339(d.lastUpdate, tz))}}`
  );
}
