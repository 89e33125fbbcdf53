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

/**
 * Every PVE feature Pulse reads and the check its API calls make (the official schema's
 * `permissions`): the ACL path is the one a grant has to name so that every node, guest or storage
 * is covered (`/nodes` propagates to `/nodes/<node>`).
 */
export const PVE_FEATURES: FeatureNeed[] = [
  // /cluster/status: Sys.Audit on /.
  { feature: 'cluster detection', privileges: ['Sys.Audit'], path: '/' },
  // /nodes/<node>/status and rrddata: Sys.Audit on /nodes/<node>.
  { feature: 'node status (memory, load, versions)', privileges: ['Sys.Audit'], path: '/nodes' },
  // /nodes/<node>/disks/list: Sys.Audit on / or on /nodes/<node>.
  { feature: 'physical disks (SMART)', privileges: ['Sys.Audit'], path: '/nodes' },
  // /nodes/<node>/disks/zfs: Sys.Audit on /.
  { feature: 'ZFS pool health', privileges: ['Sys.Audit'], path: '/' },
  // /cluster/ceph/status and /nodes/<node>/ceph/pool: Sys.Audit or Datastore.Audit on /.
  { feature: 'Ceph cluster health', privileges: ['Sys.Audit', 'Datastore.Audit'], path: '/' },
  // /nodes/<node>/tasks lists only the caller's own tasks without Sys.Audit on /nodes/<node>.
  { feature: 'backup tasks', privileges: ['Sys.Audit'], path: '/nodes' },
  { feature: 'VMs and containers', privileges: ['VM.Audit'], path: '/vms' },
  { feature: 'guest snapshots', privileges: ['VM.Audit'], path: '/vms' },
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

/**
 * One feature of the permission doctor's answer: whether the credentials serve it and what it needs.
 * `evidence` says how that is known: `permissions` (the instance's /access/permissions answer),
 * `denied` (a 403 the poller or the test met), `probe` (a call that answered), `poller` (the
 * poller's permission check and calls met no denial), `unknown` (nothing said either way).
 */
export interface FeatureStatus {
  feature: string;
  works: boolean | null;
  privilege: string;
  path?: string;
  evidence: 'permissions' | 'denied' | 'probe' | 'poller' | 'unknown';
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

export type PermissionsAnswer = Record<string, Record<string, unknown> | undefined>;

/**
 * Whether an /access/permissions answer (PVE and PBS: path → privilege → propagate flag) grants
 * any of `privs` on `path`: on the path itself, or on an ancestor that propagates.
 */
export function granted(perms: PermissionsAnswer, path: string, privs: readonly string[]): boolean {
  for (const [p, set] of Object.entries(perms ?? {})) {
    if (!set) continue;
    const exact = p === path;
    if (!exact && !path.startsWith(p === '/' ? '/' : `${p}/`)) continue;
    for (const pr of privs) {
      const v = set[pr];
      if (v === undefined) continue;
      if (exact || (v !== 0 && v !== false)) return true;
    }
  }
  return false;
}

function statusOf(perms: PermissionsAnswer, need: FeatureNeed): FeatureStatus {
  return {
    feature: need.feature,
    works: granted(perms, need.path, need.privileges),
    privilege: need.label ?? need.privileges[0],
    path: need.path,
    evidence: 'permissions',
  };
}

/** Every PVE feature, working or not, as PVE's /access/permissions answer decides. */
export function pveFeatureStatus(perms: PermissionsAnswer): FeatureStatus[] {
  return PVE_FEATURES.map((need) => statusOf(perms, need));
}

/** Reads PVE's /access/permissions answer and lists the features the token cannot serve. */
export function missingPvePrivileges(perms: PermissionsAnswer): FeatureProblem[] {
  return problemsOf(pveFeatureStatus(perms));
}

/** The features that do not work, as problems with a message. */
export function problemsOf(features: readonly FeatureStatus[]): FeatureProblem[] {
  const out: FeatureProblem[] = [];
  for (const f of features) {
    if (f.works !== false) continue;
    const base = { feature: f.feature, privilege: f.privilege, ...(f.path ? { path: f.path } : {}) };
    out.push({ ...base, message: problemMessage(base) });
  }
  return out;
}

/** PBS features read with Sys.Audit or across all datastores (the privileges PBS's API checks). */
export const PBS_FEATURES: FeatureNeed[] = [
  // /nodes/<node>/status: Sys.Audit on /system/status.
  { feature: 'PBS node status (CPU, memory)', privileges: ['Sys.Audit'], path: '/system/status' },
  // /admin/datastore lists only the datastores the caller may see: with none visible, this is why.
  { feature: 'datastores', privileges: ['Datastore.Audit'], path: '/datastore' },
];

/** The feature name of one PBS datastore or namespace (its usage, snapshots and jobs). */
export function pbsStoreFeature(store: string, namespace = ''): string {
  return namespace ? `namespace ${store}/${namespace}` : `datastore ${store}`;
}

/**
 * Every PBS feature as PBS's /access/permissions answer decides, with one entry per datastore and
 * per namespace below it (Datastore.Audit on /datastore/<store>[/<namespace>]; a datastore's usage,
 * snapshots and verify/prune/GC jobs all check it). Without any datastore listed, one entry for all.
 */
export function pbsFeatureStatus(
  perms: PermissionsAnswer,
  stores: ReadonlyArray<{ store: string; namespaces?: readonly string[] }>,
): FeatureStatus[] {
  const out = PBS_FEATURES.filter((need) => stores.length === 0 || need.path !== '/datastore').map((need) =>
    statusOf(perms, need),
  );
  for (const { store, namespaces } of stores) {
    const path = `/datastore/${store}`;
    out.push(statusOf(perms, { feature: pbsStoreFeature(store), privileges: ['Datastore.Audit'], path }));
    for (const ns of namespaces ?? []) {
      if (!ns) continue;
      out.push(
        statusOf(perms, {
          feature: pbsStoreFeature(store, ns),
          privileges: ['Datastore.Audit'],
          path: `${path}/${ns}`,
        }),
      );
    }
  }
  return out;
}

/** PMG has roles, not ACLs: what each feature's API calls accept (the official schema's checks). */
export const PMG_FEATURES: Array<{ feature: string; roles: string[] }> = [
  { feature: 'cluster nodes', roles: ['admin', 'qmanager', 'audit'] },
  { feature: 'mail statistics', roles: ['admin', 'qmanager', 'audit'] },
  { feature: 'mail queues', roles: ['admin', 'audit'] },
  { feature: 'quarantine', roles: ['admin', 'qmanager', 'audit'] },
];

export const PMG_ROLE_LABEL = 'the Audit role';

/** The feature catalogue of a product, each feature not checked yet. */
export function catalogue(product: ProxmoxProduct): FeatureStatus[] {
  if (product === 'pve')
    return PVE_FEATURES.map((n) => ({
      feature: n.feature,
      works: null,
      privilege: n.label ?? n.privileges[0],
      path: n.path,
      evidence: 'unknown',
    }));
  if (product === 'pbs')
    return PBS_FEATURES.map((n) => ({
      feature: n.feature,
      works: null,
      privilege: n.privileges[0],
      path: n.path,
      evidence: 'unknown',
    }));
  return PMG_FEATURES.map((n) => ({ feature: n.feature, works: null, privilege: PMG_ROLE_LABEL, evidence: 'unknown' }));
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
  // pmgsh takes the API path with the userid as written (user@realm).
  const path = `/access/users/${who.split('!')[0]}`;
  return `pmgsh set ${/^[\w@./-]+$/.test(path) ? path : q(path)} --role audit`;
}

export interface PermissionReport {
  /** Every feature of the instance, working or not, with what it needs. */
  features: FeatureStatus[];
  /** Features the credentials cannot serve, each with the privilege and path it needs. */
  missing: FeatureProblem[];
  grantCommand?: string;
}

/**
 * The permission doctor's answer for one instance: every feature, from the checked statuses (the
 * /access/permissions answer or probes; the bare catalogue when there are none) with each denial
 * actually seen (403s of the poller or the test) marking its feature as not working.
 * `otherwise` is what an unchecked, undenied feature is taken as: `poller` where the poller's own
 * permission check ran and met no denial for it, else `unknown`.
 */
export function permissionReport(
  product: ProxmoxProduct,
  auth: { tokenId?: string; user?: string },
  checked: readonly FeatureStatus[] | undefined,
  denials: Array<readonly FeatureProblem[] | undefined>,
  opts: { pveMajor?: number; otherwise?: 'poller' | 'unknown' } = {},
): PermissionReport {
  const byFeature = new Map<string, FeatureStatus>();
  for (const f of checked ?? catalogue(product)) {
    const known = f.evidence !== 'unknown' || !opts.otherwise || opts.otherwise === 'unknown';
    byFeature.set(f.feature, known ? { ...f } : { ...f, works: true, evidence: opts.otherwise ?? 'unknown' });
  }
  for (const list of denials) {
    for (const p of list ?? []) {
      const f = byFeature.get(p.feature);
      if (f?.works === false) continue;
      byFeature.set(p.feature, {
        feature: p.feature,
        works: false,
        privilege: p.privilege,
        // The catalogue's path is the one a grant names (a 403 names one guest or node).
        ...((f?.path ?? p.path) ? { path: f?.path ?? p.path } : {}),
        evidence: 'denied',
      });
    }
  }
  const features = [...byFeature.values()];
  if (product === 'pve' && opts.pveMajor !== undefined) {
    // Name the privilege this PVE version checks (VM.Monitor on 8, VM.GuestAgent.* on 9).
    for (const f of features) {
      if (f.works !== false) continue;
      const priv = grantablePrivilege({ ...f, message: '' }, opts.pveMajor);
      if (priv) f.privilege = priv;
    }
  }
  const missing = problemsOf(features);
  const grant = grantCommand(product, auth, missing, opts.pveMajor);
  return grant ? { features, missing, grantCommand: grant } : { features, missing };
}
