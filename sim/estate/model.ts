/**
 * The live estate: mutable runtime objects built from an EstateSpec. Metric values are not stored
 * per tick; they are computed from (seed, time) in metrics.ts, with control-API overrides on top.
 */
import type { AclSpec, GuestType, PbsDatastoreSpec, StorageSpec } from './spec.js';

/** Simulated time: real time plus an offset the control API can advance. */
export class SimClock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface Credential {
  userid: string;
  tokenid?: string; // set for API tokens
  password?: string;
  secret?: string;
  acl: AclSpec;
  role: string;
  revoked?: boolean;
}

export interface MetricOverrides {
  cpu?: number;
  mem?: number;
  disk?: number;
  netin?: number;
  netout?: number;
  diskread?: number;
  diskwrite?: number;
  uptime?: number;
  swap?: number;
}

export const COUNTERS = ['netin', 'netout', 'diskread', 'diskwrite'] as const;
export type CounterName = (typeof COUNTERS)[number];

export interface Guest {
  instance: string;
  vmid: number;
  type: GuestType;
  node: string;
  name: string;
  status: 'running' | 'stopped';
  template: boolean;
  tags: string[];
  lock?: string;
  /** The guest agent answers (qemu). */
  agent: boolean;
  /** `agent: 1` in the VM config; configured without `agent` means "not running". */
  agentConfigured: boolean;
  balloon: boolean;
  cpus: number;
  maxmem: number;
  maxdisk: number;
  pool?: string;
  hastate?: string;
  ostype: string;
  backup: boolean;
  /** Unix seconds after which no backup of it exists (it left the jobs then). */
  backupStoppedAt?: number;
  /** Whether PBS verifies its snapshots. */
  backupVerify: boolean;
  seed: number;
  /** When the guest (process) last started, ms of simulated time. */
  startedAt: number;
  overrides: MetricOverrides;
  /** Added to the natural counter value so counters stay monotonic after an override is cleared. */
  counterOffsets: Partial<Record<CounterName, number>>;
  /** Snapshot names with their creation time (seconds). */
  snapshots: Array<{ name: string; description: string; snaptime: number; vmstate?: boolean; parent?: string }>;
}

export interface PveNode {
  name: string;
  nodeid: number;
  /** pve-manager version this node runs, e.g. "8.2.4", "9.0.10" or PVE 7's "7.4-17" (a cluster mid-upgrade mixes them). */
  version: string;
  ip: string;
  cpus: number;
  cpuModel: string;
  sockets: number;
  maxmem: number;
  rootTotal: number;
  swapTotal: number;
  bootedAt: number;
  seed: number;
  overrides: MetricOverrides;
  /** Set while the node's endpoint is down (fault): the cluster sees it offline. */
  down: boolean;
}

export interface Storage extends Required<Pick<StorageSpec, 'storage' | 'type' | 'content'>> {
  shared: boolean;
  nodes?: string[];
  total: number;
  usedFraction: number;
  /** Share of capacity added per day since `fillSince` (ms), for a steadily filling storage. */
  fillPerDay?: number;
  fillSince?: number;
  enabled: boolean;
  server?: string;
  datastore?: string;
  seed: number;
}

/** A vzdump backup taken on demand through the control API (scheduled ones are computed). */
export interface ManualBackup {
  vmid: number;
  type: GuestType;
  storage: string;
  ctime: number; // seconds
  size: number;
  notes: string;
  protected: boolean;
  node: string;
  upid: string;
}

export interface PveInstance {
  kind: 'pve';
  name: string;
  cluster?: string;
  /** The instance's default pve-manager version; each node carries its own in `PveNode.version`. */
  version: string;
  seed: number;
  nodes: PveNode[];
  guests: Map<number, Guest>;
  storages: Storage[];
  ceph?: { health: 'HEALTH_OK' | 'HEALTH_WARN' };
  credentials: Credential[];
  manualBackups: ManualBackup[];
  /** Tasks started through the control API or the API (migrate, start, stop, vzdump). */
  tasks: SimTask[];
  /** Bumped when guests are added, removed or moved: invalidates per-node indexes. */
  topology: number;
}

/**
 * Major and minor of a pve-manager version: "8.2.4" → {8, 2}; PVE 7 wrote "7.4-17" → {7, 4}.
 * Per-version behaviour (LXC interface shape, memhost, rrd fields) keys on these.
 */
export function pveMajorMinor(version: string): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`not a pve-manager version: ${version}`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** True when `version` is major.minor or newer, e.g. `pveAtLeast(node.version, 8, 4)`. */
export function pveAtLeast(version: string, major: number, minor = 0): boolean {
  const v = pveMajorMinor(version);
  return v.major > major || (v.major === major && v.minor >= minor);
}

const byNodeCache = new WeakMap<PveInstance, { topology: number; map: Map<string, Guest[]> }>();

/** Guests per node, sorted by vmid; rebuilt only when the topology changes. */
export function guestsOnNode(inst: PveInstance, node: string): Guest[] {
  let hit = byNodeCache.get(inst);
  if (!hit || hit.topology !== inst.topology) {
    const map = new Map<string, Guest[]>();
    for (const g of [...inst.guests.values()].sort((a, b) => a.vmid - b.vmid)) {
      const list = map.get(g.node) ?? [];
      list.push(g);
      map.set(g.node, list);
    }
    hit = { topology: inst.topology, map };
    byNodeCache.set(inst, hit);
  }
  return hit.map.get(node) ?? [];
}

export interface SimTask {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  endtime?: number;
  type: string;
  id: string;
  user: string;
  status?: string; // "OK" or an error message once finished
}

export interface PbsDatastore extends Required<Pick<PbsDatastoreSpec, 'name'>> {
  total: number;
  usedFraction: number;
  namespaces: string[];
  groups: number;
  keep: number;
  intervalHours: number;
  seed: number;
}

export interface PbsInstance {
  kind: 'pbs';
  name: string;
  version: string;
  seed: number;
  nodeName: string;
  bootedAt: number;
  datastores: PbsDatastore[];
  credentials: Credential[];
  overrides: MetricOverrides;
  down: boolean;
  /** Guests known from the estate's PVE instances, used to name backup groups. */
  guestIds: Array<{ type: 'vm' | 'ct'; id: number; name: string; stoppedAt?: number; verify: boolean }>;
}

export interface PmgQueue {
  active: number;
  deferred: number;
  hold: number;
  incoming: number;
  oldest_age: number;
}

export interface PmgInstance {
  kind: 'pmg';
  name: string;
  version: string;
  seed: number;
  nodes: string[];
  domains: string[];
  mailPerHour: number;
  bootedAt: number;
  credentials: Credential[];
  overrides: MetricOverrides;
  /** Postfix queue counts held by the control API, per node. */
  queueOverrides: Record<string, Partial<PmgQueue>>;
  down: boolean;
}

export interface Estate {
  name: string;
  seed: number;
  clock: SimClock;
  pve: PveInstance[];
  pbs: PbsInstance[];
  pmg: PmgInstance[];
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
