/**
 * Row tables: the compact form (encoding 2, docs/WEBSOCKET.md) of field changes in a collection.
 *
 * A poll moves the same fields of most objects (every running guest's cpu, memory.used, I/O rates,
 * uptime, lastSeen), so changes that touch the same field paths are grouped into one table: the
 * objects by their index in the list the client holds (not their id), the field paths once, and
 * one column of values per path. A column whose values are all equal, equal to an earlier column,
 * or integers that moved from the values held by a fixed step, or by the steps (or the negated
 * steps) of an earlier column (`memory.free` against `memory.used`), is sent as that rule instead.
 * Every value is the document's own: nothing is rounded, so applying stays byte-exact.
 */

/** A field path inside an object: a key, or the keys down to a nested field. */
export type FieldPath = string | string[];

/**
 * One column's values, one per row: the values themselves, or
 * `{c: v}` every row gets `v` (a string, number, boolean or null);
 * `{s: k}` the same values as column `k` of this table (an earlier one; primitives only);
 * `{d: n}` / `{d: [n, …]}` the integer held plus `n` (or the row's `n`), when held and new value
 * are both safe integers;
 * `{ds: k}` / `{dn: k}` the integer held plus the step of column `k` in the same row (new minus
 * held value of that column), or minus it; all four values safe integers.
 */
export type Column =
  | unknown[]
  | { c: unknown }
  | { s: number }
  | { d: number | number[] }
  | { ds: number }
  | { dn: number };

export interface RowTable {
  /** Indexes into the list the client holds (the delta's base), ascending: the first one, then
   * the difference from the previous one. */
  at: number[];
  cols: FieldPath[];
  vals: Column[];
}

const isPrimitive = (v: unknown): boolean => v === null || typeof v !== 'object';
const pathOf = (p: FieldPath): readonly string[] => (typeof p === 'string' ? [p] : p);

/** The value at `path` inside `o`, or undefined. */
export function readPath(o: unknown, path: readonly string[]): unknown {
  let v = o;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** Absolute, ascending indexes → the `at` form (first, then differences). */
export function encodeIndexes(indexes: readonly number[]): number[] {
  return indexes.map((x, i) => (i === 0 ? x : x - indexes[i - 1]));
}

export function decodeIndexes(at: readonly number[]): number[] {
  const out = new Array<number>(at.length);
  let x = 0;
  for (let i = 0; i < at.length; i++) {
    x = i === 0 ? at[0] : x + at[i];
    out[i] = x;
  }
  return out;
}

/** What encodeColumn knows of a table's earlier columns. */
export interface EarlierColumns {
  /** JSON of each earlier column's values ('' when not all primitives), for `s`. */
  json: string[];
  /** JSON of each earlier column's steps ('' when not all safe integers), for `ds`/`dn`. */
  steps: string[];
}

/** New minus held, per row, when every pair (and step) is a safe integer; else undefined. */
function stepsOf(values: readonly unknown[], held: readonly unknown[]): number[] | undefined {
  const steps: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const h = held[i];
    if (typeof v !== 'number' || typeof h !== 'number' || !Number.isSafeInteger(v) || !Number.isSafeInteger(h)) {
      return undefined;
    }
    const step = v - h;
    if (!Number.isSafeInteger(step)) return undefined;
    steps.push(step);
  }
  return steps.length > 0 ? steps : undefined;
}

/**
 * The shortest exact form of one column. `values` are the new values (JSON-ready: no NaN or
 * undefined), `held` the values the client holds at the same paths, `earlier` what is known of
 * this table's earlier columns (`earlier` is extended with this column).
 */
export function encodeColumn(values: readonly unknown[], held: readonly unknown[], earlier: EarlierColumns): Column {
  const plain = JSON.stringify(values);
  let best: Column = values as unknown[];
  let bestLength = plain.length;
  const consider = (c: Column) => {
    const n = JSON.stringify(c).length;
    if (n < bestLength) {
      best = c;
      bestLength = n;
    }
  };
  const allPrimitive = values.every(isPrimitive);
  if (allPrimitive && values.every((v) => v === values[0])) consider({ c: values[0] });
  if (allPrimitive) {
    const k = earlier.json.indexOf(plain);
    if (k >= 0) consider({ s: k });
  }
  const steps = stepsOf(values, held);
  let stepsJson = '';
  if (steps) {
    consider(steps.every((s) => s === steps[0]) ? { d: steps[0] } : { d: steps });
    stepsJson = JSON.stringify(steps);
    const same = earlier.steps.indexOf(stepsJson);
    if (same >= 0) consider({ ds: same });
    const negated = earlier.steps.indexOf(JSON.stringify(steps.map((s) => (s === 0 ? 0 : -s))));
    if (negated >= 0) consider({ dn: negated });
  }
  earlier.json.push(allPrimitive ? plain : '');
  earlier.steps.push(stepsJson);
  return best;
}

/** A table decoded: absolute indexes, paths as key lists, and every column's values in full. */
export interface DecodedTable {
  indexes: number[];
  paths: ReadonlyArray<readonly string[]>;
  columns: unknown[][];
}

/** Decodes a table, reading the values a `d` column adds to from the objects as held (`get`). */
export function decodeRowTable(t: RowTable, get: (index: number, path: readonly string[]) => unknown): DecodedTable {
  const indexes = decodeIndexes(t.at);
  const paths = t.cols.map(pathOf);
  const columns: unknown[][] = [];
  for (let j = 0; j < paths.length; j++) {
    const c = t.vals[j];
    let values: unknown[];
    if (Array.isArray(c)) values = c;
    else if ('c' in c) values = indexes.map(() => c.c);
    else if ('s' in c) values = columns[c.s] ?? [];
    else if ('d' in c) {
      const d = c.d;
      values = indexes.map((index, r) => (get(index, paths[j]) as number) + (Array.isArray(d) ? d[r] : d));
    } else {
      // The step of column k in the same row (its new value minus the value held), or minus it.
      const k = 'ds' in c ? c.ds : c.dn;
      const sign = 'ds' in c ? 1 : -1;
      const other = columns[k] ?? [];
      values = indexes.map(
        (index, r) =>
          (get(index, paths[j]) as number) + sign * ((other[r] as number) - (get(index, paths[k]) as number)),
      );
    }
    columns.push(values);
  }
  return { indexes, paths, columns };
}

/**
 * Applies a table: decodes it first (so a `d` column adds to the value held, not to one just
 * written), then calls `set` once per cell, row by row. `get`/`set` take the row's base index.
 */
export function applyRowTable(
  t: RowTable,
  get: (index: number, path: readonly string[]) => unknown,
  set: (index: number, path: readonly string[], value: unknown) => void,
): void {
  const { indexes, paths, columns } = decodeRowTable(t, get);
  for (let r = 0; r < indexes.length; r++) {
    for (let j = 0; j < paths.length; j++) set(indexes[r], paths[j], columns[j][r]);
  }
}

/** One object's changes as (path, new value, held value) triples, for grouping into tables. */
export interface RowChange {
  index: number;
  /** The paths changed, as the interned paths' numbers (rows with the same `sig` share a table). */
  sig: string;
  paths: string[][];
  values: unknown[];
  held: unknown[];
}

/**
 * Field paths of one diff, each made once: rows refer to the same arrays, and a row's paths are
 * named by a short signature, so grouping 10,000 rows allocates no per-row path arrays or keys.
 */
export class PathInterner {
  readonly #top = new Map<string, string[]>();
  readonly #children = new Map<string[], Map<string, string[]>>();
  readonly #numbers = new Map<string[], number>();

  /** The path `parent` + `key` (`parent` undefined: the top-level key). */
  get(parent: string[] | undefined, key: string): string[] {
    let level = parent === undefined ? this.#top : this.#children.get(parent);
    if (!level) {
      level = new Map();
      this.#children.set(parent as string[], level);
    }
    let path = level.get(key);
    if (!path) {
      path = parent === undefined ? [key] : [...parent, key];
      level.set(key, path);
      this.#numbers.set(path, this.#numbers.size);
    }
    return path;
  }

  number(path: string[]): number {
    return this.#numbers.get(path) ?? -1;
  }
}

/** Groups row changes by the paths they change into tables (rows ascending by index). */
export function buildRowTables(rows: RowChange[]): RowTable[] {
  const groups = new Map<string, RowChange[]>();
  for (const r of rows) {
    const g = groups.get(r.sig);
    if (g) g.push(r);
    else groups.set(r.sig, [r]);
  }
  const tables: RowTable[] = [];
  for (const g of groups.values()) {
    if (g.some((r, i) => i > 0 && r.index < g[i - 1].index)) g.sort((x, y) => x.index - y.index);
    const paths = g[0].paths;
    const earlier: EarlierColumns = { json: [], steps: [] };
    const vals: Column[] = [];
    for (let j = 0; j < paths.length; j++) {
      vals.push(
        encodeColumn(
          g.map((r) => r.values[j]),
          g.map((r) => r.held[j]),
          earlier,
        ),
      );
    }
    tables.push({
      at: encodeIndexes(g.map((r) => r.index)),
      cols: paths.map((p) => (p.length === 1 ? p[0] : p)),
      vals,
    });
  }
  return tables;
}
