/**
 * Backup-age and snapshot-age checks (not in Pulse 4.24; promised by the published API).
 *
 * - backup-age-<guestId>: days since the guest's newest known backup, from
 *   pveBackups.storageBackups / backupTasks (status OK, by instance + VMID) and pbsBackups
 *   (matched by type + VMID, and by the backup's comment when guests of several clusters share it).
 *   Warning at ≥ backupAge.warningDays (default 7), critical at ≥ criticalDays (default 14).
 *   Guests without any known backup are only alerted when backupAge.alertOnMissing is set, so
 *   an install whose backups have not been polled yet stays quiet.
 * - snapshot-age-<guestId>: days since the guest's oldest snapshot (forgotten snapshots grow and
 *   slow the disk). Warning at ≥ snapshotAge.warningDays (14), critical at ≥ criticalDays (30).
 */
import type { Guest, PulseState } from '../model/state.js';
import type { Check, CheckSet } from './checks.js';
import { prefixedId, round4 } from './checks.js';
import { nodeIdFor } from './checks-pve.js';
import type { AlertConfig } from './config.js';
import { hasOverrides } from './thresholds.js';

const DAY = 86_400_000;

/** Newest backup (ms) per instance → vmid, and per vmid for PBS (not tied to a cluster). */
interface BackupTimes {
  pve: Map<string, Map<number, number>>;
  /** Keyed by `vm:<vmid>` / `ct:<vmid>` (PBS reports the vmid as a string). */
  pbs: Map<string, PbsNewest>;
  /** Oldest snapshot (ms) per instance → node → vmid. */
  snapshots: Map<string, Map<string, Map<number, number>>>;
  /**
   * Instances whose backup data has arrived (any backup, task or snapshot of theirs is in the
   * state). Backups are fetched in the background after the guests: until then a guest's missing
   * backup or snapshot means "not known yet", not "none".
   */
  fetched: Set<string>;
  /** The oldest of the times in `pve` (and of those in `pbs`), the oldest snapshot (ms; Infinity: none). */
  oldestBackup: number;
  oldestSnapshot: number;
}

// Built once per backup collection: pollers replace pveBackups/pbsBackups only when they poll
// backups (state snapshots are immutable), while rounds run on every commit.
const pveTimes = new WeakMap<object, Omit<BackupTimes, 'pbs'>>();
const pbsTimes = new WeakMap<object, { pbs: Map<string, PbsNewest>; oldest: number }>();

/**
 * PBS does not say which cluster a backup came from: its newest backup per group, and per
 * comment (PVE writes the guest's name there by default), so guests with the same VMID on
 * different clusters are told apart where the comment allows and never given each other's.
 */
interface PbsNewest {
  newest: number;
  byComment: Map<string, number>;
}

/** `vm:<vmid>` or `ct:<vmid>`, as PBS groups are named. */
const pbsKey = (g: Guest) => `${g.type === 'qemu' ? 'vm' : 'ct'}:${g.vmid}`;

// Which PBS groups more than one guest could own, per VM list (rebuilt when a guest poll
// replaces it, or the containers or PBS backups change); a set of PBS groups, not of guests.
const sharedGroups = new WeakMap<object, { containers: object; pbs: object; shared: Set<string> }>();

function ambiguousPbsGroups(state: Readonly<PulseState>, pbs: Map<string, PbsNewest>): Set<string> {
  const cached = sharedGroups.get(state.vms);
  if (cached && cached.containers === state.containers && cached.pbs === pbs) return cached.shared;
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const list of [state.vms, state.containers]) {
    for (const g of list) {
      if (g.template) continue;
      const k = pbsKey(g);
      if (!pbs.has(k)) continue;
      if (seen.has(k)) shared.add(k);
      else seen.add(k);
    }
  }
  sharedGroups.set(state.vms, { containers: state.containers, pbs, shared });
  return shared;
}
const NONE = {};

function nested<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

function backupTimes(state: Readonly<PulseState>): BackupTimes {
  const pveKey = state.pveBackups ?? NONE;
  let pve = pveTimes.get(pveKey);
  if (!pve) {
    pve = {
      pve: new Map(),
      snapshots: new Map(),
      fetched: new Set(),
      oldestBackup: Number.POSITIVE_INFINITY,
      oldestSnapshot: Number.POSITIVE_INFINITY,
    };
    const newest = pve.pve;
    const fetched = pve.fetched;
    const b = state.pveBackups;
    for (const x of b?.storageBackups ?? []) fetched.add(x.instance);
    for (const x of b?.backupTasks ?? []) fetched.add(x.instance);
    for (const x of b?.guestSnapshots ?? []) fetched.add(x.instance);
    const bump = (instance: string, vmid: number, ms: number) => {
      if (!(ms > 0)) return;
      const byVmid = nested(newest, instance, () => new Map<number, number>());
      if (ms > (byVmid.get(vmid) ?? 0)) byVmid.set(vmid, ms);
    };
    for (const x of b?.storageBackups ?? []) bump(x.instance, x.vmid, x.time * 1000);
    for (const t of b?.backupTasks ?? []) {
      if (t.vmid > 0 && t.endTime > 0 && t.status === 'OK') bump(t.instance, t.vmid, t.endTime * 1000);
    }
    for (const x of b?.guestSnapshots ?? []) {
      const ms = x.time * 1000;
      if (!(ms > 0)) continue;
      const byNode = nested(pve.snapshots, x.instance, () => new Map<string, Map<number, number>>());
      const byVmid = nested(byNode, x.node, () => new Map<number, number>());
      if (ms < (byVmid.get(x.vmid) ?? Number.POSITIVE_INFINITY)) byVmid.set(x.vmid, ms);
      if (ms < pve.oldestSnapshot) pve.oldestSnapshot = ms;
    }
    for (const byVmid of newest.values()) {
      for (const ms of byVmid.values()) if (ms < pve.oldestBackup) pve.oldestBackup = ms;
    }
    pveTimes.set(pveKey, pve);
  }
  const pbsObject = state.pbsBackups ?? NONE;
  let pbsEntry = pbsTimes.get(pbsObject);
  if (!pbsEntry) {
    const pbs = new Map<string, PbsNewest>();
    for (const b of state.pbsBackups ?? []) {
      const ms = b.backupTime * 1000;
      if ((b.backupType !== 'vm' && b.backupType !== 'ct') || !(ms > 0)) continue;
      const key = `${b.backupType}:${b.vmid}`;
      let entry = pbs.get(key);
      if (!entry) {
        entry = { newest: 0, byComment: new Map() };
        pbs.set(key, entry);
      }
      if (ms > entry.newest) entry.newest = ms;
      const comment = b.comment?.trim();
      if (comment && ms > (entry.byComment.get(comment) ?? 0)) entry.byComment.set(comment, ms);
    }
    let oldest = Number.POSITIVE_INFINITY;
    for (const entry of pbs.values()) {
      oldest = Math.min(oldest, entry.newest);
      for (const ms of entry.byComment.values()) oldest = Math.min(oldest, ms);
    }
    pbsEntry = { pbs, oldest };
    pbsTimes.set(pbsObject, pbsEntry);
  }
  return { ...pve, pbs: pbsEntry.pbs, oldestBackup: Math.min(pve.oldestBackup, pbsEntry.oldest) };
}

/** Backup and snapshot checks of one guest at a time (see `backupChecker`). */
export interface BackupChecker {
  each(g: Guest): void;
  /** The checks made so far, in guest order. */
  readonly checks: Check[];
}

/**
 * The backup-age and snapshot-age checks, made guest by guest inside the engine's one pass over
 * the guests (pveChecks): a second pass over 10,000 fresh guest objects would read each from
 * memory again. The checks are collected apart so the engine can put them where they belong in
 * the round's order (after the service checks). Undefined when no guest can get such a check.
 *
 * `ageNow`: the time ages are measured at (at most a minute old, see engine.ts); `now` is used
 * instead whenever the two would put an age on different sides of a level.
 */
export function backupChecker(
  config: AlertConfig,
  state: Readonly<PulseState>,
  out: CheckSet,
  now: number,
  ageNow = now,
): BackupChecker | undefined {
  const { backupAge, snapshotAge } = config;
  if (config.disableAllGuests || (!backupAge.enabled && !snapshotAge.enabled)) return undefined;
  const times = backupTimes(state);
  const shared = times.pbs.size > 0 && backupAge.enabled ? ambiguousPbsGroups(state, times.pbs) : undefined;
  /** The guest's newest PBS backup: by comment when another guest has the same VMID. */
  const pbsTime = (g: Guest): number => {
    const key = pbsKey(g);
    const entry = times.pbs.get(key);
    if (!entry) return 0;
    return shared?.has(key) ? (entry.byComment.get(g.name) ?? 0) : entry.newest;
  };
  const overrides = hasOverrides(config);
  const checks: Check[] = [];
  // When even the oldest known time is younger than the warning level and no alert of the type is
  // active, no guest's check can come to anything: their lookups are left out (the usual round
  // for backup ages). Ages are monotonic in the time, and `now` ≥ `ageNow`.
  const youngerThan = (oldest: number, limits: { warningDays: number }) =>
    !(limits.warningDays > 0) ||
    oldest === Number.POSITIVE_INFINITY ||
    round4(Math.max(0, (now - oldest) / DAY)) < limits.warningDays;
  const backupAges =
    backupAge.enabled &&
    (backupAge.alertOnMissing || out.anyAlerting('backup-age') || !youngerThan(times.oldestBackup, backupAge));
  const snapshotAges =
    snapshotAge.enabled && (out.anyAlerting('snapshot-age') || !youngerThan(times.oldestSnapshot, snapshotAge));
  if (!backupAges && !snapshotAges) return undefined;
  const each = (g: Guest) => {
    if (g.template || (overrides && config.overrides[g.id]?.disabled)) return;
    if (backupAges) {
      // Not guest.lastBackup: the collector adds PBS backups to it by VMID alone, across clusters.
      const last = Math.max(times.pve.get(g.instance)?.get(g.vmid) ?? 0, times.pbs.size > 0 ? pbsTime(g) : 0);
      if (last > 0) ageCheck(out, checks, state, g, 'backup-age', 'Last backup age', last, now, ageNow, backupAge);
      // No backup found: unknown while the instance's backups have not arrived, and for an
      // active age alert (its backups vanished: the age did not get any younger).
      else if (!times.fetched.has(g.instance) || !backupAge.alertOnMissing) out.unknown(g.id, 'backup-age');
      else {
        checks.push({
          ...guestBase(state, g),
          kind: 'condition',
          id: `backup-age-${g.id}`,
          type: 'backup-age',
          bad: true,
          level: 'warning',
          confirmations: 1,
          message: `${guestKind(g)} '${g.name}' has no known backup`,
          value: -1,
          threshold: backupAge.warningDays,
        });
      }
    }
    if (snapshotAges) {
      const oldest = times.snapshots.get(g.instance)?.get(g.node)?.get(g.vmid);
      if (oldest !== undefined)
        ageCheck(out, checks, state, g, 'snapshot-age', 'Oldest snapshot age', oldest, now, ageNow, snapshotAge);
      // No snapshot is news only once the instance's snapshots have arrived.
      else if (!times.fetched.has(g.instance)) out.unknown(g.id, 'snapshot-age');
    }
  };
  return { each, checks };
}

const guestKind = (g: Guest) => (g.type === 'qemu' ? 'VM' : 'Container');

function guestBase(state: Readonly<PulseState>, g: Guest) {
  return {
    resourceId: g.id,
    resourceName: g.name,
    node: g.node,
    instance: g.instance,
    resourceType: guestKind(g),
    category: 'backup' as const,
    parentNodeId: nodeIdFor(state, g.node, g.instance),
  };
}

function ageCheck(
  out: CheckSet,
  checks: Check[],
  state: Readonly<PulseState>,
  g: Guest,
  type: 'backup-age' | 'snapshot-age',
  label: string,
  since: number,
  now: number,
  ageNow: number,
  limits: { warningDays: number; criticalDays: number },
): void {
  if (!(limits.warningDays > 0)) return;
  const trigger = limits.warningDays;
  // Ages only fall when a new backup appears (or the snapshot is removed), so any drop
  // below the warning level is a real resolution.
  const clear = limits.warningDays * 0.999;
  const critical = Math.max(limits.criticalDays, limits.warningDays);
  let value = round4(Math.max(0, (ageNow - since) / DAY));
  if (ageNow !== now) {
    const exact = round4(Math.max(0, (now - since) / DAY));
    if (
      value >= trigger !== exact >= trigger ||
      value >= critical !== exact >= critical ||
      value <= clear !== exact <= clear
    )
      value = exact;
  }
  // Far below the warning level and nothing active: no check (as metricCheck).
  if (value < trigger && !out.alerting(g.id, type)) return;
  const id = prefixedId(type, g.id);
  if (value < trigger && !out.keep(id)) return;
  checks.push({
    kind: 'threshold',
    id,
    type,
    resourceId: g.id,
    resourceName: g.name,
    node: g.node,
    instance: g.instance,
    resourceType: guestKind(g),
    category: 'backup',
    parentNodeId: nodeIdFor(state, g.node, g.instance),
    label,
    unit: 'days',
    value,
    trigger,
    clear,
    critical,
    delayMs: 0,
  });
}
