/**
 * ZFS pool health on the nodes with ZFS storage: /nodes/{n}/disks/zfs and each backing pool's
 * detail, at most once a minute (or once an interval when that is longer), 4 nodes at a time;
 * when monitoring storage. Between runs the last pools stand; a refused node has no pools.
 */
import type { ZfsPool } from '../../model/state.js';
import type { PveStorageConfig } from '../../proxmox/pve.js';
import { settleLimit } from '../limit.js';
import { normaliseZfsPool, zfsPoolName } from '../normalise/pve-storage.js';
import { Cadence, MINUTE, type PveCycle, type PveFetcher } from './fetcher.js';

const ZFS_TYPES = new Set(['zfspool', 'zfs', 'local-zfs']);

export class ZfsFetcher implements PveFetcher {
  readonly name = 'ZFS pools';
  readonly #cadence: Cadence;
  #pools = new Map<string, Map<string, ZfsPool>>();

  /** `intervalMs` is the instance's polling interval. */
  constructor(intervalMs: () => number) {
    this.#cadence = new Cadence(() => Math.max(MINUTE, intervalMs()));
  }

  async fetch(cycle: PveCycle): Promise<void> {
    const { api, now, opt, online, problems } = cycle;
    // The pools backing ZFS storage, per online node.
    const zfsNodes = new Map<string, Set<string>>();
    const cfgByName = new Map<string, PveStorageConfig>((cycle.storageConfig ?? []).map((c) => [c.storage, c]));
    for (const s of cycle.storage) {
      const type = cfgByName.get(String(s.storage))?.type ?? s.plugintype ?? '';
      if (!ZFS_TYPES.has(type) || !s.node || !online.has(s.node)) continue;
      const set = zfsNodes.get(s.node) ?? new Set<string>();
      set.add(zfsPoolName(cfgByName.get(String(s.storage)), String(s.storage)));
      zfsNodes.set(s.node, set);
    }
    if (cycle.want.storage && zfsNodes.size && this.#cadence.due(now)) {
      this.#cadence.ran(now);
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
              problems.record(err);
            }
          }
        } catch (err) {
          problems.record(err);
        }
        pools.set(node, m);
      });
      this.#pools = pools;
    }
    cycle.zfsPools = this.#pools;
  }
}
