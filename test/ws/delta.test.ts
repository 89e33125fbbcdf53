/** The pure delta functions (src/state/delta.ts): what a diff carries, and that applying it is exact. */
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  type DeltaEncoding,
  diffDocuments,
  diffList,
  diffObject,
  isEmptyDelta,
} from '../../src/state/delta.js';
import { decodeIndexes, encodeColumn } from '../../src/state/delta-rows.js';

const roundTrip = (a: Record<string, unknown>, b: Record<string, unknown>, encoding: DeltaEncoding = 2) => {
  const delta = JSON.parse(JSON.stringify(diffDocuments(a, b, encoding)));
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
    const { delta, applied, expected } = roundTrip(a, b, 1);
    expect(applied).toBe(expected);
    expect(delta.set).toEqual({ stats: { uptime: 2 }, lastUpdate: 2 });
    expect(delta.lists.vms.replace).toEqual([{ id: 'g1', tags: 'a', cpu: 0.1 }]);
    expect(delta.lists.vms.change).toEqual([{ id: 'g2', set: { cpu: 0.3, lock: 'x' } }]);
    // Encoding 2: the same document, the field change as a row of a table (g2 at index 1).
    const two = roundTrip(a, b, 2);
    expect(two.applied).toBe(expected);
    expect(two.delta.lists.vms.change).toBeUndefined();
    expect(two.delta.lists.vms.rows).toEqual([{ at: [1], cols: ['cpu', 'lock'], vals: [[0.3], ['x']] }]);
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

describe('encoding 2: row tables', () => {
  const guest = (i: number, t: number, extra: Record<string, unknown> = {}) => ({
    id: `pve-node1-${100 + i}`,
    name: `vm-${i}`,
    cpu: 0.1 + i / 1000 + t / 7,
    memory: { total: 8e9, used: 4e9 + i * 1000 + t, free: 4e9 - i * 1000 - t, usage: 50.5 },
    uptime: 1000 + t * 10,
    lastSeen: 1_700_000_000_000 + t * 10_000,
    mem: 4e9 + i * 1000 + t,
    ...extra,
  });

  it('sends objects by index, nested field paths, and columns as rules where exact', () => {
    const a = { vms: [0, 1, 2, 3].map((i) => guest(i, 0)) };
    // Guests 0, 1, 3 polled (2 is kept as the same object); guest 3 also lost its lock.
    const b = { vms: [guest(0, 1), guest(1, 1), a.vms[2], guest(3, 1)] };
    const { delta, applied, expected } = roundTrip(a, b);
    expect(applied).toBe(expected);
    const [table] = delta.lists.vms.rows;
    expect(delta.lists.vms.rows).toHaveLength(1);
    expect(table.at).toEqual([0, 1, 2]); // indexes 0, 1, 3
    expect(table.cols).toEqual(['cpu', ['memory', 'used'], ['memory', 'free'], 'uptime', 'lastSeen', 'mem']);
    expect(table.vals[0]).toEqual(b.vms.filter((_, i) => i !== 2).map((g) => g.cpu)); // floats whole
    expect(table.vals[1]).toEqual({ d: 1 }); // integers moved by a fixed step
    expect(table.vals[2]).toEqual({ d: -1 });
    expect(table.vals[3]).toEqual({ d: 10 });
    expect(table.vals[4]).toEqual({ d: 10_000 });
    expect(table.vals[5]).toEqual({ s: 1 }); // mem repeats memory.used
    expect(JSON.stringify(delta)).not.toContain('pve-node1');
  });

  it('groups rows by the fields they change, keeps unsets and key order exact', () => {
    const a = { vms: [guest(0, 0, { lock: 'backup' }), guest(1, 0), guest(2, 0)] };
    const { lock: _lock, ...unlocked } = guest(0, 1, { lock: 'x' }) as Record<string, unknown>;
    const b = {
      vms: [
        unlocked, // loses a field: sent by id
        { ...guest(1, 0), status: 'stopped' }, // a new key, appended
        { ...guest(2, 0), memory: { used: 1, total: 8e9, free: 2, usage: 3 } }, // keys reordered: whole
      ],
    };
    const { delta, applied, expected } = roundTrip(a, b);
    expect(applied).toBe(expected);
    expect(delta.lists.vms.change).toHaveLength(1);
    expect(delta.lists.vms.change[0].unset).toEqual(['lock']);
    expect(delta.lists.vms.rows).toEqual([
      { at: [1], cols: ['status'], vals: [['stopped']] },
      { at: [2], cols: ['memory'], vals: [[{ used: 1, total: 8e9, free: 2, usage: 3 }]] },
    ]);
  });

  it('applies rows against the base list before removals, additions and reorders', () => {
    const a = { vms: [0, 1, 2, 3, 4].map((i) => guest(i, 0)) };
    const b = { vms: [guest(4, 2), guest(9, 0), guest(3, 2), guest(1, 2)] };
    const { delta, applied, expected } = roundTrip(a, b);
    expect(applied).toBe(expected);
    expect(decodeIndexes(delta.lists.vms.rows[0].at)).toEqual([1, 3, 4]);
    expect(delta.lists.vms.remove).toEqual(['pve-node1-100', 'pve-node1-102']);
    expect(delta.lists.vms.order).toBeDefined();
  });

  it('leaves the document it applies to unchanged', () => {
    const a = { vms: [guest(0, 0), guest(1, 0)] };
    const frozen = JSON.stringify(a);
    const delta = JSON.parse(JSON.stringify(diffDocuments(a, { vms: [guest(0, 3), guest(1, 3)] })));
    applyDelta(a, delta);
    expect(JSON.stringify(a)).toBe(frozen);
  });

  it('encodes a column by the shortest exact rule only', () => {
    const none = () => ({ json: [], steps: [] });
    expect(encodeColumn([55, 55, 55, 55], [1, 2, 3, 4], none())).toEqual({ c: 55 });
    expect(encodeColumn([5, 5], [1, 2], none())).toEqual([5, 5]); // no shorter as a rule
    expect(encodeColumn([1e12 + 1, 2e12 + 2], [1e12, 2e12], none())).toEqual({ d: [1, 2] });
    // Floats never become steps: held + step would not always give the same bits.
    expect(encodeColumn([0.30000000000000004, 0.7], [0.1, 0.5], none())).toEqual([0.30000000000000004, 0.7]);
    // Beyond safe integers, values are sent as they are.
    expect(encodeColumn([2 ** 53 + 2], [2 ** 53], none())).toEqual([2 ** 53 + 2]);
    expect(encodeColumn(['a', 'b'], [null, null], { json: ['[1,2]', '["a","b"]'], steps: ['', ''] })).toEqual({ s: 1 });
    // Objects are never shared between rows or columns.
    expect(encodeColumn([{ x: 1 }, { x: 1 }], [null, null], none())).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('sends the steps of an earlier column, or their negation, by reference', () => {
    const earlier = { json: [], steps: [] };
    const used = encodeColumn([4e9 + 12_345, 4e9 - 67_890, 4e9], [4e9, 4e9, 4e9 - 1_234_567], earlier);
    expect(used).toEqual({ d: [12_345, -67_890, 1_234_567] });
    // free = total − used moves by the negated steps; available here by the same ones as used.
    expect(encodeColumn([4e9 - 12_345, 4e9 + 67_890, 4e9], [4e9, 4e9, 4e9 + 1_234_567], earlier)).toEqual({ dn: 0 });
    expect(encodeColumn([7 + 12_345, 7 - 67_890, 7 + 1_234_567], [7, 7, 7], earlier)).toEqual({ ds: 0 });

    const a = { vms: [0, 1, 2].map((i) => ({ id: `g${i}`, memory: { total: 8e9, used: 4e9 + i, free: 4e9 - i } })) };
    const b = {
      vms: [0, 1, 2].map((i) => ({
        id: `g${i}`,
        memory: { total: 8e9, used: 4e9 + i * 77_777, free: 4e9 - i * 77_777 },
      })),
    };
    const { delta, applied, expected } = roundTrip(a, b);
    expect(applied).toBe(expected);
    expect(delta.lists.vms.rows[0].vals[1]).toEqual({ dn: 0 });
  });
});

describe('encoding 2 and objects that are not plain', () => {
  it('compares a Date (or anything with toJSON) by its JSON, not by its keys', () => {
    const a = { vms: [{ id: 'a', seen: new Date(1_000), memory: { used: 1 } }] };
    const b = { vms: [{ id: 'a', seen: new Date(2_000), memory: { used: 1 } }] };
    const { delta, applied, expected } = roundTrip(a, b);
    expect(applied).toBe(expected);
    expect(delta.lists.vms.rows).toEqual([{ at: [0], cols: ['seen'], vals: [[new Date(2_000).toISOString()]] }]);
  });
});
