/**
 * "Alerts must never lie" (issue 18): missing data is unknown, never resolved. Each test builds
 * the situation that used to tell destinations "resolved" — a restart (the memory rebuilt from
 * the persisted active alerts, as AlertService does), data that arrives in a later fetch than
 * the guest, an instance still connecting — and checks that nothing resolves or is re-sent until
 * fresh data shows the problem is gone. Also: thresholds edited while an alert is active, state
 * alerts that say what happened, and a told guest alert folding under its node's outage (and
 * standing on its own again once the node is back).
 */
import { describe, expect, it } from 'vitest';
import { guest, node, stateWith, storage } from '../../test/alerts/state-builders.js';
import type { AlertNotification, Guest, GuestSnapshot, PulseState, Storage } from '../model/state.js';
import { formatAlertFigure } from '../notify/batch.js';
import { type AlertConfig, defaultAlertConfig } from './config.js';
import { clearAlert, evaluate, STALE_AFTER_MS } from './engine.js';
import { type AlertChange, type AlertMemory, emptyMemory, type TrackedAlert } from './memory.js';

const T0 = Date.UTC(2026, 0, 5, 10, 42, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const DAY = 86_400_000;

function cfg(change?: (c: AlertConfig) => void): AlertConfig {
  const c = defaultAlertConfig();
  c.timeThreshold = 0;
  c.timeThresholds = {};
  c.schedule.cooldown = 0;
  c.suppressionWindow = 0;
  change?.(c);
  return c;
}

class Harness {
  memory: AlertMemory = emptyMemory();
  changes: AlertChange[] = [];
  constructor(public config: AlertConfig) {}
  run(state: PulseState, now: number): AlertChange[] {
    const r = evaluate(this.config, state, this.memory, now);
    this.memory = r.memory;
    this.changes.push(...r.changes);
    return r.changes;
  }
  active(id: string) {
    return this.memory.active[id]?.alert;
  }
  /** What a restart keeps: the active alerts as persisted (JSON), nothing else. */
  restart(): void {
    const active = JSON.parse(JSON.stringify(this.memory.active)) as Record<string, TrackedAlert>;
    this.memory = { ...emptyMemory(), active };
    this.changes = [];
  }
}

const notifications = (changes: AlertChange[]): AlertNotification[] =>
  changes.flatMap((c) => (c.kind === 'notify' ? [c.notification] : []));
const resolutions = (changes: AlertChange[]) => changes.filter((c) => c.kind === 'resolved');
/** The alert ids of raised or resolved changes, sorted. */
const ids = (changes: AlertChange[]) => changes.flatMap((c) => (c.kind === 'notify' ? [] : [c.alert.id])).sort();

const snapshot = (vmid: number, ageDays: number, now: number): GuestSnapshot => ({
  id: `pve1-pve1-${vmid}-snap`,
  name: 'before-upgrade',
  node: 'pve1',
  instance: 'pve1',
  type: 'qemu',
  vmid,
  time: Math.floor((now - ageDays * DAY) / 1000),
  vmstate: false,
});

/** The cluster with guest 100; `snapshots` undefined = the background fetch has not run yet. */
function estate(snapshots: GuestSnapshot[] | undefined, over: Partial<Guest> = {}): PulseState {
  return stateWith({
    nodes: [node({ name: 'pve1' })],
    vms: [guest({ vmid: 100, node: 'pve1', name: 'db', ...over }), guest({ vmid: 101, node: 'pve1' })],
    pveBackups: {
      backupTasks: [],
      storageBackups: [],
      guestSnapshots: snapshots ?? [],
    },
  });
}

describe('restart and late data: unknown, never resolved', () => {
  it('a snapshot-age alert survives a restart whose first polls have no snapshots yet', () => {
    const h = new Harness(cfg());
    // Another guest's recent snapshot shows the instance's snapshots have been fetched.
    const fetched = (ageDays: number | undefined, now: number) =>
      estate([snapshot(101, 1, now), ...(ageDays === undefined ? [] : [snapshot(100, ageDays, now)])]);
    h.run(fetched(20, T0), T0);
    expect(h.active('snapshot-age-pve1-100')).toMatchObject({ level: 'warning', value: 20 });
    expect(notifications(h.changes).map((n) => n.kind)).toEqual(['fired']);

    h.restart();
    // First polls after the start: guests are there, their snapshots not yet.
    for (let i = 0; i < 5; i++) h.run(estate(undefined), T0 + MIN + i * 10 * SEC);
    expect(h.active('snapshot-age-pve1-100')).toBeDefined();
    expect(resolutions(h.changes)).toEqual([]);
    // The data arrives: the same alert, nothing sent again.
    h.run(fetched(20, T0 + 2 * MIN), T0 + 2 * MIN);
    expect(h.active('snapshot-age-pve1-100')?.startTime).toBe(new Date(T0).toISOString());
    expect(h.changes).toEqual([]);
    // Fresh data without the snapshot (deleted): now it is resolved, and told.
    const gone = h.run(fetched(undefined, T0 + 3 * MIN), T0 + 3 * MIN);
    expect(resolutions(gone).map((c) => c.alert.id)).toEqual(['snapshot-age-pve1-100']);
    expect(notifications(gone).map((n) => n.kind)).toEqual(['resolved']);
  });

  it('a backup-age alert waits for the backups after a restart', () => {
    const h = new Harness(cfg());
    const backup = (ageDays: number, now: number) => ({
      ...estate([]),
      pveBackups: {
        backupTasks: [
          {
            id: 't',
            node: 'pve1',
            instance: 'pve1',
            type: 'vzdump' as const,
            vmid: 100,
            status: 'OK',
            startTime: Math.floor((now - ageDays * DAY) / 1000) - 60,
            endTime: Math.floor((now - ageDays * DAY) / 1000),
          },
        ],
        storageBackups: [],
        guestSnapshots: [],
      },
    });
    h.run(backup(9, T0), T0);
    expect(h.active('backup-age-pve1-100')).toBeDefined();
    h.restart();
    h.run(estate(undefined), T0 + MIN);
    expect(h.changes).toEqual([]);
    h.run(backup(0.5, T0 + 2 * MIN), T0 + 2 * MIN);
    expect(resolutions(h.changes).map((c) => c.alert.id)).toEqual(['backup-age-pve1-100']);
  });

  it('node temperature, guest filesystems and memory missing from a poll keep their alerts', () => {
    const h = new Harness(cfg());
    const withData = (hot: boolean) =>
      stateWith({
        nodes: [
          node({
            name: 'pve1',
            temperature: hot
              ? { cpuPackage: 90, available: true, hasCPU: true, hasNVMe: false, lastUpdate: '' }
              : undefined,
          }),
        ],
        vms: [
          guest({
            vmid: 100,
            node: 'pve1',
            memory: hot ? { total: 100, used: 95, free: 5, usage: 95 } : { total: 0, used: 0, free: 0, usage: 0 },
            disks: hot
              ? [{ mountpoint: '/var', total: 100, used: 97, free: 3, usage: 97, type: 'ext4', device: 'sda1' }]
              : [],
          }),
        ],
      });
    h.run(withData(true), T0);
    const ids = ['pve1-pve1-temperature', 'pve1-100-memory', 'pve1-100-disk-var-disk'];
    for (const id of ids) expect(h.active(id), id).toBeDefined();
    h.restart();
    // Temperatures (SSH in the background), the agent's filesystems and memory are not there yet.
    h.run(withData(false), T0 + MIN);
    for (const id of ids) expect(h.active(id), id).toBeDefined();
    expect(h.changes).toEqual([]);
  });

  it('ZFS health fetched on its own cadence: a degraded pool stays degraded until seen healthy', () => {
    const h = new Harness(cfg());
    const pool = (state?: string): Partial<Storage> =>
      state === undefined
        ? {}
        : {
            zfsPool: {
              name: 'tank',
              state,
              status: '',
              scan: '',
              readErrors: 0,
              writeErrors: 0,
              checksumErrors: 0,
              devices: [],
            },
          };
    const st = (state?: string) =>
      stateWith({
        nodes: [node({ name: 'pve1' })],
        storage: [storage({ name: 'tank', node: 'pve1', type: 'zfspool', ...pool(state) })],
      });
    h.run(st('DEGRADED'), T0);
    expect(h.active('zfs-pool-state-pve1-tank')).toMatchObject({
      message: "ZFS pool 'tank' is DEGRADED",
      metadata: { valueText: 'DEGRADED', thresholdText: 'ONLINE' },
    });
    h.restart();
    h.run(st(undefined), T0 + MIN);
    expect(h.active('zfs-pool-state-pve1-tank')).toBeDefined();
    expect(h.changes).toEqual([]);
    h.run(st('ONLINE'), T0 + 2 * MIN);
    expect(h.active('zfs-pool-state-pve1-tank')).toBeUndefined();
  });

  it('a powered-off guest is still off after a restart (seenRunning is not persisted)', () => {
    const h = new Harness(cfg());
    h.run(estate([]), T0);
    for (let i = 1; i <= 2; i++) h.run(estate([], { status: 'stopped', cpu: 0 }), T0 + i * 10 * SEC);
    expect(h.active('guest-powered-off-pve1-100')).toMatchObject({
      message: "VM 'db' is powered off since 10:42 UTC",
      metadata: { valueText: 'stopped', thresholdText: 'running' },
    });
    h.restart();
    h.run(estate([], { status: 'stopped', cpu: 0 }), T0 + 5 * MIN);
    expect(h.active('guest-powered-off-pve1-100')?.message).toBe("VM 'db' is powered off since 10:42 UTC");
    expect(h.changes).toEqual([]);
    h.run(estate([]), T0 + 6 * MIN);
    expect(resolutions(h.changes).map((c) => c.alert.id)).toEqual(['guest-powered-off-pve1-100']);
  });

  it('instances still connecting: their alerts wait, then go silently if they never come back', () => {
    const h = new Harness(cfg());
    h.run(estate([], { cpu: 0.95 }), T0);
    expect(h.active('pve1-100-cpu')).toBeDefined();
    h.restart();
    const start = T0 + 10 * MIN;
    // Pulse is up, the instance is not yet in the state.
    h.run(stateWith({}), start);
    h.run(stateWith({}), start + STALE_AFTER_MS - SEC);
    expect(h.active('pve1-100-cpu')).toBeDefined();
    expect(h.changes).toEqual([]);
    // Connected, still hot: the same alert, nothing re-sent.
    h.run(estate([], { cpu: 0.95 }), start + STALE_AFTER_MS);
    expect(h.changes).toEqual([]);
    // Never seen again: dropped without telling anyone it resolved.
    h.run(stateWith({}), start + 3 * STALE_AFTER_MS);
    expect(resolutions(h.changes).map((c) => c.kind === 'resolved' && c.reason)).toEqual(['removed']);
    expect(notifications(h.changes)).toEqual([]);
  });

  it('a Docker restart loop is not declared over before the restart window has been watched', () => {
    const h = new Harness(cfg());
    const docker = (restartCount: number) =>
      stateWith({
        dockerHosts: [
          {
            id: 'h1',
            hostname: 'box',
            status: 'online',
            containers: [{ id: 'c1', name: 'app', state: 'running', restartCount, cpuPercent: 1, memoryPercent: 1 }],
          },
        ] as unknown as PulseState['dockerHosts'],
      });
    h.run(docker(0), T0);
    h.run(docker(5), T0 + 30 * SEC);
    const id = 'docker-container-restart-loop-docker:h1/c1';
    expect(h.active(id)).toBeDefined();
    h.restart();
    h.run(docker(5), T0 + MIN);
    h.run(docker(5), T0 + 3 * MIN);
    expect(h.active(id)).toBeDefined();
    // A full window without restarts: over.
    h.run(docker(5), T0 + MIN + 5 * MIN + SEC);
    expect(h.active(id)).toBeUndefined();
  });
});

describe('thresholds edited while an alert is active', () => {
  const hot = (cpu: number) => estate([], { cpu });

  it('raising the trigger above the value resolves now; lowering re-evaluates', () => {
    const h = new Harness(cfg());
    h.run(hot(0.95), T0);
    expect(h.active('pve1-100-cpu')).toMatchObject({ level: 'critical', threshold: 80 });
    h.config = cfg((c) => (c.guestDefaults.cpu = { trigger: 97, clear: 92 }));
    const raised = h.run(hot(0.95), T0 + 10 * SEC);
    expect(resolutions(raised).map((c) => c.alert.id)).toEqual(['pve1-100-cpu']);
    expect(h.active('pve1-100-cpu')).toBeUndefined();
    // Lowered below the value: raised again against the new trigger, its level from it.
    h.config = cfg((c) => (c.guestDefaults.cpu = { trigger: 90, clear: 85 }));
    h.run(hot(0.95), T0 + 20 * SEC);
    expect(h.active('pve1-100-cpu')).toMatchObject({
      level: 'warning',
      threshold: 90,
      message: "VM 'db' CPU at 95% (threshold 90%)",
    });
    h.config = cfg((c) => (c.guestDefaults.cpu = { trigger: 60, clear: 55 }));
    h.run(hot(0.95), T0 + 30 * SEC);
    expect(h.active('pve1-100-cpu')).toMatchObject({ level: 'critical', threshold: 60 });
  });

  it('a trigger raised but still below the value keeps the alert with the new threshold', () => {
    const h = new Harness(cfg());
    h.run(hot(0.95), T0);
    h.config = cfg((c) => (c.guestDefaults.cpu = { trigger: 90, clear: 85 }));
    const r = h.run(hot(0.95), T0 + 10 * SEC);
    expect(resolutions(r)).toEqual([]);
    expect(h.active('pve1-100-cpu')?.message).toBe("VM 'db' CPU at 95% (threshold 90%)");
  });
});

describe('a node going down while its guest has a told memory alert', () => {
  it('folds the guest alert under the node: carried in its notification, no escalation of its own', () => {
    const h = new Harness(
      cfg((c) => {
        c.schedule.escalation = { enabled: true, levels: [{ after: 15, notify: 'all' }] };
      }),
    );
    const st = (offline: boolean) =>
      stateWith({
        nodes: [node({ name: 'pve1', status: offline ? 'offline' : 'online' })],
        vms: [guest({ vmid: 100, node: 'pve1', memory: { total: 100, used: 95, free: 5, usage: 95 } })],
      });
    h.run(st(false), T0);
    expect(notifications(h.changes).map((n) => n.alert.id)).toEqual(['pve1-100-memory']);
    const down: AlertChange[] = [];
    for (let i = 1; i <= 3; i++) down.push(...h.run(st(true), T0 + i * 10 * SEC));
    const sent = notifications(down);
    expect(sent.map((n) => n.alert.id)).toEqual(['node-offline-pve1-pve1']);
    expect(sent[0].alert.message).toBe("Node 'pve1' is offline since 10:42 UTC");
    expect(sent[0].grouped?.map((g) => g.id)).toContain('pve1-100-memory');
    expect(h.memory.active['pve1-100-memory'].notify).toBe('grouped');
    // Past the escalation delay only the node escalates, still carrying the guest.
    const later = notifications(h.run(st(true), T0 + 20 * MIN));
    expect(later.map((n) => [n.kind, n.alert.id])).toEqual([['escalated', 'node-offline-pve1-pve1']]);
    expect(later[0].grouped?.map((g) => g.id)).toContain('pve1-100-memory');
  });
});

describe('a folded guest alert when its node comes back', () => {
  const st = (offline: boolean, memUsage: number) =>
    stateWith({
      nodes: [node({ name: 'pve1', status: offline ? 'offline' : 'online' })],
      vms: [
        guest({
          vmid: 100,
          node: 'pve1',
          memory: { total: 100, used: memUsage, free: 100 - memUsage, usage: memUsage },
        }),
      ],
    });
  /** The guest's memory alert told, then folded under the node's offline alert. */
  function folded(): Harness {
    const h = new Harness(cfg());
    h.run(st(false, 95), T0);
    for (let i = 1; i <= 3; i++) h.run(st(true, 95), T0 + i * 10 * SEC);
    expect(h.memory.active['pve1-100-memory'].notify).toBe('grouped');
    return h;
  }

  it('is told on its own again while its problem lasts', () => {
    const h = folded();
    const back = h.run(st(false, 95), T0 + 5 * MIN);
    // The node's outage is over, and with it the guest's "unreachable" (which travels with it).
    expect(ids(resolutions(back))).toEqual(['guest-powered-off-pve1-100', 'node-offline-pve1-pve1']);
    const sent = notifications(back);
    expect(sent.map((n) => [n.kind, n.alert.id])).toEqual([
      ['fired', 'pve1-100-memory'],
      ['resolved', 'node-offline-pve1-pve1'],
    ]);
    expect(sent[1].grouped?.map((g) => g.id)).toEqual(['guest-powered-off-pve1-100']);
    expect(h.memory.active['pve1-100-memory'].notify).toBe('sent');
    // Told once: the next round stays quiet, and its own resolution is told when it comes.
    expect(notifications(h.run(st(false, 95), T0 + 5 * MIN + 10 * SEC))).toEqual([]);
    const fixed = notifications(h.run(st(false, 40), T0 + 6 * MIN));
    expect(fixed.map((n) => [n.kind, n.alert.id])).toEqual([['resolved', 'pve1-100-memory']]);
  });

  it('resolves with the node when fresh data shows the problem gone', () => {
    const h = folded();
    const back = h.run(st(false, 40), T0 + 5 * MIN);
    expect(ids(resolutions(back))).toEqual(['guest-powered-off-pve1-100', 'node-offline-pve1-pve1', 'pve1-100-memory']);
    const sent = notifications(back);
    expect(sent.map((n) => [n.kind, n.alert.id])).toEqual([['resolved', 'node-offline-pve1-pve1']]);
    expect(sent[0].grouped?.map((g) => g.id).sort()).toEqual(['guest-powered-off-pve1-100', 'pve1-100-memory']);
  });

  it('is carried again when the node alert was cleared by hand while the node is still down', () => {
    const h = folded();
    h.memory = clearAlert(h.memory, 'node-offline-pve1-pve1').memory;
    // Without its root the guest's alerts wait while the node's offline check confirms again,
    // then travel in the node's new notification.
    const sent: AlertNotification[] = [];
    for (let i = 0; i < 3; i++) sent.push(...notifications(h.run(st(true, 95), T0 + 5 * MIN + i * 10 * SEC)));
    expect(sent.map((n) => [n.kind, n.alert.id])).toEqual([['fired', 'node-offline-pve1-pve1']]);
    expect(sent[0].grouped?.map((g) => g.id).sort()).toEqual(['guest-powered-off-pve1-100', 'pve1-100-memory']);
    expect(h.memory.active['pve1-100-memory'].notify).toBe('grouped');
  });
});

describe('state alerts in notifications say what happened', () => {
  it('value and threshold read as states, not "0.0%"', () => {
    const h = new Harness(cfg());
    const st = (offline: boolean) =>
      stateWith({ nodes: [node({ name: 'pve1', status: offline ? 'offline' : 'online' })] });
    h.run(st(false), T0);
    for (let i = 1; i <= 3; i++) h.run(st(true), T0 + i * 10 * SEC);
    const a = h.active('node-offline-pve1-pve1')!;
    expect(formatAlertFigure(a, 'value')).toBe('offline since 10:42 UTC');
    expect(formatAlertFigure(a, 'threshold')).toBe('online');
    const cpu = new Harness(cfg());
    cpu.run(estate([], { cpu: 0.95 }), T0);
    expect(formatAlertFigure(cpu.active('pve1-100-cpu')!, 'value')).toBe('95.0%');
  });
});

describe('backups are the guest’s own: instance + VMID, never the VMID alone', () => {
  const pbsBackup = (vmid: string, ageDays: number, comment?: string) => ({
    id: `pbs-${vmid}-${comment}`,
    instance: 'pbs1',
    datastore: 'ds',
    namespace: '',
    backupType: 'vm' as const,
    vmid,
    backupTime: Math.floor((T0 - ageDays * DAY) / 1000),
    size: 1,
    protected: false,
    verified: true,
    comment,
  });
  // Two clusters, each with a VM 100 (homelabs start there); each cluster's backups are known.
  const twoClusters = (pbsBackups: PulseState['pbsBackups'], storageAgeA: number, storageAgeB: number) =>
    stateWith({
      nodes: [node({ name: 'n1', instance: 'a' }), node({ name: 'n1', instance: 'b' })],
      vms: [
        guest({ vmid: 100, node: 'n1', instance: 'a', name: 'web-a' }),
        guest({ vmid: 100, node: 'n1', instance: 'b', name: 'web-b' }),
      ],
      pveBackups: {
        backupTasks: [],
        storageBackups: (
          [
            ['a', storageAgeA],
            ['b', storageAgeB],
          ] as const
        ).map(([instance, age]) => ({
          id: `${instance}-b`,
          storage: 'local',
          node: 'n1',
          instance,
          type: 'qemu' as const,
          vmid: 100,
          time: Math.floor((T0 - age * DAY) / 1000),
          ctime: 0,
          size: 1,
          format: 'vma.zst',
          protected: false,
          volid: 'local:backup/x',
          isPBS: false,
          verified: false,
        })),
        guestSnapshots: [],
      },
      pbsBackups,
    });

  it('one cluster’s fresh backup does not hide the other’s old one', () => {
    const h = new Harness(cfg());
    h.run(twoClusters([], 1, 9), T0);
    expect(h.active('backup-age-a-n1-100')).toBeUndefined();
    expect(h.active('backup-age-b-n1-100')).toMatchObject({ resourceName: 'web-b', value: 9 });
  });

  it('a PBS backup of a shared VMID counts for the guest its comment names, not for both', () => {
    const h = new Harness(cfg());
    h.run(twoClusters([pbsBackup('100', 0.5, 'web-a')], 9, 9), T0);
    expect(h.active('backup-age-a-n1-100')).toBeUndefined();
    expect(h.active('backup-age-b-n1-100')?.value).toBe(9);
    // Without a comment PBS cannot say whose it is: neither guest takes it.
    const bare = new Harness(cfg());
    bare.run(twoClusters([pbsBackup('100', 0.5)], 9, 9), T0);
    expect(bare.active('backup-age-a-n1-100')?.value).toBe(9);
    expect(bare.active('backup-age-b-n1-100')?.value).toBe(9);
  });
});

describe('a node whose status Proxmox cannot tell', () => {
  it("'unknown' neither confirms nor resolves its offline alert", () => {
    const h = new Harness(cfg());
    const st = (status: 'online' | 'offline' | 'unknown') => stateWith({ nodes: [node({ name: 'pve1', status })] });
    for (let i = 0; i < 3; i++) h.run(st('offline'), T0 + i * 10 * SEC);
    expect(h.active('node-offline-pve1-pve1')).toBeDefined();
    h.run(st('unknown'), T0 + MIN);
    expect(h.active('node-offline-pve1-pve1')).toBeDefined();
    expect(resolutions(h.changes)).toEqual([]);
    h.run(st('online'), T0 + 2 * MIN);
    expect(h.active('node-offline-pve1-pve1')).toBeUndefined();
  });
});

describe('switching a check off is not a resolution', () => {
  it('a threshold set to 0 or a resource disabled: the alert goes, destinations are not told "resolved"', () => {
    const h = new Harness(cfg());
    const st = estate([], { cpu: 0.95, memory: { total: 100, used: 95, free: 5, usage: 95 } });
    h.run(st, T0);
    expect(notifications(h.changes).map((n) => n.alert.id)).toEqual(['pve1-100-cpu', 'pve1-100-memory']);
    h.config = cfg((c) => (c.guestDefaults.cpu = { trigger: 0, clear: 0 }));
    const off = h.run(st, T0 + 10 * SEC);
    expect(resolutions(off).map((c) => c.kind === 'resolved' && [c.alert.id, c.reason])).toEqual([
      ['pve1-100-cpu', 'disabled'],
    ]);
    expect(notifications(off)).toEqual([]);
    h.config = cfg((c) => {
      c.guestDefaults.cpu = { trigger: 0, clear: 0 };
      c.overrides['pve1-100'] = { disabled: true };
    });
    const disabled = h.run(st, T0 + 20 * SEC);
    expect(resolutions(disabled).map((c) => c.kind === 'resolved' && [c.alert.id, c.reason])).toEqual([
      ['pve1-100-memory', 'disabled'],
    ]);
    expect(notifications(disabled)).toEqual([]);
  });

  it('a guest that stopped: its metric alerts resolve (fresh data, nothing to measure)', () => {
    const h = new Harness(cfg());
    h.run(estate([], { cpu: 0.95 }), T0);
    const stopped = h.run(estate([], { cpu: 0, status: 'stopped' }), T0 + 10 * SEC);
    expect(resolutions(stopped).map((c) => c.kind === 'resolved' && c.reason)).toEqual(['condition']);
  });
});

describe('Docker hosts silent since before a start', () => {
  it('are not declared offline until they had the time to report to this process', () => {
    const h = new Harness(cfg());
    const start = T0 + 60 * MIN; // Pulse was down for an hour: every host's last report is old
    const host = (status: 'online' | 'offline', lastSeen: number) =>
      stateWith({
        dockerHosts: [
          { id: 'h1', hostname: 'box', status, lastSeen, intervalSeconds: 30, containers: [] },
        ] as unknown as PulseState['dockerHosts'],
      });
    for (let i = 0; i < 6; i++) h.run(host('offline', T0), start + i * 10 * SEC);
    expect(h.active('docker-host-offline-h1')).toBeUndefined();
    // It reports: fine. Had it stayed silent past its window, that would be news.
    h.run(host('online', start + MIN), start + MIN);
    const quiet = new Harness(cfg());
    for (let i = 0; i < 6; i++) quiet.run(host('offline', T0), start + 2 * MIN + i * 10 * SEC);
    // (a fresh engine again: the first rounds are within the window)
    expect(quiet.active('docker-host-offline-h1')).toBeUndefined();
    for (let i = 0; i < 3; i++) quiet.run(host('offline', T0), start + 5 * MIN + i * 10 * SEC);
    expect(quiet.active('docker-host-offline-h1')).toMatchObject({ level: 'critical' });
  });
});
