/**
 * Serialising the state document list by list, reusing the JSON of lists that did not change.
 *
 * Committed state is immutable, and the pollers keep unchanged objects between commits
 * (src/collect/slices.ts): a commit that only changed PBS, PMG, alerts or backups leaves the
 * 10,000 guests' list as it was, and its JSON is reused instead of serialised again. The output
 * is byte-for-byte `escapeJsonForHtml(JSON.stringify(document))` — the tests hold it to that.
 */
import type { PulseState } from '../model/state.js';
import { Piece } from './gzip-join.js';
import { rawCeph, rawDockerHost, rawGuest, rawNode, rawStorage, toRfc3339, type WireTimes } from './raw-shape.js';

/**
 * Go's encoder escapes `<`, `>`, `&` (and U+2028/9) inside JSON strings, so a JSON body sniffed as
 * HTML cannot run script. These characters only occur inside strings, so a textual pass is safe.
 */
export function escapeJsonForHtml(json: string): string {
  // Most documents have none of these: five native searches (memchr-fast) are ~20× quicker than
  // one regular-expression test over megabytes, and avoid a second copy when there is nothing to do.
  if (
    json.indexOf('<') < 0 &&
    json.indexOf('>') < 0 &&
    json.indexOf('&') < 0 &&
    json.indexOf('\u2028') < 0 &&
    json.indexOf('\u2029') < 0
  )
    return json;
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const json = (v: unknown): string => escapeJsonForHtml(JSON.stringify(v) ?? 'null');

/** What a let-go list is compared with: no elements, so nothing matches it. */
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/**
 * JSON of whole lists, reused while a list holds the very same elements as when it was serialised.
 *
 * A poll replaces the objects of its own instance and keeps everything else, so a new version
 * usually differs from the last in a few lists only. Comparing elements by identity costs a
 * pointer compare each; a list that differs anywhere is serialised with one JSON.stringify (the
 * fastest way when most of it is new), not element by element. The JSON is kept as UTF-8 bytes
 * (a Piece, which also keeps its compressed form once asked for), not as a string.
 */
export class FragmentCache {
  /**
   * Per list: the elements it was serialised from, its JSON (absent once released) and that
   * JSON's length (the size to allocate when the list is serialised again), and in how many
   * serialisations in a row it had changed (see release).
   */
  #lists = new Map<string, { items: readonly unknown[]; piece?: Piece; bytes: number; changedInARow: number }>();
  /** Lists reused / serialised (diagnostics). */
  readonly counters = { hits: 0, built: 0 };

  list(key: string, items: readonly unknown[] | null | undefined, convert?: (o: never) => unknown): Piece | string {
    if (!items || items.length === 0) return '[]';
    const prev = this.#lists.get(key);
    const same = prev !== undefined && sameItems(prev.items, items);
    if (same && prev.piece) {
      this.counters.hits++;
      prev.changedInARow = 0;
      return prev.piece;
    }
    const piece = new Piece(listJson(items, convert, prev?.bytes));
    this.counters.built++;
    // A released list asked for again unchanged (a second version in the same poll, e.g. the
    // alert round's) says nothing new about how often it changes: its count stays.
    const changedInARow = same ? prev.changedInARow : (prev?.changedInARow ?? 0) + 1;
    this.#lists.set(key, { items, piece, bytes: piece.length, changedInARow });
    return piece;
  }

  /**
   * For a document nobody will read again; `current` gives the list now at a key (keys are the
   * lists' paths in the document, see `listAt`). Lets go of a list, its JSON and its elements:
   * - when its elements are no longer the current ones: while no document is serialised (WebSocket
   *   clients that take deltas, nobody reading /api/state) they would keep a superseded version of
   *   every guest alive beside the current one;
   * - when it changed in each of the last two serialisations (a poll's guests, nodes, storage and
   *   alerts): the next version serialises it afresh anyway.
   * The lists that stay put between polls (backups, snapshots) are kept compressed only
   * (Piece.shrink): the next version inflates them, which costs a fraction of serialising them
   * again. Their elements stay referenced, so an unchanged list is still known as unchanged.
   */
  release(current: (key: string) => readonly unknown[] | undefined): void {
    for (const [key, entry] of this.#lists) {
      const now = current(key);
      if (entry.changedInARow >= 2 || now === undefined || !sameItems(entry.items, now)) {
        entry.piece = undefined;
        entry.items = NO_ITEMS;
      } else entry.piece?.shrink();
    }
  }

  /** Elements of the lists held for comparison with the next version (benchmarks, tests). */
  heldElements(): number {
    let n = 0;
    for (const entry of this.#lists.values()) n += entry.items.length;
    return n;
  }

  /** Bytes of JSON held for reuse, compressed or not (benchmarks). */
  heldBytes(): number {
    let n = 0;
    for (const entry of this.#lists.values()) n += entry.piece?.heldBytes ?? 0;
    return n;
  }

  /** Forgets every list (when the conversion itself changes, e.g. the time-zone offset). */
  clear(): void {
    this.#lists.clear();
  }
}

/** The list at `key` in a document: a path of property names joined by dots (`pveBackups.storageBackups`). */
export function listAt(d: PulseState, key: string): readonly unknown[] | undefined {
  let v: unknown = d;
  for (const k of key.split('.'))
    v = v === null || typeof v !== 'object' ? undefined : (v as Record<string, unknown>)[k];
  return Array.isArray(v) ? v : undefined;
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Elements per JSON.stringify call when serialising a long list. A guest is ~1 KB of JSON, so
 * each string stays well below V8's large-object size (128 KiB) and is written out as soon as it
 * is made: it dies young, where the string of a whole 7,000-guest list (~7 MB), or chunks kept
 * until the list is done, would outlive young-generation collections and be copied into the old
 * generation, to stay there as garbage until the next full collection.
 */
const LIST_CHUNK = 64;

/**
 * `json(list)` (with `convert` applied to each element) as UTF-8 bytes, built chunk by chunk and
 * written straight into one buffer. `sizeHint` is the length this list's JSON had last time: a
 * list that changed keeps about the same length, so the buffer is allocated once at that size,
 * not as one buffer per chunk joined afterwards (twice the list's size in Buffers, which V8
 * counts towards starting a full collection).
 */
export function listJson(items: readonly unknown[], convert?: (o: never) => unknown, sizeHint = 0): Buffer {
  const chunk = (from: number, to: number): string => {
    const part = items.slice(from, to);
    return json(convert ? part.map((x) => convert(x as never)) : part);
  };
  if (items.length <= LIST_CHUNK) return Buffer.from(chunk(0, items.length), 'utf8');
  // 3 % more than last time: a poll's new figures change a list's length by a fraction of that.
  let out = Buffer.allocUnsafeSlow(Math.max(Math.ceil(sizeHint * 1.03) + 4096, 64 * 1024));
  let used = 0;
  const grow = (size: number) => {
    const bigger = Buffer.allocUnsafeSlow(size);
    out.copy(bigger, 0, 0, used);
    out = bigger;
  };
  // Each chunk is `[a,b,…]`: joined by turning each `]` but the last into a comma and dropping
  // each `[` but the first.
  for (let i = 0; i < items.length; i += LIST_CHUNK) {
    const text = chunk(i, i + LIST_CHUNK);
    const part = i === 0 ? text : text.slice(1);
    // A UTF-16 code unit is at most 3 bytes of UTF-8: with that much room the part surely fits,
    // and only with less are its bytes counted.
    const room = out.length - used;
    if (room < part.length * 3) {
      const need = Buffer.byteLength(part, 'utf8');
      if (room < need) grow(Math.max(Math.ceil(out.length * 1.5), used + need));
    }
    used += out.write(part, used, 'utf8');
    if (i + LIST_CHUNK < items.length) out[used - 1] = 0x2c; // `,`
    if (i === 0 && sizeHint === 0) {
      // No earlier length to go by (a list's first serialisation, the raw shape's converted
      // lists): the first chunk's size times the number of chunks, rather than many regrowths.
      const estimate = Math.ceil(used * (items.length / LIST_CHUNK) * 1.1);
      if (estimate > out.length) grow(estimate);
    }
  }
  // Kept as is when the hint was about right; copied to its size when much was left over (the
  // first time a list is serialised, or after it shrank), so no piece holds memory it does not use.
  return out.length - used <= out.length / 8 ? out.subarray(0, used) : Buffer.from(out.subarray(0, used));
}

/** Pieces below this size are merged with the text around them rather than kept apart. */
const MERGE_BELOW = 16 * 1024;

/**
 * A document written as a tagged template: literal text and small values are merged into pieces
 * of their own; large cached lists stay the cached Pieces, so they are neither copied nor
 * compressed again.
 */
function doc(strings: TemplateStringsArray, ...values: Array<Piece | string>): Piece[] {
  const out: Piece[] = [];
  let text = '';
  for (let i = 0; i < strings.length; i++) {
    text += strings[i];
    if (i === values.length) break;
    const v = values[i];
    if (typeof v === 'string') text += v;
    else if (v.length < MERGE_BELOW) text += v.bytes.toString('utf8');
    else {
      out.push(Piece.of(text), v);
      text = '';
    }
  }
  out.push(Piece.of(text));
  return out;
}

/**
 * The frontend document (key order as in StateSnapshots.frontendDocument), in pieces: the bytes of
 * `toFrontendWire(d, w)`. Lists shared with the raw shape are converted here, once, so the raw
 * serialiser reuses them from the same cache.
 */
export function serialiseFrontend(d: PulseState, c: FragmentCache, w: WireTimes): Piece[] {
  return doc`{"nodes":${c.list('nodes', d.nodes)},"vms":${c.list('vms', d.vms)},"containers":${c.list('containers', d.containers)}\
,"dockerHosts":${c.list('dockerHosts', d.dockerHosts)},"storage":${c.list('storage', d.storage)}\
,"cephClusters":${c.list('cephClusters', d.cephClusters, w.cephFrontend as Convert)},"physicalDisks":${c.list('physicalDisks', d.physicalDisks)}\
,"pbs":${shared(c, w, 'pbs', d)},"pmg":${c.list('pmg', d.pmg)}\
,"pveBackups":{"backupTasks":${shared(c, w, 'pveBackups.backupTasks', d)}\
,"storageBackups":${shared(c, w, 'pveBackups.storageBackups', d)}\
,"guestSnapshots":${shared(c, w, 'pveBackups.guestSnapshots', d)}}\
,"pbsBackups":${shared(c, w, 'pbsBackups', d)},"metrics":${json(d.metrics)}\
,"performance":${json(d.performance)},"stats":${json(d.stats)}\
,"activeAlerts":${c.list('activeAlerts', d.activeAlerts)},"recentlyResolved":${c.list('recentlyResolved', d.recentlyResolved)}\
,"connectionHealth":${json(d.connectionHealth)},"lastUpdate":${json(d.lastUpdate)}}`;
}

type Convert = (o: never) => unknown;
type SharedList =
  | 'pbs'
  | 'pveBackups.backupTasks'
  | 'pveBackups.storageBackups'
  | 'pveBackups.guestSnapshots'
  | 'pbsBackups';

/**
 * A list that is the same in both shapes, always serialised with its WireTimes conversion: the
 * cache is keyed by the list alone, so both serialisers must convert it the same way. The
 * converted objects are written to bytes and dropped (raw-shape.ts WireTimes).
 */
function shared(c: FragmentCache, w: WireTimes, key: SharedList, d: PulseState): Piece | string {
  switch (key) {
    case 'pbs':
      return c.list(key, d.pbs, w.pbsInstance as Convert);
    case 'pveBackups.backupTasks':
      return c.list(key, d.pveBackups.backupTasks, w.backupTask as Convert);
    case 'pveBackups.storageBackups':
      return c.list(key, d.pveBackups.storageBackups, w.storageBackup as Convert);
    case 'pveBackups.guestSnapshots':
      return c.list(key, d.pveBackups.guestSnapshots, w.guestSnapshot as Convert);
    case 'pbsBackups':
      return c.list(key, d.pbsBackups, w.pbsBackup as Convert);
  }
}

/**
 * The raw document (key order as in toRawState) for the offset `tz`, in pieces. Converted lists
 * are cached in `c`, keyed by their frontend elements; `c` must be cleared when `tz` changes.
 */
export function serialiseRaw(d: PulseState, tz: number, c: FragmentCache, plain: FragmentCache, w: WireTimes): Piece[] {
  const node = (n: never) => rawNode(n, tz);
  const guest = (g: never) => rawGuest(g, tz);
  // Lists that are the same in both shapes come from `plain` (the frontend lists).
  return doc`{"nodes":${c.list('nodes', d.nodes, node)},"vms":${c.list('vms', d.vms, guest)},"containers":${c.list('containers', d.containers, guest)}\
,"dockerHosts":${c.list('dockerHosts', d.dockerHosts, (h: never) => rawDockerHost(h, tz))}\
,"storage":${c.list('storage', d.storage, rawStorage as (s: never) => unknown)}\
,"cephClusters":${c.list('cephClusters', d.cephClusters, (x: never) => rawCeph(x, tz))}\
,"physicalDisks":${plain.list('physicalDisks', d.physicalDisks)},"pbs":${shared(plain, w, 'pbs', d)},"pmg":${plain.list('pmg', d.pmg)}\
,"pveBackups":{"backupTasks":${shared(plain, w, 'pveBackups.backupTasks', d)}\
,"storageBackups":${shared(plain, w, 'pveBackups.storageBackups', d)}\
,"guestSnapshots":${shared(plain, w, 'pveBackups.guestSnapshots', d)}}\
,"pbsBackups":${shared(plain, w, 'pbsBackups', d)},"metrics":[]\
,"performance":${json(d.performance)},"stats":${json(d.stats)}\
,"activeAlerts":${plain.list('activeAlerts', d.activeAlerts)},"recentlyResolved":${plain.list('recentlyResolved', d.recentlyResolved)}\
,"connectionHealth":${json(d.connectionHealth)},"lastUpdate":${json(toRfc3339(d.lastUpdate, tz))}}`;
}

/** The pieces as one string (tests, diagnostics). */
export function joinPieces(pieces: readonly Piece[]): string {
  return Buffer.concat(pieces.map((p) => p.bytes)).toString('utf8');
}
