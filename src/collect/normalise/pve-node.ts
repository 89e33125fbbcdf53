/** PVE node → model Node (wire-contract §1.2, derivations §9). Pure. */
import type { Disk, DiskSource, HealthLevel, Memory, MemoryInputs, MemorySource, Node } from '../../model/state.js';
import type { PveNodeStatus, PveResource } from '../../proxmox/pve.js';
import { nodeId } from './ids.js';
import { num, optNum, percent, str } from './values.js';

export interface NodeInput {
  instance: string;
  /** Configured URL of the instance. */
  host: string;
  /** The node's entry from /cluster/resources (type node) or /nodes. */
  resource: PveResource;
  /** /nodes/{n}/status, when it answered this cycle. */
  status?: PveNodeStatus;
  /** memavailable from the node's RRD (PVE 8 reports no `available` in status). */
  rrdMemAvailable?: number;
  /** Disk figure of the node's local / local-lvm storage, last fallback for the node disk. */
  localStorageDisk?: { total: number; used: number };
  clusterName?: string;
  health: HealthLevel;
  now: number;
  /** The same node from the last poll: kept values when this poll lacks them. */
  prev?: Node;
}

export function memoryOf(total: number, used: number): Memory {
  const u = Math.max(0, Math.min(used, total > 0 ? total : used));
  return { total, used: u, free: Math.max(0, total - u), usage: percent(u, total) };
}

export function diskOf(total: number, used: number, free?: number): Disk {
  return { total, used, free: free ?? Math.max(0, total - used), usage: percent(used, total) };
}

/** Filled by the memory derivations with the source and raw inputs of the figure they return. */
export interface MemoryExplain {
  source?: MemorySource;
  inputs?: MemoryInputs;
}

/** Node memory: used = total − available (available → avail → free+buffers+cached → RRD), else `used`. */
export function nodeMemory(
  status: PveNodeStatus | undefined,
  rrdAvailable: number | undefined,
  explain?: MemoryExplain,
): Memory | undefined {
  const m = status?.memory;
  if (!m) return undefined;
  const total = num(m.total);
  if (!(total > 0)) return undefined;
  let available = optNum(m.available) ?? optNum(m.avail);
  let source: MemorySource = 'node-status-available';
  let inputs: MemoryInputs | undefined;
  if (available === undefined && (m.buffers !== undefined || m.cached !== undefined)) {
    available = num(m.free) + num(m.buffers) + num(m.cached);
    source = 'node-status-free';
    if (explain) inputs = { total, free: num(m.free), buffers: num(m.buffers), cached: num(m.cached) };
  }
  if (available === undefined && rrdAvailable !== undefined && rrdAvailable > 0) {
    available = rrdAvailable;
    source = 'rrd-memavailable';
  }
  if (available !== undefined && available > 0 && available <= total) {
    if (explain) {
      explain.source = source;
      explain.inputs = inputs ?? { total, available };
    }
    return memoryOf(total, total - available);
  }
  if (explain) {
    explain.source = 'node-status-used';
    explain.inputs = { total, used: num(m.used) };
  }
  return memoryOf(total, num(m.used));
}

/**
 * The newest `memavailable` of a node's rrddata rows (asked without `ds`: every source comes in
 * each row). PVE 8 nodes record no memavailable, and edge rows may lack fields: undefined then.
 */
export function rrdMemAvailable(rows: Array<Record<string, unknown>> | undefined): number | undefined {
  for (let i = (rows?.length ?? 0) - 1; i >= 0; i--) {
    const v = rows?.[i]?.memavailable;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

export function parseLoadAverage(loadavg: unknown): number[] {
  if (!Array.isArray(loadavg)) return [];
  const out: number[] = [];
  for (const v of loadavg) {
    const n = optNum(v);
    if (n !== undefined) out.push(n);
  }
  return out;
}

export function normaliseNode(input: NodeInput): Node {
  const { instance, resource: r, status, prev } = input;
  const name = str(r.node ?? r.name);
  const online = r.status === 'online';
  const statusOk = online && status !== undefined;

  const explain: MemoryExplain = {};
  let memory = statusOk ? nodeMemory(status, input.rrdMemAvailable, explain) : undefined;
  if (!memory && num(r.maxmem) > 0 && online) {
    memory = memoryOf(num(r.maxmem), num(r.mem));
    explain.source = 'cluster-resources';
    explain.inputs = { total: num(r.maxmem), used: num(r.mem) };
  }
  if (!memory && prev?.memory) {
    memory = prev.memory;
    explain.source = 'previous-poll';
    explain.inputs = prev.memoryInputs;
  }

  let disk: Disk | undefined;
  let diskSource: DiskSource | undefined;
  const rootfs = statusOk ? status?.rootfs : undefined;
  if (rootfs && num(rootfs.total) > 0) {
    disk = diskOf(num(rootfs.total), num(rootfs.used), optNum(rootfs.avail) ?? optNum(rootfs.free));
    diskSource = 'node-rootfs';
  } else if (num(r.maxdisk) > 0) {
    disk = diskOf(num(r.maxdisk), num(r.disk));
    diskSource = 'cluster-resources';
  } else if (input.localStorageDisk && input.localStorageDisk.total > 0) {
    disk = diskOf(input.localStorageDisk.total, input.localStorageDisk.used);
    diskSource = 'local-storage';
  } else if (prev?.disk) {
    disk = prev.disk;
    diskSource = 'previous-poll';
  }
  // The same inputs as last poll: keep the previous object so a steady estate allocates none.
  if (explain.inputs && prev?.memoryInputs && sameInputs(explain.inputs, prev.memoryInputs))
    explain.inputs = prev.memoryInputs;

  const ci = status?.cpuinfo;
  const cpuInfo = ci
    ? {
        model: str(ci.model),
        cores: num(r.maxcpu) || num(ci.cpus) || num(ci.cores),
        sockets: num(ci.sockets),
        mhz: str(ci.mhz),
      }
    : (prev?.cpuInfo ?? { model: '', cores: num(r.maxcpu), sockets: 0, mhz: '' });

  const kernel = status?.kversion ?? status?.['current-kernel']?.release;
  const node: Node = {
    id: nodeId(instance, name),
    name,
    displayName: name,
    instance,
    host: input.host,
    status: online ? 'online' : r.status === 'offline' ? 'offline' : 'unknown',
    type: 'node',
    cpu: online ? num(r.cpu ?? status?.cpu) : 0,
    memory,
    disk,
    memorySource: explain.source,
    memoryInputs: explain.inputs,
    diskSource,
    uptime: online ? num(r.uptime ?? status?.uptime) : 0,
    loadAverage: statusOk ? parseLoadAverage(status?.loadavg) : online ? (prev?.loadAverage ?? []) : [],
    kernelVersion: kernel ?? prev?.kernelVersion ?? '',
    pveVersion: status?.pveversion ?? prev?.pveVersion ?? '',
    cpuInfo,
    lastSeen: online ? input.now : (prev?.lastSeen ?? input.now),
    connectionHealth: online ? input.health : 'error',
    isClusterMember: input.clusterName !== undefined,
    clusterName: input.clusterName,
    node: name,
    mem: memory?.used ?? 0,
    maxmem: memory?.total ?? 0,
    maxdisk: disk?.total ?? 0,
  };
  if (!node.clusterName) delete node.clusterName;
  if (!node.memorySource) delete node.memorySource;
  if (!node.memoryInputs) delete node.memoryInputs;
  if (!node.diskSource) delete node.diskSource;
  return node;
}

/** Whether two inputs objects hold the same figures (both come from the same derivation). */
export function sameInputs(a: MemoryInputs, b: MemoryInputs): boolean {
  return (
    a.total === b.total &&
    a.available === b.available &&
    a.free === b.free &&
    a.buffers === b.buffers &&
    a.cached === b.cached &&
    a.used === b.used &&
    a.maxmem === b.maxmem &&
    a.balloon === b.balloon
  );
}

/** A node retained from the last poll while its instance cannot be reached. */
export function offlineNode(prev: Node): Node {
  // Its last temperature is not a reading any more: kept, it would hold a temperature alert open.
  const { temperature: _stale, ...rest } = prev;
  return { ...rest, status: 'offline', cpu: 0, connectionHealth: 'error', loadAverage: [] };
}

/** Placeholder after repeated auth failures (§9): `<instance>-failed`. */
export function failedInstanceNode(instance: string, host: string, now: number): Node {
  return {
    id: `${instance}-failed`,
    name: instance,
    displayName: instance,
    instance,
    host,
    status: 'offline',
    type: 'node',
    cpu: 0,
    uptime: 0,
    loadAverage: [],
    kernelVersion: '',
    pveVersion: '',
    cpuInfo: { model: '', cores: 0, sockets: 0, mhz: '' },
    lastSeen: now,
    connectionHealth: 'error',
    isClusterMember: false,
    node: instance,
    mem: 0,
    maxmem: 0,
    maxdisk: 0,
  };
}
