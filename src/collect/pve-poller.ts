/**
 * One PVE instance (a standalone node or a cluster reached through one or more endpoints).
 *
 * A cycle costs one /cluster/resources call (nodes, guests and storage of the whole cluster),
 * one /storage call, one status call per online node and one status/current per running VM;
 * guest-agent calls only for running VMs with the agent enabled (fsinfo each cycle, network and
 * OS every 5 minutes). Slower-changing data (ZFS health, SMART, cluster membership, backups and
 * snapshots) have their own cadences, backups in the background so they never delay a cycle.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type {
  BackupTask,
  CephCluster,
  Guest,
  GuestSnapshot,
  Node,
  PhysicalDisk,
  Storage,
  StorageBackup,
  ZfsPool,
} from '../model/state.js';
import { type ApiCallCounter, ProxmoxClient } from '../proxmox/client.js';
import { ProxmoxError } from '../proxmox/errors.js';
import { type FeatureProblem, featureOfPath, problemMessage } from '../proxmox/privileges.js';
import {
  type PveAgentNetworkInterfaces,
  type PveAgentOsInfo,
  PveApi,
  type PveCephPoolEntry,
  type PveNodeStatus,
  type PveResource,
  type PveStorageConfig,
  type PveVmStatus,
} from '../proxmox/pve.js';
import type { ClusterEndpoint, ClusterInfo, NodeConfig } from '../settings/node-config.js';
import { isMonitored } from '../settings/node-config.js';
import { settleLimit } from './limit.js';
import { normaliseSnapshots, normaliseStorageBackups, normaliseTasks } from './normalise/pve-backups.js';
import { normaliseCeph } from './normalise/pve-ceph.js';
import { normaliseDisks } from './normalise/pve-disks.js';
import {
  type AgentData,
  compactAgentFsInfo,
  compactAgentNetwork,
  compactAgentOs,
  compactVmStatus,
  type DiskStatusReason,
  type IoCounters,
  normaliseGuest,
  parseMemInfo,
} from './normalise/pve-guest.js';
import { failedInstanceNode, normaliseNode, offlineNode, rrdMemAvailable } from './normalise/pve-node.js';
import { isSharedStorage, normaliseStorage, normaliseZfsPool, zfsPoolName } from './normalise/pve-storage.js';
import { applyNvmeTemperatures } from './normalise/sensors.js';
import { num } from './normalise/values.js';
import { findPveProblems } from './pve-permissions.js';
import type { PveSlice } from './slices.js';
import type { TemperatureSource } from './temperature.js';

const FIVE_MIN = 5 * 60_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CEPH_TYPES = new Set(['rbd', 'cephfs', 'ceph']);
const ZFS_TYPES = new Set(['zfspool', 'zfs', 'local-zfs']);

export interface PollerEnv {
  clock: Clock;
  logger: Logger;
  /** Per-request timeout (ms). */
  timeoutMs(): number;
  /** The instance's polling interval (ms): cadences of slower data are multiples of it. */
  intervalMs(): number;
  /** Cluster detection found something new: persist it. */
  onCluster(uid: number, cluster: ClusterInfo): void;
  /** Tally of API calls for the state's performance figures. */
  counter?: ApiCallCounter;
  /** Node temperatures (SSH `sensors -j`, cached and refreshed in the background). */
  temperature?: TemperatureSource;
}

function clientFor(cfg: NodeConfig, baseUrl: string, env: PollerEnv, fingerprint?: string, connections = 8) {
  const timeoutMs = env.timeoutMs();
  const clock = env.clock;
  const counter = env.counter;
  const useToken = Boolean(cfg.tokenName && cfg.tokenValue);
  return new ProxmoxClient({
    product: cfg.type,
    baseUrl,
    verifySSL: cfg.verifySSL,
    fingerprint,
    timeoutMs,
    clock,
    connections,
    counter,
    ...(useToken
      ? { tokenId: cfg.tokenName, tokenSecret: cfg.tokenValue }
      : { username: cfg.user, password: cfg.password }),
  });
}

/** Why a running VM's status/current failed: its disk figure is unknown for that reason. */
function statusReason(err: unknown): DiskStatusReason {
  if (err instanceof ProxmoxError) {
    if (err.kind === 'forbidden') return 'permission-denied';
    if (err.kind === 'timeout') return 'status-timeout';
  }
  return 'status-unavailable';
}

function agentReason(err: unknown): DiskStatusReason {
  if (err instanceof ProxmoxError) {
    if (err.kind === 'timeout') return 'agent-timeout';
    if (err.kind === 'forbidden') return 'permission-denied';
    if (/not running|No QEMU guest agent|guest agent is not/i.test(err.message)) return 'agent-not-running';
    if (err.kind === 'http' && err.status === 500 && /timeout|timed out|got timeout/i.test(err.message))
      return 'agent-timeout';
    if (err.kind === 'http' && err.status === 500) return 'agent-not-running';
  }
  return 'agent-error';
}

interface BackupData {
  tasks: BackupTask[];
  storageBackups: StorageBackup[];
  snapshots: GuestSnapshot[];
}

export class PvePoller {
  readonly cfg: NodeConfig;
  readonly #env: PollerEnv;
  readonly #primary: ProxmoxClient;
  #active: ProxmoxClient;
  readonly #members = new Map<string, ProxmoxClient>();
  readonly #backupClients = new Map<string, ProxmoxClient>();
  #prev: PveSlice | undefined;
  #counters = new Map<string, IoCounters>();
  #lxcNet = new Map<string, { at: number; network?: PveAgentNetworkInterfaces }>();
  #agentSlow = new Map<string, { at: number; network?: PveAgentNetworkInterfaces; osinfo?: PveAgentOsInfo }>();
  /** Guests whose agent cannot read /proc/meminfo (Windows). */
  #noMeminfo = new Set<string>();
  /** When agent/file-read last answered 403 (0: never), and that answer, to keep reporting it. */
  #fileReadDeniedAt = 0;
  #fileReadDenial: ProxmoxError | undefined;
  #rrd = new Map<string, { at: number; value?: number }>();
  #zfs: { at: number; pools: Map<string, Map<string, ZfsPool>> } = { at: 0, pools: new Map() };
  #disks: { at: number; list: PhysicalDisk[] } = { at: 0, list: [] };
  #clusterAt = 0;
  #cluster: ClusterInfo | undefined;
  #cycles = 0;
  #backups: BackupData | undefined;
  #backupRun: Promise<void> | undefined;
  #permAt = 0;
  #permProblems: FeatureProblem[] = [];
  /** Problems (missing privileges) seen in the last cycle, keyed by feature. */
  readonly problems = new Map<string, FeatureProblem>();
  #closed = false;
  readonly #apis = new Map<ProxmoxClient, PveApi>();

  constructor(cfg: NodeConfig, env: PollerEnv) {
    this.cfg = cfg;
    this.#env = env;
    this.#cluster = cfg.cluster;
    this.#primary = clientFor(cfg, cfg.host, env, cfg.fingerprint);
    this.#active = this.#primary;
  }

  get instance(): string {
    return this.cfg.name;
  }

  /** The endpoint currently used (differs from the configured host after a failover). */
  get activeHost(): string {
    return this.#active.baseUrl;
  }

  get cluster(): ClusterInfo | undefined {
    return this.#cluster;
  }

  /** Adds a user-given member endpoint for failover (no restart: caches and counters stay). */
  addEndpoint(host: string, fingerprint?: string): void {
    const base = this.#cluster ?? { isCluster: true, endpoints: [] };
    const extra = (base.extraEndpoints ?? []).filter((e) => e.host !== host);
    extra.push(fingerprint ? { host, fingerprint } : { host });
    this.#cluster = { ...base, extraEndpoints: extra };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      [this.#primary, ...this.#members.values(), ...this.#backupClients.values()].map((c) => c.destroy()),
    );
  }

  /** The PveApi of a client (one per client for the poller's life). */
  #api(client: ProxmoxClient): PveApi {
    let api = this.#apis.get(client);
    if (!api) {
      api = new PveApi(client);
      this.#apis.set(client, api);
    }
    return api;
  }

  /** A catch handler for optional calls: remembers a missing privilege, yields undefined. */
  readonly #miss = (err: unknown): undefined => {
    this.#record(err);
    return undefined;
  };

  #record(err: unknown): void {
    if (!(err instanceof ProxmoxError) || err.kind !== 'forbidden') return;
    const feature = featureOfPath('pve', err.path ?? '');
    const p = { feature, privilege: err.privilege ?? 'unknown privilege', path: err.privilegePath };
    this.problems.set(feature, { ...p, message: problemMessage(p) });
  }

  /** Endpoints to try after the active one fails: the configured host, then cluster members. */
  #fallbacks(): ProxmoxClient[] {
    const out: ProxmoxClient[] = [];
    if (this.#active !== this.#primary) out.push(this.#primary);
    for (const ep of this.#cluster?.extraEndpoints ?? []) {
      if (ep.host === this.#primary.baseUrl) continue;
      let c = this.#members.get(ep.host);
      if (!c) {
        c = clientFor(this.cfg, ep.host, this.#env, ep.fingerprint ?? this.cfg.fingerprint);
        this.#members.set(ep.host, c);
      }
      if (c !== this.#active) out.push(c);
    }
    const port = new URL(this.cfg.host).port || '8006';
    const proto = new URL(this.cfg.host).protocol;
    for (const ep of this.#cluster?.endpoints ?? []) {
      if (!ep.IP) continue;
      const url = `${proto}//${ep.IP.includes(':') ? `[${ep.IP}]` : ep.IP}:${port}`;
      if (url === this.#primary.baseUrl) continue;
      let c = this.#members.get(url);
      if (!c) {
        // A pinned entry point pins members to the fingerprints the cluster reported for them.
        const fp = this.cfg.fingerprint ? ep.Fingerprint : undefined;
        if (this.cfg.fingerprint && !fp) continue;
        c = clientFor(this.cfg, url, this.#env, fp);
        this.#members.set(url, c);
      }
      if (c !== this.#active) out.push(c);
    }
    return out;
  }

  /** The pinned fingerprint of a cluster member reached by IP (undefined when not pinned). */
  #memberFingerprint(url: string): string | undefined {
    if (!this.cfg.fingerprint) return undefined;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return this.#cluster?.endpoints.find((e) => e.IP === host)?.Fingerprint;
  }

  /** The first call of a cycle: on a network failure, fail over to another cluster member. */
  async #resources(signal?: AbortSignal): Promise<PveResource[]> {
    const timeoutMs = this.#env.timeoutMs();
    try {
      return await this.#api(this.#active).resources({ signal, timeoutMs });
    } catch (err) {
      if (!(err instanceof ProxmoxError) || !err.isNetwork) throw err;
      for (const c of this.#fallbacks()) {
        try {
          const res = await this.#api(c).resources({ signal, timeoutMs });
          this.#env.logger.warn(
            { instance: this.instance, from: this.#active.baseUrl, to: c.baseUrl },
            'PVE endpoint failover',
          );
          this.#active = c;
          return res;
        } catch {
          // try the next member
        }
      }
      throw err;
    }
  }

  async #detectCluster(api: PveApi, signal?: AbortSignal): Promise<void> {
    const timeoutMs = this.#env.timeoutMs();
    const status = await api.clusterStatus({ signal, timeoutMs });
    const clusterEntry = status.find((e) => e.type === 'cluster');
    const nodeEntries = status.filter((e) => e.type === 'node');
    let fps = new Map<string, string>();
    try {
      const nodes = await api.nodes({ signal, timeoutMs });
      fps = new Map(nodes.filter((n) => n.ssl_fingerprint).map((n) => [n.node, n.ssl_fingerprint!]));
    } catch {
      // fingerprints only matter for pinned failover
    }
    const now = new Date(this.#env.clock.now()).toISOString();
    const endpoints: ClusterEndpoint[] = clusterEntry
      ? nodeEntries
          .map((n) => {
            const e: ClusterEndpoint = {
              NodeID: String(n.nodeid ?? n.id),
              NodeName: n.name,
              Host: n.ip ? `https://${n.ip}:${new URL(this.cfg.host).port || '8006'}` : '',
              IP: n.ip ?? '',
              Online: n.online === true || n.online === 1,
              LastSeen: now,
            };
            const fp = fps.get(n.name);
            if (fp) e.Fingerprint = fp;
            return e;
          })
          .sort((a, b) => a.NodeName.localeCompare(b.NodeName))
      : [];
    const next: ClusterInfo = { isCluster: Boolean(clusterEntry), endpoints };
    if (clusterEntry) {
      next.clusterName = clusterEntry.name;
      next.nodeNames = nodeEntries.map((n) => n.name).sort();
    }
    if (this.#cluster?.extraEndpoints?.length) next.extraEndpoints = this.#cluster.extraEndpoints;
    const changed =
      JSON.stringify({ ...this.#cluster, endpoints: this.#cluster?.endpoints.map((e) => ({ ...e, LastSeen: '' })) }) !==
      JSON.stringify({ ...next, endpoints: next.endpoints.map((e) => ({ ...e, LastSeen: '' })) });
    this.#cluster = next;
    if (changed) this.#env.onCluster(this.cfg.uid, next);
  }

  /**
   * One running VM's status and, when its agent is enabled, the agent's filesystems, the guest's
   * own /proc/meminfo and (every 5 minutes) its network interfaces and OS. A failed status leaves
   * the guest to the /cluster/resources figures; agent failures become `fsError`.
   */
  async #runningVm(
    api: PveApi,
    g: PveResource,
    now: number,
    opt: { signal?: AbortSignal; timeoutMs: number },
  ): Promise<{ vmStatus?: PveVmStatus; agent?: AgentData; statusError?: DiskStatusReason }> {
    const node = String(g.node);
    const vmid = Number(g.vmid);
    let vmStatus: PveVmStatus;
    try {
      vmStatus = compactVmStatus(await api.vmStatus(node, vmid, opt));
    } catch (err) {
      this.#record(err);
      return { statusError: statusReason(err) };
    }
    if (!(vmStatus.agent === 1 || vmStatus.agent === true) || vmStatus.status !== 'running') return { vmStatus };
    const agentOpt = { signal: opt.signal, timeoutMs: Math.min(opt.timeoutMs, 5000) };
    const agent: AgentData = {};
    try {
      agent.fsinfo = compactAgentFsInfo(await api.agentFsInfo(node, vmid, agentOpt));
    } catch (err) {
      agent.fsError = agentReason(err);
      if (agent.fsError === 'permission-denied') this.#record(err);
    }
    // The guest's own available memory (page cache is free memory to the guest). A 403 means the
    // token lacks the file-read privilege for every VM alike: ask again only after an hour.
    if (!agent.fsError && !this.#noMeminfo.has(g.id) && now - this.#fileReadDeniedAt >= HOUR) {
      try {
        const mi = parseMemInfo((await api.agentFileRead(node, vmid, '/proc/meminfo', agentOpt)).content);
        if (mi) vmStatus.meminfo = mi;
        else this.#noMeminfo.add(g.id);
      } catch (err) {
        if (err instanceof ProxmoxError && err.kind === 'forbidden') {
          this.#fileReadDeniedAt = now;
          this.#fileReadDenial = err;
        }
        // Windows guests have no /proc/meminfo: stop asking.
        else if (err instanceof ProxmoxError && /No such file|open file/i.test(err.message)) this.#noMeminfo.add(g.id);
      }
    }
    const cached = this.#agentSlow.get(g.id);
    if (!agent.fsError && (!cached || now - cached.at >= FIVE_MIN)) {
      const [network, osinfo] = await Promise.all([
        api.agentNetwork(node, vmid, agentOpt).catch(() => undefined),
        api.agentOsInfo(node, vmid, agentOpt).catch(() => undefined),
      ]);
      this.#agentSlow.set(g.id, { at: now, network: compactAgentNetwork(network), osinfo: compactAgentOs(osinfo) });
    }
    const slow = this.#agentSlow.get(g.id);
    agent.network = slow?.network;
    agent.osinfo = slow?.osinfo;
    return { vmStatus, agent };
  }

  /** The pool list from the first online node that answers (a node without Ceph packages answers 500). */
  async #cephPools(
    api: PveApi,
    onlineNodes: string[],
    opt: { signal?: AbortSignal; timeoutMs: number },
  ): Promise<PveCephPoolEntry[] | undefined> {
    for (const n of onlineNodes.slice(0, 3)) {
      try {
        return await api.cephPools(n, opt);
      } catch (err) {
        this.#record(err);
        if (err instanceof ProxmoxError && (err.kind === 'forbidden' || err.isNetwork)) return undefined;
      }
    }
    return undefined;
  }

  /** A cycle. Throws when the instance cannot be reached at all. */
  async poll(signal?: AbortSignal): Promise<PveSlice> {
    const env = this.#env;
    const timeoutMs = env.timeoutMs();
    const opt = { signal, timeoutMs };
    this.problems.clear();
    const resources = await this.#resources(signal);
    const api = this.#api(this.#active);
    const now = env.clock.now();
    this.#cycles++;

    if (now - this.#clusterAt >= FIVE_MIN) {
      this.#clusterAt = now;
      await this.#detectCluster(api, signal).catch((err) => this.#record(err));
    }
    if (now - this.#permAt >= FIVE_MIN) {
      this.#permAt = now;
      const firstOnline = resources.find((r) => r.type === 'node' && r.status === 'online')?.node;
      this.#permProblems = await findPveProblems(api, firstOnline, opt).catch(() => []);
    }
    for (const p of this.#permProblems) if (!this.problems.has(p.feature)) this.problems.set(p.feature, p);
    if (this.#fileReadDenial && now - this.#fileReadDeniedAt < HOUR) this.#record(this.#fileReadDenial);

    const nodeRes: PveResource[] = [];
    const guestRes: PveResource[] = [];
    const storageRes: PveResource[] = [];
    for (const r of resources) {
      if (r.type === 'node') nodeRes.push(r);
      else if (r.type === 'qemu' || r.type === 'lxc') guestRes.push(r);
      else if (r.type === 'storage') storageRes.push(r);
    }
    // Keep the members' Online/LastSeen current between the 5-minute membership checks.
    if (this.#cluster?.isCluster && this.#cluster.endpoints.length) {
      const byName = new Map(nodeRes.map((n) => [String(n.node), n.status === 'online']));
      const seenAt = new Date(now).toISOString();
      this.#cluster = {
        ...this.#cluster,
        endpoints: this.#cluster.endpoints.map((e) => {
          const online = byName.get(e.NodeName) ?? false;
          return { ...e, Online: online, LastSeen: online ? seenAt : e.LastSeen };
        }),
      };
    }
    const onlineNodes = nodeRes.filter((n) => n.status === 'online').map((n) => String(n.node));
    const online = new Set(onlineNodes);
    const wantVMs = isMonitored(this.cfg, 'monitorVMs');
    const wantCTs = isMonitored(this.cfg, 'monitorContainers');
    const wantStorage = isMonitored(this.cfg, 'monitorStorage');
    const runningVMs = wantVMs
      ? guestRes.filter(
          (g) => g.type === 'qemu' && g.status === 'running' && !num(g.template) && g.node && online.has(g.node),
        )
      : [];

    // Independent calls of this cycle run side by side. Each running VM is one chain — its status,
    // then its guest agent, then its Guest — so its answers are dropped once its guest is built
    // instead of all being held until the end of the cycle.
    const prevCounters = this.#counters;
    const runningBuilt = new Map<string, { guest: Guest; counters: IoCounters }>();
    const [storageConfig, nodeStatuses] = await Promise.all([
      wantStorage || this.#wantsBackups() ? api.storageConfig(opt).catch(this.#miss) : undefined,
      settleLimit(onlineNodes, 8, (n) => api.nodeStatus(n, opt)),
      settleLimit(runningVMs, 16, async (g) => {
        const { vmStatus, agent, statusError } = await this.#runningVm(api, g, now, opt);
        runningBuilt.set(
          g.id,
          normaliseGuest({
            instance: this.instance,
            resource: g,
            vmStatus,
            statusError,
            agent,
            prevCounters: prevCounters.get(g.id),
            now,
          }),
        );
      }),
    ]);

    const statusByNode = new Map<string, PveNodeStatus>();
    onlineNodes.forEach((n, i) => {
      const r = nodeStatuses[i];
      if (r.error) this.#record(r.error);
      else if (r.value) statusByNode.set(n, r.value);
    });

    // PVE 8 has no `available` in node status: fall back to the RRD, at most once a minute.
    await settleLimit(
      onlineNodes.filter((n) => {
        const m = statusByNode.get(n)?.memory;
        return m && m.available === undefined && m.avail === undefined && m.buffers === undefined;
      }),
      4,
      async (n) => {
        const c = this.#rrd.get(n);
        if (c && now - c.at < MINUTE) return;
        const rows = await api.nodeMemoryRrd(n, { signal, timeoutMs: Math.min(timeoutMs, 2000) }).catch(() => []);
        this.#rrd.set(n, { at: now, value: rrdMemAvailable(rows) });
      },
    );

    // Container addresses, every 5 minutes per running container.
    if (wantCTs) {
      const due = guestRes.filter((g) => {
        if (g.type !== 'lxc' || g.status !== 'running' || !g.node || !online.has(g.node)) return false;
        const c = this.#lxcNet.get(g.id);
        return !c || now - c.at >= FIVE_MIN;
      });
      await settleLimit(due, 8, async (g) => {
        const list = await api.lxcInterfaces(String(g.node), Number(g.vmid), opt).catch(this.#miss);
        this.#lxcNet.set(g.id, { at: now, network: list ? compactAgentNetwork(list) : undefined });
      });
    }

    // ZFS pool health, once a minute, on nodes that have ZFS storage.
    const zfsNodes = new Map<string, Set<string>>();
    const cfgByName = new Map<string, PveStorageConfig>((storageConfig ?? []).map((c) => [c.storage, c]));
    for (const s of storageRes) {
      const type = cfgByName.get(String(s.storage))?.type ?? s.plugintype ?? '';
      if (!ZFS_TYPES.has(type) || !s.node || !online.has(s.node)) continue;
      const set = zfsNodes.get(s.node) ?? new Set<string>();
      set.add(zfsPoolName(cfgByName.get(String(s.storage)), String(s.storage)));
      zfsNodes.set(s.node, set);
    }
    if (wantStorage && zfsNodes.size && now - this.#zfs.at >= Math.max(MINUTE, env.intervalMs())) {
      this.#zfs.at = now;
      const pools = new Map<string, Map<string, ZfsPool>>();
      await settleLimit([...zfsNodes], 4, async ([node, names]) => {
        const m = new Map<string, ZfsPool>();
        try {
          const list = await api.zfsPools(node, opt);
          for (const p of list) {
            if (!names.has(p.name)) continue;
            try {
              m.set(p.name, normaliseZfsPool(await api.zfsPool(node, p.name, opt), p.health));
            } catch (err) {
              this.#record(err);
            }
          }
        } catch (err) {
          this.#record(err);
        }
        pools.set(node, m);
      });
      this.#zfs.pools = pools;
    }

    // Ceph, when Ceph-backed storage exists.
    const hasCeph =
      (storageConfig ?? []).some((c) => CEPH_TYPES.has(String(c.type))) ||
      storageRes.some((s) => CEPH_TYPES.has(String(s.plugintype)));
    let cephClusters: CephCluster[] = this.#prev?.cephClusters ?? [];
    if (hasCeph && wantStorage) {
      try {
        const cephOpt = { signal, timeoutMs: Math.min(timeoutMs, 15000) };
        // PVE has no cluster-wide pool list: any online node answers for the whole Ceph cluster.
        const [status, pools] = await Promise.all([
          api.cephStatus(cephOpt),
          this.#cephPools(api, onlineNodes, cephOpt),
        ]);
        cephClusters = [normaliseCeph({ instance: this.instance, status, pools, now })];
      } catch (err) {
        this.#record(err);
      }
    } else cephClusters = [];

    // SMART, every 5 minutes.
    if (isMonitored(this.cfg, 'monitorPhysicalDisks') && now - this.#disks.at >= FIVE_MIN) {
      this.#disks.at = now;
      const lists = await settleLimit(onlineNodes, 4, (n) => api.disks(n, opt));
      const all: PhysicalDisk[] = [];
      onlineNodes.forEach((n, i) => {
        const r = lists[i];
        if (r.error) {
          this.#record(r.error);
          for (const d of this.#disks.list) if (d.node === n) all.push(d);
        } else if (r.value) all.push(...normaliseDisks(this.instance, n, r.value, now));
      });
      this.#disks.list = all;
    }

    // Build the slice.
    const clusterName = this.#cluster?.isCluster ? this.#cluster.clusterName : undefined;
    const someEndpointDown =
      this.#active !== this.#primary || (this.#cluster?.isCluster && nodeRes.some((n) => n.status !== 'online'));
    const prevNodes = new Map((this.#prev?.nodes ?? []).map((n) => [n.name, n]));
    const nodes: Node[] = nodeRes
      .map((r) =>
        normaliseNode({
          instance: this.instance,
          host: this.cfg.host,
          resource: r,
          status: statusByNode.get(String(r.node)),
          rrdMemAvailable: this.#rrd.get(String(r.node))?.value,
          clusterName,
          health: someEndpointDown ? 'degraded' : 'healthy',
          now,
          prev: prevNodes.get(String(r.node)),
        }),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    const nvmeTemps = this.#temperatures(nodes, online);

    const backups = this.#backupsFor(api, guestRes, storageRes, storageConfig, onlineNodes, signal);
    const lastBackup = new Map<string, number>();
    for (const b of backups?.storageBackups ?? []) {
      if (!b.vmid) continue;
      const k = String(b.vmid);
      if ((lastBackup.get(k) ?? 0) < b.ctime) lastBackup.set(k, b.ctime);
    }

    const vms: Guest[] = [];
    const containers: Guest[] = [];
    const nextCounters = new Map<string, IoCounters>();
    for (const r of guestRes) {
      if (num(r.template) || r.template === true) continue;
      if (r.type === 'qemu' ? !wantVMs : !wantCTs) continue;
      // Everything but running VMs (built above): the container's addresses are its only extra.
      const ctNet = r.type === 'lxc' && r.status === 'running' ? this.#lxcNet.get(r.id)?.network : undefined;
      const { guest, counters } =
        runningBuilt.get(r.id) ??
        normaliseGuest({
          instance: this.instance,
          resource: r,
          agent: ctNet ? { network: ctNet } : undefined,
          prevCounters: prevCounters.get(r.id),
          now,
        });
      const lb = lastBackup.get(String(guest.vmid));
      if (lb) guest.lastBackup = lb * 1000;
      nextCounters.set(r.id, counters);
      (guest.type === 'qemu' ? vms : containers).push(guest);
    }
    this.#counters = nextCounters;
    for (const k of this.#agentSlow.keys()) if (!nextCounters.has(k)) this.#agentSlow.delete(k);
    for (const k of this.#lxcNet.keys()) if (!nextCounters.has(k)) this.#lxcNet.delete(k);

    const prevStorage = new Map((this.#prev?.storage ?? []).map((s) => [s.id, s]));
    const storage: Storage[] = wantStorage
      ? normaliseStorage({
          instance: this.instance,
          resources: storageRes,
          config: storageConfig,
          zfs: this.#zfs.pools,
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
      cephClusters,
      physicalDisks: applyNvmeTemperatures(this.#disks.list, nvmeTemps),
      backupTasks: backups?.tasks ?? [],
      storageBackups: backups?.storageBackups ?? [],
      guestSnapshots: backups?.snapshots ?? [],
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
    const isCluster = Boolean(this.#cluster?.isCluster);
    const configured = new URL(this.cfg.host).hostname.replace(/^\[|\]$/g, '');
    for (const n of nodes) {
      if (!online.has(n.name)) continue;
      const ip = this.#cluster?.endpoints.find((e) => e.NodeName === n.name)?.IP;
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

  #wantsBackups(): boolean {
    return isMonitored(this.cfg, 'monitorBackups');
  }

  /**
   * Backups and snapshots: first two cycles, then every 10th, fetched in the background (with
   * its own budget) so a cycle never waits for them. Returns the latest finished result.
   */
  #backupsFor(
    api: PveApi,
    guests: PveResource[],
    storageRes: PveResource[],
    storageConfig: PveStorageConfig[] | undefined,
    onlineNodes: string[],
    signal?: AbortSignal,
  ): BackupData | undefined {
    if (!this.#wantsBackups()) return undefined;
    const due = this.#cycles <= 2 || this.#cycles % 10 === 0;
    if (due && !this.#backupRun && !this.#closed) {
      // Its own budget: the cycle's signal ends with the cycle, this fetch outlives it.
      void signal;
      const budget = AbortSignal.timeout(Math.max(120_000, this.#env.intervalMs() * 10));
      // Its own sockets and a low concurrency: a big listing never starves the live cycle.
      const url = api.client.baseUrl;
      let bc = this.#backupClients.get(url);
      if (!bc) {
        const ep = this.#cluster?.extraEndpoints?.find((e) => e.host === url);
        const fp =
          url === this.#primary.baseUrl ? this.cfg.fingerprint : (ep?.fingerprint ?? this.#memberFingerprint(url));
        bc = clientFor(this.cfg, url, this.#env, fp, 2);
        this.#backupClients.set(url, bc);
      }
      this.#backupRun = this.#fetchBackups(this.#api(bc), guests, storageRes, storageConfig, onlineNodes, budget)
        .then((data) => {
          this.#backups = data;
        })
        .catch((err) => this.#env.logger.debug({ err, instance: this.instance }, 'backup poll failed'))
        .finally(() => {
          this.#backupRun = undefined;
        });
    }
    return this.#backups;
  }

  /** Waits for a running background backup fetch (tests, shutdown). */
  async settleBackups(): Promise<void> {
    await this.#backupRun;
  }

  async #fetchBackups(
    api: PveApi,
    guests: PveResource[],
    storageRes: PveResource[],
    storageConfig: PveStorageConfig[] | undefined,
    onlineNodes: string[],
    signal: AbortSignal,
  ): Promise<BackupData> {
    const opt = { signal, timeoutMs: Math.min(this.#env.timeoutMs(), 30_000) };
    const online = new Set(onlineNodes);
    const taskLists = await settleLimit(onlineNodes, 2, (n) => api.tasks(n, opt));
    const tasks: BackupTask[] = [];
    taskLists.forEach((r) => {
      if (r.error) this.#record(r.error);
      else if (r.value) tasks.push(...normaliseTasks(this.instance, r.value));
    });
    tasks.sort((a, b) => b.startTime - a.startTime);

    const cfgByName = new Map((storageConfig ?? []).map((c) => [c.storage, c]));
    const targets: Array<{ node: string; storage: string; storageType: string }> = [];
    const sharedDone = new Set<string>();
    for (const s of storageRes) {
      const name = String(s.storage);
      const node = String(s.node);
      const cfg = cfgByName.get(name);
      const content = cfg?.content ?? s.content ?? '';
      if (!content.split(',').includes('backup') || !online.has(node) || s.status !== 'available') continue;
      const shared = isSharedStorage(cfg, s, String(cfg?.type ?? s.plugintype ?? ''));
      if (shared) {
        if (sharedDone.has(name)) continue;
        sharedDone.add(name);
      }
      targets.push({ node, storage: name, storageType: String(cfg?.type ?? s.plugintype ?? '') });
    }
    const contents = await settleLimit(targets, 2, (t) => api.storageContent(t.node, t.storage, opt));
    const items = targets
      .map((t, i) => {
        const r = contents[i];
        if (r.error) this.#record(r.error);
        return { ...t, content: r.value ?? [] };
      })
      .filter((x) => x.content.length > 0);
    const storageBackups = normaliseStorageBackups(this.instance, items);

    const snapTargets = guests.filter((g) => !num(g.template) && g.template !== true && g.node && online.has(g.node));
    const snapLists = await settleLimit(snapTargets, 2, (g) =>
      api.snapshots(String(g.node), g.type === 'lxc' ? 'lxc' : 'qemu', Number(g.vmid), opt),
    );
    const snapshots: GuestSnapshot[] = [];
    snapTargets.forEach((g, i) => {
      const r = snapLists[i];
      if (r.error) this.#record(r.error);
      else if (r.value)
        snapshots.push(
          ...normaliseSnapshots(
            this.instance,
            String(g.node),
            g.type === 'lxc' ? 'lxc' : 'qemu',
            Number(g.vmid),
            r.value,
          ),
        );
    });
    return { tasks, storageBackups, snapshots };
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
    };
  }
}
