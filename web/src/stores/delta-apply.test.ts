/**
 * Deltas applied in place to a real Solid store (the browser build of solid-js/store, which node
 * would otherwise resolve to the non-reactive server build): the store must end equal to the new
 * document, objects a delta does not replace must keep their store identity, and row indexes
 * must find their objects by id when the store's list differs from the delta's base.
 */

import type * as SolidStore from 'solid-js/store';
// @ts-expect-error the browser build is imported by path and carries no types of its own
import * as browserStore from 'solid-js/store/dist/store.js';
import { describe, expect, it } from 'vitest';
import { applyListDelta, diffDocuments } from '../../../src/state/delta';
import { applyRowTable, type RowTable, readPath } from '../../../src/state/delta-rows';
import { guestCounts, nodeKey } from '../lib/rows';
import { DeltaApplier, touches, writeRowTable } from './delta-apply';
import { CellWriter } from './store-cells';

const { $RAW, createStore, produce, reconcile } = browserStore as typeof SolidStore;

type Obj = Record<string, unknown>;

function setup(initial: Obj) {
  const [state, setState] = createStore<Obj>(structuredClone(initial));
  expect((state as Record<symbol, unknown>)[$RAW]).not.toBe(state); // a proxy: the reactive build
  const applier = new DeltaApplier(
    { state, set: setState as unknown as (...args: unknown[]) => void },
    { produce, reconcile, raw: $RAW },
  );
  applier.reset(initial);
  const apply = (a: Obj, b: Obj) => applier.apply(JSON.parse(JSON.stringify(diffDocuments(a, b, 2))));
  return { state, setState, applier, apply, plain: () => JSON.parse(JSON.stringify(state)) as Obj };
}

const guest = (i: number, t = 0, extra: Obj = {}): Obj => ({
  id: `pve-node1-${100 + i}`,
  name: `vm-${i}`,
  status: 'running',
  cpu: (i * 7 + t * 13) / 1000,
  memory: { total: 8e9, used: 4e9 + i * 1000 + t * 4096, free: 4e9 - i * 1000 - t * 4096, usage: 50 + t / 100 },
  uptime: 1000 + t * 10,
  lastSeen: 1_700_000_000_000 + t * 10_000,
  ...extra,
});

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('DeltaApplier', () => {
  it('sets the fields a poll changed, keeping the list and every object the same store objects', () => {
    const a = { vms: [0, 1, 2, 3].map((i) => guest(i)) };
    const b = { vms: [guest(0, 1), guest(1, 1), a.vms[2], guest(3, 1)] };
    const { state, apply, plain } = setup(a);
    const list = state.vms as Obj[];
    const objects = [...list];
    const memories = list.map((g) => g.memory);
    apply(a, b);
    expect(plain()).toEqual(b);
    expect(state.vms).toBe(list);
    for (let i = 0; i < 4; i++) {
      expect(list[i]).toBe(objects[i]);
      expect(list[i].memory).toBe(memories[i]);
    }
  });

  it('keeps an object that lost fields or was sent whole (new key order) as the same store object', () => {
    const node = (t: number, extra: Obj = {}): Obj => ({ id: `n${t}`, cpu: t / 10, uptime: 100, ...extra });
    const a = { nodes: [node(1, { dataAgeSeconds: 30 }), node(2), node(3)] };
    // n1 catches up (loses dataAgeSeconds: a `change`), n2's keys come in another order (`replace`).
    const b = { nodes: [node(1), { uptime: 110, cpu: 0.5, id: 'n2' }, node(3)] };
    const d = diffDocuments(a, b, 2).lists?.nodes;
    expect(d?.change?.map((c) => c.id)).toEqual(['n1']);
    expect(d?.replace?.map((r) => r.id)).toEqual(['n2']);
    const { state, apply, plain } = setup(a);
    const before = [...(state.nodes as Obj[])];
    apply(a, b);
    expect(plain()).toEqual(b);
    expect('dataAgeSeconds' in (state.nodes as Obj[])[0]).toBe(false);
    (state.nodes as Obj[]).forEach((n, i) => {
      expect(n).toBe(before[i]);
    });
  });

  it('keeps moved objects as the same store objects through removals, additions and reorders', () => {
    const a = { vms: [0, 1, 2, 3, 4].map((i) => guest(i)) };
    const b = { vms: [guest(4, 1), guest(9), guest(2), guest(0, 2, { lock: 'backup' })] };
    const { state, apply, plain } = setup(a);
    const [g0, , g2, , g4] = state.vms as Obj[];
    apply(a, b);
    expect(plain()).toEqual(b);
    const after = state.vms as Obj[];
    expect(after[0]).toBe(g4);
    expect(after[2]).toBe(g2);
    expect(after[3]).toBe(g0);
  });

  it('finds a row by its id when the store list is not the base list (alerts pushed, REST refresh)', () => {
    const alert = (id: string, value: number) => ({ id, level: 'warning', value });
    const a = { activeAlerts: [alert('a1', 1), alert('a2', 2)] };
    const b = { activeAlerts: [alert('a1', 1), alert('a2', 3)] };
    const { state, setState, apply, plain } = setup(a);
    // An `alert` message put another alert first: base index 1 is now at store index 2.
    setState('activeAlerts', (list: Obj[]) => [alert('a0', 0), ...list]);
    apply(a, b);
    expect((plain().activeAlerts as Obj[]).map((x) => [x.id, x.value])).toEqual([
      ['a0', 0],
      ['a1', 1],
      ['a2', 3],
    ]);
    expect((state.activeAlerts as Obj[]).length).toBe(3);
  });

  it('ends equal to the document after many random deltas, nested lists and whole lists included', () => {
    const rand = rng(2026_12_05);
    let doc: Obj = {
      vms: Array.from({ length: 30 }, (_, i) => guest(i)),
      pveBackups: { backupTasks: [{ id: 't1', status: 'OK' }], storageBackups: [], guestSnapshots: [] },
      physicalDisks: [{ id: 'd', wear: 1 }],
    };
    const { apply, plain } = setup(doc);
    let next = 1000;
    for (let step = 0; step < 200; step++) {
      const vms = [...(doc.vms as Obj[])];
      let other: Obj = {};
      const kind = Math.floor(rand() * 6);
      if (kind <= 1) {
        // a poll: most guests' metrics move; some change shape
        for (let i = 0; i < vms.length; i++) {
          if (rand() < 0.2) continue;
          const t = Math.floor(rand() * 100);
          let g: Obj = {
            ...vms[i],
            cpu: rand(),
            uptime: (vms[i].uptime as number) + 10,
            lastSeen: 1_800_000_000_000 + step,
          };
          g.memory = { ...(vms[i].memory as Obj), used: t * 4096, free: 8e9 - t * 4096, usage: rand() * 100 };
          if (rand() < 0.05) g.memory = Object.fromEntries(Object.entries(g.memory as Obj).reverse());
          if (rand() < 0.05) g = { ...g, tags: 'x,y' };
          if (rand() < 0.05) delete g.tags;
          vms[i] = g;
        }
      } else if (kind === 2) vms.splice(Math.floor(rand() * (vms.length + 1)), 0, guest(next++, 3));
      else if (kind === 3 && vms.length > 1) vms.splice(Math.floor(rand() * vms.length), 1);
      else if (kind === 4 && vms.length > 1) {
        const i = Math.floor(rand() * vms.length);
        const j = Math.floor(rand() * vms.length);
        [vms[i], vms[j]] = [vms[j], vms[i]];
      } else {
        const tasks = [...((doc.pveBackups as Obj).backupTasks as Obj[]), { id: `t${next++}`, status: 'OK' }];
        other = {
          pveBackups: { ...(doc.pveBackups as Obj), backupTasks: tasks.slice(rand() < 0.3 ? 1 : 0) },
          physicalDisks: [
            { id: 'd', wear: step },
            { id: 'd', wear: step + 1 },
          ], // duplicate ids: sent whole
        };
      }
      const b = { ...doc, ...other, vms };
      apply(doc, b);
      expect(plain(), `step ${step}`).toEqual(JSON.parse(JSON.stringify(b)));
      doc = b;
    }
  });
});

describe('what a delta changed', () => {
  const COUNTED = ['instance', 'node', 'type', 'status'];
  const counted = (i: number, t: number, extra: Obj = {}) =>
    guest(i, t, { vmid: 100 + i, node: 'node1', instance: 'pve', type: 'qemu', ...extra });

  it('a poll that moved every metric touches no field the guest counts read; a guest stopping does', () => {
    const a = { vms: [0, 1, 2, 3].map((i) => counted(i, 0)), containers: [] };
    const polled = { vms: [0, 1, 2, 3].map((i) => counted(i, 1)), containers: [] };
    const stopped = { vms: polled.vms.map((g, i) => (i === 2 ? { ...g, status: 'stopped' } : g)), containers: [] };
    const { state, apply } = setup(a);
    const changes = apply(a, polled);
    expect(changes.get('vms')).toEqual(new Set(['cpu', 'memory', 'uptime', 'lastSeen']));
    expect(touches(changes, ['vms', 'containers'], COUNTED)).toBe(false);
    expect(touches(apply(polled, stopped), ['vms', 'containers'], COUNTED)).toBe(true);
    const raw = (state.vms as Record<symbol, Obj[]>)[$RAW];
    expect(guestCounts([raw as never]).get(nodeKey('pve', 'node1'))).toEqual({
      vms: 4,
      vmsRunning: 3,
      cts: 0,
      ctsRunning: 0,
    });
  });

  it('a guest added, removed or sent whole touches every field of its list, and no other list', () => {
    const a = { vms: [0, 1, 2].map((i) => counted(i, 0)), containers: [counted(9, 0, { type: 'lxc' })] };
    const { apply } = setup(a);
    const removed = { ...a, vms: a.vms.slice(1) };
    const changes = apply(a, removed);
    expect(changes.get('vms')).toBe(true);
    expect(touches(changes, ['vms'], ['status'])).toBe(true);
    expect(touches(changes, ['containers'], ['status'])).toBe(false);
    expect(touches('all', ['containers'], ['status'])).toBe(true);
  });
});

describe('writeRowTable', () => {
  const rows = () => [
    { id: 'a', cpu: 0.1, uptime: 100, status: 'stopped', netIn: 7, memory: { used: 40, free: 60, usage: 40 } },
    { id: 'b', cpu: 0.2, uptime: 200, status: 'running', netIn: 8, memory: { used: 50, free: 50, usage: 50 } },
    { id: 'c', cpu: 0.3, uptime: 300, status: 'running', netIn: 9, memory: { used: 70, free: 30, usage: 70 } },
    { id: 'd', cpu: 0.4, uptime: 400, status: 'running', netIn: 10, memory: null },
  ];
  // Every rule of docs/WEBSOCKET.md: values, a constant, a step (one for all, one per row), the
  // steps of an earlier column (and negated), and an earlier column's values. Base index 5 is gone.
  const table: RowTable = {
    at: [0, 2, 1, 2],
    cols: ['cpu', ['memory', 'used'], ['memory', 'free'], 'uptime', 'netIn', 'status', 'mem', ['memory', 'usage']],
    vals: [
      [0.5, 0.6, 0.7, 0.8],
      { d: [5, -10, 20, 1] },
      { dn: 1 },
      { d: 10 },
      { ds: 3 },
      { c: 'running' },
      { s: 1 },
      [45, 60, 90, 1],
    ],
  };
  const reference = () => {
    const list: Obj[] = structuredClone(rows());
    applyRowTable(
      table,
      (i, path) => readPath(list[i], path),
      (i, path, value) => {
        let o = list[i] as Obj | undefined;
        for (const k of path.slice(0, -1)) o = o?.[k] as Obj | undefined;
        if (o && typeof o === 'object') o[path[path.length - 1]] = value;
      },
    );
    return list;
  };
  const position = (list: readonly Obj[]) => (i: number) => (i < list.length ? i : -1);

  it('ends as decoding the table and setting each cell does, the rows being plain objects', () => {
    const list: Obj[] = rows();
    const objects = [...list];
    const memories = list.map((o) => o.memory);
    const slow = writeRowTable(table, list, position(list), new CellWriter(Symbol('node'), Symbol('self')));
    expect(slow).toEqual([0, ['mem'], 45, 2, ['mem'], 60, 3, ['mem'], Number.NaN]); // `mem` appears: the setter's
    for (let n = 0; n < slow.length; n += 3) list[slow[n] as number].mem = slow[n + 2];
    expect(list).toEqual(reference());
    list.forEach((o, i) => {
      expect(o).toBe(objects[i]);
      expect(o.memory).toBe(memories[i]);
    });
  });

  it('leaves a cell with a signal, and every cell of an object whose keys are watched, to the setter', () => {
    const cells = new CellWriter(Symbol('node'), Symbol('self'));
    const list: Obj[] = rows().map((o) => ({ ...o, mem: 0 }));
    (list[0] as Record<symbol, unknown>)[cells.node] = { cpu: () => 0 };
    (list[2].memory as Record<symbol, unknown>)[cells.node] = { [cells.self]: () => 0 };
    const slow = writeRowTable(table, list, position(list), cells);
    expect(slow).toEqual([
      0,
      ['cpu'],
      0.5,
      2,
      ['memory', 'used'],
      60,
      2,
      ['memory', 'free'],
      40,
      2,
      ['memory', 'usage'],
      60,
    ]);
    expect(list[0].uptime).toBe(110);
    expect(list[2].cpu).toBe(0.6);
    expect((list[2].memory as Obj).used).toBe(70);
  });

  it('gives what decoding gives for a column naming a later one (not sent, but not trusted either)', () => {
    const odd: RowTable = { at: [0, 1], cols: ['cpu', 'uptime', 'netIn'], vals: [{ s: 2 }, { ds: 1 }, [1, 2]] };
    const list: Obj[] = rows();
    const slow = writeRowTable(odd, list, position(list), new CellWriter(Symbol(), Symbol()));
    for (let n = 0; n < slow.length; n += 3) list[slow[n] as number][(slow[n + 1] as string[])[0]] = slow[n + 2];
    const expected: Obj[] = rows();
    applyRowTable(
      odd,
      (i, path) => readPath(expected[i], path),
      (i, path, value) => {
        expected[i][path[0]] = value;
      },
    );
    expect(list).toEqual(expected);
  });

  it('applies a later table to the values an earlier one wrote, as applyListDelta does', () => {
    const list: Obj[] = rows();
    const first: RowTable = { at: [1], cols: ['uptime'], vals: [{ d: 10 }] };
    const second: RowTable = { at: [1], cols: ['uptime', 'cpu'], vals: [{ d: 1 }, [0.9]] };
    for (const t of [first, second]) writeRowTable(t, list, position(list), new CellWriter(Symbol(), Symbol()));
    expect(list[1]).toMatchObject({ uptime: 211, cpu: 0.9 });
    const doc = applyListDelta(rows(), { rows: [first, second] }) as Obj[];
    expect(doc[1]).toMatchObject({ uptime: 211, cpu: 0.9 });
  });
});
