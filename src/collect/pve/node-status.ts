/**
 * /nodes/{node}/status of each online node, every cycle, 8 at a time. A node whose status fails
 * is built from cluster resources alone. No cache.
 */
import { settleLimit } from '../limit.js';
import type { PveCycle, PveFetcher } from './fetcher.js';

export class NodeStatusFetcher implements PveFetcher {
  readonly name = 'node status';

  async fetch(cycle: PveCycle): Promise<void> {
    const { api, opt, onlineNodes } = cycle;
    const results = await settleLimit(onlineNodes, 8, (n) => api.nodeStatus(n, opt));
    onlineNodes.forEach((n, i) => {
      const r = results[i];
      if (r.error) cycle.problems.record(r.error);
      else if (r.value) cycle.nodeStatus.set(n, r.value);
    });
  }
}
