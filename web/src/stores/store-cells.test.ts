/**
 * Cells written without the store's setter (store-cells.ts) must still reach every reactive
 * reader. Node resolves `solid-js` to its server build, where nothing is reactive, so the code
 * under test is bundled here with esbuild for the browser, as the UI gets it, and imported.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Guest } from '@model/state';
import { build } from 'esbuild';
import type * as Solid from 'solid-js';
import type * as SolidStore from 'solid-js/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { diffDocuments as DiffDocuments } from '../../../src/state/delta';
import type * as Filter from '../lib/filter';
import type * as Rows from '../lib/rows';
import type { DeltaApplier as Applier } from './delta-apply';
import type * as Cells from './store-cells';

type Browser = typeof Solid &
  typeof SolidStore &
  typeof Cells &
  typeof Rows &
  typeof Filter & { DeltaApplier: typeof Applier; diffDocuments: typeof DiffDocuments };
type Obj = Record<string, unknown>;

let b: Browser;
let dir: string;

beforeAll(async () => {
  const here = resolve(__dirname);
  const out = await build({
    stdin: {
      contents: `export * from 'solid-js'; export * from 'solid-js/store'; export * from './store-cells';
        export { DeltaApplier } from './delta-apply'; export * from '../lib/rows'; export * from '../lib/filter';
        export { diffDocuments } from '../../../src/state/delta';`,
      resolveDir: here,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    tsconfig: resolve(here, '../../tsconfig.json'),
    write: false,
    logLevel: 'silent',
  });
  dir = mkdtempSync(join(tmpdir(), 'store-cells-'));
  const file = join(dir, 'bundle.mjs');
  writeFileSync(file, out.outputFiles[0].contents);
  b = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Browser;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const guest = (i: number, t = 0): Obj => ({
  id: `pve-node1-${100 + i}`,
  vmid: 100 + i,
  name: `vm-${i}`,
  node: 'node1',
  instance: 'pve',
  type: 'qemu',
  status: 'running',
  cpu: ((i * 37 + t * 53) % 100) / 100,
  memory: { total: 8e9, used: 4e9 + i * 1000 + t * 4096, free: 4e9 - i * 1000 - t * 4096, usage: 50 + i + t },
  uptime: 1000 + t * 10,
});
const estate = (n: number, t: number) => ({ vms: Array.from({ length: n }, (_, i) => guest(i, t)) });

function setup(initial: Obj, withCells = true) {
  const [state, setState] = b.createStore<Obj>(structuredClone(initial));
  const cells = withCells ? b.findSignalTables({ ...b, raw: b.$RAW }) : undefined;
  const applier = new b.DeltaApplier(
    { state, set: setState as unknown as (...args: unknown[]) => void },
    { produce: b.produce, reconcile: b.reconcile, raw: b.$RAW, cells },
  );
  applier.reset(initial);
  const apply = (x: Obj, y: Obj) => b.batch(() => applier.apply(JSON.parse(JSON.stringify(b.diffDocuments(x, y, 2)))));
  const vms = () => state.vms as Obj[];
  return { state, cells, apply, vms };
}

/** Runs `fn` as a memo in its own root; the memo's value is read outside any computation. */
function watch<T>(fn: () => T): { value: () => T; runs: () => number; dispose: () => void } {
  let runs = 0;
  let memo!: () => T;
  let dispose!: () => void;
  b.createRoot((d) => {
    dispose = d;
    memo = b.createMemo(() => {
      runs++;
      return fn();
    });
  });
  return { value: () => memo(), runs: () => runs, dispose };
}

describe('store cells written without the setter', () => {
  it('finds the signal tables of the Solid we ship (else every write takes the slow path)', () => {
    expect(b.findSignalTables({ ...b, raw: b.$RAW })).toBeInstanceOf(b.CellWriter);
  });

  it('a changed metric reaches a reactive reader, and a field nobody read gets no signal', () => {
    const a = estate(50, 0);
    const next = estate(50, 1);
    const { state, cells, apply, vms } = setup(a);
    const row = watch(() => {
      const g = vms()[3] as Obj & { memory: Obj };
      return [g.cpu, g.memory.used, g.uptime];
    });
    expect(row.value()).toEqual([a.vms[3].cpu, (a.vms[3].memory as Obj).used, a.vms[3].uptime]);
    apply(a, next);
    expect(row.value()).toEqual([next.vms[3].cpu, (next.vms[3].memory as Obj).used, next.vms[3].uptime]);
    expect(row.runs()).toBe(2);
    // Guest 7 was never read in a computation: its cells were plain assignments, no signals made.
    const raw7 = (vms()[7] as Record<symbol, Obj>)[b.$RAW];
    expect((raw7[cells!.node as never] as Obj | undefined)?.cpu).toBeUndefined();
    expect(JSON.parse(JSON.stringify(state))).toEqual(next);
    row.dispose();
  });

  it('a cell first read after a plain assignment holds the new value and follows later deltas', () => {
    const docs = [0, 1, 2].map((t) => estate(5, t));
    const { apply, vms } = setup(docs[0]);
    apply(docs[0], docs[1]);
    const reader = watch(() => (vms()[2].memory as Obj).usage);
    expect(reader.value()).toBe((docs[1].vms[2].memory as Obj).usage);
    apply(docs[1], docs[2]);
    expect(reader.value()).toBe((docs[2].vms[2].memory as Obj).usage);
    reader.dispose();
  });

  it('a reader of an object’s keys and values sees changed values', () => {
    const a = estate(3, 0);
    const next = estate(3, 1);
    const { apply, vms } = setup(a);
    const spread = watch(() => ({ ...(vms()[1].memory as Obj) }));
    apply(a, next);
    expect(spread.value()).toEqual(next.vms[1].memory);
    spread.dispose();
  });

  /** The dashboard's row ids for `list`, unfiltered, sorted by `sort`. */
  const rowIds = (list: unknown, sort: Rows.SortSpec, grouped: boolean) =>
    b
      .buildRows([], list as Guest[], { filter: b.parseFilter(''), sort, grouped, type: 'all', status: 'all' })
      .map((r) => r.id);

  it('a view sorted by a metric re-sorts when the metric changes', () => {
    const a = estate(40, 0);
    const next = estate(40, 1);
    const { apply, vms } = setup(a);
    const sorted = watch(() => rowIds(vms(), { key: 'cpu', dir: 'desc' }, false));
    const byCpu = (d: { vms: Obj[] }) =>
      [...d.vms].sort((x, y) => (y.cpu as number) - (x.cpu as number) || 0).map((g) => g.id);
    expect(sorted.value()).toEqual(byCpu(a));
    apply(a, next);
    expect(sorted.value()).not.toEqual(byCpu(a));
    expect(sorted.value()).toEqual(byCpu(next));
    sorted.dispose();
  });

  it('the rows sorted by vmid are not rebuilt on a poll that moved every metric, and are on a vmid change', () => {
    const a = estate(40, 0);
    const polled = estate(40, 1);
    const renumbered = { vms: polled.vms.map((g, i) => (i === 0 ? { ...g, vmid: 999 } : g)) };
    const { apply, vms } = setup(a);
    const rows = watch(() => rowIds(vms(), { key: 'vmid', dir: 'asc' }, true));
    apply(a, polled);
    expect(rows.runs()).toBe(1);
    apply(polled, renumbered);
    expect(rows.runs()).toBe(2);
    expect(rows.value().at(-1)).toBe(a.vms[0].id);
    rows.dispose();
  });

  it('ends equal to the documents over many polls, shape changes included, readers following', () => {
    let seed = 20261205;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let doc: Obj = estate(30, 0);
    const { state, apply, vms } = setup(doc);
    const readers = [0, 4, 9].map((i) =>
      watch(() => [vms()[i].cpu, (vms()[i].memory as Obj | null)?.used, vms()[i].lock]),
    );
    for (let step = 1; step <= 60; step++) {
      const next = (doc.vms as Obj[]).map((g): Obj => {
        if (rand() < 0.2) return g;
        const moved: Obj = { ...g, cpu: Math.round(rand() * 100) / 100, uptime: (g.uptime as number) + 10 };
        moved.memory = { ...(g.memory as Obj), used: Math.floor(rand() * 8e9) };
        if (rand() < 0.1) moved.lock = 'backup';
        else if (rand() < 0.3) delete moved.lock;
        if (rand() < 0.05) moved.memory = null;
        return moved;
      });
      const b2 = { vms: next };
      apply(doc, b2);
      expect(JSON.parse(JSON.stringify(state)), `step ${step}`).toEqual(JSON.parse(JSON.stringify(b2)));
      for (const [k, i] of [0, 4, 9].entries()) {
        const g = next[i];
        expect(readers[k].value(), `step ${step} guest ${i}`).toEqual([g.cpu, (g.memory as Obj | null)?.used, g.lock]);
      }
      doc = b2;
    }
    for (const r of readers) r.dispose();
  });
});
