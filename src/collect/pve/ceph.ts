/**
 * Ceph, each cycle while Ceph-backed storage exists and storage is monitored:
 * /cluster/ceph/status and one online node's pool list (PVE has no cluster-wide pool list; the
 * first of up to three nodes that answers). A failed cycle keeps the last cluster; without Ceph
 * storage there is none.
 */
import type { CephCluster } from '../../model/state.js';
import { ProxmoxError } from '../../proxmox/errors.js';
import type { PveApi, PveCephPoolEntry } from '../../proxmox/pve.js';
import { normaliseCeph } from '../normalise/pve-ceph.js';
import type { ProblemLog, PveCycle, PveFetcher } from './fetcher.js';

const CEPH_TYPES = new Set(['rbd', 'cephfs', 'ceph']);

export class CephFetcher implements PveFetcher {
  readonly name = 'Ceph';
  #clusters: CephCluster[] = [];

  async fetch(cycle: PveCycle): Promise<void> {
    const hasCeph =
      (cycle.storageConfig ?? []).some((c) => CEPH_TYPES.has(String(c.type))) ||
      cycle.storage.some((s) => CEPH_TYPES.has(String(s.plugintype)));
    if (hasCeph && cycle.want.storage) {
      try {
        const { api, opt } = cycle;
        const cephOpt = { signal: opt.signal, timeoutMs: Math.min(opt.timeoutMs, 15000) };
        const [status, pools] = await Promise.all([
          api.cephStatus(cephOpt),
          this.#pools(api, cycle.onlineNodes, cephOpt, cycle.problems),
        ]);
        this.#clusters = [normaliseCeph({ instance: cycle.instance, status, pools, now: cycle.now })];
      } catch (err) {
        cycle.problems.record(err);
      }
    } else this.#clusters = [];
    cycle.cephClusters = this.#clusters;
  }

  /** The pool list from the first online node that answers (a node without Ceph packages answers 500). */
  async #pools(
    api: PveApi,
    onlineNodes: string[],
    opt: { signal?: AbortSignal; timeoutMs: number },
    problems: ProblemLog,
  ): Promise<PveCephPoolEntry[] | undefined> {
    for (const n of onlineNodes.slice(0, 3)) {
      try {
        return await api.cephPools(n, opt);
      } catch (err) {
        problems.record(err);
        if (err instanceof ProxmoxError && (err.kind === 'forbidden' || err.isNetwork)) return undefined;
      }
    }
    return undefined;
  }
}
