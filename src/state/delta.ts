/**
 * State deltas for /ws clients that ask for them (`/ws?deltas=1` or `=2`, docs/WEBSOCKET.md).
 *
 * `diffDocuments(prev, next, encoding, toWire)` says what changed between two frontend-shape
 * state documents; `applyDelta(doc, delta)` applies it to a parsed copy of `prev`'s wire form.
 * The contract between the two is exact: `JSON.stringify(applyDelta(parse(wire(prev)), diff))`
 * equals `JSON.stringify(wire(next))`, key order and list order included
 * (test/ws/delta-random.test.ts holds it to that).
 *
 * The documents diffed are the store's own objects. Some collections go on the wire converted
 * (backup and PBS times as RFC3339: raw-shape.ts `frontendWireLists`); their converters are
 * passed in `toWire`, and only what the delta carries is converted: added objects, whole lists,
 * and both versions of a kept object whose JSON changed. A conversion depends on its source
 * object alone, so sources with the same JSON have wire forms with the same JSON.
 *
 * Pollers keep unchanged objects between commits (the same object, ===), so diffing is cheap: a
 * list whose elements are all identical costs a pointer compare each, and only objects that were
 * replaced have their fields compared.
 *
 * Two encodings: 1 sends each changed object's id with its changed top-level fields whole; 2 (the
 * web UI's) sends field changes as row tables (delta-rows.ts): objects by their index in the
 * base list, nested field paths, values in columns. Everything structural is the same in both.
 */
import { applyRowTable, buildRowTables, PathInterner, type RowChange, type RowTable, readPath } from './delta-rows.js';

type Json = Record<string, unknown>;

/** 1: changes by id, top-level fields whole; 2: changes as row tables by index, nested paths. */
export type DeltaEncoding = 1 | 2;

/** One changed object of a collection: the fields whose JSON changed, and the fields now absent. */
export interface ObjectChange {
  id: string;
  set?: Json;
  unset?: string[];
}

/** What changed in one keyed collection (a list of objects with unique string/number `id`s). */
export interface ListDelta {
  /** Encoding 2: field changes of kept objects by their index in the base list. Applied first. */
  rows?: RowTable[];
  /** Ids of the objects gone. Applied next. */
  remove?: string[];
  /** Field changes of objects kept (by id); in encoding 2 only those that also lose fields. */
  change?: ObjectChange[];
  /** Kept objects whose keys changed order: sent whole, replacing the old object in place. */
  replace?: Json[];
  /** New objects with their index in the new list, ascending; inserted in that order. */
  add?: Array<[number, Json]>;
  /** The new list's ids in order, only when the kept objects were reordered. */
  order?: string[];
  /** The whole new list, when it cannot be keyed (no ids, duplicates, not objects). */
  list?: unknown[];
}

/** A document delta: per collection path (e.g. `vms`, `pveBackups.backupTasks`) and plain keys. */
export interface StateDelta {
  lists?: Record<string, ListDelta>;
  /** Top-level keys (not collections) whose JSON changed, with their new value. */
  set?: Json;
  /** Top-level keys that are no longer present. */
  unset?: string[];
}

/** The keyed collections of the frontend document; everything else is compared as a whole. */
export const COLLECTIONS: readonly string[] = [
  'nodes',
  'vms',
  'containers',
  'dockerHosts',
  'storage',
  'cephClusters',
  'physicalDisks',
  'pbs',
  'pmg',
  'pveBackups.backupTasks',
  'pveBackups.storageBackups',
  'pveBackups.guestSnapshots',
  'pbsBackups',
  'activeAlerts',
  'recentlyResolved',
];

/** Top-level keys that hold collections (nested ones are handled inside). */
const CONTAINER_KEYS = new Set(COLLECTIONS.map((p) => p.split('.')[0]));

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** JSON.stringify drops keys whose value is undefined or a function: they are not in the document. */
const present = (v: unknown): boolean => v !== undefined && typeof v !== 'function';

/** NaN and ±Infinity are written as null. */
const asJson = (v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

/**
 * Whether `x` and `y` have the same JSON (as JSON.stringify writes it), compared value by value
 * without writing either: a guest's arrays and nested objects are new objects every poll, and
 * serialising both sides of each was most of what diffing a poll cost.
 */
export function sameJson(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  // What JSON cannot hold: NaN and ±Infinity are written as null, undefined and functions not at all.
  const a = present(x) ? asJson(x) : undefined;
  const b = present(y) ? asJson(y) : undefined;
  if (a === b) return true;
  const objA = typeof a === 'object' && a !== null;
  const objB = typeof b === 'object' && b !== null;
  if (!objA && !objB) return false;
  // An object that writes itself (toJSON, e.g. a Date) is compared by what it writes.
  if ((objA && !Array.isArray(a) && !isPlain(a)) || (objB && !Array.isArray(b) && !isPlain(b)))
    return JSON.stringify(a) === JSON.stringify(b);
  if (!objA || !objB) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    // In arrays, what JSON cannot hold is written as null.
    for (let i = 0; i < a.length; i++) if (!sameJson(inArray(a[i]), inArray(b[i]))) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const oa = a as Json;
  const ob = b as Json;
  // The keys JSON writes, in order, walked side by side.
  const ka = Object.keys(oa);
  const kb = Object.keys(ob);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ka.length && !present(oa[ka[i]])) i++;
    while (j < kb.length && !present(ob[kb[j]])) j++;
    if (i === ka.length || j === kb.length) return i === ka.length && j === kb.length;
    if (ka[i] !== kb[j] || !sameJson(oa[ka[i]], ob[kb[j]])) return false;
    i++;
    j++;
  }
}

/** An array element as JSON writes it: undefined and functions become null. */
const inArray = (v: unknown): unknown => (present(v) ? v : null);

/** The keys JSON.stringify writes for `o`, in its order. */
function jsonKeys(o: Json): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o)) if (present(o[k])) out.push(k);
  return out;
}

/**
 * Field changes from `a` to `b` (two versions of one object), or `undefined` when their JSON is
 * equal, or `'replace'` when applying set/unset would not reproduce `b`'s key order.
 */
export function diffObject(a: Json, b: Json): { set?: Json; unset?: string[] } | 'replace' | undefined {
  let set: Json | undefined;
  let unset: string[] | undefined;
  for (const k of Object.keys(b)) {
    const v = b[k];
    if (!present(v)) continue;
    const old = a[k];
    if (present(old) && sameJson(old, v)) continue;
    set ??= {};
    set[k] = asJson(v);
  }
  for (const k of Object.keys(a)) {
    if (!present(a[k]) || present(b[k])) continue;
    unset ??= [];
    unset.push(k);
  }
  // Applied, kept keys stay where they were and new keys land at the end: when that is not `b`'s
  // key order (a poller built the object in another order), the object is sent whole.
  const kept = jsonKeys(a).filter((k) => present(b[k]));
  const appended = jsonKeys(b).filter((k) => !present(a[k]));
  const expected = kept.concat(appended);
  const actual = jsonKeys(b);
  if (expected.some((k, i) => k !== actual[i])) return 'replace';
  if (!set && !unset) return undefined;
  const out: { set?: Json; unset?: string[] } = {};
  if (set) out.set = set;
  if (unset) out.unset = unset;
  return out;
}

/** Ids of a list when every element is an object with a unique string or number id; else undefined. */
function idsOf(list: readonly unknown[]): string[] | undefined {
  const ids: string[] = new Array(list.length);
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const o = list[i];
    if (!isObject(o)) return undefined;
    const id = o.id;
    if (typeof id !== 'string' && typeof id !== 'number') return undefined;
    const key = String(id);
    if (seen.has(key)) return undefined;
    seen.add(key);
    ids[i] = key;
  }
  return ids;
}

/** A plain object: its JSON is its keys' (not a Date or another object with toJSON). */
function isPlain(v: unknown): v is Json {
  if (!isObject(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof v.toJSON !== 'function';
}

/** Keys in the same JSON order on both sides (so assigning nested fields keeps the order). */
function sameKeys(a: Json, b: Json): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  // The common case (the same keys, all present) without building filtered lists.
  if (ka.length === kb.length && ka.every((k, i) => k === kb[i] && present(a[k]) === present(b[k]))) return true;
  const ja = jsonKeys(a);
  const jb = jsonKeys(b);
  return ja.length === jb.length && ja.every((k, i) => k === jb[i]);
}

/**
 * Adds the change of one field (`a` held, `b` new) to `out` when their JSON differs: inside
 * objects whose keys are the same, in the same order, as the fields that changed (`memory.used`,
 * compared leaf by leaf); else the whole value.
 */
function addFieldChange(a: unknown, b: unknown, path: string[], out: RowChange, paths: PathInterner): void {
  if (a === b) return;
  if (isPlain(a) && isPlain(b) && sameKeys(a, b)) {
    for (const k of Object.keys(b)) {
      if (present(b[k])) addFieldChange(a[k], b[k], paths.get(path, k), out, paths);
    }
    return;
  }
  if (sameJson(a, b)) return;
  out.sig += `${paths.number(path)},`;
  out.paths.push(path);
  out.values.push(asJson(b));
  out.held.push(asJson(a));
}

/**
 * Encoding 2's changes of one kept object: a row (or undefined when its JSON is equal) when both
 * versions have the same keys in the same order, the common case; 'general' otherwise.
 */
function rowChange(prev: Json, next: Json, index: number, paths: PathInterner): RowChange | 'general' | undefined {
  if (!sameKeys(prev, next)) return 'general';
  const row: RowChange = { index, sig: '', paths: [], values: [], held: [] };
  for (const k of Object.keys(next)) {
    if (present(next[k])) addFieldChange(prev[k], next[k], paths.get(undefined, k), row, paths);
  }
  return row.paths.length > 0 ? row : undefined;
}

/** Converts one element of a collection from the store's form to the wire's. */
export type ToWire = (o: never) => unknown;

/**
 * What changed from list `a` to list `b`, or undefined when their JSON is equal. With `toWire`,
 * `a` and `b` hold the store's objects and the delta describes their wire forms (`toWire` of
 * each element); only the objects the delta carries are converted.
 */
export function diffList(
  a: readonly unknown[],
  b: readonly unknown[],
  encoding: DeltaEncoding = 2,
  toWire?: ToWire,
): ListDelta | undefined {
  if (a === b) return undefined;
  if (a.length === b.length) {
    let same = true;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        same = false;
        break;
      }
    }
    if (same) return undefined;
  }
  const aIds = idsOf(a);
  const bIds = idsOf(b);
  if (!aIds || !bIds) {
    if (sameJson(a, b)) return undefined;
    return { list: toWire ? b.map((o) => toWire(o as never)) : (b as unknown[]) };
  }
  const aIndex = new Map<string, number>();
  for (let i = 0; i < aIds.length; i++) aIndex.set(aIds[i], i);
  const bSet = new Set(bIds);

  const out: ListDelta = {};
  const remove = aIds.filter((id) => !bSet.has(id));
  if (remove.length > 0) out.remove = remove;
  const change: ObjectChange[] = [];
  const rows: RowChange[] = [];
  const paths = new PathInterner();
  const replace: Json[] = [];
  const add: Array<[number, Json]> = [];
  let lastKept = -1;
  let reordered = false;
  for (let i = 0; i < b.length; i++) {
    let next = b[i] as Json;
    const at = aIndex.get(bIds[i]);
    if (at === undefined) {
      add.push([i, toWire ? (toWire(next as never) as Json) : next]);
      continue;
    }
    if (at < lastKept) reordered = true;
    lastKept = at;
    let prev = a[at] as Json;
    if (prev === next) continue;
    if (toWire) {
      // Equal sources convert to equal wire forms: only an object whose JSON changed is converted,
      // both versions, and what follows compares (and sends) the wire forms.
      if (sameJson(prev, next)) continue;
      prev = toWire(prev as never) as Json;
      next = toWire(next as never) as Json;
    }
    if (encoding === 2) {
      const r = rowChange(prev, next, at, paths);
      if (r === undefined) continue;
      if (r !== 'general') {
        rows.push(r);
        continue;
      }
    }
    const d = diffObject(prev, next);
    if (d === undefined) continue;
    if (d === 'replace') replace.push(next);
    else if (encoding === 1 || d.unset) change.push({ id: bIds[i], ...d });
    else {
      // Keys only added (at the end): a row whose new keys are whole values.
      const row: RowChange = { index: at, sig: '', paths: [], values: [], held: [] };
      for (const k of Object.keys(d.set ?? {})) addFieldChange(prev[k], next[k], paths.get(undefined, k), row, paths);
      rows.push(row);
    }
  }
  if (rows.length > 0) out.rows = buildRowTables(rows);
  if (change.length > 0) out.change = change;
  if (replace.length > 0) out.replace = replace;
  if (add.length > 0) out.add = add;
  if (reordered) out.order = bIds;
  return Object.keys(out).length > 0 ? out : undefined;
}

function getPath(doc: Readonly<Json>, path: string): unknown {
  let v: unknown = doc;
  for (const k of path.split('.')) v = isObject(v) ? v[k] : undefined;
  return v;
}

const asList = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/**
 * What changed from document `a` to document `b` (frontend shape, objects shared with the store).
 * Collections are diffed by id, the ones named in `toWire` as their elements' wire forms; other
 * top-level keys are compared by JSON and sent whole.
 */
export function diffDocuments(
  docA: object,
  docB: object,
  encoding: DeltaEncoding = 2,
  toWire: Readonly<Record<string, ToWire>> = {},
): StateDelta {
  const a = docA as Readonly<Json>;
  const b = docB as Readonly<Json>;
  const out: StateDelta = {};
  const lists: Record<string, ListDelta> = {};
  for (const path of COLLECTIONS) {
    const d = diffList(asList(getPath(a, path)), asList(getPath(b, path)), encoding, toWire[path]);
    if (d) lists[path] = d;
  }
  if (Object.keys(lists).length > 0) out.lists = lists;
  const set: Json = {};
  for (const k of Object.keys(b)) {
    if (CONTAINER_KEYS.has(k) || !present(b[k])) continue;
    if (!sameJson(a[k], b[k])) set[k] = b[k];
  }
  if (Object.keys(set).length > 0) out.set = set;
  const unset = Object.keys(a).filter((k) => !CONTAINER_KEYS.has(k) && present(a[k]) && !present(b[k]));
  if (unset.length > 0) out.unset = unset;
  return out;
}

/** True when the delta changes nothing. */
export const isEmptyDelta = (d: StateDelta): boolean => !d.lists && !d.set && !d.unset;

/** Applies one collection's delta to `list` (parsed JSON), returning the new list. */
export function applyListDelta(list: unknown[], d: ListDelta): unknown[] {
  if (d.list) return d.list;
  let kept = d.rows ? applyRows(list, d.rows) : list;
  const removed = new Set(d.remove ?? []);
  kept = removed.size > 0 ? kept.filter((o) => !removed.has(String((o as Json).id))) : kept.slice();
  if (d.change || d.replace) {
    const byId = new Map<string, number>();
    for (let i = 0; i < kept.length; i++) byId.set(String((kept[i] as Json).id), i);
    for (const c of d.change ?? []) {
      const i = byId.get(c.id);
      if (i === undefined) continue;
      const o = { ...(kept[i] as Json) };
      for (const k of c.unset ?? []) delete o[k];
      if (c.set) Object.assign(o, c.set);
      kept[i] = o;
    }
    for (const r of d.replace ?? []) {
      const i = byId.get(String(r.id));
      if (i !== undefined) kept[i] = r;
    }
  }
  if (d.order) {
    const byId = new Map<string, unknown>();
    for (const o of kept) byId.set(String((o as Json).id), o);
    for (const [, o] of d.add ?? []) byId.set(String(o.id), o);
    kept = d.order.map((id) => byId.get(id));
  } else if (d.add) {
    // An id already present (a client whose copy ran ahead, e.g. from a REST read) is replaced in
    // place rather than added twice; for a client at the delta's base there is none.
    const at = new Map<string, number>();
    for (let i = 0; i < kept.length; i++) at.set(String((kept[i] as Json).id), i);
    for (const [i, o] of d.add) {
      const existing = at.get(String(o.id));
      if (existing !== undefined) kept[existing] = o;
      else kept.splice(i, 0, o);
    }
  }
  return kept;
}

/**
 * Applies row tables to a copy of `list`: each object (and each nested object) a cell writes to
 * is copied once, so `list` and its objects are not changed.
 */
function applyRows(list: readonly unknown[], tables: readonly RowTable[]): unknown[] {
  const out = list.slice();
  const copies = new Set<unknown>();
  const own = (o: unknown): Json => {
    if (copies.has(o)) return o as Json;
    const c = isObject(o) ? { ...o } : {};
    copies.add(c);
    return c;
  };
  for (const t of tables) {
    applyRowTable(
      t,
      (i, path) => readPath(out[i], path),
      (i, path, value) => {
        if (i >= out.length) return;
        let o = own(out[i]);
        out[i] = o;
        for (let n = 0; n < path.length - 1; n++) {
          const child = own(o[path[n]]);
          o[path[n]] = child;
          o = child;
        }
        o[path[path.length - 1]] = value;
      },
    );
  }
  return out;
}

/**
 * Applies `delta` to `doc` (a parsed document), returning a new document; `doc` is not changed.
 * Objects the delta does not touch stay the same objects, so a UI store can keep them.
 */
export function applyDelta(doc: Readonly<Json>, delta: StateDelta): Json {
  const out: Json = { ...doc };
  for (const [path, d] of Object.entries(delta.lists ?? {})) {
    const keys = path.split('.');
    if (keys.length === 1) out[path] = applyListDelta(asList(out[path]) as unknown[], d);
    else {
      const parent: Json = { ...(isObject(out[keys[0]]) ? (out[keys[0]] as Json) : {}) };
      parent[keys[1]] = applyListDelta(asList(parent[keys[1]]) as unknown[], d);
      out[keys[0]] = parent;
    }
  }
  for (const k of delta.unset ?? []) delete out[k];
  for (const [k, v] of Object.entries(delta.set ?? {})) out[k] = v;
  return out;
}
