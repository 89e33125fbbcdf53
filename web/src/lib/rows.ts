/**
 * Dashboard rows: nodes and their guests in one list (pure, no Solid). Rows are the store's own
 * objects, never wrappers, so a keyed <For> keeps the DOM of every row whose object is unchanged.
 */
import type { Guest, Node } from '@model/state';
import { type FilterSubject, isEmptyFilter, matchesFilter, type ParsedFilter } from './filter';
import { splitTags } from './format';

export type Row = Node | Guest;
export const isNode = (r: Row): r is Node => r.type === 'node';

export type SortKey =
  | 'name'
  | 'vmid'
  | 'status'
  | 'uptime'
  | 'cpu'
  | 'mem'
  | 'disk'
  | 'netin'
  | 'netout'
  | 'diskread'
  | 'diskwrite';
export interface SortSpec {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export const guestMemPercent = (g: Guest) => g.memory?.usage ?? 0;
export const guestDiskPercent = (g: Guest) => (g.disk && g.disk.usage >= 0 ? g.disk.usage : -1);

export function subjectOf(r: Row): FilterSubject {
  if (isNode(r)) {
    return {
      name: r.displayName || r.name,
      node: r.name,
      status: r.status,
      type: 'node',
      tags: [],
      cpu: r.cpu * 100,
      mem: r.memory?.usage ?? 0,
      disk: r.disk?.usage ?? 0,
      uptime: r.uptime,
    };
  }
  return {
    name: r.name,
    vmid: r.vmid,
    node: r.node,
    status: r.status,
    type: r.type,
    tags: splitTags(r.tags),
    cpu: r.cpu * 100,
    mem: guestMemPercent(r),
    disk: guestDiskPercent(r),
    uptime: r.uptime,
    os: [r.osName, r.osVersion].filter(Boolean).join(' ') || undefined,
    ips: r.ipAddresses,
  };
}

function sortValue(r: Row, key: SortKey): number | string {
  const g = r as Guest;
  switch (key) {
    case 'name':
      return (isNode(r) ? r.displayName || r.name : r.name).toLowerCase();
    case 'vmid':
      return isNode(r) ? 0 : g.vmid;
    case 'status':
      return r.status;
    case 'uptime':
      return r.uptime;
    case 'cpu':
      return r.cpu;
    case 'mem':
      return r.memory?.usage ?? 0;
    case 'disk':
      return isNode(r) ? (r.disk?.usage ?? 0) : guestDiskPercent(g);
    case 'netin':
      return isNode(r) ? 0 : g.networkIn;
    case 'netout':
      return isNode(r) ? 0 : g.networkOut;
    case 'diskread':
      return isNode(r) ? 0 : g.diskRead;
    case 'diskwrite':
      return isNode(r) ? 0 : g.diskWrite;
  }
}

/** The same order as `a.localeCompare(b)`, without building a collator per call. */
const collate = new Intl.Collator().compare;

function compareValues(va: number | string, vb: number | string): number {
  return typeof va === 'string' ? collate(va, vb as string) : (va as number) - (vb as number);
}

export function compareRows(a: Row, b: Row, sort: SortSpec): number {
  let c = compareValues(sortValue(a, sort.key), sortValue(b, sort.key));
  if (c === 0) c = compareValues(sortValue(a, 'name'), sortValue(b, 'name'));
  return sort.dir === 'asc' ? c : -c;
}

/**
 * `rows` in `compareRows` order (stable), reading each row's sort value once: rows are store
 * proxies, and a comparator reading them would do so ~2·log2(n) times per row on every rebuild.
 */
export function sortRows<T extends Row>(rows: readonly T[], sort: SortSpec): T[] {
  const keys = rows.map((r) => sortValue(r, sort.key));
  const names: Array<number | string | undefined> = [];
  const name = (i: number) => {
    names[i] ??= sortValue(rows[i], 'name');
    return names[i];
  };
  const sign = sort.dir === 'asc' ? 1 : -1;
  const order = keys.map((_, i) => i);
  order.sort((i, j) => {
    const c = compareValues(keys[i], keys[j]);
    return sign * (c === 0 ? compareValues(name(i), name(j)) : c);
  });
  return order.map((i) => rows[i]);
}

export interface BuildOptions {
  filter: ParsedFilter;
  sort: SortSpec;
  grouped: boolean;
  /** 'all' | 'qemu' | 'lxc' */
  type: string;
  /** 'all' | 'running' | 'stopped' */
  status: string;
}

/** A node's key in `guestCounts` (and in the grouping): its instance and name. */
export const nodeKey = (instance: string, node: string) => `${instance}\u0000${node}`;

export interface GuestCounts {
  vms: number;
  vmsRunning: number;
  cts: number;
  ctsRunning: number;
}

/** Per node (`nodeKey`), its VMs and containers and how many of each run (reads `instance`, `node`, `type`, `status`). */
export function guestCounts(lists: ReadonlyArray<readonly Guest[]>): Map<string, GuestCounts> {
  const m = new Map<string, GuestCounts>();
  for (const list of lists) {
    for (const g of list) {
      const k = nodeKey(g.instance, g.node);
      let c = m.get(k);
      if (c === undefined) {
        c = { vms: 0, vmsRunning: 0, cts: 0, ctsRunning: 0 };
        m.set(k, c);
      }
      const running = g.status === 'running';
      if (g.type === 'qemu') {
        c.vms++;
        if (running) c.vmsRunning++;
      } else {
        c.cts++;
        if (running) c.ctsRunning++;
      }
    }
  }
  return m;
}

/**
 * Grouped: each node, then its matching guests (a node is listed when it or any of its guests
 * matches). Flat: matching guests only, sorted across nodes.
 */
export function buildRows(nodes: readonly Node[], guests: readonly Guest[], o: BuildOptions): Row[] {
  // Without filter terms no guest's metrics are read: in a reactive scope, reading them would
  // rebuild every row on each live update, though only the order and membership matter here.
  const anyTerm = !isEmptyFilter(o.filter);
  const guestOk = (g: Guest) =>
    (o.type === 'all' || g.type === o.type) &&
    (o.status === 'all' || (o.status === 'running' ? g.status === 'running' : g.status !== 'running')) &&
    (!anyTerm || matchesFilter(o.filter, subjectOf(g)));
  const matching = sortRows(guests.filter(guestOk), o.sort);
  if (!o.grouped) return matching;

  const byNode = new Map<string, Guest[]>();
  for (const g of matching) {
    const k = nodeKey(g.instance, g.node);
    const list = byNode.get(k);
    if (list) list.push(g);
    else byNode.set(k, [g]);
  }
  const filtering = !isEmptyFilter(o.filter) || o.type !== 'all' || o.status !== 'all';
  const out: Row[] = [];
  const sortedNodes = [...nodes].sort((a, b) => (a.displayName || a.name).localeCompare(b.displayName || b.name));
  for (const n of sortedNodes) {
    const k = nodeKey(n.instance, n.name);
    const list = byNode.get(k) ?? [];
    byNode.delete(k);
    const nodeMatches = !filtering || (o.type === 'all' && o.status === 'all' && matchesFilter(o.filter, subjectOf(n)));
    if (list.length === 0 && !nodeMatches) continue;
    out.push(n, ...list);
  }
  // Guests whose node is not (yet) in the state still show, after the known nodes.
  for (const list of byNode.values()) out.push(...list);
  return out;
}
