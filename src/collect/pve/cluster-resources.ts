/**
 * The first call of every cycle: /cluster/resources lists the nodes, guests and storage of the
 * whole cluster. On a network failure it fails over to another endpoint; when none answers the
 * cycle fails (the instance is unreachable). No cache: every cycle asks.
 */

import type { Clock } from '../../clock.js';
import type { Logger } from '../../logging.js';
import { ProxmoxError } from '../../proxmox/errors.js';
import type { PveResource } from '../../proxmox/pve.js';
import type { PveEndpoints } from './endpoints.js';
import type { PveCycle, PveFetcher } from './fetcher.js';

export class ClusterResourcesFetcher implements PveFetcher {
  readonly name = 'cluster resources';
  readonly #endpoints: PveEndpoints;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #answered = 0;

  constructor(endpoints: PveEndpoints, clock: Clock, logger: Logger) {
    this.#endpoints = endpoints;
    this.#clock = clock;
    this.#logger = logger;
  }

  async fetch(cycle: PveCycle): Promise<void> {
    const resources = await this.#resources(cycle);
    cycle.api = this.#endpoints.api(this.#endpoints.active);
    cycle.now = this.#clock.now();
    cycle.seq = ++this.#answered;
    for (const r of resources) {
      if (r.type === 'node') cycle.nodes.push(r);
      else if (r.type === 'qemu' || r.type === 'lxc') cycle.guests.push(r);
      else if (r.type === 'storage') cycle.storage.push(r);
    }
    for (const n of cycle.nodes) {
      if (n.status !== 'online') continue;
      const name = String(n.node);
      cycle.onlineNodes.push(name);
      cycle.online.add(name);
    }
  }

  async #resources(cycle: PveCycle): Promise<PveResource[]> {
    const ep = this.#endpoints;
    const opt = cycle.opt;
    try {
      return await ep.api(ep.active).resources(opt);
    } catch (err) {
      if (!(err instanceof ProxmoxError) || !err.isNetwork) throw err;
      for (const c of ep.fallbacks()) {
        try {
          const res = await ep.api(c).resources(opt);
          this.#logger.warn(
            { instance: cycle.instance, from: ep.active.baseUrl, to: c.baseUrl },
            'PVE endpoint failover',
          );
          ep.active = c;
          return res;
        } catch {
          // try the next member
        }
      }
      throw err;
    }
  }
}
