/**
 * Applies `stateDelta` messages (encoding 2, docs/WEBSOCKET.md) to the live Solid store in place.
 *
 * A poll's delta changes a dozen fields of most of 10,000 guests. Copying or reconciling whole
 * collections for that (unwrap() and reconcile() both walk every object of the list) costs more
 * than the change, so:
 * - row tables are written cell by cell through one `produce` per collection: only the fields
 *   named are set, the arrays and every object keep their identity, and only cells that read a
 *   changed field update; a field no view has read is assigned on the raw object, without the
 *   setter or a signal (store-cells.ts), which is most of them;
 * - objects that lose fields or are sent whole keep their store object: the fields are written
 *   (or deleted) on it, so their rows keep their DOM and the list's order is untouched;
 * - structural changes (removals, additions, reorders) build the new order from the raw list and
 *   write only the indexes whose object changed, passing the store's own objects for the ones
 *   that moved, so nothing is deep-walked but the new objects.
 *
 * Row tables name objects by their index in the base list (the list as of the version the
 * socket holds). The store's list can differ from it (a REST refresh, `alert` messages), so the
 * ids of every base list are kept here, from full states and deltas alone, and an index is
 * turned into the store's position through its id.
 */
import type { produce as Produce, reconcile as Reconcile } from 'solid-js/store';
import {
  applyListDelta,
  COLLECTIONS,
  type ListDelta,
  type ObjectChange,
  type StateDelta,
} from '../../../src/state/delta';
import type { RowTable } from '../../../src/state/delta-rows';
import type { CellWriter } from './store-cells';

type Obj = Record<string, unknown>;

/** What is used of solid-js/store, passed in so tests can give the browser build. */
export interface SolidStoreTools {
  produce: typeof Produce;
  reconcile: typeof Reconcile;
  /** `$RAW`: a store proxy's own (shallow) target. */
  raw: symbol;
  /** Writes cells no view reads without the setter; absent: every cell through the setter. */
  cells?: CellWriter;
}

export interface StoreAccess {
  /** The store's root proxy. */
  state: unknown;
  /** `setState(...path, value)`. */
  set: (...args: unknown[]) => void;
}

const idOf = (o: unknown): string => String((o as Obj | null | undefined)?.id);
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object';

function read(root: unknown, keys: readonly string[]): unknown {
  let v = root;
  for (const k of keys) v = isObject(v) ? v[k] : undefined;
  return v;
}

/** The object that holds `path`'s last key, from `root` (undefined when the way is not objects). */
function parentOf(root: unknown, path: readonly string[]): Obj | undefined {
  let p = root;
  for (let m = 0; m < path.length - 1 && isObject(p); m++) p = p[path[m]];
  return isObject(p) ? p : undefined;
}

/**
 * What a state message changed, per collection path: the top-level fields written in its
 * objects, or `true` when objects were added, removed, reordered or replaced (or the list sent
 * whole); 'all' for a full state. Lets a view of a whole list re-run only when a field it reads
 * (or the list's membership) changed, without subscribing to that field of every object.
 */
export type Changes = ReadonlyMap<string, ReadonlySet<string> | true> | 'all';

/** The fields one collection's delta writes, or `true` (see `Changes`). */
function changedFields(d: ListDelta): ReadonlySet<string> | true {
  if (d.list || d.remove || d.add || d.order || d.replace) return true;
  const fields = new Set<string>();
  for (const t of d.rows ?? []) for (const c of t.cols) fields.add(typeof c === 'string' ? c : c[0]);
  for (const c of d.change ?? []) {
    for (const k of c.unset ?? []) fields.add(k);
    for (const k of Object.keys(c.set ?? {})) fields.add(k);
  }
  return fields;
}

/** Whether `changes` may have changed any of `fields` (top-level keys) in any of `collections`. */
export function touches(changes: Changes, collections: readonly string[], fields: readonly string[]): boolean {
  if (changes === 'all') return true;
  return collections.some((path) => {
    const c = changes.get(path);
    return c === true || (c !== undefined && fields.some((f) => c.has(f)));
  });
}

export class DeltaApplier {
  /** Per collection path: the ids of the base list, in order (undefined: not keyed). */
  readonly #base = new Map<string, string[] | undefined>();

  constructor(
    private readonly store: StoreAccess,
    private readonly solid: SolidStoreTools,
  ) {}

  /** The raw array behind the store's collection at `keys` (no deep walk). */
  #rawList(keys: readonly string[]): Obj[] {
    const v = read(this.store.state, keys) as Record<symbol, unknown> | undefined;
    const raw = v?.[this.solid.raw] ?? v;
    return Array.isArray(raw) ? (raw as Obj[]) : [];
  }

  /** Learns the base lists from a full document the deltas will apply to. */
  reset(doc: Obj): void {
    this.#base.clear();
    for (const path of COLLECTIONS) {
      const list = read(doc, path.split('.'));
      this.#base.set(path, Array.isArray(list) ? list.map(idOf) : []);
    }
  }

  /**
   * Applies a delta's collections (its plain keys are the caller's). Call inside `batch`. Returns
   * what it changed (`changedFields`).
   */
  apply(delta: StateDelta): Map<string, ReadonlySet<string> | true> {
    const changes = new Map<string, ReadonlySet<string> | true>();
    for (const [path, d] of Object.entries(delta.lists ?? {})) {
      this.#applyList(path, d);
      changes.set(path, changedFields(d));
    }
    return changes;
  }

  #applyList(path: string, d: ListDelta): void {
    const keys = path.split('.');
    if (d.list) {
      this.store.set(...keys, this.solid.reconcile(d.list as Obj[], { key: 'id' }));
      this.#base.set(path, d.list.map(idOf));
      return;
    }
    if (d.rows) this.#applyRows(keys, this.#base.get(path) ?? [], d.rows);
    if (d.change || d.replace) this.#applyChanges(keys, d.change ?? [], d.replace ?? []);
    if (d.remove || d.add || d.order) {
      this.#applyStructure(keys, { remove: d.remove, add: d.add, order: d.order });
      const ids = this.#base.get(path) ?? [];
      const next = applyListDelta(
        ids.map((id) => ({ id })),
        { remove: d.remove, add: d.add?.map(([i, o]) => [i, { id: o.id }]), order: d.order },
      );
      this.#base.set(path, next.map(idOf));
    }
  }

  /**
   * Writes each table's cells to the objects its base indexes name, tables in order (as
   * `applyListDelta` does). Cells that need the store's setter go through one `produce` per table.
   */
  #applyRows(keys: readonly string[], baseIds: readonly string[], tables: readonly RowTable[]): void {
    const raw = this.#rawList(keys);
    let byId: Map<string, number> | undefined;
    // The store's position of base index `i`: the same index unless the store's list differs.
    const position = (i: number): number => {
      const id = baseIds[i];
      if (id === undefined) return -1;
      if (raw[i] !== undefined && idOf(raw[i]) === id) return i;
      byId ??= new Map(raw.map((o, k) => [idOf(o), k]));
      return byId.get(id) ?? -1;
    };
    for (const t of tables) {
      const slow = writeRowTable(t, raw, position, this.solid.cells);
      if (slow.length === 0) continue;
      this.store.set(
        ...keys,
        this.solid.produce((list: Obj[]) => {
          for (let n = 0; n < slow.length; n += 3) {
            const path = slow[n + 1] as readonly string[];
            const p = parentOf(list[slow[n] as number], path);
            if (p) p[path[path.length - 1]] = slow[n + 2];
          }
        }),
      );
    }
  }

  /**
   * Objects that lost fields (`change`) or were sent whole (`replace`), written in place: the
   * store keeps each object, so its row keeps its DOM and no view of the list's order re-runs.
   * (Replacing the object, as a structural change would, re-rendered the row and re-sorted the
   * dashboard's 10,000 rows; every node loses `dataAgeSeconds` each time a late poll catches up.)
   * Removed ids are skipped: the structural step that follows drops them.
   */
  #applyChanges(keys: readonly string[], changes: readonly ObjectChange[], replaced: readonly Obj[]): void {
    const raw = this.#rawList(keys);
    const at = new Map(raw.map((o, k) => [idOf(o), k]));
    const cells = this.solid.cells;
    if (changes.length > 0)
      this.store.set(
        ...keys,
        this.solid.produce((list: Obj[]) => {
          for (const c of changes) {
            const i = at.get(c.id);
            if (i === undefined) continue;
            const rawRow = raw[i];
            let row: Obj | undefined;
            for (const k of c.unset ?? []) {
              if (!(k in rawRow)) continue;
              row ??= list[i];
              delete row[k];
            }
            for (const [k, v] of Object.entries(c.set ?? {})) {
              if (cells?.assign(rawRow, k, v)) continue;
              row ??= list[i];
              row[k] = v;
            }
          }
        }),
      );
    for (const r of replaced) {
      const i = at.get(idOf(r));
      if (i !== undefined) this.store.set(...keys, i, this.solid.reconcile(r, { key: 'id' }));
    }
  }

  /**
   * Removals, additions and reorders: the new list is built from the raw
   * objects (untouched ones stay the same objects), then only the indexes whose object differs
   * are written, a moved object as the store's own.
   */
  #applyStructure(keys: readonly string[], d: ListDelta): void {
    const raw = this.#rawList(keys);
    const next = applyListDelta(raw, d);
    this.store.set(
      ...keys,
      this.solid.produce((list: unknown[]) => {
        let at: Map<unknown, number> | undefined;
        const writes: Array<[number, unknown]> = [];
        for (let i = 0; i < next.length; i++) {
          if (raw[i] === next[i]) continue;
          at ??= new Map(raw.map((o, k) => [o, k]));
          const from = at.get(next[i]);
          // Read before any write: `list[from]` is the store's object, not yet overwritten.
          writes.push([i, from === undefined ? next[i] : list[from]]);
        }
        for (const [i, v] of writes) list[i] = v;
        if (list.length !== next.length) list.length = next.length;
      }),
    );
  }
}

const pathOf = (p: string | string[]): readonly string[] => (typeof p === 'string' ? [p] : p);

/** How a column's value is found (docs/WEBSOCKET.md, `decodeRowTable`). */
enum Rule {
  /** the row's own value */
  Value,
  /** the same value for every row */
  Constant,
  /** column k's value in this row */
  Same,
  /** the value held plus a step (the same one, or the row's own) */
  Step,
  /** the value held plus (or minus) column k's step in this row */
  StepOf,
}

/**
 * Applies one row table to the raw objects of `raw`, row by row: each value is computed from the
 * one held as it is read for the write, with no decoded copy of the table, and only changed
 * cells are written. Cells `cells` can assign are written here; the others are returned as flat
 * (position, path, value) triples for the store's setter (all of them when `cells` is absent).
 * The values are `decodeRowTable`'s: a step adds to the value held before the table.
 */
export function writeRowTable(
  t: RowTable,
  raw: readonly Obj[],
  position: (baseIndex: number) => number,
  cells: CellWriter | undefined,
): unknown[] {
  const cols = t.cols.length;
  const paths = t.cols.map(pathOf);
  const keys = paths.map((p) => p[p.length - 1]);
  const rules = new Uint8Array(cols);
  const args: unknown[] = new Array(cols);
  const signs = new Int8Array(cols).fill(1);
  // Whether a column's parent object is the previous column's (`memory.used`, `memory.free`, …).
  const sameParent = new Uint8Array(cols);
  for (let j = 0; j < cols; j++) {
    const c = t.vals[j];
    if (Array.isArray(c)) [rules[j], args[j]] = [Rule.Value, c];
    else if ('c' in c) [rules[j], args[j]] = [Rule.Constant, c.c];
    else if ('s' in c) [rules[j], args[j]] = [Rule.Same, c.s];
    else if ('d' in c) [rules[j], args[j]] = [Rule.Step, c.d];
    else {
      [rules[j], args[j]] = [Rule.StepOf, 'ds' in c ? c.ds : c.dn];
      if ('dn' in c) signs[j] = -1;
    }
    // A column names only earlier ones; decoding gives no value for any other.
    if (rules[j] === Rule.Same && (args[j] as number) >= j) [rules[j], args[j]] = [Rule.Constant, undefined];
    if (rules[j] === Rule.StepOf && (args[j] as number) >= j) [rules[j], args[j]] = [Rule.Step, Number.NaN];
    const p = paths[j];
    const q = paths[j - 1];
    if (j > 0 && p.length > 1 && q.length === p.length && p.every((k, m) => m === p.length - 1 || k === q[m])) {
      sameParent[j] = 1;
    }
  }
  // Which columns a later one reads in the same row: their values (`Same`) or steps (`StepOf`).
  const kept = new Uint8Array(cols);
  for (let j = 0; j < cols; j++) if (rules[j] === Rule.Same || rules[j] === Rule.StepOf) kept[args[j] as number] = 1;
  const values: unknown[] = new Array(cols);
  const steps = new Float64Array(cols);
  const slow: unknown[] = [];
  let index = 0;
  for (let r = 0; r < t.at.length; r++) {
    index = r === 0 ? t.at[0] : index + t.at[r];
    const at = position(index);
    const row = at < 0 ? undefined : raw[at];
    if (row === undefined) continue;
    let o: Obj | undefined = row;
    // `o`'s signal table (store-cells.ts), read on its first changed cell; `nodesOf` says whose.
    let nodesOf: Obj | undefined;
    let nodes: Obj | undefined;
    let keysWatched = false;
    for (let j = 0; j < cols; j++) {
      const path = paths[j];
      if (path.length === 1) o = row;
      else if (sameParent[j] === 0) o = parentOf(row, path);
      const key = keys[j];
      const held = o?.[key];
      const arg = args[j];
      let v: unknown;
      switch (rules[j]) {
        case Rule.Value:
          v = (arg as unknown[])[r];
          break;
        case Rule.Constant:
          v = arg;
          break;
        case Rule.Same:
          v = values[arg as number];
          break;
        case Rule.Step:
          v = (held as number) + (typeof arg === 'number' ? arg : (arg as number[])[r]);
          break;
        default:
          v = (held as number) + signs[j] * steps[arg as number];
      }
      if (kept[j] === 1) {
        values[j] = v;
        steps[j] = (v as number) - (held as number);
      }
      if (o === undefined || held === v) continue;
      // A cell no view reads is a plain assignment (CellWriter.assign's rule, the table read once per object).
      if (cells !== undefined && held !== undefined && v !== undefined && (v === null || typeof v !== 'object')) {
        if (nodesOf !== o) {
          nodesOf = o;
          nodes = o[cells.node as never] as Obj | undefined;
          keysWatched = nodes !== undefined && nodes[cells.self as never] !== undefined;
        }
        if (nodes === undefined || (!keysWatched && nodes[key] === undefined)) {
          o[key] = v;
          continue;
        }
      }
      slow.push(at, path, v);
    }
  }
  return slow;
}
