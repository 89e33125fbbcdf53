/** The backup coverage audit and its policy, on hand-built states whose verdicts are known. */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCoverage, reageCoverage } from '../../src/backups/coverage.js';
import { BackupPolicyRepo, defaultPolicyConfig, parsePolicyConfig, policyFor } from '../../src/backups/policy.js';
import { BackupCoverageService } from '../../src/backups/service.js';
import { ManualClock } from '../../src/clock.js';
import { openDatabase } from '../../src/db/database.js';
import type { PbsBackup, PulseState, StorageBackup } from '../../src/model/state.js';
import { BackupPolicy } from '../../src/schemas/insight.js';
import { guest, stateWith } from '../alerts/state-builders.js';
import { allListed } from './backup-sources.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const H = 3600;
const nowSec = NOW / 1000;

function vzdump(
  instance: string,
  vmid: number,
  storage: string,
  ageH: number,
  over: Partial<StorageBackup> = {},
): StorageBackup {
  const time = nowSec - ageH * H;
  return {
    id: `${instance}-${storage}-${vmid}-${time}`,
    storage,
    node: 'n1',
    instance,
    type: 'qemu',
    vmid,
    time,
    ctime: time,
    size: 1e9,
    format: 'vma.zst',
    protected: false,
    volid: `${storage}:backup/vzdump-qemu-${vmid}-${time}.vma.zst`,
    isPBS: false,
    verified: false,
    ...over,
  };
}

function snap(vmid: number, ageH: number, over: Partial<PbsBackup> = {}): PbsBackup {
  const backupTime = nowSec - ageH * H;
  return {
    id: `pbs1-main-${vmid}-${backupTime}`,
    instance: 'pbs1',
    datastore: 'main',
    namespace: '',
    backupType: 'vm',
    vmid: String(vmid),
    backupTime,
    size: 1e9,
    protected: false,
    verified: true,
    ...over,
  };
}

const byVmid = (r: ReturnType<typeof auditCoverage>, instance: string, vmid: number) => {
  const c = r.guests.find((g) => g.key === `${instance}:${vmid}`);
  if (!c) throw new Error(`no coverage for ${instance}:${vmid}`);
  return c;
};

describe('auditCoverage', () => {
  const guests = [
    guest({ vmid: 100, node: 'n1', name: 'web', tags: 'prod' }),
    guest({ vmid: 101, node: 'n1', name: 'nobackup' }),
    guest({ vmid: 102, node: 'n1', name: 'stale' }),
    guest({ vmid: 103, node: 'n1', name: 'unverified', tags: 'prod' }),
    guest({ vmid: 104, node: 'n1', name: 'tmpl', template: true }),
  ];
  const state = stateWith({
    vms: guests,
    pveBackups: {
      backupTasks: [],
      guestSnapshots: [],
      storageBackups: [
        vzdump('pve1', 100, 'nfs', 10),
        vzdump('pve1', 100, 'nfs', 34, { protected: true }),
        vzdump('pve1', 102, 'nfs', 72),
        vzdump('pve1', 102, 'nfs', 96),
      ],
    },
    pbsBackups: [
      snap(100, 9),
      snap(100, 33, { verified: false }),
      snap(103, 5, { verified: false }),
      snap(103, 29, { verified: false }),
    ],
  });

  it('lists targets, ages, restore points and verification per guest under the default policy', () => {
    const r = auditCoverage(allListed(state), defaultPolicyConfig(), NOW);
    const web = byVmid(r, 'pve1', 100);
    expect(web.targets.map((t) => [t.kind, t.target, t.restorePoints, t.ageHours, t.newestVerified])).toEqual([
      ['pbs', 'pbs1/main', 2, 9, true],
      ['pve-storage', 'pve1/nfs', 2, 10, null],
    ]);
    expect(web.targets[1].protectedCount).toBe(1);
    expect(web.restorePoints).toBe(4);
    expect(web.verified).toBe(true);
    expect(web.atRisk).toBe(false);
    expect(byVmid(r, 'pve1', 101).flags.map((f) => f.reason)).toEqual(['no-backup']);
    expect(byVmid(r, 'pve1', 102).flags).toEqual([
      { reason: 'stale', message: 'newest backup is 72 h old (policy: 48 h)' },
    ]);
    // Verification is not required by default.
    expect(byVmid(r, 'pve1', 103).atRisk).toBe(false);
    expect(r.guests.some((g) => g.vmid === 104)).toBe(false);
    expect(r.summary).toMatchObject({ guests: 4, atRisk: 2, byReason: { 'no-backup': 1, stale: 1 } });
    // At risk first: no backup (infinitely old) before stale.
    expect(r.guests.slice(0, 2).map((g) => g.vmid)).toEqual([101, 102]);
  });

  it('a report brought to a later time equals the audit at that time, across the policy limits', () => {
    const policy = parsePolicyConfig({ tags: { prod: { requireVerified: true, minTargets: 2, maxAgeHours: 12 } } });
    const listed = allListed(state);
    const first = auditCoverage(listed, policy, NOW);
    let report = first;
    // Minutes and hours on: targets cross 12 h (prod) and 48 h (default), ties in age reorder by key.
    for (const later of [1, 7, 60, 2 * 60 + 1, 3 * 60, 14 * 60, 38 * 60 + 30, 39 * 60, 50 * 60]) {
      const at = NOW + later * 60_000;
      report = reageCoverage(report, at);
      expect(report).toEqual(auditCoverage(listed, policy, at));
    }
    expect(report.summary.atRisk).toBeGreaterThan(first.summary.atRisk);
    // A guest whose ages did not move keeps its object.
    const minuteOn = reageCoverage(first, NOW + 60_000);
    expect(minuteOn.guests.find((g) => g.vmid === 101)).toBe(first.guests.find((g) => g.vmid === 101));
  });

  it('reports per target when the newest backup was verified, whether it is encrypted and protected', () => {
    const verifiedAt = nowSec - 2 * H;
    const facts = stateWith({
      vms: [guest({ vmid: 100, node: 'n1' }), guest({ vmid: 101, node: 'n1' })],
      pveBackups: {
        backupTasks: [],
        guestSnapshots: [],
        storageBackups: [vzdump('pve1', 100, 'nfs', 1, { protected: true })],
      },
      pbsBackups: [
        snap(100, 4, { verifiedAt, encrypted: true }),
        // An older snapshot verified later does not stand in for the newest one.
        snap(100, 28, { verifiedAt: nowSec - H, encrypted: false, protected: true }),
        snap(101, 3, { verified: false, protected: true }),
      ],
    });
    const r = auditCoverage(allListed(facts), defaultPolicyConfig(), NOW);
    const web = byVmid(r, 'pve1', 100);
    expect(
      web.targets.map((t) => [t.target, t.newestVerifiedAt, t.newestEncrypted, t.newestProtected, t.protectedCount]),
    ).toEqual([
      ['pve1/nfs', null, false, true, 1],
      ['pbs1/main', verifiedAt, true, false, 1],
    ]);
    expect(web.lastVerifiedAt).toBe(verifiedAt);
    // The newest backup of all is the vzdump archive: not encrypted.
    expect(web.newestEncrypted).toBe(false);
    const other = byVmid(r, 'pve1', 101);
    // Unverified, encryption not stated by the listing.
    expect(other.targets[0]).toMatchObject({ newestVerified: false, newestVerifiedAt: null, newestEncrypted: null });
    expect(other.targets[0].newestProtected).toBe(true);
    expect(other.lastVerifiedAt).toBeNull();
  });

  it('a tag policy asking for verification and two targets flags only the tagged guests that miss them', () => {
    const policy = parsePolicyConfig({ tags: { prod: { requireVerified: true, minTargets: 2 } } });
    const r = auditCoverage(allListed(state), policy, NOW);
    expect(byVmid(r, 'pve1', 100).atRisk).toBe(false);
    const u = byVmid(r, 'pve1', 103);
    expect(u.policySource).toBe('tag:prod');
    expect(u.flags.map((f) => f.reason)).toEqual(['unverified', 'single-target']);
    expect(byVmid(r, 'pve1', 102).flags.map((f) => f.reason)).toEqual(['stale']);
  });

  it('keys guests by instance and VMID: a PBS group reaches only the guest its comment or namespace names', () => {
    const twins = stateWith({
      vms: [
        guest({ vmid: 100, node: 'a1', instance: 'alpha', name: 'mail' }),
        guest({ vmid: 100, node: 'b1', instance: 'beta', name: 'wiki' }),
      ],
      pveBackups: { backupTasks: [], guestSnapshots: [], storageBackups: [vzdump('alpha', 100, 'local', 3)] },
      pbsBackups: [
        snap(100, 4, { comment: 'wiki' }),
        snap(100, 5, { datastore: 'other', namespace: 'alpha' }),
        snap(100, 6, { datastore: 'third', comment: 'someone-else' }),
      ],
    });
    const r = auditCoverage(allListed(twins), defaultPolicyConfig(), NOW);
    expect(byVmid(r, 'alpha', 100).targets.map((t) => t.target)).toEqual(['alpha/local', 'pbs1/other/alpha']);
    expect(byVmid(r, 'beta', 100).targets.map((t) => t.target)).toEqual(['pbs1/main']);
    expect(r.unattributedPbsGroups).toBe(1);
  });

  it('judges a guest only once its own PVE instance and every PBS have listed their backups', () => {
    const twins = stateWith({
      vms: [
        guest({ vmid: 100, node: 'a1', instance: 'alpha', name: 'mail' }),
        guest({ vmid: 200, node: 'b1', instance: 'beta', name: 'wiki' }),
      ],
      pveBackups: { backupTasks: [], guestSnapshots: [], storageBackups: [vzdump('alpha', 100, 'local', 3)] },
      pbsBackups: [],
    });
    const status = (sources: PulseState['backupSources']) =>
      auditCoverage({ ...twins, backupSources: sources }, defaultPolicyConfig(), NOW)
        .guests.map((g) => [g.instance, g.status, g.statusReason ?? null, g.flags.map((f) => f.reason)])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    // Nothing reported yet: no verdict on anyone.
    expect(status(undefined)).toEqual([
      ['alpha', 'pending', 'no backup listing has arrived yet', []],
      ['beta', 'pending', 'no backup listing has arrived yet', []],
    ]);
    // PVE storages listed, the PBS not yet: still no verdict, and the wait is named.
    const pveOnly: PulseState['backupSources'] = {
      'pve:alpha': { kind: 'pve', instance: 'alpha', listedAt: NOW },
      'pve:beta': { kind: 'pve', instance: 'beta', listedAt: NOW },
      'pbs:pbs1': { kind: 'pbs', instance: 'pbs1' },
    };
    expect(status(pveOnly)).toEqual([
      ['alpha', 'pending', 'waiting for the backup listing of PBS pbs1', []],
      ['beta', 'pending', 'waiting for the backup listing of PBS pbs1', []],
    ]);
    // One cluster's listing does not hold the other's guests back.
    const betaLate: PulseState['backupSources'] = {
      ...pveOnly,
      'pve:beta': { kind: 'pve', instance: 'beta' },
      'pbs:pbs1': { kind: 'pbs', instance: 'pbs1', listedAt: NOW },
    };
    const late = auditCoverage({ ...twins, backupSources: betaLate }, defaultPolicyConfig(), NOW);
    expect(late.guests.map((g) => [g.instance, g.status])).toEqual([
      ['beta', 'pending'],
      ['alpha', 'judged'],
    ]);
    expect(late.summary).toMatchObject({ guests: 2, atRisk: 0, pending: 1, unknown: 0 });
    // A PBS failing before its first listing: unknown, with the reason, never "no backup".
    const failing = { ...pveOnly, 'pbs:pbs1': { kind: 'pbs' as const, instance: 'pbs1', error: 'unreachable' } };
    expect(status(failing)).toEqual([
      ['alpha', 'unknown', 'backups not listed (PBS pbs1: unreachable)', []],
      ['beta', 'unknown', 'backups not listed (PBS pbs1: unreachable)', []],
    ]);
    // Everything listed: the unbacked guest is at risk.
    const all = { ...pveOnly, 'pbs:pbs1': { kind: 'pbs' as const, instance: 'pbs1', listedAt: NOW } };
    expect(status(all)).toEqual([
      ['alpha', 'judged', null, []],
      ['beta', 'judged', null, ['no-backup']],
    ]);
  });

  it('a PBS storage two clusters share gives a snapshot only to the guest the evidence names', () => {
    const twins = stateWith({
      vms: [
        guest({ vmid: 100, node: 'a1', instance: 'alpha', name: 'mail' }),
        guest({ vmid: 100, node: 'b1', instance: 'beta', name: 'wiki' }),
      ],
      pveBackups: {
        backupTasks: [],
        guestSnapshots: [],
        // Alpha's PBS storage lists the whole datastore: beta's wiki backup and one it cannot place.
        storageBackups: [
          vzdump('alpha', 100, 'pbs-store', 2, { isPBS: true, notes: 'wiki' }),
          vzdump('alpha', 100, 'pbs-store', 5, { isPBS: true }),
        ],
      },
      pbsBackups: [],
    });
    const r = auditCoverage(allListed(twins), defaultPolicyConfig(), NOW);
    expect(byVmid(r, 'alpha', 100).targets).toEqual([]);
    expect(byVmid(r, 'beta', 100).targets.map((t) => t.target)).toEqual(['alpha/pbs-store']);
    expect(r.unattributedPbsGroups).toBe(1);
  });

  it('a PBS storage listed by PVE with the snapshots of a polled datastore is one target, not two', () => {
    const t1 = nowSec - 2 * H;
    const same = stateWith({
      vms: [guest({ vmid: 100, node: 'n1' })],
      pveBackups: {
        backupTasks: [],
        guestSnapshots: [],
        storageBackups: [vzdump('pve1', 100, 'pbs-store', 2, { isPBS: true, time: t1, verified: true })],
      },
      pbsBackups: [snap(100, 2)],
    });
    const policy = parsePolicyConfig({
      global: { maxAgeHours: 24, minRestorePoints: 1, requireVerified: true, minTargets: 2 },
    });
    const c = byVmid(auditCoverage(allListed(same), policy, NOW), 'pve1', 100);
    expect(c.targets.map((t) => t.target)).toEqual(['pbs1/main']);
    expect(c.flags.map((f) => f.reason)).toEqual(['single-target']);
    // A PBS that Pulse does not poll, seen only through PVE, is a target of its own.
    const unpolled = stateWith({ ...same, pbsBackups: [] });
    expect(byVmid(auditCoverage(allListed(unpolled), policy, NOW), 'pve1', 100).targets.map((t) => t.target)).toEqual([
      'pve1/pbs-store',
    ]);
  });
});

describe('BackupCoverageService', () => {
  it('keeps its report while polls only move metrics, and audits again when a guest is renamed or re-tagged', () => {
    const db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-coverage-')));
    try {
      const clock = new ManualClock(NOW);
      let state = stateWith({
        vms: [guest({ vmid: 100, node: 'n1', name: 'web', tags: 'prod' }), guest({ vmid: 101, node: 'n1' })],
        pveBackups: { backupTasks: [], guestSnapshots: [], storageBackups: [vzdump('pve1', 100, 'nfs', 10)] },
      });
      const svc = new BackupCoverageService({ db, clock, state: { get: () => state } });
      const first = svc.current();
      // A poll: every guest object replaced, figures moved.
      state = { ...state, vms: state.vms.map((g) => ({ ...g, cpu: g.cpu + 0.1, uptime: g.uptime + 10 })) };
      clock.advance(10_000);
      expect(svc.current()).toBe(first);
      state = { ...state, vms: state.vms.map((g) => (g.vmid === 100 ? { ...g, tags: 'prod,db' } : g)) };
      const retagged = svc.current();
      expect(retagged).not.toBe(first);
      expect(retagged.guests.find((c) => c.vmid === 100)?.tags).toEqual(['prod', 'db']);
      state = { ...state, vms: state.vms.map((g) => (g.vmid === 101 ? { ...g, name: 'renamed' } : g)) };
      expect(svc.current().guests.find((c) => c.vmid === 101)?.name).toBe('renamed');
      // Ages move: half an hour later the report is brought up to date even with the same guests.
      const steady = svc.current();
      clock.advance(30 * 60_000);
      const aged = svc.current();
      expect(aged).not.toBe(steady);
      expect(aged).toEqual({ ...auditCoverage(state, defaultPolicyConfig(), clock.now()), computedAt: clock.now() });
      // New backup lists (one added, then one removed) are audited anew, not aged.
      const backups = state.pveBackups as NonNullable<PulseState['pveBackups']>;
      const added = [...backups.storageBackups, vzdump('pve1', 101, 'nfs', 1)];
      state = { ...state, pveBackups: { ...backups, storageBackups: added } };
      clock.advance(60_000);
      expect(svc.current().guests.find((c) => c.vmid === 101)?.restorePoints).toBe(1);
      state = { ...state, pveBackups: { ...backups, storageBackups: added.slice(1) } };
      clock.advance(60_000);
      expect(svc.current().guests.find((c) => c.vmid === 100)?.restorePoints).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe('backup policy', () => {
  it('merges tag overrides strictly and lets the guest override win', () => {
    const cfg = parsePolicyConfig({
      global: { maxAgeHours: 48, minRestorePoints: 1, requireVerified: false, minTargets: 1 },
      tags: { prod: { maxAgeHours: 24, minTargets: 2 }, db: { maxAgeHours: 12, requireVerified: true } },
      guests: { 'pve1:100': { maxAgeHours: 6 } },
    });
    expect(policyFor(cfg, 'pve1:101', ['prod', 'db'])).toEqual({
      policy: { maxAgeHours: 12, minRestorePoints: 1, requireVerified: true, minTargets: 2 },
      source: 'tag:db+tag:prod',
    });
    expect(policyFor(cfg, 'pve1:100', ['prod']).policy.maxAgeHours).toBe(6);
    expect(policyFor(cfg, 'pve2:100', []).source).toBe('global');
  });

  it('refuses bad documents with the field named', () => {
    const bad: Array<[unknown, RegExp]> = [
      [[], /must be an object/],
      [{ extra: 1 }, /extra is not a policy section/],
      [{ global: { maxAgeHours: 24 } }, /global.minRestorePoints is required/],
      [{ tags: { prod: { maxAgeHours: 0 } } }, /^tags.prod.maxAgeHours must be >= 1$/],
      [{ tags: { prod: { minTargets: 1.5 } } }, /^tags.prod.minTargets must be integer$/],
      [{ tags: { prod: { colour: 'red' } } }, /tags.prod.colour is not a policy field/],
      [{ guests: { '100': { maxAgeHours: 5 } } }, /guests key '100' is not valid/],
      [{ guests: { 'pve1:100': { requireVerified: 'yes' } } }, /^guests.pve1:100.requireVerified must be boolean$/],
    ];
    for (const [input, msg] of bad) expect(() => parsePolicyConfig(input)).toThrow(msg);
  });

  it('holds every range the route schema declares, for input and for the stored policy', () => {
    const ranges = Object.entries(BackupPolicy.properties as Record<string, { minimum?: number; maximum?: number }>)
      .filter(([, p]) => p.maximum !== undefined)
      .map(([field, p]) => ({ field, min: p.minimum as number, max: p.maximum as number }));
    expect(ranges.map((r) => r.field).sort()).toEqual(['maxAgeHours', 'minRestorePoints', 'minTargets']);
    const db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-policy-')));
    try {
      const repo = new BackupPolicyRepo(db);
      for (const { field, min, max } of ranges) {
        for (const ok of [min, max]) {
          const cfg = parsePolicyConfig({ tags: { prod: { [field]: ok } } });
          expect(cfg.tags.prod, field).toEqual({ [field]: ok });
          repo.save(cfg);
          expect(repo.load().tags.prod, field).toEqual({ [field]: ok });
        }
        expect(() => parsePolicyConfig({ guests: { 'pve1:100': { [field]: max + 1 } } })).toThrow(
          `guests.pve1:100.${field} must be <= ${max}`,
        );
        expect(() => parsePolicyConfig({ global: { ...defaultPolicyConfig().global, [field]: min - 1 } })).toThrow(
          `global.${field} must be >= ${min}`,
        );
        // A stored policy outside the schema's range is not used: the defaults apply.
        repo.save({ ...defaultPolicyConfig(), tags: { prod: { [field]: max + 1 } } });
        expect(repo.load(), field).toEqual(defaultPolicyConfig());
      }
    } finally {
      db.close();
    }
  });
});
