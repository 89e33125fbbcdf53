/**
 * /storage each cycle: the storage definitions (type, content, shared, pool) that storage,
 * ZFS, Ceph and backups read beside cluster resources. Asked only when storage or backups are
 * monitored; refused or failed, the part stays undefined for this cycle.
 */
import type { PveCycle, PveFetcher } from './fetcher.js';

export class StorageConfigFetcher implements PveFetcher {
  readonly name = 'storage configuration';

  async fetch(cycle: PveCycle): Promise<void> {
    if (!cycle.want.storage && !cycle.want.backups) return;
    cycle.storageConfig = await cycle.api.storageConfig(cycle.opt).catch(cycle.problems.miss);
  }
}
