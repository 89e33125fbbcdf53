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
import { diffDocuments } from '../../../src/state/delta';
import { DeltaApplier } from './delta-apply';

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
