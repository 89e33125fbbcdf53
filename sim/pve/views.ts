/** JSON shapes of PVE objects as the real API renders them (0/1 booleans, `;`-joined tags). */
import { hasPrivs, type Identity, privilegesOn } from '../auth.js';
import {
  guestBalloonMin,
  guestCounter,
  guestCpu,
  guestDisk,
  guestMem,
  guestUptime,
  nodeCpu,
  nodeMem,
  nodeRootUsed,
  nodeUptime,
  storageUsed,
} from '../estate/metrics.js';
import { type Guest, type PveInstance, type PveNode, pveMajorMinor, type Storage } from '../estate/model.js';
import { ApiError } from '../http/api.js';

/** Major version a node runs (per node: a cluster mid-upgrade mixes them). */
export const majorVersion = (inst: PveInstance, node: PveNode | string) => pveMajorMinor(nodeVersion(inst, node)).major;

/** `/version`'s `release`: major.minor ("7.4" for PVE 7's "7.4-17"). */
export function releaseOf(version: string): string {
  const { major, minor } = pveMajorMinor(version);
  return `${major}.${minor}`;
}

/** The pve-manager version a node runs (each node carries its own: clusters mid-upgrade mix them). */
export function nodeVersion(inst: PveInstance, node: PveNode | string): string {
  const n = typeof node === 'string' ? inst.nodes.find((x) => x.name === node) : node;
  return n?.version || inst.version;
}

/** May the caller see a path with these privileges? (list endpoints filter instead of 403). */
export function visible(identity: Identity | undefined, path: string, privs: string[], any = false): boolean {
  return !identity || hasPrivs(identity.cred, path, privs, any);
}

/** True when the caller holds every privilege everywhere (no filtering needed). */
export function fullAccess(identity: Identity | undefined): boolean {
  return !identity || privilegesOn(identity.cred.acl, '/').has('*');
}

export function findNode(inst: PveInstance, name: string): PveNode {
  const n = inst.nodes.find((x) => x.name === name);
  if (!n)
    throw new ApiError(
      500,
      `hostname lookup '${name}' failed - failed to get address info for: ${name}: Name or service not known`,
    );
  return n;
}

/** The guest `vmid` on `node` with the right type, else PVE's "does not exist" error. */
export function findGuest(inst: PveInstance, node: string, vmid: number, type: 'qemu' | 'lxc'): Guest {
  const g = inst.guests.get(vmid);
  if (!g || g.node !== node || g.type !== type) {
    const dir = type === 'qemu' ? 'qemu-server' : 'lxc';
    throw new ApiError(500, `Configuration file 'nodes/${node}/${dir}/${vmid}.conf' does not exist`);
  }
  return g;
}

export function nodeOnline(n: PveNode): boolean {
  return !n.down;
}

export function pid(g: Guest): number {
  return 1000 + (g.seed % 3_000_000);
}

export function tagString(g: Guest): string | undefined {
  return g.tags.length ? g.tags.join(';') : undefined;
}

/** The balloon's current size of a ballooning VM: its minimum plus 60% of the way to maxmem. */
export function balloonActual(g: Guest): number {
  return guestBalloonMin(g) + Math.floor((g.maxmem - guestBalloonMin(g)) * 0.6);
}

/**
 * MemTotal as the guest sees it: the memory it was given (balloon size, else maxmem) less what
 * its kernel reserves at boot. Real answers show 1–3% (2 GiB → 2,125,611,008; 8 GiB →
 * 8,327,667,712, see test/fixtures/proxmox/SOURCES.md); the simulator takes 3%.
 */
export function guestMemTotal(g: Guest): number {
  const size = g.balloon ? balloonActual(g) : g.maxmem;
  return size - Math.floor(size * 0.03);
}

/**
 * Memory in use inside a running guest (MemTotal − MemAvailable). A ballooning VM reports this
 * as `mem` (PVE takes total_mem − free_mem from the balloon driver), so it never exceeds what
 * the guest has.
 */
export function guestUsed(g: Guest, now: number): number {
  const mem = guestMem(g, now);
  return g.balloon && g.type === 'qemu' ? Math.min(mem, Math.floor(guestMemTotal(g) * 0.95)) : mem;
}

function definedOnly<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function nodeResource(n: PveNode, now: number): Record<string, unknown> {
  if (!nodeOnline(n)) return { id: `node/${n.name}`, type: 'node', node: n.name, status: 'offline', level: '' };
  return {
    id: `node/${n.name}`,
    type: 'node',
    node: n.name,
    status: 'online',
    cpu: nodeCpu(n, now),
    maxcpu: n.cpus,
    mem: nodeMem(n, now),
    maxmem: n.maxmem,
    disk: nodeRootUsed(n, now),
    maxdisk: n.rootTotal,
    uptime: nodeUptime(n, now),
    level: '',
    'cgroup-mode': 2,
  };
}

export function guestResource(inst: PveInstance, g: Guest, nodeUp: boolean, now: number): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: `${g.type}/${g.vmid}`,
    type: g.type,
    vmid: g.vmid,
    name: g.name,
    node: g.node,
    status: nodeUp ? g.status : 'unknown',
    template: g.template ? 1 : 0,
    maxcpu: g.cpus,
    maxmem: g.maxmem,
    maxdisk: g.maxdisk,
  };
  if (nodeUp) {
    base.cpu = guestCpu(g, now);
    base.mem = guestUsed(g, now);
    base.disk = guestDisk(g, now);
    base.netin = guestCounter(g, 'netin', now);
    base.netout = guestCounter(g, 'netout', now);
    base.diskread = guestCounter(g, 'diskread', now);
    base.diskwrite = guestCounter(g, 'diskwrite', now);
    base.uptime = guestUptime(g, now);
    if (g.type === 'qemu' && majorVersion(inst, g.node) >= 9)
      base.memhost = g.status === 'running' ? Math.floor((base.mem as number) * 1.03) : 0;
  }
  if (g.tags.length) base.tags = g.tags.join(';');
  if (g.lock) base.lock = g.lock;
  if (g.pool) base.pool = g.pool;
  if (g.hastate) base.hastate = g.hastate;
  return base;
}

export function storageOnNode(s: Storage, node: string): boolean {
  return !s.nodes || s.nodes.includes(node);
}

export function storageResource(s: Storage, node: string, now: number): Record<string, unknown> {
  return {
    id: `storage/${node}/${s.storage}`,
    type: 'storage',
    storage: s.storage,
    node,
    status: s.enabled ? 'available' : 'unknown',
    disk: storageUsed(s, now),
    maxdisk: s.total,
    plugintype: s.type,
    content: s.content,
    shared: s.shared ? 1 : 0,
  };
}

/** A guest in /nodes/{node}/qemu or /lxc lists. */
export function guestListItem(inst: PveInstance, g: Guest, now: number): Record<string, unknown> {
  const running = g.status === 'running';
  const item: Record<string, unknown> = {
    vmid: g.vmid,
    name: g.name,
    status: g.status,
    cpu: guestCpu(g, now),
    cpus: g.cpus,
    mem: guestUsed(g, now),
    maxmem: g.maxmem,
    disk: guestDisk(g, now),
    maxdisk: g.maxdisk,
    netin: guestCounter(g, 'netin', now),
    netout: guestCounter(g, 'netout', now),
    diskread: guestCounter(g, 'diskread', now),
    diskwrite: guestCounter(g, 'diskwrite', now),
    uptime: guestUptime(g, now),
    tags: tagString(g),
    lock: g.lock,
    template: g.template ? 1 : undefined,
    pid: running ? pid(g) : undefined,
  };
  if (g.type === 'qemu') {
    item.qmpstatus = g.status;
    if (majorVersion(inst, g.node) >= 9) item.memhost = running ? Math.floor((item.mem as number) * 1.03) : 0;
    if (running) {
      item['running-machine'] = 'pc-i440fx-9.2+pve1';
      item['running-qemu'] = majorVersion(inst, g.node) >= 9 ? '10.0.2' : '9.2.0';
    }
  } else {
    item.type = 'lxc';
    item.maxswap = 512 * 1024 * 1024;
    item.swap = running ? Math.floor((g.seed % 97) * 1024 * 1024 * 0.5) : 0;
  }
  if (running && majorVersion(inst, g.node) >= 9) {
    item.pressurecpusome = Number(((guestCpu(g, now) * 0.3) % 1).toFixed(2));
    item.pressureiosome = 0.01;
    item.pressureiofull = 0;
    item.pressurememorysome = 0;
    item.pressurememoryfull = 0;
    if (g.type === 'qemu') item.pressurecpufull = 0;
  }
  return definedOnly(item);
}

/** `/status/current` of a guest: the list fields plus HA, agent, balloon and block stats. */
export function guestCurrent(inst: PveInstance, g: Guest, now: number): Record<string, unknown> {
  const cur = guestListItem(inst, g, now);
  cur.ha = g.hastate ? { managed: 1, state: g.hastate, group: null } : { managed: 0 };
  if (g.type === 'lxc') return cur;
  if (g.agent) cur.agent = 1;
  if (g.status === 'running') {
    const diskread = cur.diskread as number;
    const diskwrite = cur.diskwrite as number;
    cur.blockstat = {
      scsi0: {
        rd_bytes: diskread,
        wr_bytes: diskwrite,
        rd_operations: Math.floor(diskread / 16384),
        wr_operations: Math.floor(diskwrite / 8192),
        flush_operations: Math.floor(diskwrite / 1_000_000),
        failed_rd_operations: 0,
        failed_wr_operations: 0,
        idle_time_ns: 1_000_000,
      },
    };
    cur.nics = { [`tap${g.vmid}i0`]: { netin: cur.netin, netout: cur.netout } };
    cur['proxmox-support'] = {
      'pbs-dirty-bitmap': true,
      'query-bitmap-info': true,
      'pbs-library-version': '1.5.2',
      backup_max_workers: true,
    };
    if (g.balloon) {
      // The balloon driver's figures are the guest's: free_mem is measured against total_mem
      // (the guest's MemTotal), and PVE reports mem = total_mem − free_mem.
      const totalMem = guestMemTotal(g);
      const freeMem = totalMem - (cur.mem as number);
      cur.balloon = balloonActual(g);
      cur.balloon_min = guestBalloonMin(g);
      cur.freemem = freeMem;
      cur.ballooninfo = {
        actual: cur.balloon,
        max_mem: g.maxmem,
        total_mem: totalMem,
        free_mem: freeMem,
        mem_swapped_in: 0,
        mem_swapped_out: 0,
        major_page_faults: 512 + (g.seed % 1000),
        minor_page_faults: 300_000 + (g.seed % 100_000),
        last_update: Math.floor(now / 1000) - 2,
      };
    } else {
      cur.balloon = g.maxmem;
    }
  }
  return cur;
}

/** The storage.cfg entry for /storage. */
export function storageConfig(s: Storage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    storage: s.storage,
    type: s.type,
    content: s.content,
    digest: digest(s.storage),
  };
  if (s.nodes) out.nodes = s.nodes.join(',');
  if (!s.enabled) out.disable = 1;
  if (s.shared && (s.type === 'dir' || s.type === 'lvm')) out.shared = 1;
  switch (s.type) {
    case 'dir':
      out.path = s.storage === 'local' ? '/var/lib/vz' : `/mnt/${s.storage}`;
      out['prune-backups'] = 'keep-all=1';
      break;
    case 'lvmthin':
      out.thinpool = 'data';
      out.vgname = 'pve';
      break;
    case 'lvm':
      out.vgname = s.storage;
      break;
    case 'zfspool':
      out.pool = 'rpool/data';
      out.sparse = 1;
      break;
    case 'nfs':
    case 'cifs':
      out.server = s.server ?? '10.0.0.50';
      out.export = `/export/${s.storage}`;
      out.path = `/mnt/pve/${s.storage}`;
      out.options = 'vers=4.2';
      out['prune-backups'] = 'keep-daily=7,keep-weekly=4';
      break;
    case 'rbd':
      out.pool = s.storage;
      out.krbd = 0;
      break;
    case 'cephfs':
      out.path = `/mnt/pve/${s.storage}`;
      out['fs-name'] = s.storage;
      break;
    case 'pbs':
      out.server = s.server ?? '10.0.0.60';
      out.datastore = s.datastore ?? 'main';
      out.username = 'backup@pbs';
      out['prune-backups'] = 'keep-all=1';
      break;
  }
  return out;
}

function digest(key: string): string {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(5);
}

/** /nodes/{node}/storage entry. */
export function nodeStorage(s: Storage, now: number): Record<string, unknown> {
  const used = storageUsed(s, now);
  const out: Record<string, unknown> = {
    storage: s.storage,
    type: s.type,
    content: s.content,
    active: s.enabled ? 1 : 0,
    enabled: s.enabled ? 1 : 0,
    shared: s.shared ? 1 : 0,
  };
  if (s.enabled) {
    out.total = s.total;
    out.used = used;
    out.avail = s.total - used;
    out.used_fraction = used / s.total;
  }
  return out;
}
