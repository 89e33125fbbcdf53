/** The pure delta functions (src/state/delta.ts): what a diff carries, and that applying it is exact. */
import { describe, expect, it } from 'vitest';
import { applyDelta, diffDocuments, diffList, diffObject, isEmptyDelta } from '../../src/state/delta.js';

const roundTrip = (a: Record<string, unknown>, b: Record<string, unknown>) => {
  const delta = JSON.parse(JSON.stringify(diffDocuments(a, b)));
  const applied = applyDelta(JSON.parse(JSON.stringify(a)), delta);
  return { delta, applied: JSON.stringify(applied), expected: JSON.stringify(b) };
};

describe('diffObject', () => {
  it('sends only the fields whose JSON changed, and the ones gone', () => {
    const a = { id: 'x', cpu: 0.1, memory: { used: 1 }, lock: 'backup' };
    expect(diffObject(a, { id: 'x', cpu: 0.2, memory: { used: 1 } })).toEqual({ set: { cpu: 0.2 }, unset: ['lock'] });
    expect(diffObject(a, { ...a, memory: { used: 1 } })).toBeUndefined();
  });

  it('treats undefined keys as absent and NaN as null, as JSON does', () => {
    expect(diffObject({ id: 'x', v: Number.NaN, t: undefined }, { id: 'x', v: null })).toBeUndefined();
  });

  it('asks for the whole object when a new key would land in the wrong place', () => {
    expect(diffObject({ id: 'x', b: 2 }, { id: 'x', a: 1, b: 2 })).toBe('replace');
    expect(diffObject({ id: 'x', a: 1 }, { id: 'x', a: 1, b: 2 })).toEqual({ set: { b: 2 } });
  });
});

describe('diffList', () => {
  const o = (id: string, v = 0) => ({ id, v });
  it('is nothing when every element is the same object', () => {
    const x = [o('a'), o('b')];
    expect(diffList(x, [...x])).toBeUndefined();
  });

  it('carries additions with their index, removals by id, and no order when none is needed', () => {
    const a = o('a');
    const c = o('c');
    const d = diffList([a, o('b'), c], [o('z'), a, c, o('d')]);
    expect(d).toEqual({
      remove: ['b'],
      add: [
        [0, o('z')],
        [3, o('d')],
      ],
    });
  });

  it('sends the order only when kept elements move', () => {
    const a = o('a');
    const b = o('b');
    expect(diffList([a, b], [b, a])).toEqual({ order: ['b', 'a'] });
  });

  it('falls back to the whole list without unique ids', () => {
    expect(diffList([o('a')], [o('a', 1), o('a', 2)])).toEqual({ list: [o('a', 1), o('a', 2)] });
    expect(diffList([1, 2], [1, 3])).toEqual({ list: [1, 3] });
  });
});

describe('diffDocuments / applyDelta', () => {
  it('reproduces the new document exactly, nested collections and plain keys included', () => {
    const g1 = { id: 'g1', cpu: 0.1, tags: 'a' };
    const g2 = { id: 'g2', cpu: 0.2 };
    const a = {
      nodes: [],
      vms: [g1, g2],
      pveBackups: { backupTasks: [{ id: 't1' }], storageBackups: [], guestSnapshots: [] },
      stats: { uptime: 1 },
      lastUpdate: 1,
    };
    const b = {
      nodes: [{ id: 'n1' }],
      vms: [
        { id: 'g3', cpu: 0 },
        { ...g2, lock: 'x', cpu: 0.3 },
        { id: 'g1', tags: 'a', cpu: 0.1 },
      ],
      pveBackups: { backupTasks: [], storageBackups: [], guestSnapshots: [{ id: 's' }] },
      stats: { uptime: 2 },
      lastUpdate: 2,
    };
    const { delta, applied, expected } = roundTrip(a, b);
    expect(applied).toBe(expected);
    expect(delta.set).toEqual({ stats: { uptime: 2 }, lastUpdate: 2 });
    expect(delta.lists.vms.replace).toEqual([{ id: 'g1', tags: 'a', cpu: 0.1 }]);
    expect(delta.lists.vms.change).toEqual([{ id: 'g2', set: { cpu: 0.3, lock: 'x' } }]);
  });

  it('is empty for the same document, and applying it keeps untouched objects', () => {
    const doc = { vms: [{ id: 'a' }], stats: { uptime: 1 } };
    const delta = diffDocuments(doc, { ...doc, stats: { uptime: 1 } });
    expect(isEmptyDelta(delta)).toBe(true);
    const changed = applyDelta(doc, { lists: { nodes: { add: [[0, { id: 'n' }]] } } });
    expect(changed.vms).toBe(doc.vms);
  });
});

describe('applyListDelta on a copy that ran ahead', () => {
  it('replaces an added id that is already there instead of holding it twice', async () => {
    const { applyListDelta } = await import('../../src/state/delta.js');
    const out = applyListDelta([{ id: 'a' }, { id: 'b', v: 1 }], { add: [[1, { id: 'b', v: 2 }]] });
    expect(out).toEqual([{ id: 'a' }, { id: 'b', v: 2 }]);
  });
});
