/**
 * Physical disks and their SMART health from /nodes/{n}/disks/list, every 5 minutes, 4 nodes at
 * a time; when monitoring physical disks. A node that fails keeps its disks of the last run.
 */
import type { PhysicalDisk } from '../../model/state.js';
import { settleLimit } from '../limit.js';
import { normaliseDisks } from '../normalise/pve-disks.js';
import { Cadence, FIVE_MIN, type PveCycle, type PveFetcher } from './fetcher.js';

export class SmartDisksFetcher implements PveFetcher {
  readonly name = 'SMART disks';
  readonly #cadence = new Cadence(() => FIVE_MIN);
  #list: PhysicalDisk[] = [];

  async fetch(cycle: PveCycle): Promise<void> {
    const { api, now, opt, onlineNodes } = cycle;
    if (cycle.want.physicalDisks && this.#cadence.due(now)) {
      this.#cadence.ran(now);
      const lists = await settleLimit(onlineNodes, 4, (n) => api.disks(n, opt));
      const all: PhysicalDisk[] = [];
      onlineNodes.forEach((n, i) => {
        const r = lists[i];
        if (r.error) {
          cycle.problems.record(r.error);
          for (const d of this.#list) if (d.node === n) all.push(d);
        } else if (r.value) all.push(...normaliseDisks(cycle.instance, n, r.value, now));
      });
      this.#list = all;
    }
    cycle.physicalDisks = this.#list;
  }
}
