/**
 * Running containers' addresses from /lxc/{vmid}/interfaces, every 5 minutes per container,
 * 8 at a time; when monitoring containers. A refused or failed ask is cached as "no addresses"
 * until the next turn.
 */
import { settleLimit } from '../limit.js';
import { compactAgentNetwork } from '../normalise/pve-guest.js';
import { FIVE_MIN, type LxcNetworkEntry, type PveCycle, type PveFetcher } from './fetcher.js';

export class LxcInterfacesFetcher implements PveFetcher {
  readonly name = 'container interfaces';
  readonly #cache = new Map<string, LxcNetworkEntry>();

  async fetch(cycle: PveCycle): Promise<void> {
    cycle.lxcNetwork = this.#cache;
    if (!cycle.want.containers) return;
    const { api, now, opt, online } = cycle;
    const miss = cycle.problems.miss;
    const due = cycle.guests.filter((g) => {
      if (g.type !== 'lxc' || g.status !== 'running' || !g.node || !online.has(g.node)) return false;
      const c = this.#cache.get(g.id);
      return !c || now - c.at >= FIVE_MIN;
    });
    await settleLimit(due, 8, async (g) => {
      const list = await api.lxcInterfaces(String(g.node), Number(g.vmid), opt).catch(miss);
      this.#cache.set(g.id, { at: now, network: list ? compactAgentNetwork(list) : undefined });
    });
  }

  prune(keep: ReadonlyMap<string, unknown>): void {
    for (const k of this.#cache.keys()) if (!keep.has(k)) this.#cache.delete(k);
  }
}
