/**
 * What the PBS and PMG pollers share: one configured endpoint (no cluster failover), its client
 * with token or ticket auth, and the record of features a missing privilege breaks.
 */

import type { ProxmoxClient } from '../proxmox/client.js';
import { ProxmoxError } from '../proxmox/errors.js';
import { type FeatureProblem, featureOfPath, problemMessage } from '../proxmox/privileges.js';
import type { NodeConfig } from '../settings/node-config.js';
import { instanceClient } from './instance-client.js';
import type { PollerEnv } from './pve-poller.js';

export abstract class SingleEndpointPoller {
  readonly cfg: NodeConfig;
  readonly problems = new Map<string, FeatureProblem>();
  protected readonly env: PollerEnv;
  protected readonly client: ProxmoxClient;

  constructor(
    cfg: NodeConfig,
    env: PollerEnv,
    /** The privilege to name when Proxmox's 403 does not say which one is missing. */
    private readonly privilegeFor: (feature: string) => string,
  ) {
    this.cfg = cfg;
    this.env = env;
    this.client = this.newClient(4);
  }

  /** A client of the configured endpoint with its own `connections` sockets. */
  protected newClient(connections: number): ProxmoxClient {
    return instanceClient(this.cfg, this.cfg.host, this.env, this.cfg.fingerprint, connections);
  }

  get instance(): string {
    return this.cfg.name;
  }

  get activeHost(): string {
    return this.client.baseUrl;
  }

  async close(): Promise<void> {
    await this.client.destroy();
  }

  /** A catch handler for optional calls: remembers a missing privilege, yields undefined. */
  protected readonly miss = (err: unknown): undefined => {
    this.record(err);
    return undefined;
  };

  protected record(err: unknown): void {
    if (!(err instanceof ProxmoxError) || err.kind !== 'forbidden') return;
    const feature = featureOfPath(this.client.product, err.path ?? '');
    const p = { feature, privilege: err.privilege ?? this.privilegeFor(feature), path: err.privilegePath };
    this.problems.set(feature, { ...p, message: problemMessage(p) });
  }
}
