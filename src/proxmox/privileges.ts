/**
 * What a missing privilege breaks, per product, so that a 403 becomes a message a user can act
 * on ("missing VM.Audit: VMs and containers will not be listed") instead of a silent empty list.
 */
import type { ProxmoxProduct } from './client.js';

export interface FeatureNeed {
  feature: string;
  /** Privilege names, any of which grants it. */
  privileges: string[];
  /** ACL path to check in /access/permissions. */
  path: string;
  /** How to name the privilege in a message, when it differs between versions. */
  label?: string;
}

export const GUEST_MEMINFO_FEATURE = 'guest memory as the guest sees it (agent file-read of /proc/meminfo)';

export const PVE_FEATURES: FeatureNeed[] = [
  { feature: 'node status, cluster membership, disks, ZFS and Ceph', privileges: ['Sys.Audit'], path: '/' },
  { feature: 'VMs and containers', privileges: ['VM.Audit'], path: '/vms' },
  { feature: 'storage and backups', privileges: ['Datastore.Audit', 'Datastore.AllocateSpace'], path: '/storage' },
  {
    feature: 'guest agent data (VM disk usage, IP addresses, OS)',
    privileges: ['VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted', 'VM.Monitor'],
    path: '/vms',
  },
  {
    // agent/file-read of /proc/meminfo: PVE 9 checks VM.GuestAgent.FileRead, PVE 8 VM.Monitor.
    feature: GUEST_MEMINFO_FEATURE,
    privileges: ['VM.GuestAgent.FileRead', 'VM.GuestAgent.Unrestricted', 'VM.Monitor'],
    path: '/vms',
    label: 'VM.GuestAgent.FileRead (PVE 9) or VM.Monitor (PVE 8)',
  },
];

export interface FeatureProblem {
  feature: string;
  privilege: string;
  path?: string;
  message: string;
}

/** Maps an API path that answered 403 to the feature it serves. */
export function featureOfPath(product: ProxmoxProduct, path: string): string {
  if (product === 'pve') {
    if (/\/agent\/file-read/.test(path)) return GUEST_MEMINFO_FEATURE;
    if (/\/agent\//.test(path)) return 'guest agent data (VM disk usage, IP addresses, OS)';
    if (/\/(qemu|lxc)\//.test(path) && /snapshot/.test(path)) return 'guest snapshots';
    if (/\/(qemu|lxc)\//.test(path)) return 'VMs and containers';
    if (/\/storage|\/content/.test(path)) return 'storage and backups';
    if (/\/tasks/.test(path)) return 'backup tasks';
    if (/\/disks\/zfs/.test(path)) return 'ZFS pool health';
    if (/\/disks/.test(path)) return 'physical disks (SMART)';
    if (/ceph/.test(path)) return 'Ceph cluster health';
    if (/\/cluster\/status/.test(path)) return 'cluster detection';
    if (/\/nodes\/[^/]+\/status|rrddata/.test(path)) return 'node status (memory, load, versions)';
    return 'monitoring';
  }
  if (product === 'pbs') {
    if (/snapshots/.test(path)) return 'PBS backups';
    if (/namespace/.test(path)) return 'datastore namespaces';
    if (/datastore/.test(path)) return 'datastores';
    if (/\/nodes\//.test(path)) return 'PBS node status (CPU, memory)';
    if (/\/admin\/(sync|verify|prune|gc)/.test(path)) return 'PBS jobs';
    return 'monitoring';
  }
  if (/statistics/.test(path)) return 'mail statistics';
  if (/quarantine/.test(path)) return 'quarantine';
  if (/postfix/.test(path)) return 'mail queues';
  if (/cluster/.test(path)) return 'cluster nodes';
  return 'monitoring';
}

export function problemMessage(p: Omit<FeatureProblem, 'message'>): string {
  return `Missing privilege ${p.privilege}${p.path ? ` on ${p.path}` : ''}: ${p.feature} cannot be monitored`;
}

/** Reads PVE's /access/permissions answer and lists the features the token cannot serve. */
export function missingPvePrivileges(perms: Record<string, Record<string, unknown>>): FeatureProblem[] {
  const problems: FeatureProblem[] = [];
  const has = (path: string, privs: string[]) => {
    // A privilege on an ancestor path with propagation shows up under that ancestor.
    for (const [p, set] of Object.entries(perms ?? {})) {
      if (!(path === p || path.startsWith(p === '/' ? '/' : `${p}/`))) continue;
      if (privs.some((pr) => set?.[pr] !== undefined && set[pr] !== 0 && set[pr] !== false)) return true;
    }
    return false;
  };
  for (const need of PVE_FEATURES) {
    if (!has(need.path, need.privileges)) {
      const base = { feature: need.feature, privilege: need.label ?? need.privileges[0], path: need.path };
      problems.push({ ...base, message: problemMessage(base) });
    }
  }
  return problems;
}

/** The privilege to grant for a problem: the named one, or the version's choice of an either-or label. */
function grantablePrivilege(p: FeatureProblem, pveMajor: number | undefined): string | undefined {
  const need = PVE_FEATURES.find((f) => f.feature === p.feature);
  // PVE 8 knows no VM.GuestAgent.* privileges: its agent calls check VM.Monitor.
  if (need?.privileges.includes('VM.Monitor') && pveMajor !== undefined && pveMajor < 9) return 'VM.Monitor';
  if (/^[A-Z][\w.]+$/.test(p.privilege)) return p.privilege;
  return need?.privileges[0];
}

/** PBS has no custom roles: the built-in role that holds each privilege Pulse reads with. */
const PBS_ROLE_OF: Record<string, string> = { 'Datastore.Audit': 'DatastoreAudit', 'Sys.Audit': 'Audit' };
const PBS_PATH_OF: Record<string, string> = { 'Datastore.Audit': '/datastore', 'Sys.Audit': '/system' };

/**
 * A copy-paste shell command that grants exactly the missing privileges: for PVE one custom role
 * per ACL path (a role holds privileges, an ACL binds it to a path), for PBS the built-in roles.
 * Undefined when nothing grantable is missing or the credentials are unknown.
 */
export function grantCommand(
  product: ProxmoxProduct,
  auth: { tokenId?: string; user?: string },
  problems: FeatureProblem[],
  pveMajor?: number,
): string | undefined {
  const who = auth.tokenId ?? auth.user;
  if (!who || problems.length === 0) return undefined;
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  if (product === 'pve') {
    const byPath = new Map<string, Set<string>>();
    for (const p of problems) {
      const priv = grantablePrivilege(p, pveMajor);
      if (!priv) continue;
      // A 403 names the one guest it was about; the grant is for every guest alike.
      const path = (p.path ?? '/').replace(/^\/vms\/\d+$/, '/vms');
      if (!byPath.has(path)) byPath.set(path, new Set());
      byPath.get(path)?.add(priv);
    }
    if (byPath.size === 0) return undefined;
    const flag = auth.tokenId ? '--tokens' : '--users';
    const lines: string[] = [];
    for (const [path, privs] of byPath) {
      const role = `PulseExtra${path === '/' ? 'Root' : path.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;
      lines.push(
        `pveum role add ${role} --privs ${q([...privs].sort().join(','))} 2>/dev/null || pveum role modify ${role} --append 1 --privs ${q([...privs].sort().join(','))}`,
      );
      lines.push(`pveum acl modify ${path} ${flag} ${q(who)} --roles ${role}`);
    }
    return lines.join('\n');
  }
  if (product === 'pbs') {
    const grants = new Set<string>();
    for (const p of problems) {
      const role = PBS_ROLE_OF[p.privilege];
      if (role)
        grants.add(
          `proxmox-backup-manager acl update ${p.path ?? PBS_PATH_OF[p.privilege]} ${role} --auth-id ${q(who)}`,
        );
    }
    return grants.size ? [...grants].join('\n') : undefined;
  }
  // PMG has no ACLs: a user's one role decides what it may read; statistics and queues need audit.
  return `pmgsh set /access/users/${encodeURIComponent(who.split('!')[0])} --role audit`;
}

export interface PermissionReport {
  /** Features the credentials cannot serve, each with the privilege and path it needs. */
  missing: FeatureProblem[];
  grantCommand?: string;
}

/**
 * The permission doctor's answer for one instance: what /access/permissions (or the test's probes)
 * reported missing together with the 403s the poller actually met, one entry per feature.
 */
export function permissionReport(
  product: ProxmoxProduct,
  auth: { tokenId?: string; user?: string },
  lists: Array<FeatureProblem[] | undefined>,
  pveMajor?: number,
): PermissionReport {
  const byFeature = new Map<string, FeatureProblem>();
  for (const list of lists) for (const p of list ?? []) if (!byFeature.has(p.feature)) byFeature.set(p.feature, p);
  const missing = [...byFeature.values()];
  const grant = grantCommand(product, auth, missing, pveMajor);
  return grant ? { missing, grantCommand: grant } : { missing };
}
