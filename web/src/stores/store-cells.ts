/**
 * Writes a store field as a plain assignment when no signal exists for it.
 *
 * Solid's store keeps one signal per (object, field), created the first time the field is read
 * inside a computation or written through the store's setter, and kept from then on; a field
 * read outside any computation reads the object itself. So a field no view has read needs no
 * signal: assigning its raw object is all the store's setter would do that matters, and a view
 * reading it later creates its signal from the value then held. A poll's delta writes ~120,000
 * cells of which a few hundred are on screen; creating and calling a signal for each of the rest
 * is most of what it costs (docs/BENCHMARKS.md).
 *
 * Solid does not export the symbols under which it keeps those signals (`$NODE`, and `$SELF` for
 * a computation that listed the object's keys), so `findSignalTables` finds them once by
 * watching a throwaway store, and checks that what it found behaves as expected. If a Solid
 * version keeps them otherwise, it finds nothing and every write goes through the setter as
 * before: slower, never wrong. store-cells.test.ts fails if that happens with the Solid we ship.
 */
import type { createMemo as CreateMemo, createRoot as CreateRoot } from 'solid-js';
import type { createStore as CreateStore } from 'solid-js/store';

type Obj = Record<PropertyKey, unknown>;

/** What is used of Solid to find the symbols (passed in, so tests can give the browser build). */
export interface SolidProbeTools {
  createStore: typeof CreateStore;
  createRoot: typeof CreateRoot;
  createMemo: typeof CreateMemo;
  /** `$RAW`: a store proxy's own (shallow) target. */
  raw: symbol;
}

const isPlainTable = (v: unknown): v is Obj => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === null;

export class CellWriter {
  constructor(
    /** The symbol of a raw object's per-field signals. */
    readonly node: symbol,
    /** The key, in that table, of the signal for "the object's keys". */
    readonly self: symbol,
  ) {}

  /**
   * Sets `o[key] = value` on a raw store object if that needs no signal call, and says whether
   * it did. False: the caller must write through the store's setter (a field with a signal, an
   * object whose keys are watched, an object value, a field appearing or disappearing).
   */
  assign(o: Obj, key: string, value: unknown): boolean {
    const prev = o[key];
    if (prev === value) return true;
    if (prev === undefined || value === undefined || (value !== null && typeof value === 'object')) return false;
    const nodes = o[this.node] as Obj | undefined;
    if (nodes !== undefined && (nodes[key] !== undefined || nodes[this.self] !== undefined)) return false;
    o[key] = value;
    return true;
  }
}

/**
 * Finds the signal-table symbols by reading a throwaway store's field and keys inside a
 * computation, then checks that the table found holds the field's live signal. Undefined when
 * anything is not as expected.
 */
export function findSignalTables(solid: SolidProbeTools): CellWriter | undefined {
  try {
    const [store, set] = solid.createStore<{ a: number }>({ a: 1 });
    solid.createRoot((dispose) => {
      solid.createMemo(() => store.a);
      solid.createMemo(() => Object.keys(store));
      dispose();
    });
    const raw = (store as unknown as Obj)[solid.raw] as Obj | undefined;
    if (!raw) return undefined;
    const node = Object.getOwnPropertySymbols(raw).find((s) => {
      const t = raw[s];
      return isPlainTable(t) && typeof t.a === 'function';
    });
    if (node === undefined) return undefined;
    const table = raw[node] as Obj;
    const selves = Object.getOwnPropertySymbols(table).filter((s) => typeof table[s] === 'function');
    if (selves.length !== 1) return undefined;
    const signal = table.a as () => unknown;
    set('a', 2);
    if (signal() !== 2) return undefined;
    return new CellWriter(node, selves[0]);
  } catch {
    return undefined;
  }
}
