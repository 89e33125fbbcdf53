/**
 * Cluster membership: every 5 minutes /cluster/status (is this a cluster, its name, the members
 * and their IPs) and /nodes (their certificate fingerprints, for pinned failover); a change is
 * handed to `onCluster` to be persisted. Between checks each cycle refreshes the members'
 * Online/LastSeen from cluster resources. Its cache is the ClusterInfo itself.
 */
import type { Clock } from '../../clock.js';
import type { PveApi } from '../../proxmox/pve.js';
import type { ClusterEndpoint, ClusterInfo } from '../../settings/node-config.js';
import { Cadence, FIVE_MIN, type PveCycle, type PveFetcher } from './fetcher.js';

export class ClusterMembershipFetcher implements PveFetcher {
  readonly name = 'cluster membership';
  readonly #host: string;
  readonly #clock: Clock;
  readonly #onChange: (cluster: ClusterInfo) => void;
  readonly #cadence = new Cadence(() => FIVE_MIN);
  #cluster: ClusterInfo | undefined;

  /** `known` is the membership stored with the node's configuration. */
  constructor(host: string, known: ClusterInfo | undefined, clock: Clock, onChange: (cluster: ClusterInfo) => void) {
    this.#host = host;
    this.#clock = clock;
    this.#cluster = known;
    this.#onChange = onChange;
  }

  get cluster(): ClusterInfo | undefined {
    return this.#cluster;
  }

  /** Adds a user-given member endpoint for failover. */
  addEndpoint(host: string, fingerprint?: string): void {
    const base = this.#cluster ?? { isCluster: true, endpoints: [] };
    const extra = (base.extraEndpoints ?? []).filter((e) => e.host !== host);
    extra.push(fingerprint ? { host, fingerprint } : { host });
    this.#cluster = { ...base, extraEndpoints: extra };
  }

  async fetch(cycle: PveCycle): Promise<void> {
    const now = cycle.now;
    if (this.#cadence.due(now)) {
      this.#cadence.ran(now);
      await this.#detect(cycle.api, cycle.opt.signal, cycle.opt.timeoutMs).catch(cycle.problems.miss);
    }
    // Keep the members' Online/LastSeen current between the 5-minute membership checks.
    const cluster = this.#cluster;
    if (cluster?.isCluster && cluster.endpoints.length) {
      const byName = new Map(cycle.nodes.map((n) => [String(n.node), n.status === 'online']));
      const seenAt = new Date(now).toISOString();
      this.#cluster = {
        ...cluster,
        endpoints: cluster.endpoints.map((e) => {
          const online = byName.get(e.NodeName) ?? false;
          return { ...e, Online: online, LastSeen: online ? seenAt : e.LastSeen };
        }),
      };
    }
  }

  async #detect(api: PveApi, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
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
    const seen = new Date(this.#clock.now()).toISOString();
    const endpoints: ClusterEndpoint[] = clusterEntry
      ? nodeEntries
          .map((n) => {
            const e: ClusterEndpoint = {
              NodeID: String(n.nodeid ?? n.id),
              NodeName: n.name,
              Host: n.ip ? `https://${n.ip}:${new URL(this.#host).port || '8006'}` : '',
              IP: n.ip ?? '',
              Online: n.online === true || n.online === 1,
              LastSeen: seen,
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
    if (changed) this.#onChange(next);
  }
}
