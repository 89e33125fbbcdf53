/**
 * Delta application on a real Solid store (the browser build of solid-js/store, which node would
 * otherwise resolve to the non-reactive server build): the result must equal `applyListDelta` on
 * a plain copy, and objects the delta does not name must stay the very same store objects.
 */

import type * as SolidStore from 'solid-js/store';
// @ts-expect-error the browser build is imported by path and carries no types of its own
import * as browserStore from 'solid-js/store/dist/store.js';
import { describe, expect, it } from 'vitest';
import { applyListDelta, diffList, type ListDelta } from '../../../src/state/delta';
import { deltaAction } from '../lib/delta-version';
import { KeyedLists, type ListRules } from './keyed-lists';

const { createStore, reconcile, unwrap } = browserStore as typeof SolidStore;

type Obj = Record<string, unknown>;

function setup(initial: Obj) {
  const [state, setState] = createStore<Obj>(structuredClone(initial));
  // A proxy over the raw object: the reactive build, not the server one.
  expect(unwrap(state)).not.toBe(state);
  const at = (path: readonly string[]): unknown => path.reduce<unknown>((o, k) => (o as Obj | undefined)?.[k], state);
  const lists = new KeyedLists({
    read: (path) => at(path) as Obj[] | undefined,
    raw: (path) => unwrap(at(path)) as Obj[] | undefined,
    set: (path, ...rest) => (setState as (...args: unknown[]) => void)(...path, ...rest),
    reconcile: (value) => reconcile(value as never, { key: 'id' }),
  });
  return { state, lists, plain: () => JSON.parse(JSON.stringify(state)) as Obj };
}

const vm = (id: string, extra: Obj = {}): Obj => ({ id, name: id, cpu: 0.1, status: 'running', ...extra });

describe('KeyedLists.apply', () => {
  it('changes fields of the named objects only, keeping every object its store identity', () => {
    const { state, lists, plain } = setup({ vms: [vm('a'), vm('b', { disk: { used: 1 } }), vm('c')] });
    const before = [...(state.vms as Obj[])];
    lists.apply('vms', { change: [{ id: 'b', set: { cpu: 0.9, disk: { used: 2 } }, unset: ['status'] }] });
    expect(plain().vms).toEqual([vm('a'), { id: 'b', name: 'b', cpu: 0.9, disk: { used: 2 } }, vm('c')]);
    const after = state.vms as Obj[];
    for (let i = 0; i < 3; i++) expect(after[i]).toBe(before[i]);
  });

  it('adds and removes objects in place, the others kept as the same objects', () => {
    const { state, lists, plain } = setup({ vms: [vm('a'), vm('b'), vm('c'), vm('d')] });
    const [a, , c, d] = state.vms as Obj[];
    lists.apply('vms', {
      remove: ['b'],
      add: [
        [1, vm('x')],
        [4, vm('y')],
      ],
    });
    expect((plain().vms as Obj[]).map((o) => o.id)).toEqual(['a', 'x', 'c', 'd', 'y']);
    const after = state.vms as Obj[];
    expect([after[0], after[2], after[3]]).toEqual([a, c, d]);
    expect(after[0]).toBe(a);
    expect(after[2]).toBe(c);
    // The id index follows the new positions.
    lists.apply('vms', {
      change: [
        { id: 'y', set: { cpu: 0.5 } },
        { id: 'c', set: { cpu: 0.7 } },
      ],
    });
    expect((plain().vms as Obj[]).map((o) => o.cpu)).toEqual([0.1, 0.1, 0.7, 0.1, 0.5]);
  });

  it('replaces an object that changed key order, and reorders by `order`', () => {
    const { state, lists, plain } = setup({ vms: [vm('a'), vm('b'), vm('c')] });
    const b = (state.vms as Obj[])[1];
    lists.apply('vms', { replace: [{ status: 'stopped', id: 'b', name: 'b' }], order: ['c', 'b', 'a'] });
    expect(plain().vms).toEqual([vm('c'), { id: 'b', name: 'b', status: 'stopped' }, vm('a')]);
    expect((state.vms as Obj[])[1]).toBe(b);
  });

  it('gives the same document as applyListDelta on a copy, for random lists', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const randomList = (): Obj[] => {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].filter(() => rnd(3) > 0);
      for (let i = ids.length - 1; i > 0 && rnd(4) === 0; i--) {
        const j = rnd(i + 1);
        [ids[i], ids[j]] = [ids[j], ids[i]];
      }
      return ids.map((id) => {
        const o: Obj = rnd(5) === 0 ? { cpu: rnd(3), id } : { id, cpu: rnd(3) };
        if (rnd(2)) o.mem = { used: rnd(3), total: 4 };
        if (rnd(3) === 0) o.tags = 'x';
        return o;
      });
    };
    for (let round = 0; round < 300; round++) {
      const from = randomList();
      const to = randomList();
      const d = diffList(from, to);
      if (!d) continue;
      const { lists, plain } = setup({ vms: from });
      lists.apply('vms', d);
      // Key order inside an object is the store's own (a merged object keeps its keys' order, as
      // reconciling a whole list does); values and list order must match.
      expect(plain().vms).toEqual(applyListDelta(structuredClone(from), d));
      expect(plain().vms).toEqual(to);
    }
  });

  it('applies nested collections and whole unkeyed lists', () => {
    const { lists, plain } = setup({ pveBackups: { backupTasks: [vm('t1')], guestSnapshots: [] } });
    lists.apply('pveBackups.backupTasks', { add: [[1, vm('t2')]] });
    lists.apply('pveBackups.guestSnapshots', { list: [1, 2] } as ListDelta);
    expect(plain().pveBackups).toEqual({ backupTasks: [vm('t1'), vm('t2')], guestSnapshots: [1, 2] });
  });

  it('keeps the fields a rule keeps, and normalises what it prepares', () => {
    const pool = { state: 'ONLINE' };
    const { lists, plain } = setup({ storage: [{ id: 's', used: 1, zfsPool: pool }] });
    const rules: ListRules = { keep: ['zfsPool'] };
    lists.apply('storage', { change: [{ id: 's', set: { used: 2 }, unset: ['zfsPool'] }] }, rules);
    lists.apply('storage', { replace: [{ used: 3, id: 's' }] }, rules);
    expect(plain().storage).toEqual([{ id: 's', used: 3, zfsPool: pool }]);

    const guests = setup({ vms: [vm('a')] });
    const prepare: ListRules = { prepare: (o) => (Array.isArray(o.tags) ? { ...o, tags: o.tags.join(',') } : o) };
    guests.lists.apply(
      'vms',
      { change: [{ id: 'a', set: { tags: ['x', 'y'] } }], add: [[1, vm('b', { tags: ['z'] })]] },
      prepare,
    );
    expect((guests.plain().vms as Obj[]).map((o) => o.tags)).toEqual(['x,y', 'z']);
  });
});

describe('KeyedLists.upsert / remove', () => {
  it('keeps alerts by id and reports each change to the observer', () => {
    const { state, lists, plain } = setup({ activeAlerts: [] });
    let open = 0;
    const rules: ListRules = {
      observe: (before, after) => {
        open += (after && !after.acknowledged ? 1 : 0) - (before && !before.acknowledged ? 1 : 0);
      },
    };
    for (let i = 0; i < 50; i++)
      lists.upsert('activeAlerts', { id: `al${i}`, level: 'warning', acknowledged: false }, rules);
    expect(open).toBe(50);
    const kept = (state.activeAlerts as Obj[])[30];
    lists.upsert('activeAlerts', { id: 'al30', level: 'critical', acknowledged: true }, rules);
    expect(open).toBe(49);
    expect((state.activeAlerts as Obj[])[30]).toBe(kept);
    lists.remove('activeAlerts', 'al10', rules);
    lists.remove('activeAlerts', 'al30', rules);
    lists.remove('activeAlerts', 'missing', rules);
    expect(open).toBe(48);
    const ids = (plain().activeAlerts as Obj[]).map((a) => a.id);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `al${i}`).filter((id) => id !== 'al10' && id !== 'al30'));
    // Positions after a removal are found again through the index.
    lists.upsert('activeAlerts', { id: 'al49', level: 'critical', acknowledged: false }, rules);
    expect((plain().activeAlerts as Obj[])[47]).toEqual({ id: 'al49', level: 'critical', acknowledged: false });
    expect(plain().activeAlerts as Obj[]).toHaveLength(48);
  });
});

describe('deltaAction', () => {
  it('applies a delta on the held version and asks again after a gap', () => {
    expect(deltaAction(4, { base: 4, version: 5, data: {} })).toBe('apply');
    expect(deltaAction(4, { base: 3, version: 4, data: {} })).toBe('resync');
    expect(deltaAction(4, { base: 5, version: 6, data: {} })).toBe('resync');
    expect(deltaAction(4, { base: 4, data: {} })).toBe('resync');
    expect(deltaAction(-1, { base: 4, version: 5, data: {} })).toBe('wait');
  });
});
