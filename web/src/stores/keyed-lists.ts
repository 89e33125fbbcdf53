/**
 * Applies list deltas (src/state/delta.ts) to collections inside a Solid store by touching only
 * the objects a delta names: field changes are path updates found through an id → index map kept
 * per collection, and additions/removals build the new array from the store's own object proxies,
 * so no untouched object is copied, walked or compared.
 */
import type { ListDelta, ObjectChange } from '../../../src/state/delta';

type Obj = Record<string, unknown>;

/** The store operations used, passed in so the module works on any Solid store. */
export interface StoreAccess {
  /** The collection at `path` as the store returns it (a store proxy array), or undefined. */
  read(path: readonly string[]): readonly Obj[] | undefined;
  /** The raw (unwrapped) array behind `read(path)`. */
  raw(path: readonly string[]): readonly Obj[] | undefined;
  /** `setState(...path, ...rest)`. */
  set(path: readonly string[], ...rest: unknown[]): void;
  /** Solid's `reconcile`, keyed by id. */
  reconcile(value: unknown): unknown;
}

/** Per-collection rules: how an incoming object is normalised, and which fields a delta never drops. */
export interface ListRules {
  prepare?: (o: Obj) => Obj;
  /** Fields kept from the previous object when an update lacks them (learnt from another shape). */
  keep?: readonly string[];
  /** Called with each object before and after it changes (undefined for absent), e.g. for counts. */
  observe?: (before: Obj | undefined, after: Obj | undefined) => void;
}

const idOf = (o: unknown): string => String((o as Obj | undefined)?.id);
const isWrappable = (v: unknown): boolean => v !== null && typeof v === 'object';

export class KeyedLists {
  private readonly indexes = new Map<string, Map<string, number>>();

  constructor(private readonly store: StoreAccess) {}

  /** Forgets the index of a collection replaced by other means (a full state). */
  invalidate(path: string): void {
    this.indexes.delete(path);
  }

  invalidateAll(): void {
    this.indexes.clear();
  }

  private build(path: string): Map<string, number> {
    const raw = this.store.raw(path.split('.')) ?? [];
    const index = new Map<string, number>();
    for (let i = 0; i < raw.length; i++) index.set(idOf(raw[i]), i);
    this.indexes.set(path, index);
    return index;
  }

  /** Where the object with `id` sits in the collection, or -1. */
  indexOf(path: string, id: string): number {
    const raw = this.store.raw(path.split('.')) ?? [];
    let index = this.indexes.get(path);
    let i = index?.get(id);
    // The index is checked against the array it points into, so a stale one is rebuilt, not trusted.
    if (index === undefined || (i !== undefined && idOf(raw[i]) !== id) || index.size !== raw.length) {
      index = this.build(path);
      i = index.get(id);
    }
    return i ?? -1;
  }

  /** Merges `o` into the object at `i` (fields it lacks are removed, except the kept ones). */
  private replaceAt(path: string, i: number, o: Obj, rules: ListRules): void {
    const keys = path.split('.');
    const before = this.store.raw(keys)?.[i];
    let next = rules.prepare ? rules.prepare(o) : o;
    for (const k of rules.keep ?? []) {
      if (next[k] === undefined && before?.[k] !== undefined) next = { ...next, [k]: before[k] };
    }
    const was = rules.observe && before ? { ...before } : undefined;
    this.store.set(keys, i, this.store.reconcile(next));
    rules.observe?.(was, this.store.raw(keys)?.[i]);
  }

  private changeAt(path: string, i: number, c: ObjectChange, rules: ListRules): void {
    const keys = path.split('.');
    const before = this.store.raw(keys)?.[i];
    const was = rules.observe && before ? { ...before } : undefined;
    for (const k of c.unset ?? []) {
      if (!rules.keep?.includes(k)) this.store.set(keys, i, k, undefined);
    }
    if (c.set) {
      const set = rules.prepare ? rules.prepare(c.set) : c.set;
      for (const [k, v] of Object.entries(set)) {
        this.store.set(keys, i, k, isWrappable(v) ? this.store.reconcile(v) : v);
      }
    }
    rules.observe?.(was, this.store.raw(keys)?.[i]);
  }

  /**
   * Applies one list delta with the same result as `applyListDelta` on a copy of the collection,
   * objects matched by id keeping their store identity. `d.list` (an unkeyed list) is reconciled whole.
   */
  apply(path: string, d: ListDelta, rules: ListRules = {}): void {
    const keys = path.split('.');
    if (d.list) {
      const list = rules.prepare ? d.list.map((o) => (isWrappable(o) ? rules.prepare?.(o as Obj) : o)) : d.list;
      for (const o of this.store.raw(keys) ?? []) rules.observe?.(o, undefined);
      this.store.set(keys, this.store.reconcile(list));
      for (const o of this.store.raw(keys) ?? []) rules.observe?.(undefined, o);
      this.invalidate(path);
      return;
    }
    const removed = new Set(d.remove ?? []);
    for (const c of d.change ?? []) {
      if (removed.has(c.id)) continue;
      const i = this.indexOf(path, c.id);
      if (i >= 0) this.changeAt(path, i, c, rules);
    }
    for (const r of d.replace ?? []) {
      const id = idOf(r);
      if (removed.has(id)) continue;
      const i = this.indexOf(path, id);
      if (i >= 0) this.replaceAt(path, i, r, rules);
    }
    // An added id already present (a copy that ran ahead) replaces that object in place.
    const fresh: Array<[number, Obj]> = [];
    for (const [at, o] of d.add ?? []) {
      const i = this.indexOf(path, idOf(o));
      if (i >= 0 && !removed.has(idOf(o))) this.replaceAt(path, i, o, rules);
      else fresh.push([at, rules.prepare ? rules.prepare(o) : o]);
    }
    if (removed.size === 0 && fresh.length === 0 && !d.order) return;

    const current = this.store.read(keys) ?? [];
    const raw = this.store.raw(keys) ?? [];
    const kept: unknown[] = [];
    for (let i = 0; i < raw.length; i++) {
      if (removed.has(idOf(raw[i]))) rules.observe?.(raw[i], undefined);
      else kept.push(current[i]);
    }
    let next: unknown[];
    if (d.order) {
      const byId = new Map<string, unknown>();
      for (const o of kept) byId.set(idOf(o), o);
      for (const [, o] of fresh) byId.set(idOf(o), o);
      next = d.order.map((id) => byId.get(id));
    } else {
      next = kept;
      for (const [at, o] of fresh) next.splice(at, 0, o);
    }
    for (const [, o] of fresh) rules.observe?.(undefined, o);
    this.store.set(keys, next);
    this.build(path);
  }

  /** Adds `o` or merges it into the object with its id. */
  upsert(path: string, o: Obj, rules: ListRules = {}): void {
    const keys = path.split('.');
    const i = this.indexOf(path, idOf(o));
    if (i >= 0) {
      this.replaceAt(path, i, o, rules);
      return;
    }
    const length = this.store.raw(keys)?.length ?? 0;
    const next = rules.prepare ? rules.prepare(o) : o;
    this.store.set(keys, length, next);
    this.indexes.get(path)?.set(idOf(o), length);
    rules.observe?.(undefined, next);
  }

  /** Removes the object with `id`, keeping the others in order. */
  remove(path: string, id: string, rules: ListRules = {}): void {
    const keys = path.split('.');
    const i = this.indexOf(path, id);
    if (i < 0) return;
    const current = this.store.read(keys) ?? [];
    const raw = this.store.raw(keys) ?? [];
    rules.observe?.(raw[i], undefined);
    const next: unknown[] = [];
    for (let j = 0; j < current.length; j++) if (j !== i) next.push(current[j]);
    this.store.set(keys, next);
    const index = this.indexes.get(path);
    if (!index) return;
    index.delete(id);
    const after = this.store.raw(keys) ?? [];
    for (let j = i; j < after.length; j++) index.set(idOf(after[j]), j);
  }
}
