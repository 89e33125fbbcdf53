/**
 * One PVE instance (a standalone node or a cluster reached through one or more endpoints).
 *
 * A cycle is a list of fetchers (src/collect/pve/), one per concern, each with its own cadence
 * and cache: cluster resources first (it fails the cycle when no endpoint answers), cluster
 * membership and permissions (5 min), then storage configuration, node status and running VMs'
 * details (with their guest agent) side by side, node memory from the RRD (PVE 8, 1 min),
 * container interfaces (5 min), ZFS (1 min), Ceph, SMART disks (5 min) and backups (in the
 * background, so they never delay a cycle). The poller then builds the instance's slice.
 */

import type { Guest, Node, Storage } from '../model/state.js';
import type { FeatureProblem } from '../proxmox/privileges.js';
import type { ClusterInfo, NodeConfig } from '../settings/node-config.js';
import { lastBackupMs, ownBackupTimes, type PbsBackupTimes } from './normalise/guest-last-backup.js';
import type { IoCounters } from './normalise/pve-guest.js';
import { normaliseGuest } from './normalise/pve-guest.js';
import { failedInstanceNode, normaliseNode, offlineNode } from './normalise/pve-node.js';
import { normaliseStorage } from './normalise/pve-storage.js';
import { applyNvmeTemperatures } from './normalise/sensors.js';
import { num } from './normalise/values.js';
import type { PollerEnv } from './poller-env.js';
import { BackupsFetcher } from './pve/backups.js';
import { CephFetcher } from './pve/ceph.js';
import { ClusterMembershipFetcher } from './pve/cluster-membership.js';
import { ClusterResourcesFetcher } from './pve/cluster-resources.js';
import { PveEndpoints } from './pve/endpoints.js';
import { newCycle, ProblemLog, type PveCycle, type PveFetcher } from './pve/fetcher.js';
import { GuestAgentFetcher } from './pve/guest-agent.js';
import { GuestDetailsFetcher } from './pve/guest-details.js';
import { LxcInterfacesFetcher } from './pve/lxc-interfaces.js';
import { NodeMemoryFetcher } from './pve/node-memory.js';
import { NodeStatusFetcher } from './pve/node-status.js';
import { PermissionsFetcher } from './pve/permissions.js';
import { SmartDisksFetcher } from './pve/smart-disks.js';
import { StorageConfigFetcher } from './pve/storage-config.js';
import { ZfsFetcher } from './pve/zfs.js';
import type { PermissionCheck } from './pve-permissions.js';
import type { PveSlice } from './slices.js';

export type { PollerEnv } from './poller-env.js';

export class PvePoller {
  readonly cfg: NodeConfig;
  readonly #env: PollerEnv;
  readonly #endpoints: PveEndpoints;
  readonly #membership: ClusterMembershipFetcher;
  readonly #backups: BackupsFetcher;
  readonly #permissions = new PermissionsFetcher();
  /**
   * The fetchers of a cycle, in order: the fetchers of one step run side by side, the steps one
   * after another (a step reads what the steps before it filled in).
   */
  readonly #steps: PveFetcher[][];
  readonly #problemLog = new ProblemLog();
  /** Problems (missing privileges) seen in the last cycle, keyed by feature. */
  readonly problems: Map<string, FeatureProblem> = this.#problemLog.byFeature;
  #prev: PveSlice | undefined;
  #counters = new Map<string, IoCounters>();
  /** The newest PBS backup per guest as the composed state last placed them (SliceStore). */
  readonly #pbsBackupTimes: () => PbsBackupTimes | undefined;

  constructor(cfg: NodeConfig, env: PollerEnv, pbsBackupTimes: () => PbsBackupTimes | undefined = () => undefined) {
    this.cfg = cfg;
    this.#env = env;
    this.#pbsBackupTimes = pbsBackupTimes;
    this.#membership = new ClusterMembershipFetcher(cfg.host, cfg.cluster, env.clock, (c) => env.onCluster(cfg.uid, c));
    this.#endpoints = new PveEndpoints(cfg, env, () => this.#membership.cluster);
    this.#backups = new BackupsFetcher(this.#endpoints, env);
    this.#steps = [
      [new ClusterResourcesFetcher(this.#endpoints, env.clock, env.logger)],
      [this.#membership],
      [this.#permissions],
      [new StorageConfigFetcher(), new NodeStatusFetcher(), new GuestDetailsFetcher(new GuestAgentFetcher())],
      [new NodeMemoryFetcher()],
      [new LxcInterfacesFetcher()],
      [new ZfsFetcher(() => env.intervalMs())],
      [new CephFetcher()],
      [new SmartDisksFetcher()],
      [this.#backups],
    ];
  }

  get instance(): string {
    return this.cfg.name;
  }

  /** The endpoint currently used (differs from the configured host after a failover). */
  get activeHost(): string {
    return this.#endpoints.active.baseUrl;
  }

  /** The latest permission check: every feature with whether the credentials serve it. */
  get permissionCheck(): PermissionCheck | undefined {
    return this.#permissions.last;
  }

  get cluster(): ClusterInfo | undefined {
    return this.#membership.cluster;
  }

  /** Adds a user-given member endpoint for failover (no restart: caches and counters stay). */
  addEndpoint(host: string, fingerprint?: string): void {
    this.#membership.addEndpoint(host, fingerprint);
  }

  async close(): Promise<void> {
    await this.#endpoints.close();
  }

  /** Waits for a running background backup fetch (tests, shutdown). */
  async settleBackups(): Promise<void> {
    await this.#backups.settle();
  }

  /** A cycle. Throws when the instance cannot be reached at all. */
  async poll(signal?: AbortSignal): Promise<PveSlice> {
    this.problems.clear();
    const cycle = newCycle({
      cfg: this.cfg,
      api: this.#endpoints.api(this.#endpoints.active),
      opt: { signal, timeoutMs: this.#env.timeoutMs() },
      problems: this.#problemLog,
      prevCounters: this.#counters,
    });
    for (const step of this.#steps) {
      if (step.length === 1) await step[0].fetch(cycle);
      else await Promise.all(step.map((f) => f.fetch(cycle)));
    }
    return this.#slice(cycle);
  }

  /** The instance's slice from a filled cycle. */
  #slice(cycle: PveCycle): PveSlice {
    const { now, online, want } = cycle;
    const nodeRes = cycle.nodes;
    const cluster = this.#membership.cluster;
    const clusterName = cluster?.isCluster ? cluster.clusterName : undefined;
    const someEndpointDown =
      this.#endpoints.active !== this.#endpoints.primary ||
      (cluster?.isCluster && nodeRes.some((n) => n.status !== 'online'));
    const prevNodes = new Map((this.#prev?.nodes ?? []).map((n) => [n.name, n]));
    const nodes: Node[] = nodeRes
      .map((r) =>
        normaliseNode({
          instance: this.instance,
          host: this.cfg.host,
          resource: r,
          status: cycle.nodeStatus.get(String(r.node)),
          rrdMemAvailable: cycle.nodeMemoryRrd.get(String(r.node))?.value,
          clusterName,
          health: someEndpointDown ? 'degraded' : 'healthy',
          now,
          prev: prevNodes.get(String(r.node)),
        }),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    const nvmeTemps = this.#temperatures(nodes, online);

    const backups = cycle.backups;
    const ownBackups = ownBackupTimes(backups?.storageBackups ?? []);
    // Guests carry their PBS time from the start, so the composed state need not copy them for it.
    const pbsBackupTimes = this.#pbsBackupTimes();

    const vms: Guest[] = [];
    const containers: Guest[] = [];
    const prevCounters = cycle.prevCounters;
    const nextCounters = new Map<string, IoCounters>();
    for (const r of cycle.guests) {
      if (num(r.template) || r.template === true) continue;
      if (r.type === 'qemu' ? !want.vms : !want.containers) continue;
      // Everything but running VMs (built by their details chain): a container's addresses are its only extra.
      const ctNet = r.type === 'lxc' && r.status === 'running' ? cycle.lxcNetwork.get(r.id)?.network : undefined;
      const { guest, counters } =
        cycle.runningVms.get(r.id) ??
        normaliseGuest({
          instance: this.instance,
          resource: r,
          agent: ctNet ? { network: ctNet } : undefined,
          prevCounters: prevCounters.get(r.id),
          now,
        });
      const lb = lastBackupMs(guest, ownBackups, pbsBackupTimes);
      if (lb !== undefined) guest.lastBackup = lb;
      nextCounters.set(r.id, counters);
      (guest.type === 'qemu' ? vms : containers).push(guest);
    }
    this.#counters = nextCounters;
    for (const step of this.#steps) for (const f of step) f.prune?.(nextCounters);

    const prevStorage = new Map((this.#prev?.storage ?? []).map((s) => [s.id, s]));
    const storage: Storage[] = want.storage
      ? normaliseStorage({
          instance: this.instance,
          resources: cycle.storage,
          config: cycle.storageConfig,
          zfs: cycle.zfsPools,
          prev: prevStorage,
        })
      : [];

    const sortedNames = nodeRes.map((n) => String(n.node)).sort();
    const slice: PveSlice = {
      kind: 'pve',
      instance: this.instance,
      clusterKey: clusterName ? `${clusterName}|${sortedNames.join(',')}` : undefined,
      healthy: true,
      nodes,
      vms,
      containers,
      storage,
      cephClusters: cycle.cephClusters,
      physicalDisks: applyNvmeTemperatures(cycle.physicalDisks, nvmeTemps),
      backupTasks: backups?.tasks ?? [],
      storageBackups: backups?.storageBackups ?? [],
      guestSnapshots: backups?.snapshots ?? [],
      backupListing: cycle.backupListing,
      pbsBackupTimes,
    };
    this.#prev = slice;
    return slice;
  }

  /**
   * Puts the latest temperature on each online node (only when readable, as the contract wants)
   * and returns the NVMe readings per node for the physical disks. Reads a cache: never waits.
   * SSH goes to the member's cluster IP, or the configured host for a standalone node.
   */
  #temperatures(nodes: Node[], online: Set<string>): Map<string, number[]> {
    const nvme = new Map<string, number[]>();
    const source = this.#env.temperature;
    if (!source) return nvme;
    const cluster = this.#membership.cluster;
    const isCluster = Boolean(cluster?.isCluster);
    const configured = new URL(this.cfg.host).hostname.replace(/^\[|\]$/g, '');
    for (const n of nodes) {
      if (!online.has(n.name)) continue;
      const ip = cluster?.endpoints.find((e) => e.NodeName === n.name)?.IP;
      const t = source.read({
        instance: this.instance,
        node: n.name,
        address: ip || (isCluster ? undefined : configured),
      });
      if (!t?.available) continue;
      n.temperature = t;
      if (t.nvme?.length)
        nvme.set(
          n.name,
          t.nvme.map((d) => d.temp),
        );
    }
    return nvme;
  }

  /** The slice to publish while the instance cannot be reached: last values, nodes offline. */
  offlineSlice(authFailures: number, now: number): PveSlice {
    if (authFailures >= 5) {
      return {
        kind: 'pve',
        instance: this.instance,
        healthy: false,
        nodes: [failedInstanceNode(this.instance, this.cfg.host, now)],
        vms: [],
        containers: [],
        storage: [],
        cephClusters: [],
        physicalDisks: [],
        backupTasks: [],
        storageBackups: [],
        guestSnapshots: [],
      };
    }
    const prev = this.#prev;
    this.#counters.clear();
    return {
      kind: 'pve',
      instance: this.instance,
      clusterKey: prev?.clusterKey,
      healthy: false,
      nodes: (prev?.nodes ?? []).map(offlineNode),
      vms: prev?.vms ?? [],
      containers: prev?.containers ?? [],
      storage: prev?.storage ?? [],
      cephClusters: prev?.cephClusters ?? [],
      physicalDisks: prev?.physicalDisks ?? [],
      backupTasks: prev?.backupTasks ?? [],
      storageBackups: prev?.storageBackups ?? [],
      guestSnapshots: prev?.guestSnapshots ?? [],
      backupListing: prev?.backupListing,
      pbsBackupTimes: prev?.pbsBackupTimes,
    };
  }
}
