/**
 * The shape of one PVE fetcher: a concern of a poll cycle with its own cadence and cache. A cycle
 * (PveCycle) starts empty; the fetchers run in the poller's order, each filling its part — from
 * Proxmox when its cadence says it is due, from its cache otherwise — and the poller builds the
 * slice from the filled cycle.
 */

import type {
  BackupListing,
  BackupTask,
  CephCluster,
  Guest,
  GuestSnapshot,
  PhysicalDisk,
  StorageBackup,
  ZfsPool,
} from '../../model/state.js';
import { ProxmoxError } from '../../proxmox/errors.js';
import { type FeatureProblem, featureOfPath, problemMessage } from '../../proxmox/privileges.js';
import type {
  PveAgentNetworkInterfaces,
  PveApi,
  PveNodeStatus,
  PveResource,
  PveStorageConfig,
} from '../../proxmox/pve.js';
import type { NodeConfig } from '../../settings/node-config.js';
import { isMonitored } from '../../settings/node-config.js';
import type { IoCounters } from '../normalise/pve-guest.js';

export const MINUTE = 60_000;
export const FIVE_MIN = 5 * MINUTE;
export const HOUR = 60 * MINUTE;

export interface PveFetcher {
  /** The concern, as logs and tests name it. */
  readonly name: string;
  /**
   * Fills this fetcher's part of `cycle`. A failure never rejects: a missing privilege is
   * recorded on `cycle.problems` and the part keeps its cached (or empty) value. Only cluster
   * resources rejects, when the instance cannot be reached at all.
   */
  fetch(cycle: PveCycle): Promise<void>;
  /** Drops cached entries of guests that are gone (`keep` holds the guests of the new slice). */
  prune?(keep: ReadonlyMap<string, unknown>): void;
}

/** Missing privileges seen in a cycle, keyed by feature. */
export class ProblemLog {
  readonly byFeature = new Map<string, FeatureProblem>();

  /** Remembers a 403 as the privilege it lacks; other errors are the fetcher's to handle. */
  record(err: unknown): void {
    if (!(err instanceof ProxmoxError) || err.kind !== 'forbidden') return;
    const feature = featureOfPath('pve', err.path ?? '');
    const p = { feature, privilege: err.privilege ?? 'unknown privilege', path: err.privilegePath };
    this.byFeature.set(feature, { ...p, message: problemMessage(p) });
  }

  /** A catch handler for optional calls (one function for the log's life): records, yields undefined. */
  readonly miss = (err: unknown): undefined => {
    this.record(err);
    return undefined;
  };
}

/** One fixed cadence: due when `period` has passed since the last run (a fetcher never run is due). */
export class Cadence {
  #at = 0;
  constructor(readonly period: () => number) {}

  due(now: number): boolean {
    return now - this.#at >= this.period();
  }

  /** Marks a run started at `now` (before its calls, so a failing run waits its turn too). */
  ran(now: number): void {
    this.#at = now;
  }
}

/** Which parts of the instance its configuration asks for. */
export interface PveWants {
  vms: boolean;
  containers: boolean;
  storage: boolean;
  backups: boolean;
  physicalDisks: boolean;
}

export interface BackupData {
  tasks: BackupTask[];
  storageBackups: StorageBackup[];
  snapshots: GuestSnapshot[];
}

/** A container's addresses as last read, and when. */
export interface LxcNetworkEntry {
  at: number;
  network?: PveAgentNetworkInterfaces;
}

/** One poll cycle: its inputs, then each fetcher's part. */
export interface PveCycle {
  readonly instance: string;
  readonly opt: { signal?: AbortSignal; timeoutMs: number };
  readonly want: PveWants;
  readonly problems: ProblemLog;
  /** The guests' I/O counters of the previous slice (rates are computed against them). */
  readonly prevCounters: ReadonlyMap<string, IoCounters>;

  // Cluster resources: the endpoint that answered, when, and the cluster's objects.
  api: PveApi;
  now: number;
  /** Answered cycles so far, this one included. */
  seq: number;
  nodes: PveResource[];
  guests: PveResource[];
  storage: PveResource[];
  onlineNodes: string[];
  online: Set<string>;

  /** /storage (undefined when not asked for or refused). */
  storageConfig: PveStorageConfig[] | undefined;
  nodeStatus: Map<string, PveNodeStatus>;
  /** Node memory from the RRD for nodes whose status lacks `available` (PVE 8). */
  nodeMemoryRrd: ReadonlyMap<string, { value?: number }>;
  /** Running VMs, built as their details arrived. */
  runningVms: Map<string, { guest: Guest; counters: IoCounters }>;
  lxcNetwork: ReadonlyMap<string, LxcNetworkEntry>;
  zfsPools: Map<string, Map<string, ZfsPool>>;
  cephClusters: CephCluster[];
  physicalDisks: PhysicalDisk[];
  /** The latest finished background backup fetch (undefined: none yet or not monitored). */
  backups: BackupData | undefined;
  /** Where the backup listing stands (undefined: backups not monitored). */
  backupListing: BackupListing | undefined;
}

const NO_ENTRIES: ReadonlyMap<string, never> = new Map<string, never>();

/** A cycle before its first fetcher ran. */
export function newCycle(input: {
  cfg: NodeConfig;
  api: PveApi;
  opt: { signal?: AbortSignal; timeoutMs: number };
  problems: ProblemLog;
  prevCounters: ReadonlyMap<string, IoCounters>;
}): PveCycle {
  const { cfg } = input;
  return {
    instance: cfg.name,
    opt: input.opt,
    want: {
      vms: isMonitored(cfg, 'monitorVMs'),
      containers: isMonitored(cfg, 'monitorContainers'),
      storage: isMonitored(cfg, 'monitorStorage'),
      backups: isMonitored(cfg, 'monitorBackups'),
      physicalDisks: isMonitored(cfg, 'monitorPhysicalDisks'),
    },
    problems: input.problems,
    prevCounters: input.prevCounters,
    api: input.api,
    now: 0,
    seq: 0,
    nodes: [],
    guests: [],
    storage: [],
    onlineNodes: [],
    online: new Set(),
    storageConfig: undefined,
    nodeStatus: new Map(),
    nodeMemoryRrd: NO_ENTRIES,
    runningVms: new Map(),
    lxcNetwork: NO_ENTRIES,
    zfsPools: new Map(),
    cephClusters: [],
    physicalDisks: [],
    backups: undefined,
    backupListing: undefined,
  };
}
