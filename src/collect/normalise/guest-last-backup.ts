/**
 * A guest's `lastBackup`: the newest of its instance's own backups (non-PBS storage listings, by
 * VMID) and its newest PBS backup (placed by instance + VMID, model/backup-owner.ts). The poller
 * writes it while it builds each guest, so the composed state can keep the poller's objects.
 */
import { guestBackupKey } from '../../model/backup-owner.js';
import type { Guest, StorageBackup } from '../../model/state.js';

/** Newest PBS backup time (unix seconds) per guest key (`guestBackupKey`). */
export type PbsBackupTimes = ReadonlyMap<string, number>;

/**
 * Newest backup time (unix seconds) per VMID on an instance's own backup storages. A PBS storage
 * lists other clusters' snapshots too, so those are left to the PBS placement.
 */
export function ownBackupTimes(storageBackups: readonly StorageBackup[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of storageBackups) {
    if (!b.vmid || b.isPBS) continue;
    const k = String(b.vmid);
    if ((out.get(k) ?? 0) < b.ctime) out.set(k, b.ctime);
  }
  return out;
}

/** The guest's lastBackup (ms) from its own and its PBS backup times (s); undefined when it has none. */
export function lastBackupMs(
  guest: Pick<Guest, 'instance' | 'vmid'>,
  own: ReadonlyMap<string, number>,
  pbs: PbsBackupTimes | undefined,
): number | undefined {
  const t = Math.max(own.get(String(guest.vmid)) ?? 0, pbs?.get(guestBackupKey(guest.instance, guest.vmid)) ?? 0);
  return t ? t * 1000 : undefined;
}

/** Whether two PBS time tables hold the same times, so the older one can stand for both. */
export function samePbsBackupTimes(a: PbsBackupTimes | undefined, b: PbsBackupTimes | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const [k, t] of a) if (b.get(k) !== t) return false;
  return true;
}
