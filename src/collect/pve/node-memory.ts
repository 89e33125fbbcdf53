/**
 * PVE 8's node status has no `available` memory: for such nodes the RRD's last row gives it,
 * asked at most once a minute per node (a failed ask counts as an answer without a figure).
 */

import { settleLimit } from '../limit.js';
import { rrdMemAvailable } from '../normalise/pve-node.js';
import { MINUTE, type PveCycle, type PveFetcher } from './fetcher.js';

export class NodeMemoryFetcher implements PveFetcher {
  readonly name = 'node memory (RRD)';
  readonly #cache = new Map<string, { at: number; value?: number }>();

  async fetch(cycle: PveCycle): Promise<void> {
    const { api, now, opt, nodeStatus } = cycle;
    const rrdOpt = { signal: opt.signal, timeoutMs: Math.min(opt.timeoutMs, 2000) };
    await settleLimit(
      cycle.onlineNodes.filter((n) => {
        const m = nodeStatus.get(n)?.memory;
        return m && m.available === undefined && m.avail === undefined && m.buffers === undefined;
      }),
      4,
      async (n) => {
        const c = this.#cache.get(n);
        if (c && now - c.at < MINUTE) return;
        const rows = await api.nodeMemoryRrd(n, rrdOpt).catch(() => []);
        this.#cache.set(n, { at: now, value: rrdMemAvailable(rows) });
      },
    );
    cycle.nodeMemoryRrd = this.#cache;
  }
}
