import { describe, expect, it } from 'vitest';
import { disk, guest, node, stateWith, storage } from '../../test/alerts/state-builders.js';
import type { AlertNotification, Guest, PulseState } from '../model/state.js';
import { type AlertConfig, defaultAlertConfig } from './config.js';
import { acknowledgeAlert, clearAlert, evaluate, unacknowledgeAlert } from './engine.js';
import { type AlertChange, type AlertMemory, activeAlerts, emptyMemory, stateAlerts } from './memory.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0); // a Monday, 07:00 in New York
const SEC = 1000;
const MIN = 60 * SEC;
const DAY = 86_400_000;

/** Config without grace periods, cooldown or batching noise unless a test asks for them. */
function cfg(change?: (c: AlertConfig) => void): AlertConfig {
  const c = defaultAlertConfig();
  c.timeThreshold = 0;
  c.timeThresholds = {};
  c.schedule.cooldown = 0;
  c.suppressionWindow = 0;
  change?.(c);
  return c;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Threads the engine's memory through successive rounds, like the service does. */
class Harness {
  memory: AlertMemory = emptyMemory();
  changes: AlertChange[] = [];
  constructor(public config: AlertConfig) {}
  run(state: PulseState, now: number): AlertChange[] {
    // Every round also proves purity: editing any part of the frozen input memory throws.
    deepFreeze(this.memory);
    const r = evaluate(this.config, state, this.memory, now);
    this.memory = r.memory;
    this.changes.push(...r.changes);
    return r.changes;
  }
  active(id: string) {
    return this.memory.active[id]?.alert;
  }
  notifications(changes = this.changes): AlertNotification[] {
    return changes.flatMap((c) => (c.kind === 'notify' ? [c.notification] : []));
  }
}

const vm = (cpu: number, over: Partial<Guest> = {}) =>
  stateWith({ nodes: [node({ name: 'pve1' })], vms: [guest({ vmid: 100, node: 'pve1', name: 'web', cpu, ...over })] });
const VM_CPU = 'pve1-100-cpu';

describe('hysteresis at the exact boundaries', () => {
  it('fires at value == trigger, stays between clear and trigger, resolves at value == clear', () => {
    const h = new Harness(cfg());
    h.run(vm(0.7999), T0);
    expect(h.active(VM_CPU)).toBeUndefined();
    h.run(vm(0.8), T0 + 10 * SEC);
    const a = h.active(VM_CPU)!;
    expect(a).toMatchObject({ type: 'cpu', level: 'warning', value: 80, threshold: 80, resourceId: 'pve1-100' });
    expect(a.metadata).toMatchObject({ resourceType: 'VM', clearThreshold: 75, unit: '%' });
    h.run(vm(0.7501), T0 + 20 * SEC);
    expect(h.active(VM_CPU)?.value).toBe(75.01);
    h.run(vm(0.75), T0 + 30 * SEC);
    expect(h.active(VM_CPU)).toBeUndefined();
    expect(h.memory.recentlyResolved[0].alert).toMatchObject({ id: VM_CPU, value: 75 });
  });

  it('is critical at trigger + 10 and fractional thresholds work', () => {
    const h = new Harness(cfg((c) => (c.guestDefaults.cpu = { trigger: 12.5, clear: 10.25 })));
    h.run(vm(0.1249), T0);
    expect(h.active(VM_CPU)).toBeUndefined();
    h.run(vm(0.125), T0 + SEC);
    expect(h.active(VM_CPU)?.level).toBe('warning');
    h.run(vm(0.225), T0 + 2 * SEC);
    expect(h.active(VM_CPU)?.level).toBe('critical');
    h.run(vm(0.1026), T0 + 3 * SEC);
    expect(h.active(VM_CPU)?.level).toBe('warning');
    h.run(vm(0.1025), T0 + 4 * SEC);
    expect(h.active(VM_CPU)).toBeUndefined();
  });

  it('uses the §5.2 units: memory %, I/O MB/s, node temperature', () => {
    const h = new Harness(cfg((c) => (c.guestDefaults.diskRead = { trigger: 100, clear: 50 })));
    const state = stateWith({
      nodes: [
        node({
          name: 'pve1',
          temperature: { cpuPackage: 81, available: true, hasCPU: true, hasNVMe: false, lastUpdate: '' },
        }),
      ],
      vms: [
        guest({
          vmid: 100,
          node: 'pve1',
          memory: { total: 100, used: 85, free: 15, usage: 85 },
          diskRead: 100 * 1024 * 1024,
        }),
      ],
    });
    h.run(state, T0);
    expect(h.active('pve1-100-memory')?.value).toBe(85);
    expect(h.active('pve1-100-diskRead')).toMatchObject({ value: 100, metadata: { unit: 'MB/s' } });
    expect(h.active('pve1-pve1-temperature')).toMatchObject({ value: 81, type: 'temperature' });
  });
});

describe('grace periods (time thresholds)', () => {
  it('fires only when the breach lasted the delay; an interruption restarts it', () => {
    const h = new Harness(cfg((c) => (c.timeThresholds = { guest: 30 })));
    h.run(vm(0.9), T0);
    h.run(vm(0.9), T0 + 29 * SEC);
    expect(h.active(VM_CPU)).toBeUndefined();
    h.run(vm(0.5), T0 + 35 * SEC); // breach interrupted
    h.run(vm(0.9), T0 + 40 * SEC);
    h.run(vm(0.9), T0 + 69 * SEC);
    expect(h.active(VM_CPU)).toBeUndefined();
    h.run(vm(0.9), T0 + 70 * SEC);
    expect(h.active(VM_CPU)).toBeDefined();
  });

  it('metricTimeThresholds beat timeThresholds; "default" covers other metrics of the type', () => {
    const h = new Harness(
      cfg((c) => {
        c.timeThresholds = { guest: 300 };
        c.metricTimeThresholds = { guest: { cpu: 10, default: 60 } };
      }),
    );
    const hot = stateWith({
      vms: [guest({ vmid: 100, node: 'pve1', cpu: 0.95, memory: { total: 100, used: 95, free: 5, usage: 95 } })],
    });
    h.run(hot, T0);
    h.run(hot, T0 + 10 * SEC);
    expect(h.active(VM_CPU)).toBeDefined();
    expect(h.active('pve1-100-memory')).toBeUndefined();
    h.run(hot, T0 + 60 * SEC);
    expect(h.active('pve1-100-memory')).toBeDefined();
  });

  it("a metric with its own grace fires after it; the type's other metrics wait the type's grace", () => {
    const h = new Harness(
      cfg((c) => {
        c.timeThresholds = { guest: 60, node: 40 };
        c.metricTimeThresholds = { guest: { memory: 20 }, node: { cpu: 5 } };
      }),
    );
    const hot = stateWith({
      nodes: [node({ name: 'pve1', cpu: 0.95, memory: { total: 100, used: 95, free: 5, usage: 95 } })],
      vms: [guest({ vmid: 100, node: 'pve1', cpu: 0.95, memory: { total: 100, used: 95, free: 5, usage: 95 } })],
    });
    h.run(hot, T0);
    h.run(hot, T0 + 5 * SEC);
    expect(h.active('pve1-pve1-cpu')).toBeDefined();
    expect(h.active('pve1-pve1-memory')).toBeUndefined();
    h.run(hot, T0 + 19 * SEC);
    expect(h.active('pve1-100-memory')).toBeUndefined();
    h.run(hot, T0 + 20 * SEC);
    expect(h.active('pve1-100-memory')).toBeDefined();
    expect(h.active(VM_CPU)).toBeUndefined();
    h.run(hot, T0 + 39 * SEC);
    expect(h.active('pve1-pve1-memory')).toBeUndefined();
    h.run(hot, T0 + 40 * SEC);
    expect(h.active('pve1-pve1-memory')).toBeDefined();
    h.run(hot, T0 + 59 * SEC);
    expect(h.active(VM_CPU)).toBeUndefined();
    h.run(hot, T0 + 60 * SEC);
    expect(h.active(VM_CPU)).toBeDefined();
  });
});

describe('per-resource overrides', () => {
  it('-1 disables one signal, a higher trigger moves it, disabled drops all', () => {
    const hot = (id: number) =>
      guest({ vmid: id, node: 'pve1', cpu: 0.92, memory: { total: 100, used: 90, free: 10, usage: 90 } });
    const state = stateWith({ vms: [hot(100), hot(101), hot(102), hot(103)] });
    const h = new Harness(
      cfg((c) => {
        c.overrides = {
          'pve1-100': { cpu: { trigger: -1, clear: 0 } },
          'pve1-101': { cpu: { trigger: 95, clear: 90 } },
          'pve1-102': { disabled: true },
        };
      }),
    );
    h.run(state, T0);
    const ids = activeAlerts(h.memory).map((a) => a.id);
    expect(ids).not.toContain('pve1-100-cpu');
    expect(ids).toContain('pve1-100-memory');
    expect(ids).not.toContain('pve1-101-cpu');
    expect(ids).toContain('pve1-101-memory');
    expect(ids.filter((id) => id.startsWith('pve1-102'))).toEqual([]);
    expect(ids).toContain('pve1-103-cpu');
    // Disabling a signal resolves its active alert.
    h.config.overrides['pve1-103'] = { cpu: { trigger: 0, clear: 0 } };
    h.run(state, T0 + MIN);
    expect(h.active('pve1-103-cpu')).toBeUndefined();
  });

  it('storage overrides by storage id', () => {
    const h = new Harness(cfg((c) => (c.overrides = { 'pve1-local': { usage: { trigger: 50, clear: 40 } } })));
    h.run(
      stateWith({
        storage: [
          storage({ name: 'local', node: 'pve1', usage: 60 }),
          storage({ name: 'big', node: 'pve1', usage: 60 }),
        ],
      }),
      T0,
    );
    expect(h.active('pve1-local-usage')).toMatchObject({ type: 'usage', value: 60, threshold: 50 });
    expect(h.active('pve1-big-usage')).toBeUndefined();
  });
});

describe('offline detection with confirmations', () => {
  it('node offline is critical after 3 observations at least 5 s apart', () => {
    const h = new Harness(cfg());
    const off = stateWith({ nodes: [node({ name: 'pve1', status: 'offline' })] });
    h.run(off, T0);
    h.run(off, T0 + 1 * SEC); // too close to count
    h.run(off, T0 + 10 * SEC);
    expect(h.active('node-offline-pve1-pve1')).toBeUndefined();
    h.run(off, T0 + 20 * SEC);
    expect(h.active('node-offline-pve1-pve1')).toMatchObject({ type: 'connectivity', level: 'critical' });
    h.run(stateWith({ nodes: [node({ name: 'pve1' })] }), T0 + 30 * SEC);
    expect(h.active('node-offline-pve1-pve1')).toBeUndefined();
  });

  it('a guest stopped since first sight is taken as intentionally off', () => {
    const h = new Harness(cfg());
    for (let i = 0; i < 5; i++) h.run(vm(0, { status: 'stopped' }), T0 + i * 10 * SEC);
    expect(activeAlerts(h.memory)).toEqual([]);
  });

  it('powered-off guests after 2 observations; metric alerts of a stopped guest resolve', () => {
    const h = new Harness(cfg());
    h.run(vm(0.95), T0);
    expect(h.active(VM_CPU)).toBeDefined();
    h.run(vm(0, { status: 'stopped' }), T0 + 10 * SEC);
    expect(h.active(VM_CPU)).toBeUndefined();
    expect(h.active('guest-powered-off-pve1-100')).toBeUndefined();
    h.run(vm(0, { status: 'stopped' }), T0 + 20 * SEC);
    expect(h.active('guest-powered-off-pve1-100')).toMatchObject({ type: 'powered-off', level: 'warning' });
  });

  it('storage offline (warning after 2), ZFS and disk health', () => {
    const h = new Harness(cfg());
    const state = stateWith({
      storage: [
        storage({ name: 'nas', node: 'pve1', status: 'inactive', active: false }),
        storage({
          name: 'tank',
          node: 'pve1',
          type: 'zfspool',
          zfsPool: {
            name: 'tank',
            state: 'DEGRADED',
            status: '',
            scan: '',
            readErrors: 0,
            writeErrors: 0,
            checksumErrors: 3,
            devices: [
              { name: 'sda', type: 'disk', state: 'FAULTED', readErrors: 0, writeErrors: 0, checksumErrors: 0 },
            ],
          },
        }),
      ],
      physicalDisks: [
        disk({ node: 'pve1', devPath: '/dev/sdb', health: 'FAILED' }),
        disk({ node: 'pve1', devPath: '/dev/sdc', wearout: 5 }),
      ],
    });
    h.run(state, T0);
    h.run(state, T0 + 10 * SEC);
    expect(h.active('storage-offline-pve1-nas')?.level).toBe('warning');
    expect(h.active('zfs-pool-state-pve1-tank')?.level).toBe('warning');
    expect(h.active('zfs-pool-errors-pve1-tank')).toBeDefined();
    expect(h.active('zfs-device-pve1-tank-sda')?.level).toBe('critical');
    expect(h.active('disk-health-pve1-pve1--dev-sdb')?.level).toBe('critical');
    expect(h.active('disk-wearout-pve1-pve1--dev-sdc')?.level).toBe('warning');
  });
});

describe('flapping', () => {
  it('suppresses notifications after many state changes in the window, then recovers after the cooldown', () => {
    const h = new Harness(
      cfg((c) => {
        c.flapping = { enabled: true, window: 300, threshold: 5, cooldown: 15 };
        c.schedule.maxAlertsHour = 0;
      }),
    );
    let t = T0;
    for (let i = 0; i < 6; i++) {
      t += 10 * SEC;
      h.run(vm(0.9), t);
      t += 10 * SEC;
      h.run(vm(0.5), t);
    }
    const fired = h.notifications().filter((n) => n.kind === 'fired' && n.alert.id === VM_CPU);
    // Changes 1 (fire), 3 (fire) are sent; the 5th change starts the flapping cooldown.
    expect(fired).toHaveLength(2);
    t += 10 * SEC;
    h.run(vm(0.9), t);
    expect(h.active(VM_CPU)?.metadata?.flapping).toBe(true);
    t += 10 * SEC;
    expect(h.notifications(h.run(vm(0.9), t))).toEqual([]);
    // After the cooldown, an alert that is still active is sent.
    const later = h.run(vm(0.9), t + 16 * MIN);
    expect(h.notifications(later).map((n) => n.alert.id)).toEqual([VM_CPU]);
  });
});

describe('cooldown, suppression window and the per-alert cap', () => {
  it('caps notifications per alert id per hour', () => {
    const h = new Harness(
      cfg((c) => {
        c.flapping.enabled = false;
        c.schedule.maxAlertsHour = 3;
      }),
    );
    let t = T0;
    for (let i = 0; i < 6; i++) {
      t += MIN;
      h.run(vm(0.9), t);
      t += MIN;
      h.run(vm(0.5), t);
    }
    expect(h.notifications().filter((n) => n.kind === 'fired')).toHaveLength(3);
    h.run(vm(0.9), T0 + 2 * 3_600_000);
    expect(h.notifications().filter((n) => n.kind === 'fired')).toHaveLength(4);
  });

  it('cooldown holds a re-fire back until it expires; a small re-fire in the suppression window stays silent', () => {
    const h = new Harness(
      cfg((c) => {
        c.flapping.enabled = false;
        c.schedule.cooldown = 5;
      }),
    );
    h.run(vm(0.9), T0);
    h.run(vm(0.5), T0 + MIN);
    expect(h.notifications(h.run(vm(0.9), T0 + 2 * MIN))).toEqual([]);
    expect(h.notifications(h.run(vm(0.9), T0 + 5 * MIN)).map((n) => n.alert.id)).toEqual([VM_CPU]);

    const s = new Harness(
      cfg((c) => {
        c.suppressionWindow = 5;
        c.flapping.enabled = false;
      }),
    );
    s.run(vm(0.9), T0);
    s.run(vm(0.5), T0 + MIN);
    s.run(vm(0.89), T0 + 2 * MIN); // |Δ| = 1 < minimumDelta 2
    expect(s.memory.active[VM_CPU].notify).toBe('silent');
    expect(s.notifications().filter((n) => n.kind === 'fired')).toHaveLength(1);
    s.run(vm(0.5), T0 + 3 * MIN);
    s.run(vm(0.95), T0 + 4 * MIN); // |Δ| = 6
    expect(s.notifications().filter((n) => n.kind === 'fired')).toHaveLength(2);
    // A silent repeat that turns critical is news.
    s.run(vm(0.5), T0 + 5 * MIN);
    s.run(vm(0.94), T0 + 6 * MIN);
    expect(s.memory.active[VM_CPU].notify).toBe('silent');
    s.run(vm(0.85), T0 + 7 * MIN);
    expect(s.notifications().filter((n) => n.kind === 'fired')).toHaveLength(2);
    s.run(vm(0.5), T0 + 8 * MIN);
    s.run(vm(0.86), T0 + 9 * MIN); // silent, warning
    expect(s.notifications().filter((n) => n.kind === 'fired')).toHaveLength(2);
    s.run(vm(0.96), T0 + 10 * MIN); // turns critical
    expect(
      s
        .notifications()
        .filter((n) => n.kind === 'fired')
        .map((n) => n.alert.level),
    ).toEqual(['critical', 'critical', 'critical']);
  });

  it('re-notifies once when a warning becomes critical', () => {
    const h = new Harness(cfg((c) => (c.schedule.cooldown = 5)));
    h.run(vm(0.85), T0);
    h.run(vm(0.86), T0 + MIN);
    h.run(vm(0.95), T0 + 2 * MIN);
    h.run(vm(0.96), T0 + 3 * MIN);
    expect(h.notifications().map((n) => [n.kind, n.alert.level])).toEqual([
      ['fired', 'warning'],
      ['fired', 'critical'],
    ]);
  });
});

describe('quiet hours in the configured time zone', () => {
  const quiet = (c: AlertConfig) => {
    c.schedule.quietHours = {
      ...c.schedule.quietHours,
      enabled: true,
      start: '22:00',
      end: '08:00',
      timezone: 'America/New_York',
      days: {
        monday: true,
        tuesday: true,
        wednesday: true,
        thursday: true,
        friday: true,
        saturday: true,
        sunday: true,
      },
    };
  };

  it('mutes warnings until quiet hours end, across the March DST change (EST → EDT)', () => {
    const h = new Harness(cfg(quiet));
    // 2026-03-08 07:30 EDT = 11:30 UTC: still quiet. With the winter offset it would be 06:30.
    h.run(vm(0.85), Date.UTC(2026, 2, 8, 11, 30));
    expect(h.active(VM_CPU)).toBeDefined();
    expect(h.notifications()).toEqual([]);
    // 08:00 EDT = 12:00 UTC: quiet hours are over (a fixed −5 h offset would say 07:00).
    const out = h.run(vm(0.85), Date.UTC(2026, 2, 8, 12, 0));
    expect(h.notifications(out).map((n) => n.alert.id)).toEqual([VM_CPU]);
  });

  it('across the November DST change (EDT → EST)', () => {
    const h = new Harness(cfg(quiet));
    // 2026-11-01 07:59 EST = 12:59 UTC: quiet (with the summer offset it would be 08:59).
    h.run(vm(0.85), Date.UTC(2026, 10, 1, 12, 59));
    expect(h.notifications()).toEqual([]);
    const out = h.run(vm(0.85), Date.UTC(2026, 10, 1, 13, 0));
    expect(h.notifications(out)).toHaveLength(1);
    // 22:00 EST on Nov 1 = 03:00 UTC Nov 2: quiet again.
    h.run(vm(0.5), Date.UTC(2026, 10, 2, 2, 0));
    h.run(vm(0.85), Date.UTC(2026, 10, 2, 3, 0));
    expect(h.notifications()).toHaveLength(2); // the resolve at 21:00 EST, not the 22:00 re-fire
    expect(h.notifications()[1].kind).toBe('resolved');
  });

  it('critical alerts pass unless their category is suppressed', () => {
    const night = Date.UTC(2026, 0, 6, 4, 0); // 23:00 EST
    const a = new Harness(cfg(quiet));
    a.run(vm(0.95), night);
    expect(a.notifications().map((n) => n.alert.level)).toEqual(['critical']);
    const b = new Harness(
      cfg((c) => {
        quiet(c);
        c.schedule.quietHours.suppress.performance = true;
      }),
    );
    b.run(vm(0.95), night);
    expect(b.notifications()).toEqual([]);
  });
});

describe('escalation', () => {
  it('notifies each level once, with its channels, while unacknowledged', () => {
    const h = new Harness(cfg((c) => (c.schedule.escalation.enabled = true)));
    h.run(vm(0.85), T0);
    h.run(vm(0.85), T0 + 14 * MIN);
    h.run(vm(0.85), T0 + 15 * MIN);
    h.run(vm(0.85), T0 + 16 * MIN);
    h.run(vm(0.85), T0 + 30 * MIN);
    h.run(vm(0.85), T0 + 61 * MIN);
    const esc = h.notifications().filter((n) => n.kind === 'escalated');
    expect(esc.map((n) => n.channels)).toEqual([['email'], ['webhook'], ['email', 'webhook']]);
    expect(esc.map((n) => n.alert.lastEscalation)).toEqual([1, 2, 3]);
    expect(h.active(VM_CPU)?.escalationTimes).toHaveLength(3);
  });

  it('acknowledged alerts do not escalate', () => {
    const h = new Harness(cfg((c) => (c.schedule.escalation.enabled = true)));
    h.run(vm(0.85), T0);
    h.memory = acknowledgeAlert(h.memory, VM_CPU, 'ops', T0 + MIN)!.memory;
    h.run(vm(0.85), T0 + 20 * MIN);
    expect(h.notifications().filter((n) => n.kind === 'escalated')).toEqual([]);
  });
});

describe('root cause: grouping under an offline node', () => {
  const cluster = (offline: boolean) =>
    stateWith({
      nodes: [node({ name: 'pve1', status: offline ? 'offline' : 'online' }), node({ name: 'pve2' })],
      vms: [100, 101, 102, 103, 104].map((vmid) =>
        guest({ vmid, node: 'pve1', status: offline ? 'stopped' : 'running' }),
      ),
      containers: [guest({ vmid: 200, node: 'pve2', type: 'lxc', status: 'running' })],
    });

  it('node offline + its 5 guests → one notification carrying the 5 guest alerts', () => {
    const h = new Harness(cfg());
    h.run(cluster(false), T0);
    h.run(cluster(true), T0 + 10 * SEC);
    h.run(cluster(true), T0 + 20 * SEC);
    // Guests are confirmed powered off, but wait for their node's verdict.
    expect(activeAlerts(h.memory).filter((a) => a.type === 'powered-off')).toHaveLength(5);
    expect(h.notifications()).toEqual([]);
    h.run(cluster(true), T0 + 30 * SEC);
    const sent = h.notifications();
    expect(sent).toHaveLength(1);
    expect(sent[0].alert.id).toBe('node-offline-pve1-pve1');
    expect(sent[0].grouped?.map((g) => g.id).sort()).toEqual(
      [100, 101, 102, 103, 104].map((v) => `guest-powered-off-pve1-${v}`),
    );
    // Nothing more while it lasts; coming back sends one resolution carrying the guests.
    h.run(cluster(true), T0 + 40 * SEC);
    expect(h.notifications()).toHaveLength(1);
    const back = h.notifications(h.run(cluster(false), T0 + 50 * SEC));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ kind: 'resolved', alert: { id: 'node-offline-pve1-pve1' } });
    expect(back[0].grouped).toHaveLength(5);
  });

  it('stale figures of an offline node: guests count as unreachable, their metric alerts stay', () => {
    const h = new Harness(cfg());
    const st = (offline: boolean) =>
      stateWith({
        nodes: [node({ name: 'pve1', status: offline ? 'offline' : 'online' })],
        // The poller keeps the last values of an unreachable instance, status included.
        vms: [guest({ vmid: 100, node: 'pve1', cpu: 0.95 }), guest({ vmid: 101, node: 'pve1' })],
        storage: [storage({ name: 'local', node: 'pve1', usage: 95 })],
      });
    h.run(st(false), T0);
    expect(
      h
        .notifications()
        .map((n) => n.alert.id)
        .sort(),
    ).toEqual(['pve1-100-cpu', 'pve1-local-usage']);
    for (let i = 1; i <= 3; i++) h.run(st(true), T0 + i * 10 * SEC);
    expect(h.active('pve1-100-cpu')).toBeDefined();
    expect(h.active('pve1-local-usage')).toBeDefined();
    const sent = h.notifications().slice(2);
    expect(sent).toHaveLength(1);
    expect(sent[0].alert.id).toBe('node-offline-pve1-pve1');
    // The alerts told before the node went down fold under it too (issue 18).
    expect(sent[0].grouped?.map((g) => g.message).sort()).toEqual([
      "Storage 'local' Usage at 95% (threshold 85%)",
      "VM 'guest-100' CPU at 95% (threshold 80%)",
      "VM 'guest-100' is unreachable (node pve1 is offline) since 12:00 UTC",
      "VM 'guest-101' is unreachable (node pve1 is offline) since 12:00 UTC",
    ]);
    expect(h.memory.active['pve1-100-cpu'].notify).toBe('grouped');
  });

  it('without aggregation every alert is sent on its own', () => {
    const h = new Harness(cfg((c) => (c.aggregation.enabled = false)));
    h.run(cluster(false), T0);
    for (let i = 1; i <= 3; i++) h.run(cluster(true), T0 + i * 10 * SEC);
    expect(h.notifications()).toHaveLength(6);
  });

  it('an escalating node alert still carries its guests', () => {
    const h = new Harness(cfg((c) => (c.schedule.escalation.enabled = true)));
    h.run(cluster(false), T0);
    for (let i = 1; i <= 3; i++) h.run(cluster(true), T0 + i * 10 * SEC);
    const esc = h.notifications(h.run(cluster(true), T0 + 16 * MIN));
    expect(esc).toHaveLength(1);
    expect(esc[0]).toMatchObject({ kind: 'escalated', alert: { id: 'node-offline-pve1-pve1' } });
    expect(esc[0].grouped).toHaveLength(5);
  });
});

describe('acknowledgement and clear', () => {
  it('ack sets the fields, survives value updates, and unack removes them; clear drops without recently-resolved', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    expect(acknowledgeAlert(h.memory, 'nope', 'x', T0)).toBeUndefined();
    const acked = acknowledgeAlert(h.memory, VM_CPU, 'alice', T0 + MIN)!;
    expect(h.memory.active[VM_CPU].alert.acknowledged).toBe(false); // input memory untouched
    h.memory = acked.memory;
    h.run(vm(0.92), T0 + 2 * MIN);
    expect(stateAlerts(h.memory)[0]).toMatchObject({
      acknowledged: true,
      ackUser: 'alice',
      ackTime: new Date(T0 + MIN).toISOString(),
      value: 92,
    });
    h.memory = unacknowledgeAlert(h.memory, VM_CPU)!.memory;
    expect(h.active(VM_CPU)).not.toHaveProperty('ackUser');
    const cleared = clearAlert(h.memory, VM_CPU);
    expect(cleared.alert?.id).toBe(VM_CPU);
    expect(cleared.memory.active[VM_CPU]).toBeUndefined();
    expect(cleared.memory.recentlyResolved).toEqual([]);
  });
});

describe('notify on resolve', () => {
  it('sends a resolved notification for a sent alert, unless turned off', () => {
    const on = new Harness(cfg());
    on.run(vm(0.9), T0);
    on.run(vm(0.5), T0 + MIN);
    expect(on.notifications().map((n) => n.kind)).toEqual(['fired', 'resolved']);
    const off = new Harness(cfg((c) => (c.notifyOnResolve = false)));
    off.run(vm(0.9), T0);
    off.run(vm(0.5), T0 + MIN);
    expect(off.notifications().map((n) => n.kind)).toEqual(['fired']);
  });
});

describe('backup age and snapshot age', () => {
  const withBackup = (ageDays: number, snapshotDays?: number) =>
    stateWith({
      vms: [guest({ vmid: 100, node: 'pve1', name: 'db' })],
      pveBackups: {
        backupTasks: [],
        storageBackups: [
          {
            id: 'b1',
            storage: 'local',
            node: 'pve1',
            instance: 'pve1',
            type: 'qemu',
            vmid: 100,
            time: Math.floor((T0 - ageDays * DAY) / 1000),
            ctime: 0,
            size: 1,
            format: 'vma.zst',
            protected: false,
            volid: 'local:backup/x',
            isPBS: false,
            verified: false,
          },
        ],
        guestSnapshots:
          snapshotDays === undefined
            ? []
            : [
                {
                  id: 's',
                  name: 'before-upgrade',
                  node: 'pve1',
                  instance: 'pve1',
                  type: 'qemu',
                  vmid: 100,
                  time: Math.floor((T0 - snapshotDays * DAY) / 1000),
                  vmstate: true,
                },
              ],
      },
    });

  it('warns at 7 days, critical at 14, resolves when a new backup appears', () => {
    const h = new Harness(cfg());
    h.run(withBackup(6.9), T0);
    expect(h.active('backup-age-pve1-100')).toBeUndefined();
    h.run(withBackup(8), T0);
    expect(h.active('backup-age-pve1-100')).toMatchObject({
      type: 'backup-age',
      level: 'warning',
      value: 8,
      threshold: 7,
    });
    h.run(withBackup(15), T0);
    expect(h.active('backup-age-pve1-100')?.level).toBe('critical');
    h.run(withBackup(0.1), T0);
    expect(h.active('backup-age-pve1-100')).toBeUndefined();
  });

  it('PBS backups count (by vmid); a guest never backed up alerts only with alertOnMissing', () => {
    // The instance's backup data has arrived (a task of another guest), so "none" is known.
    const state = stateWith({
      vms: [guest({ vmid: 100, node: 'pve1' })],
      pveBackups: {
        backupTasks: [
          {
            id: 't',
            node: 'pve1',
            instance: 'pve1',
            type: 'vzdump',
            vmid: 999,
            status: 'OK',
            startTime: 1,
            endTime: 2,
          },
        ],
        storageBackups: [],
        guestSnapshots: [],
      },
    });
    const quiet = new Harness(cfg());
    quiet.run(state, T0);
    expect(activeAlerts(quiet.memory)).toEqual([]);
    const loud = new Harness(cfg((c) => (c.backupAge.alertOnMissing = true)));
    loud.run(state, T0);
    expect(loud.active('backup-age-pve1-100')?.message).toMatch(/no known backup/);
    loud.run(
      {
        ...state,
        pbsBackups: [
          {
            id: 'p',
            instance: 'pbs1',
            datastore: 'ds',
            namespace: '',
            backupType: 'vm',
            vmid: '100',
            backupTime: Math.floor((T0 - DAY) / 1000),
            size: 1,
            protected: false,
            verified: true,
          },
        ],
      },
      T0 + SEC,
    );
    expect(loud.active('backup-age-pve1-100')).toBeUndefined();
  });

  it('warns about snapshots older than 14 days', () => {
    const h = new Harness(cfg());
    h.run(withBackup(1, 20), T0);
    expect(h.active('snapshot-age-pve1-100')).toMatchObject({ level: 'warning', value: 20 });
    h.run(withBackup(1, 31), T0);
    expect(h.active('snapshot-age-pve1-100')?.level).toBe('critical');
  });
});

describe('PBS, PMG and Docker', () => {
  const pbs = (status: 'online' | 'offline', usage = 50) =>
    stateWith({
      pbs: [
        {
          id: 'pbs-backup1',
          name: 'backup1',
          host: 'https://pbs:8007',
          status,
          version: '3.2',
          cpu: 0.85,
          memory: 40,
          memoryUsed: 4,
          memoryTotal: 10,
          uptime: 1,
          datastores: [{ name: 'store1', total: 100, used: usage, free: 100 - usage, usage, status: 'available' }],
          backupJobs: [],
          syncJobs: [],
          verifyJobs: [],
          pruneJobs: [],
          garbageJobs: [],
          connectionHealth: 'healthy',
          lastSeen: '',
        },
      ],
    });

  it('PBS: cpu and datastore usage, offline after 3 observations (named by instance, URL in metadata)', () => {
    const h = new Harness(cfg());
    h.run(pbs('online', 90), T0);
    expect(h.active('pbs-backup1-cpu')).toMatchObject({
      value: 85,
      node: 'backup1',
      instance: 'backup1',
      metadata: { resourceType: 'PBS', host: 'https://pbs:8007' },
    });
    expect(h.active('pbs-backup1-store1-usage')).toMatchObject({ value: 90, threshold: 85 });
    for (let i = 1; i <= 3; i++) h.run(pbs('offline'), T0 + i * 10 * SEC);
    expect(h.active('pbs-offline-pbs-backup1')).toMatchObject({
      type: 'offline',
      level: 'critical',
      node: 'backup1',
      message: "PBS 'backup1' is offline since 12:00 UTC",
      metadata: { valueText: 'offline', thresholdText: 'online' },
    });
    // Offline: its figures are stale, so its CPU alert is kept, not resolved.
    expect(h.active('pbs-backup1-cpu')).toBeDefined();
  });

  it('PMG: queues (cluster and per node), oldest message, quarantine', () => {
    const queue = (total: number, deferred: number, oldestAge: number) => ({
      active: 0,
      deferred,
      hold: 0,
      incoming: 0,
      total,
      oldestAge,
      updatedAt: '',
    });
    const h = new Harness(cfg());
    h.run(
      stateWith({
        pmg: [
          {
            id: 'pmg-mail',
            name: 'mail',
            host: 'https://pmg:8006',
            status: 'online',
            version: '8',
            nodes: [
              { name: 'n1', status: 'master', role: 'master', queueStatus: queue(500, 10, 45 * 60) },
              { name: 'n2', status: 'node', role: 'node', queueStatus: queue(100, 0, 60) },
            ],
            quarantine: { spam: 6000, virus: 10, attachment: 0, blacklisted: 0 },
            connectionHealth: 'healthy',
            lastSeen: '',
            lastUpdated: '',
          },
        ],
      }),
      T0,
    );
    expect(h.active('pmg-mail-queue-total')).toMatchObject({ type: 'queue-depth', level: 'warning', value: 600 });
    expect(h.active('pmg-mail-n1-queue-total')).toMatchObject({ level: 'warning', value: 500, threshold: 300 });
    expect(h.active('pmg-mail-n2-queue-total')).toBeUndefined();
    expect(h.active('pmg-mail-oldest-message')).toMatchObject({ type: 'message-age', level: 'warning', value: 45 });
    expect(h.active('pmg-mail-quarantine-spam')?.level).toBe('critical');
    expect(h.active('pmg-mail-quarantine-virus')).toBeUndefined();
  });

  it('Docker: state, OOM, health, restart loop, memory limit, cpu; ignored prefixes', () => {
    const host = (containers: unknown[]) =>
      stateWith({
        dockerHosts: [
          {
            id: 'h1',
            hostname: 'dock',
            displayName: 'Dock',
            status: 'online',
            containers,
          } as unknown as PulseState['dockerHosts'][number],
        ],
      });
    const c = (over: Record<string, unknown>) => ({
      id: 'c1',
      name: 'app',
      state: 'running',
      cpuPercent: 5,
      memoryPercent: 5,
      restartCount: 0,
      ...over,
    });
    const h = new Harness(cfg((x) => (x.dockerIgnoredContainerPrefixes = ['tmp-'])));
    h.run(host([c({}), c({ id: 'c2', name: 'tmp-build', cpuPercent: 99 })]), T0);
    h.run(host([c({ restartCount: 2 })]), T0 + 60 * SEC);
    h.run(
      host([c({ restartCount: 4, health: 'unhealthy', cpuPercent: 85, memoryUsageBytes: 96, memoryLimitBytes: 100 })]),
      T0 + 120 * SEC,
    );
    const rid = 'docker:h1/c1';
    expect(h.active(`docker-container-restart-loop-${rid}`)).toMatchObject({ level: 'critical', value: 4 });
    expect(h.active(`docker-container-health-${rid}`)?.level).toBe('critical');
    expect(h.active(`docker-container-memory-limit-${rid}`)?.level).toBe('critical');
    expect(h.active(`${rid}-cpu`)).toMatchObject({
      instance: 'Docker:Dock',
      metadata: { resourceType: 'Docker Container' },
    });
    expect(activeAlerts(h.memory).some((a) => a.id.includes('c2'))).toBe(false);
    const exited = host([c({ state: 'exited', exitCode: 137, restartCount: 4 })]);
    h.run(exited, T0 + 130 * SEC);
    h.run(exited, T0 + 140 * SEC);
    expect(h.active(`docker-container-state-${rid}`)?.type).toBe('docker-container-state');
    expect(h.active(`docker-container-oom-${rid}`)?.type).toBe('docker-container-oom-kill');
  });
});

describe('purity', () => {
  it('does not modify the memory or state it is given', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    const state = vm(0.5, { status: 'stopped' });
    const memBefore = JSON.stringify(h.memory);
    const stateBefore = JSON.stringify(state);
    const r = evaluate(h.config, state, h.memory, T0 + MIN);
    expect(JSON.stringify(h.memory)).toBe(memBefore);
    expect(JSON.stringify(state)).toBe(stateBefore);
    expect(r.memory.active[VM_CPU]).toBeUndefined();
  });
});

describe('resources that disappear', () => {
  it('keeps alerts of unseen resources until they are stale, then resolves them without notifying', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.run(stateWith({}), T0 + MIN);
    expect(h.active(VM_CPU)).toBeDefined();
    const out = h.run(stateWith({}), T0 + 11 * MIN);
    expect(h.active(VM_CPU)).toBeUndefined();
    expect(out.find((c) => c.kind === 'resolved')).toMatchObject({ reason: 'removed' });
    expect(h.notifications(out)).toEqual([]);
  });

  it('disabling alerts resolves everything', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.config.enabled = false;
    h.run(vm(0.9), T0 + MIN);
    expect(activeAlerts(h.memory)).toEqual([]);
  });
});
