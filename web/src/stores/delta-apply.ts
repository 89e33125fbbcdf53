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
import { decodeRowTable, type RowTable } from '../../../src/state/delta-rows';
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

  /** Applies a delta's collections (its plain keys are the caller's). Call inside `batch`. */
  apply(delta: StateDelta): void {
    for (const [path, d] of Object.entries(delta.lists ?? {})) this.#applyList(path, d);
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

  /** Writes each cell of the tables to the object the base index names, through one `produce`. */
  #applyRows(keys: readonly string[], baseIds: readonly string[], tables: readonly RowTable[]): void {
    const raw = this.#rawList(keys);
    let byId: Map<string, number> | undefined;
    // Each base index's store position, found once: decoding reads held values column by column,
    // so without this every (row, column) pair compared ids again.
    const positions = new Int32Array(baseIds.length).fill(-2);
    // The store's position of base index `i`: the same index unless the store's list differs.
    const position = (i: number): number => {
      const known = positions[i];
      if (known !== undefined && known !== -2) return known;
      const id = baseIds[i];
      let at = -1;
      if (id === undefined) at = -1;
      else if (raw[i] !== undefined && idOf(raw[i]) === id) at = i;
      else {
        byId ??= new Map(raw.map((o, k) => [idOf(o), k]));
        at = byId.get(id) ?? -1;
      }
      if (i >= 0 && i < positions.length) positions[i] = at;
      return at;
    };
    const decoded = tables.map((t) => decodeRowTable(t, (i, path) => read(raw[position(i)], path)));
    const cells = this.solid.cells;
    this.store.set(
      ...keys,
      this.solid.produce((list: Obj[]) => {
        for (const { indexes, paths, columns } of decoded) {
          for (let r = 0; r < indexes.length; r++) {
            const at = position(indexes[r]);
            if (at < 0) continue;
            const rawRow = raw[at];
            // The row's setter proxy, made only if a cell must go through it: proxies are what cost.
            let row: Obj | undefined;
            let parent: unknown;
            let parentKey: string | undefined;
            for (let j = 0; j < paths.length; j++) {
              const path = paths[j];
              const value = columns[j][r];
              const key = path[path.length - 1];
              let o: unknown = rawRow;
              if (path.length === 2 && parentKey === path[0]) o = parent;
              else if (path.length > 1) {
                for (let n = 0; n < path.length - 1 && isObject(o); n++) o = o[path[n]];
                if (path.length === 2) {
                  parent = o;
                  parentKey = path[0];
                }
              }
              if (!isObject(o)) continue;
              // A cell no view reads is a plain assignment (store-cells.ts); others through the setter.
              if (cells?.assign(o, key, value)) continue;
              row ??= list[at];
              let p: unknown = row;
              for (let n = 0; n < path.length - 1 && isObject(p); n++) p = p[path[n]];
              if (isObject(p)) p[key] = value;
            }
          }
        }
      }),
    );
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
