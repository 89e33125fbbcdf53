/** PVE backup tasks, storage backups and guest snapshots (wire-contract §1.8). Pure. */
import type { BackupTask, GuestSnapshot, StorageBackup } from '../../model/state.js';
import type { PveSnapshot, PveStorageContent, PveTask } from '../../proxmox/pve.js';
import { backupTaskId, snapshotId, storageBackupId } from './ids.js';
import { flag, num, str, upidStartTime } from './values.js';

export function normaliseTasks(instance: string, tasks: PveTask[]): BackupTask[] {
  const out: BackupTask[] = [];
  for (const t of tasks) {
    if (t.type !== 'vzdump') continue;
    const vmid = /^\d+$/.test(t.id ?? '') ? Number(t.id) : 0;
    out.push({
      id: backupTaskId(instance, t.upid),
      node: t.node,
      instance,
      type: 'vzdump',
      vmid,
      status: str(t.status),
      startTime: num(t.starttime),
      endTime: t.endtime !== undefined && t.status ? num(t.endtime) : 0,
    });
  }
  return out;
}

/** Guest type from a backup volid (`vzdump-qemu-100-…`, PBS `backup/vm/100/…`). */
export function backupGuestType(volid: string, format: string | undefined): StorageBackup['type'] {
  if (/vzdump-qemu-|\/vm\/|:backup\/vm\//.test(volid) || format === 'pbs-vm') return 'qemu';
  if (/vzdump-lxc-|\/ct\/|:backup\/ct\//.test(volid) || format === 'pbs-ct') return 'lxc';
  if (/\/host\/|vzdump-host/.test(volid)) return 'host';
  return 'unknown';
}

/** Storage `content=backup` listings of several storages/nodes, deduplicated by volid. */
export function normaliseStorageBackups(
  instance: string,
  items: Array<{ node: string; storage: string; storageType: string; content: PveStorageContent[] }>,
): StorageBackup[] {
  const byVolid = new Map<string, StorageBackup>();
  for (const { node, storage, storageType, content } of items) {
    const isPBS = storageType === 'pbs' || storage.startsWith('pbs-');
    for (const c of content) {
      if (!c?.volid || byVolid.has(c.volid)) continue;
      if (c.content && c.content !== 'backup') continue;
      if (/vztmpl|\/iso\//.test(c.volid)) continue;
      const ctime = num(c.ctime);
      const b: StorageBackup = {
        id: storageBackupId(instance, c.volid),
        storage,
        node,
        instance,
        type: backupGuestType(c.volid, c.format ?? c.subtype),
        vmid: num(c.vmid),
        time: ctime,
        ctime,
        size: num(c.size),
        format: str(c.format),
        protected: flag(c.protected),
        volid: c.volid,
        isPBS,
        verified: c.verification?.state === 'ok',
      };
      if (c.notes) b.notes = c.notes;
      if (c.verification?.state) b.verification = c.verification.state;
      const verifiedAt = upidStartTime(c.verification?.upid);
      if (verifiedAt !== undefined) b.verifiedAt = verifiedAt;
      if (isPBS) b.encrypted = Boolean(c.encrypted && c.encrypted !== '0');
      byVolid.set(c.volid, b);
    }
  }
  return [...byVolid.values()].sort((a, b) => b.time - a.time || a.volid.localeCompare(b.volid));
}

export function normaliseSnapshots(
  instance: string,
  node: string,
  type: 'qemu' | 'lxc',
  vmid: number,
  snaps: PveSnapshot[],
): GuestSnapshot[] {
  const out: GuestSnapshot[] = [];
  for (const s of snaps) {
    if (!s?.name || s.name === 'current') continue;
    const g: GuestSnapshot = {
      id: snapshotId(instance, node, vmid, s.name),
      name: s.name,
      node,
      instance,
      type,
      vmid,
      time: num(s.snaptime),
      // Pulse 4.24 reported true for every qemu snapshot; report whether RAM was saved.
      vmstate: type === 'qemu' && flag(s.vmstate),
    };
    if (s.description) g.description = s.description;
    if (s.parent) g.parent = s.parent;
    out.push(g);
  }
  return out;
}
