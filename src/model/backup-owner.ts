/**
 * Which guest a backup belongs to, shared by the collector (guest.lastBackup) and the UI's
 * Backups page. VMIDs repeat across clusters (most homelabs start at 100), so guests are keyed
 * by instance + VMID. PVE backups carry their instance. PBS snapshots do not (one PBS serves
 * several clusters), so a PBS group is given to a guest only on evidence beyond the VMID: it is
 * the only guest of that type with that VMID, or its comment (vzdump's default notes are the
 * guest name) or its namespace names one guest among several. Otherwise it has no owner.
 */

export interface BackupOwnerGuest {
  instance: string;
  node: string;
  vmid: number;
  type: string;
  name: string;
}

export interface PbsGroupRef {
  backupType: string;
  vmid: string | number;
  namespace?: string;
  comment?: string;
}

/**
 * Whether two guest lists are the same to the owner rules: element by element the same instance,
 * node, VMID, type and name (a poll replaces every guest object as metrics move; owners stay).
 */
export function sameBackupOwners(a: readonly BackupOwnerGuest[], b: readonly BackupOwnerGuest[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x.instance !== y.instance || x.node !== y.node || x.vmid !== y.vmid || x.type !== y.type || x.name !== y.name)
      return false;
  }
  return true;
}

/** The key a guest's backups are gathered under. */
export const guestBackupKey = (instance: string, vmid: number | string): string => `${instance}:${vmid}`;

/** Guests by VMID, the candidate lists `pbsBackupOwner` chooses from. */
export function guestsByVmid<G extends BackupOwnerGuest>(guests: Iterable<G>): Map<string, G[]> {
  const out = new Map<string, G[]>();
  for (const g of guests) {
    const k = String(g.vmid);
    const list = out.get(k);
    if (list) list.push(g);
    else out.set(k, [g]);
  }
  return out;
}

/** Proxmox's guest type for a PBS backup type; undefined for host backups. */
export function pbsGuestType(backupType: string): 'qemu' | 'lxc' | undefined {
  return backupType === 'vm' ? 'qemu' : backupType === 'ct' ? 'lxc' : undefined;
}

/** The guest a PBS snapshot belongs to, or undefined when the evidence does not single one out. */
export function pbsBackupOwner<G extends BackupOwnerGuest>(b: PbsGroupRef, byVmid: Map<string, G[]>): G | undefined {
  const type = pbsGuestType(b.backupType);
  if (!type) return undefined;
  const all = byVmid.get(String(b.vmid));
  if (!all) return undefined;
  const candidates = all.length === 1 ? (all[0]!.type === type ? all : []) : all.filter((g) => g.type === type);
  if (candidates.length <= 1) return candidates[0];
  const byName = b.comment ? candidates.filter((g) => g.name === b.comment) : [];
  if (byName.length === 1) return byName[0];
  const pool = byName.length > 1 ? byName : candidates;
  const segments = new Set((b.namespace ?? '').split('/').filter((s) => s.length > 0));
  if (segments.size === 0) return undefined;
  const byNs = pool.filter((g) => segments.has(g.instance) || segments.has(g.node));
  return byNs.length === 1 ? byNs[0] : undefined;
}
