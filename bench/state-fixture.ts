/**
 * Synthetic but realistically sized PulseState documents (frontend shape), for the state/ws/history
 * tests and bench/state-api.ts. Values vary with `tick` so successive commits look like polls.
 */
import type { CephCluster, Guest, Node, PbsInstance, PulseState, Storage } from '../src/model/state.js';
import { emptyState } from '../src/state/store.js';

export interface SyntheticOptions {
  nodes: number;
  guestsPerNode: number;
  /** Poll number; values are a deterministic function of it. */
  tick?: number;
  /** unix ms for lastSeen fields */
  now: number;
  instance?: string;
}

const GiB = 1024 ** 3;

/** A deterministic pseudo-random fraction in [0, 1) for (a, b). */
function frac(a: number, b: number): number {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

export function syntheticNode(i: number, o: SyntheticOptions): Node {
  const instance = o.instance ?? 'pve';
  const name = `node${i + 1}`;
  const tick = o.tick ?? 0;
  const total = 128 * GiB;
  const used = Math.round(total * (0.3 + 0.4 * frac(i, tick)));
  const dTotal = 100 * GiB;
  const dUsed = Math.round(dTotal * 0.42);
  return {
    id: `${instance}-${name}`,
    name,
    displayName: name,
    instance,
    host: `https://10.0.${Math.floor(i / 250)}.${(i % 250) + 1}:8006`,
    status: 'online',
    type: 'node',
    cpu: 0.05 + 0.5 * frac(i + 1, tick),
    memory: { total, used, free: total - used, usage: (used / total) * 100 },
    disk: { total: dTotal, used: dUsed, free: dTotal - dUsed, usage: (dUsed / dTotal) * 100 },
    uptime: 864000 + tick * 10,
    loadAverage: [1.2, 1.1, 0.9],
    kernelVersion: '6.8.12-4-pve',
    pveVersion: 'pve-manager/8.3.2/3e76eec21c4a14a7',
    cpuInfo: { model: 'AMD EPYC 7543 32-Core Processor', cores: 64, sockets: 1, mhz: '2800.000' },
    lastSeen: o.now,
    connectionHealth: 'healthy',
    isClusterMember: true,
    clusterName: 'prod',
    node: name,
    mem: used,
    maxmem: total,
    maxdisk: dTotal,
  };
}

export function syntheticGuest(nodeIdx: number, j: number, o: SyntheticOptions): Guest {
  const instance = o.instance ?? 'pve';
  const node = `node${nodeIdx + 1}`;
  const vmid = 100 + nodeIdx * 1000 + j;
  const tick = o.tick ?? 0;
  const lxc = j % 3 === 2;
  const total = (2 + (j % 4) * 2) * GiB;
  const used = Math.round(total * (0.2 + 0.6 * frac(vmid, tick)));
  const dTotal = 32 * GiB;
  const dUsed = Math.round(dTotal * (0.1 + 0.5 * frac(vmid, 7)));
  const g: Guest = {
    id: `${instance}-${node}-${vmid}`,
    vmid,
    name: `${lxc ? 'ct' : 'vm'}-${vmid}-app`,
    node,
    instance,
    status: 'running',
    type: lxc ? 'lxc' : 'qemu',
    cpu: 0.01 + 0.3 * frac(vmid + 1, tick),
    cpus: 2 + (j % 4),
    memory: { total, used, free: total - used, usage: (used / total) * 100 },
    disk: { total: dTotal, used: dUsed, free: dTotal - dUsed, usage: (dUsed / dTotal) * 100 },
    networkIn: Math.round(50_000 * frac(vmid, tick + 1)),
    networkOut: Math.round(20_000 * frac(vmid, tick + 2)),
    diskRead: Math.round(100_000 * frac(vmid, tick + 3)),
    diskWrite: Math.round(80_000 * frac(vmid, tick + 4)),
    uptime: 86400 + tick * 10,
    template: false,
    tags: j % 5 === 0 ? 'prod,web' : undefined,
    lastSeen: o.now,
    mem: used,
    maxmem: total,
  };
  if (!lxc) {
    g.ipAddresses = [`10.1.${nodeIdx % 250}.${(j % 250) + 1}`];
    g.osName = 'Debian GNU/Linux';
    g.osVersion = '12 (bookworm)';
    g.networkInterfaces = [
      { name: 'eth0', mac: 'bc:24:11:aa:bb:cc', addresses: [g.ipAddresses[0]], rxBytes: 123456789, txBytes: 98765432 },
    ];
  }
  return g;
}

export function syntheticStorage(nodeIdx: number, name: string, o: SyntheticOptions): Storage {
  const instance = o.instance ?? 'pve';
  const node = `node${nodeIdx + 1}`;
  const total = 2000 * GiB;
  const used = Math.round(total * (0.3 + 0.2 * frac(nodeIdx, o.tick ?? 0)));
  return {
    id: `${instance}-${node}-${name}`,
    name,
    storage: name,
    node,
    instance,
    type: name === 'local' ? 'dir' : 'lvmthin',
    status: 'available',
    total,
    used,
    free: total - used,
    avail: total - used,
    usage: (used / total) * 100,
    content: name === 'local' ? 'backup,iso,vztmpl' : 'images,rootdir',
    shared: false,
    enabled: true,
    active: true,
  };
}

/** A complete state: `nodes` nodes, each with `guestsPerNode` guests (⅓ containers) and 2 storages. */
export function syntheticState(o: SyntheticOptions): PulseState {
  const s = emptyState();
  for (let i = 0; i < o.nodes; i++) {
    s.nodes.push(syntheticNode(i, o));
    for (let j = 0; j < o.guestsPerNode; j++) {
      const g = syntheticGuest(i, j, o);
      (g.type === 'lxc' ? s.containers : s.vms).push(g);
    }
    s.storage.push(syntheticStorage(i, 'local', o), syntheticStorage(i, 'local-lvm', o));
  }
  s.connectionHealth = { [o.instance ?? 'pve']: true };
  return s;
}

/** Replaces every collection the synthetic state fills (like a poller replacing its slice). */
export function commitSynthetic(store: { commit(f: (d: PulseState) => void): void }, o: SyntheticOptions): void {
  const next = syntheticState(o);
  store.commit((d) => {
    d.nodes = next.nodes;
    d.vms = next.vms;
    d.containers = next.containers;
    d.storage = next.storage;
    d.connectionHealth = next.connectionHealth;
  });
}

/** A one-monitor, one-OSD Ceph cluster as the store holds it (`lastUpdated` in ms). */
export function syntheticCeph(over: Partial<CephCluster> & Pick<CephCluster, 'lastUpdated'>): CephCluster {
  return {
    id: 'pve-fsid',
    instance: 'pve',
    name: 'Ceph',
    health: 'HEALTH_OK',
    totalBytes: 1,
    usedBytes: 0,
    availableBytes: 1,
    usagePercent: 0,
    numMons: 1,
    numMgrs: 1,
    numOsds: 1,
    numOsdsUp: 1,
    numOsdsIn: 1,
    numPGs: 1,
    ...over,
  };
}

/** An online PBS with no datastores and no jobs unless given. */
export function syntheticPbs(over: Partial<PbsInstance> = {}): PbsInstance {
  return {
    id: 'pbs-main',
    name: 'main',
    host: 'https://pbs:8007',
    status: 'online',
    version: '3.2',
    cpu: 0.1,
    memory: 10,
    memoryUsed: 1,
    memoryTotal: 10,
    uptime: 100,
    datastores: [],
    backupJobs: [],
    syncJobs: [],
    verifyJobs: [],
    pruneJobs: [],
    garbageJobs: [],
    connectionHealth: 'healthy',
    lastSeen: '2026-01-10T09:00:00+01:00',
    ...over,
  };
}
