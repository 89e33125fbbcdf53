/**
 * Backup-age and snapshot-age checks (not in Pulse 4.24; promised by the published API).
 *
 * - backup-age-<guestId>: days since the guest's newest known backup, from guest.lastBackup,
 *   pveBackups.storageBackups / backupTasks (status OK) and pbsBackups (matched by vmid).
 *   Warning at ≥ backupAge.warningDays (default 7), critical at ≥ criticalDays (default 14).
 *   Guests without any known backup are only alerted when backupAge.alertOnMissing is set, so
 *   an install whose backups have not been polled yet stays quiet.
 * - snapshot-age-<guestId>: days since the guest's oldest snapshot (forgotten snapshots grow and
 *   slow the disk). Warning at ≥ snapshotAge.warningDays (14), critical at ≥ criticalDays (30).
 */
import type { Guest, PulseState } from '../model/state.js';
import type { CheckSet } from './checks.js';
import { round4 } from './checks.js';
import { nodeIdFor } from './checks-pve.js';
import type { AlertConfig } from './config.js';

const DAY = 86_400_000;

export function backupChecks(config: AlertConfig, state: Readonly<PulseState>, out: CheckSet, now: number): void {
  const { backupAge, snapshotAge } = config;
  if (config.disableAllGuests || (!backupAge.enabled && !snapshotAge.enabled)) return;

  // Newest backup per "<instance>:<vmid>" (ms) and per bare vmid for PBS (not tied to a cluster).
  const newest = new Map<string, number>();
  const bump = (key: string, ms: number) => {
    if (ms > 0 && ms > (newest.get(key) ?? 0)) newest.set(key, ms);
  };
  const pve = state.pveBackups ?? { backupTasks: [], storageBackups: [], guestSnapshots: [] };
  for (const b of pve.storageBackups ?? []) bump(`${b.instance}:${b.vmid}`, b.time * 1000);
  for (const t of pve.backupTasks ?? []) {
    if (t.vmid > 0 && t.endTime > 0 && t.status === 'OK') bump(`${t.instance}:${t.vmid}`, t.endTime * 1000);
  }
  for (const b of state.pbsBackups ?? []) {
    if (b.backupType === 'vm' || b.backupType === 'ct') bump(`pbs:${b.vmid}`, b.backupTime * 1000);
  }
  const oldestSnapshot = new Map<string, number>();
  for (const s of pve.guestSnapshots ?? []) {
    const key = `${s.instance}:${s.node}:${s.vmid}`;
    const ms = s.time * 1000;
    if (ms > 0 && ms < (oldestSnapshot.get(key) ?? Number.POSITIVE_INFINITY)) oldestSnapshot.set(key, ms);
  }

  for (const g of [...state.vms, ...state.containers]) {
    if (g.template || config.overrides[g.id]?.disabled) continue;
    if (backupAge.enabled) {
      const last = Math.max(
        g.lastBackup ?? 0,
        newest.get(`${g.instance}:${g.vmid}`) ?? 0,
        newest.get(`pbs:${g.vmid}`) ?? 0,
      );
      if (last > 0) ageCheck(out, state, g, 'backup-age', 'Last backup', (now - last) / DAY, backupAge);
      else if (backupAge.alertOnMissing) {
        out.checks.push({
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
    if (snapshotAge.enabled) {
      const oldest = oldestSnapshot.get(`${g.instance}:${g.node}:${g.vmid}`);
      if (oldest !== undefined)
        ageCheck(out, state, g, 'snapshot-age', 'Oldest snapshot', (now - oldest) / DAY, snapshotAge);
    }
  }
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
  state: Readonly<PulseState>,
  g: Guest,
  type: 'backup-age' | 'snapshot-age',
  label: string,
  days: number,
  limits: { warningDays: number; criticalDays: number },
): void {
  if (!(limits.warningDays > 0)) return;
  out.checks.push({
    ...guestBase(state, g),
    kind: 'threshold',
    id: `${type}-${g.id}`,
    type,
    label: `${label} age`,
    unit: 'days',
    value: round4(Math.max(0, days)),
    trigger: limits.warningDays,
    // Ages only fall when a new backup appears (or the snapshot is removed), so any drop
    // below the warning level is a real resolution.
    clear: limits.warningDays * 0.999,
    critical: Math.max(limits.criticalDays, limits.warningDays),
    delayMs: 0,
  });
}
