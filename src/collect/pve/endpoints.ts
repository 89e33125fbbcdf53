/**
 * The HTTPS clients of one PVE instance: the configured host, the cluster members it can fail
 * over to (user-given endpoints and the members' cluster IPs), and a separate low-concurrency
 * client per endpoint for the background backup fetch. One PveApi per client for the poller's life.
 */

import type { ProxmoxClient } from '../../proxmox/client.js';
import { PveApi } from '../../proxmox/pve.js';
import type { ClusterInfo, NodeConfig } from '../../settings/node-config.js';
import { instanceClient } from '../instance-client.js';
import type { PollerEnv } from '../poller-env.js';

/** A client of `baseUrl` for this instance (8 sockets unless said). */
function clientFor(cfg: NodeConfig, baseUrl: string, env: PollerEnv, fingerprint?: string, connections = 8) {
  return instanceClient(cfg, baseUrl, env, fingerprint, connections);
}

export class PveEndpoints {
  readonly #cfg: NodeConfig;
  readonly #env: PollerEnv;
  readonly #cluster: () => ClusterInfo | undefined;
  readonly primary: ProxmoxClient;
  /** The endpoint in use (differs from the configured host after a failover). */
  active: ProxmoxClient;
  readonly #members = new Map<string, ProxmoxClient>();
  readonly #backupClients = new Map<string, ProxmoxClient>();
  readonly #apis = new Map<ProxmoxClient, PveApi>();
  #closed = false;

  /** `cluster` reads the latest membership (it decides the failover candidates). */
  constructor(cfg: NodeConfig, env: PollerEnv, cluster: () => ClusterInfo | undefined) {
    this.#cfg = cfg;
    this.#env = env;
    this.#cluster = cluster;
    this.primary = clientFor(cfg, cfg.host, env, cfg.fingerprint);
    this.active = this.primary;
  }

  get closed(): boolean {
    return this.#closed;
  }

  api(client: ProxmoxClient): PveApi {
    let api = this.#apis.get(client);
    if (!api) {
      api = new PveApi(client);
      this.#apis.set(client, api);
    }
    return api;
  }

  /** Endpoints to try after the active one fails: the configured host, then cluster members. */
  fallbacks(): ProxmoxClient[] {
    const cfg = this.#cfg;
    const cluster = this.#cluster();
    const out: ProxmoxClient[] = [];
    if (this.active !== this.primary) out.push(this.primary);
    for (const ep of cluster?.extraEndpoints ?? []) {
      if (ep.host === this.primary.baseUrl) continue;
      let c = this.#members.get(ep.host);
      if (!c) {
        c = clientFor(cfg, ep.host, this.#env, ep.fingerprint ?? cfg.fingerprint);
        this.#members.set(ep.host, c);
      }
      if (c !== this.active) out.push(c);
    }
    const port = new URL(cfg.host).port || '8006';
    const proto = new URL(cfg.host).protocol;
    for (const ep of cluster?.endpoints ?? []) {
      if (!ep.IP) continue;
      const url = `${proto}//${ep.IP.includes(':') ? `[${ep.IP}]` : ep.IP}:${port}`;
      if (url === this.primary.baseUrl) continue;
      let c = this.#members.get(url);
      if (!c) {
        // A pinned entry point pins members to the fingerprints the cluster reported for them.
        const fp = cfg.fingerprint ? ep.Fingerprint : undefined;
        if (cfg.fingerprint && !fp) continue;
        c = clientFor(cfg, url, this.#env, fp);
        this.#members.set(url, c);
      }
      if (c !== this.active) out.push(c);
    }
    return out;
  }

  /** The backup fetch's own client for an endpoint: its own sockets, two at most. */
  backupClient(url: string): ProxmoxClient {
    let bc = this.#backupClients.get(url);
    if (!bc) {
      const ep = this.#cluster()?.extraEndpoints?.find((e) => e.host === url);
      const fp =
        url === this.primary.baseUrl ? this.#cfg.fingerprint : (ep?.fingerprint ?? this.#memberFingerprint(url));
      bc = clientFor(this.#cfg, url, this.#env, fp, 2);
      this.#backupClients.set(url, bc);
    }
    return bc;
  }

  /** The pinned fingerprint of a cluster member reached by IP (undefined when not pinned). */
  #memberFingerprint(url: string): string | undefined {
    if (!this.#cfg.fingerprint) return undefined;
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return this.#cluster()?.endpoints.find((e) => e.IP === host)?.Fingerprint;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      [this.primary, ...this.#members.values(), ...this.#backupClients.values()].map((c) => c.destroy()),
    );
  }
}
