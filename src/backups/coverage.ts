/**
 * Backup coverage audit (pure): for every guest, which targets hold its backups, how old the newest
 * is per target, whether PBS verified it, how many restore points exist — and whether that meets
 * the guest's policy, with the reasons when it does not.
 *
 * Guests are keyed by instance + VMID: VMIDs repeat across clusters. PVE storage backups carry
 * their instance. PBS snapshots do not (a PBS is shared by clusters), so a PBS group is matched
 * to a guest only on evidence beyond the VMID: it is the only guest of that type with that VMID,
 * or the group's comment (vzdump's default notes are the guest name) or its namespace names one
 * guest among several (model/backup-owner.ts); a PBS-backed PVE storage lists the whole datastore,
 * so its snapshots go by the same evidence. Groups that stay ambiguous are counted, never guessed.
 *
 * A guest is judged only once every source that could hold its backups has been listed since
 * start (state.backupSources); until then it is pending, or unknown when a source fails.
 */
import { guestBackupKey, guestsByVmid, pbsBackupOwner } from '../model/backup-owner.js';
import type { Guest, PulseState, StorageBackup } from '../model/state.js';
import { type BackupPolicy, type PolicyConfig, policyFor } from './policy.js';

export interface TargetCoverage {
  kind: 'pve-storage' | 'pbs';
  /** `<instance>/<storage>` for PVE storage, `<pbs instance>/<datastore>[/<namespace>]` for PBS. */
  target: string;
  /** Newest backup, unix seconds. */
  newest: number;
  ageHours: number;
  restorePoints: number;
  /** Whether the newest backup is verified; null where verification does not exist (vzdump files). */
  newestVerified: boolean | null;
  /** When PBS last verified the newest backup (unix seconds); null when never or not applicable. */
  newestVerifiedAt: number | null;
  /** Whether the newest backup is encrypted; null when the listing does not say (false for vzdump files). */
  newestEncrypted: boolean | null;
  /** Whether the newest backup is protected from pruning. */
  newestProtected: boolean;
  /** Restore points on this target that are verified (PBS). */
  verifiedCount: number;
  /** Restore points protected from pruning. */
  protectedCount: number;
}

export type CoverageReason = 'no-backup' | 'stale' | 'unverified' | 'single-target' | 'few-restore-points';

export interface CoverageFlag {
  reason: CoverageReason;
  message: string;
}

export interface GuestCoverage {
  /** `<instance>:<vmid>` */
  key: string;
  guestId: string;
  instance: string;
  node: string;
  vmid: number;
  name: string;
  type: Guest['type'];
  tags: string[];
  policy: BackupPolicy;
  /** Where the policy came from: `global`, `tag:<tag>` or `guest`. */
  policySource: string;
  targets: TargetCoverage[];
  /** Age of the newest backup on any target, hours; null without backups. */
  newestAgeHours: number | null;
  restorePoints: number;
  /** Whether any target's newest backup is verified. */
  verified: boolean;
  /** The latest time PBS verified the newest backup of any target (unix seconds), null if none. */
  lastVerifiedAt: number | null;
  /** Whether the newest backup (over all targets) is encrypted; null when unknown. */
  newestEncrypted: boolean | null;
  atRisk: boolean;
  flags: CoverageFlag[];
  /**
   * `judged`: every source that could hold its backups has been listed; `pending`: a listing
   * has not arrived yet since start; `unknown`: a source failed to list. Only judged guests
   * carry flags or count as at risk.
   */
  status: CoverageStatus;
  /** Why the guest is not judged (the sources waited for or failing). */
  statusReason?: string;
}

export type CoverageStatus = 'judged' | 'pending' | 'unknown';

export interface CoverageReport {
  guests: GuestCoverage[];
  /** PBS backup groups of VMs/containers that could not be tied to one guest. */
  unattributedPbsGroups: number;
  summary: {
    guests: number;
    atRisk: number;
    /** Guests not judged yet: a backup listing has not arrived since start. */
    pending: number;
    /** Guests not judged: a source that could hold their backups failed to list them. */
    unknown: number;
    byReason: Record<CoverageReason, number>;
  };
}

const HOUR = 3_600_000;

/** What one backup says about itself, as far as its listing tells. */
interface BackupFacts {
  verified: boolean | null;
  verifiedAt: number | undefined;
  encrypted: boolean | null;
  protected: boolean;
}

interface Acc {
  kind: TargetCoverage['kind'];
  target: string;
  times: number[];
  newest: number;
  newestFacts: BackupFacts;
  verifiedCount: number;
  protectedCount: number;
}

function tagList(tags: string | string[] | undefined): string[] {
  if (!tags) return [];
  const list = Array.isArray(tags) ? tags : tags.split(/[;,]/);
  return list.map((t) => t.trim()).filter((t) => t.length > 0);
}

function add(
  map: Map<string, Map<string, Acc>>,
  key: string,
  kind: Acc['kind'],
  target: string,
  time: number,
  facts: BackupFacts,
) {
  let targets = map.get(key);
  if (!targets) {
    targets = new Map();
    map.set(key, targets);
  }
  let a = targets.get(target);
  if (!a) {
    a = { kind, target, times: [], newest: 0, newestFacts: facts, verifiedCount: 0, protectedCount: 0 };
    targets.set(target, a);
  }
  a.times.push(time);
  if (time >= a.newest) {
    a.newest = time;
    a.newestFacts = facts;
  }
  if (facts.verified) a.verifiedCount++;
  if (facts.protected) a.protectedCount++;
}

/**
 * Whether the guest's backups can be judged: every source that could hold them (its own PVE
 * instance's storages, every PBS) has delivered a complete listing since start. Before that a
 * missing backup may only be a listing not yet read.
 */
function readiness(g: Guest, sources: PulseState['backupSources']): { status: CoverageStatus; statusReason?: string } {
  if (!sources) return { status: 'pending', statusReason: 'no backup listing has arrived yet' };
  const failing: string[] = [];
  const waiting: string[] = [];
  for (const src of Object.values(sources)) {
    if (src.kind === 'pve' && src.instance !== g.instance) continue;
    if (src.listedAt !== undefined) continue;
    const name = `${src.kind === 'pbs' ? 'PBS' : 'PVE'} ${src.instance}`;
    if (src.error) failing.push(`${name}: ${src.error}`);
    else waiting.push(name);
  }
  if (failing.length) return { status: 'unknown', statusReason: `backups not listed (${failing.join('; ')})` };
  if (waiting.length)
    return { status: 'pending', statusReason: `waiting for the backup listing of ${waiting.join(', ')}` };
  return { status: 'judged' };
}

export function auditCoverage(state: Readonly<PulseState>, policies: PolicyConfig, nowMs: number): CoverageReport {
  const guests = [...state.vms, ...state.containers].filter((g) => !g.template);
  const byVmid = guestsByVmid(guests);

  const pve = new Map<string, Map<string, Acc>>();
  const unattributed = new Set<string>();
  // PBS-backed PVE storages list the same snapshots the PBS poller sees; kept apart, then merged.
  const pvePbs = new Map<string, Map<string, Acc>>();
  for (const b of state.pveBackups?.storageBackups ?? []) {
    if (b.type !== 'qemu' && b.type !== 'lxc') continue;
    // A PBS storage lists the whole datastore, other clusters' snapshots included: the same
    // evidence as for a polled PBS decides whose they are.
    const owner = b.isPBS
      ? pbsBackupOwner({ backupType: b.type === 'qemu' ? 'vm' : 'ct', vmid: b.vmid, comment: b.notes }, byVmid)
      : byVmid.get(String(b.vmid))?.find((g) => g.instance === b.instance && g.type === b.type);
    if (!owner) {
      if (b.isPBS) unattributed.add(`${b.instance}/${b.storage}/${b.type}/${b.vmid}`);
      continue;
    }
    const key = guestBackupKey(owner.instance, owner.vmid);
    add(
      b.isPBS ? pvePbs : pve,
      key,
      b.isPBS ? 'pbs' : 'pve-storage',
      `${b.instance}/${b.storage}`,
      b.time,
      b.isPBS
        ? {
            verified: verifiedOf(b),
            verifiedAt: b.verifiedAt,
            encrypted: b.encrypted ?? null,
            protected: b.protected,
          }
        : // vzdump archives on a storage are neither verified nor encrypted.
          { verified: null, verifiedAt: undefined, encrypted: false, protected: b.protected },
    );
  }
  const pbs = new Map<string, Map<string, Acc>>();
  for (const b of state.pbsBackups ?? []) {
    if (b.backupType === 'host') continue;
    const owner = pbsBackupOwner(b, byVmid);
    const target = `${b.instance}/${b.datastore}${b.namespace ? `/${b.namespace}` : ''}`;
    if (!owner) {
      unattributed.add(`${target}/${b.backupType}/${b.vmid}`);
      continue;
    }
    add(pbs, guestBackupKey(owner.instance, owner.vmid), 'pbs', target, b.backupTime, {
      verified: b.verified,
      verifiedAt: b.verifiedAt,
      encrypted: b.encrypted ?? null,
      protected: b.protected,
    });
  }

  const out: GuestCoverage[] = [];
  for (const g of guests) {
    const key = guestBackupKey(g.instance, g.vmid);
    const direct = [...(pve.get(key)?.values() ?? []), ...(pbs.get(key)?.values() ?? [])];
    // A PBS storage seen through PVE is the same target as a polled datastore holding the same
    // snapshot times; only a PBS that Pulse does not poll directly adds a target of its own.
    for (const a of pvePbs.get(key)?.values() ?? []) {
      const same = direct.some((d) => d.kind === 'pbs' && a.times.every((t) => d.times.includes(t)));
      if (!same) direct.push(a);
    }
    const tags = tagList(g.tags);
    const { policy, source } = policyFor(policies, key, tags);
    const targets = direct
      .map(
        (a): TargetCoverage => ({
          kind: a.kind,
          target: a.target,
          newest: a.newest,
          ageHours: round1(Math.max(0, nowMs - a.newest * 1000) / HOUR),
          restorePoints: a.times.length,
          newestVerified: a.newestFacts.verified,
          newestVerifiedAt: a.newestFacts.verified ? (a.newestFacts.verifiedAt ?? null) : null,
          newestEncrypted: a.newestFacts.encrypted,
          newestProtected: a.newestFacts.protected,
          verifiedCount: a.verifiedCount,
          protectedCount: a.protectedCount,
        }),
      )
      .sort((a, b) => b.newest - a.newest);
    const newest = targets[0];
    const restorePoints = targets.reduce((n, t) => n + t.restorePoints, 0);
    const verified = targets.some((t) => t.newestVerified === true);
    const verifiedTimes = targets.map((t) => t.newestVerifiedAt ?? 0).filter((t) => t > 0);
    const ready = readiness(g, state.backupSources);
    const flags = ready.status === 'judged' ? judge(policy, targets, restorePoints) : [];
    out.push({
      key,
      guestId: g.id,
      instance: g.instance,
      node: g.node,
      vmid: g.vmid,
      name: g.name,
      type: g.type,
      tags,
      policy,
      policySource: source,
      targets,
      newestAgeHours: newest ? newest.ageHours : null,
      restorePoints,
      verified,
      lastVerifiedAt: verifiedTimes.length ? Math.max(...verifiedTimes) : null,
      newestEncrypted: newest ? newest.newestEncrypted : null,
      atRisk: flags.length > 0,
      flags,
      status: ready.status,
      ...(ready.statusReason ? { statusReason: ready.statusReason } : {}),
    });
  }
  return sortedReport(out, unattributed.size);
}

/** The report of `guests`: at risk first (more reasons first), then the oldest newest backup, then by key. */
function sortedReport(out: GuestCoverage[], unattributedPbsGroups: number): CoverageReport {
  out.sort(
    (a, b) =>
      b.flags.length - a.flags.length ||
      (b.newestAgeHours ?? Number.POSITIVE_INFINITY) - (a.newestAgeHours ?? Number.POSITIVE_INFINITY) ||
      a.key.localeCompare(b.key),
  );
  const byReason: Record<CoverageReason, number> = {
    'no-backup': 0,
    stale: 0,
    unverified: 0,
    'single-target': 0,
    'few-restore-points': 0,
  };
  for (const c of out) for (const f of c.flags) byReason[f.reason]++;
  return {
    guests: out,
    unattributedPbsGroups,
    summary: {
      guests: out.length,
      atRisk: out.filter((c) => c.atRisk).length,
      pending: out.filter((c) => c.status === 'pending').length,
      unknown: out.filter((c) => c.status === 'unknown').length,
      byReason,
    },
  };
}

/**
 * `report` (an audit of the same guests, backups, listings and policies) as `auditCoverage` would
 * give it at `nowMs`: only the ages and what the policy says of them move with time, so the
 * backups are not gone through again. Guests whose ages did not move keep their objects.
 */
export function reageCoverage(report: CoverageReport, nowMs: number): CoverageReport {
  const out: GuestCoverage[] = new Array(report.guests.length);
  for (let i = 0; i < report.guests.length; i++) {
    const g = report.guests[i];
    let targets: TargetCoverage[] | undefined;
    for (let k = 0; k < g.targets.length; k++) {
      const t = g.targets[k];
      const ageHours = round1(Math.max(0, nowMs - t.newest * 1000) / HOUR);
      if (ageHours === t.ageHours) continue;
      targets ??= g.targets.slice();
      targets[k] = { ...t, ageHours };
    }
    if (!targets) {
      out[i] = g;
      continue;
    }
    const flags = g.status === 'judged' ? judge(g.policy, targets, g.restorePoints) : [];
    out[i] = { ...g, targets, newestAgeHours: targets[0].ageHours, atRisk: flags.length > 0, flags };
  }
  return sortedReport(out, report.unattributedPbsGroups);
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** PVE lists a PBS snapshot's verification as `verification.state` (flattened to a string here). */
function verifiedOf(b: StorageBackup): boolean {
  return b.verified || b.verification === 'ok';
}

/** The policy's verdict on one guest's targets. */
export function judge(policy: BackupPolicy, targets: readonly TargetCoverage[], restorePoints: number): CoverageFlag[] {
  if (targets.length === 0) return [{ reason: 'no-backup', message: 'no backup on any target' }];
  const flags: CoverageFlag[] = [];
  const fresh = targets.filter((t) => t.ageHours <= policy.maxAgeHours);
  if (fresh.length === 0) {
    flags.push({
      reason: 'stale',
      message: `newest backup is ${Math.floor(targets[0].ageHours)} h old (policy: ${policy.maxAgeHours} h)`,
    });
  }
  if (policy.requireVerified && !targets.some((t) => t.newestVerified === true || t.verifiedCount > 0)) {
    flags.push({ reason: 'unverified', message: 'no verified backup' });
  }
  if (fresh.length > 0 && fresh.length < policy.minTargets) {
    flags.push({
      reason: 'single-target',
      message: `current backups on ${fresh.length} target${fresh.length === 1 ? '' : 's'} (policy: ${policy.minTargets})`,
    });
  }
  if (restorePoints < policy.minRestorePoints) {
    flags.push({
      reason: 'few-restore-points',
      message: `${restorePoints} restore point${restorePoints === 1 ? '' : 's'} (policy: ${policy.minRestorePoints})`,
    });
  }
  return flags;
}
