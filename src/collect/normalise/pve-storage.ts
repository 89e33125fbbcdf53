/**
 * PVE storage → model Storage (wire-contract §1.5). Shared storage appears once with the nodes
 * that see it (node "cluster"); its id comes from the alphabetically first node so that it is
 * stable across polls. Offline nodes keep their last values. ZFS pool health is attached to
 * zfspool storage matched by pool name.
 */
import type { Storage, ZfsDevice, ZfsPool } from '../../model/state.js';
import type { PveResource, PveStorageConfig, PveZfsChild, PveZfsPoolDetail } from '../../proxmox/pve.js';
import { nodeId, storageId } from './ids.js';
import { flag, num, percent, str } from './values.js';

export interface StorageInput {
  instance: string;
  /** /cluster/resources entries of type storage. */
  resources: PveResource[];
  /** /storage (cluster-wide config); undefined when it could not be read. */
  config?: PveStorageConfig[];
  /** node → pool name → pool detail */
  zfs?: Map<string, Map<string, ZfsPool>>;
  /** Last poll's storage by id (values kept for unreachable nodes). */
  prev?: Map<string, Storage>;
}

const sortContent = (c: string | undefined) =>
  (c ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort()
    .join(',');

const ZFS_TYPES = new Set(['zfspool', 'zfs', 'local-zfs']);
/** Storage types that are shared by nature (PVE does not write `shared` into their config). */
const SHARED_TYPES = new Set([
  'nfs',
  'cifs',
  'rbd',
  'cephfs',
  'pbs',
  'glusterfs',
  'iscsi',
  'iscsidirect',
  'zfs',
  'esxi',
]);

/** Shared storage: flagged in config or resources, or shared by its type (nfs, rbd, pbs …). */
export function isSharedStorage(cfg: PveStorageConfig | undefined, r: PveResource | undefined, type: string): boolean {
  return flag(cfg?.shared) || flag(r?.shared) || SHARED_TYPES.has(type);
}

/** Pool name behind a zfspool storage: config `pool` ("rpool/data" → "rpool"), else the storage id. */
export function zfsPoolName(cfg: PveStorageConfig | undefined, storage: string): string {
  const pool = cfg?.pool ?? storage;
  return pool.split('/')[0];
}

export function normaliseStorage(input: StorageInput): Storage[] {
  const { instance, resources, prev } = input;
  const cfgByName = new Map<string, PveStorageConfig>();
  for (const c of input.config ?? []) cfgByName.set(c.storage, c);

  const perNode: Storage[] = [];
  for (const r of resources) {
    if (r.type !== 'storage') continue;
    const name = str(r.storage ?? r.id?.split('/').pop());
    const node = str(r.node);
    if (!name || !node) continue;
    const cfg = cfgByName.get(name);
    const type = str(cfg?.type ?? r.plugintype, 'unknown');
    const enabled = cfg ? !flag(cfg.disable) : true;
    const active = r.status === 'available';
    const id = storageId(instance, node, name);
    const last = prev?.get(id);
    const reachable = r.status !== undefined && r.status !== 'unknown';
    let total = num(r.maxdisk);
    let used = num(r.disk);
    if (!reachable && last) {
      total = last.total;
      used = last.used;
    }
    const free = Math.max(0, total - used);
    const s: Storage = {
      id,
      name,
      storage: name,
      node,
      instance,
      type,
      status: !enabled ? 'disabled' : active ? 'available' : 'inactive',
      total,
      used,
      free,
      avail: free,
      usage: percent(used, total),
      content: sortContent(cfg?.content ?? r.content),
      shared: isSharedStorage(cfg, r, type),
      enabled,
      active,
    };
    if (ZFS_TYPES.has(type)) {
      const pool = input.zfs?.get(node)?.get(zfsPoolName(cfg, name));
      if (pool) s.zfsPool = pool;
      else if (last?.zfsPool) s.zfsPool = last.zfsPool;
    }
    perNode.push(s);
  }

  // Fold shared storage into one entry per name.
  const out: Storage[] = [];
  const shared = new Map<string, Storage[]>();
  for (const s of perNode) {
    if (!s.shared) {
      out.push(s);
      continue;
    }
    const list = shared.get(s.name);
    if (list) list.push(s);
    else shared.set(s.name, [s]);
  }
  for (const [name, list] of shared) {
    list.sort((a, b) => a.node.localeCompare(b.node));
    const nodes = list.map((s) => s.node);
    const best = list.find((s) => s.active) ?? list[0];
    const s: Storage = {
      ...best,
      id: storageId(instance, list[0].node, name),
      node: 'cluster',
      nodes,
      nodeIds: nodes.map((n) => nodeId(instance, n)),
      nodeCount: nodes.length,
      active: list.some((x) => x.active),
    };
    s.status = !s.enabled ? 'disabled' : s.active ? 'available' : 'inactive';
    delete s.zfsPool;
    out.push(s);
  }
  out.sort((a, b) => (a.node === b.node ? a.name.localeCompare(b.name) : a.node.localeCompare(b.node)));
  return out;
}

function errCount(v: unknown): number {
  return Math.round(num(v));
}

function flattenDevices(children: PveZfsChild[] | undefined, out: ZfsDevice[]): void {
  for (const c of children ?? []) {
    const isVdevGroup = /^(mirror|raidz\d?|draid\d?|spare|log|cache|special|dedup)(-\d+)?/.test(c.name);
    const dev: ZfsDevice = {
      name: c.name,
      type: isVdevGroup ? 'vdev' : 'disk',
      state: str(c.state, 'UNKNOWN'),
      readErrors: errCount(c.read),
      writeErrors: errCount(c.write),
      checksumErrors: errCount(c.cksum),
    };
    if (c.msg) dev.message = c.msg;
    out.push(dev);
    flattenDevices(c.children, out);
  }
}

/** /nodes/{n}/disks/zfs/{pool} → ZfsPool; pool-level error counts are the sums of its devices. */
export function normaliseZfsPool(detail: PveZfsPoolDetail, health?: string): ZfsPool {
  const devices: ZfsDevice[] = [];
  // The first child level is the pool itself in PVE's tree; flatten below it when so.
  const top = detail.children ?? [];
  const root = top.length === 1 && top[0].name === detail.name ? top[0] : undefined;
  flattenDevices(root ? root.children : top, devices);
  const leaves = devices.filter((d) => d.type === 'disk');
  const sum = (k: 'readErrors' | 'writeErrors' | 'checksumErrors') =>
    (root ? errCount(root[k === 'readErrors' ? 'read' : k === 'writeErrors' ? 'write' : 'cksum']) : 0) +
    leaves.reduce((s, d) => s + d[k], 0);
  return {
    name: detail.name,
    state: str(detail.state ?? health, 'UNKNOWN'),
    status: str(detail.status),
    scan: str(detail.scan),
    readErrors: sum('readErrors'),
    writeErrors: sum('writeErrors'),
    checksumErrors: sum('checksumErrors'),
    devices,
  };
}
