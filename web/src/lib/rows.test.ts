import type { Guest, Node } from '@model/state';
import { describe, expect, it } from 'vitest';
import { parseFilter } from './filter';
import { type BuildOptions, buildRows, compareRows, type SortKey, sortRows, subjectOf } from './rows';

const node = (name: string, instance = 'pve'): Node =>
  ({ id: `${instance}-${name}`, name, instance, type: 'node', status: 'online', cpu: 0.2, uptime: 100 }) as Node;

const guest = (vmid: number, name: string, nodeName: string, extra: Partial<Guest> = {}): Guest =>
  ({
    id: `pve-${nodeName}-${vmid}`,
    vmid,
    name,
    node: nodeName,
    instance: 'pve',
    type: 'qemu',
    status: 'running',
    cpu: 0.1,
    uptime: 50,
    memory: { total: 100, used: 10, free: 90, usage: 10 },
    ...extra,
  }) as Guest;

const opts = (o: Partial<BuildOptions> = {}): BuildOptions => ({
  filter: parseFilter(''),
  sort: { key: 'vmid', dir: 'asc' },
  grouped: true,
  type: 'all',
  status: 'all',
  ...o,
});

const names = (rows: Array<Node | Guest>) => rows.map((r) => r.name);

describe('buildRows', () => {
  const nodes = [node('pve2'), node('pve1')];
  const guests = [
    guest(102, 'db', 'pve1', { cpu: 0.9 }),
    guest(101, 'web', 'pve1', { tags: 'prod' }),
    guest(201, 'cache', 'pve2', { type: 'lxc', status: 'stopped' }),
    guest(301, 'orphan', 'pve9'),
  ];

  it('groups guests under their node, nodes by name, guests by the sort, unknown nodes last', () => {
    expect(names(buildRows(nodes, guests, opts()))).toEqual(['pve1', 'web', 'db', 'pve2', 'cache', 'orphan']);
  });

  it('keeps the store objects themselves (no wrappers), so keyed lists keep their DOM', () => {
    const rows = buildRows(nodes, guests, opts());
    expect(rows[1]).toBe(guests[1]);
    expect(rows[0]).toBe(nodes[1]);
  });

  it('reads no guest metrics unless a filter term or the sort needs them (a live update then rebuilds nothing)', () => {
    const read = new Set<string>();
    // A guest that records which fields are read, as a reactive store would subscribe to them.
    const watched = guests.map(
      (g) =>
        new Proxy(g, {
          get(target, key, receiver) {
            read.add(String(key));
            return Reflect.get(target, key, receiver);
          },
        }),
    );
    buildRows(nodes, watched, opts());
    expect([...read].filter((k) => ['cpu', 'memory', 'disk', 'uptime', 'tags'].includes(k))).toEqual([]);
    buildRows(nodes, watched, opts({ filter: parseFilter('cpu>80') }));
    expect(read.has('cpu')).toBe(true);
    read.clear();
    buildRows(nodes, watched, opts({ sort: { key: 'mem', dir: 'desc' } }));
    expect(read.has('memory')).toBe(true);
  });

  it('a filter keeps a node only as the header of matching guests', () => {
    expect(names(buildRows(nodes, guests, opts({ filter: parseFilter('cpu>80') })))).toEqual(['pve1', 'db']);
    expect(names(buildRows(nodes, guests, opts({ filter: parseFilter('pve2') })))).toEqual(['pve2', 'cache']);
  });

  it('type and status switches, flat list and descending sort', () => {
    expect(names(buildRows(nodes, guests, opts({ type: 'lxc' })))).toEqual(['pve2', 'cache']);
    expect(names(buildRows(nodes, guests, opts({ status: 'running', grouped: false })))).toEqual([
      'web',
      'db',
      'orphan',
    ]);
    expect(names(buildRows(nodes, guests, opts({ grouped: false, sort: { key: 'cpu', dir: 'desc' } })))[0]).toBe('db');
  });

  it('subjects expose percent values and split tags', () => {
    expect(subjectOf(guests[0]!)).toMatchObject({ cpu: 90, mem: 10, tags: [] });
    expect(subjectOf(guests[1]!).tags).toEqual(['prod']);
    expect(subjectOf(nodes[0]!)).toMatchObject({ type: 'node', cpu: 20 });
  });
});

describe('sortRows', () => {
  // Few distinct values, so ties (broken by name, then by list order) are common.
  const many = Array.from({ length: 200 }, (_, i) =>
    guest(100 + ((i * 7) % 50), `vm-${(i * 13) % 40}`, `n${i % 3}`, {
      cpu: (i % 5) / 10,
      uptime: i % 4,
      status: i % 3 ? 'running' : 'stopped',
      memory: { total: 100, used: 10, free: 90, usage: i % 6 },
      networkIn: i % 7,
    }),
  );
  const keys: SortKey[] = ['name', 'vmid', 'status', 'uptime', 'cpu', 'mem', 'disk', 'netin', 'netout'];

  it('orders exactly as a sort with compareRows, for every key and direction', () => {
    for (const key of keys) {
      for (const dir of ['asc', 'desc'] as const) {
        const expected = [...many].sort((a, b) => compareRows(a, b, { key, dir }));
        expect(sortRows(many, { key, dir }), `${key} ${dir}`).toEqual(expected);
      }
    }
  });

  it('reads each row’s sort value once, not once per comparison (rows are store proxies)', () => {
    let reads = 0;
    const watched = many.map(
      (g) =>
        new Proxy(g, {
          get(target, key, receiver) {
            if (key === 'cpu') reads++;
            return Reflect.get(target, key, receiver);
          },
        }),
    );
    sortRows(watched, { key: 'cpu', dir: 'desc' });
    expect(reads).toBe(many.length);
  });
});
