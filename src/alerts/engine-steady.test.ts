/**
 * What makes a steady round cheap must not change what readers see:
 * - lastSeen is kept outside the alert objects (memory.lastRound / memory.unseen): a round that
 *   only moves lastSeen copies nothing, yet every export (activeAlerts, notifications,
 *   resolutions, acknowledge/clear) shows the same lastSeen as when each alert carried it;
 * - backup/snapshot ages are measured at most once a minute, but an age alert is still raised,
 *   upgraded and resolved in the round in which its age crosses the level.
 */
import { describe, expect, it } from 'vitest';
import { guest, node, stateWith } from '../../test/alerts/state-builders.js';
import type { Guest, PulseState } from '../model/state.js';
import { CheckSet, metricId, prefixedId } from './checks.js';
import { type AlertConfig, defaultAlertConfig } from './config.js';
import { AGE_CLOCK_MS, acknowledgeAlert, clearAlert, evaluate } from './engine.js';
import {
  type AlertChange,
  type AlertMemory,
  activeAlerts,
  copyAlert,
  emptyMemory,
  exportAlert,
  resortActiveAlerts,
  storedActiveAlerts,
} from './memory.js';
import { RunningGuests } from './running-guests.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

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

class Harness {
  memory: AlertMemory = emptyMemory();
  constructor(public config: AlertConfig) {}
  run(state: PulseState, now: number): AlertChange[] {
    deepFreeze(this.memory);
    const r = evaluate(this.config, state, this.memory, now);
    this.memory = r.memory;
    return r.changes;
  }
  /** The alert as every reader gets it (REST, state, persistence). */
  exported(id: string) {
    return activeAlerts(this.memory).find((a) => a.id === id);
  }
}

const VM_CPU = 'pve1-100-cpu';
const vm = (cpu: number, over: Partial<Guest> = {}, nodeStatus: 'online' | 'offline' = 'online') =>
  stateWith({
    nodes: [node({ name: 'pve1', status: nodeStatus })],
    vms: [guest({ vmid: 100, node: 'pve1', name: 'web', cpu, ...over })],
  });

describe('lastSeen outside the alert objects', () => {
  it('a round that moves nothing but lastSeen copies nothing; readers still see the latest round', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.run(vm(0.9), T0 + 10 * SEC);
    const active = h.memory.active;
    const tracked = active[VM_CPU];
    h.run(vm(0.9), T0 + 20 * SEC);
    expect(h.memory.active).toBe(active);
    expect(h.memory.active[VM_CPU]).toBe(tracked);
    expect(h.exported(VM_CPU)?.lastSeen).toBe(iso(T0 + 20 * SEC));
    expect(exportAlert(h.memory, tracked).lastSeen).toBe(iso(T0 + 20 * SEC));
    expect(h.exported(VM_CPU)?.startTime).toBe(iso(T0));

    // A moved figure copies the alert, which then carries the round's lastSeen itself.
    h.run(vm(0.95), T0 + 30 * SEC);
    expect(h.memory.active[VM_CPU]).not.toBe(tracked);
    expect(h.memory.active[VM_CPU].alert).toMatchObject({ value: 95, lastSeen: iso(T0 + 30 * SEC) });
    expect(h.exported(VM_CPU)?.lastSeen).toBe(iso(T0 + 30 * SEC));
  });

  it('an alert of a guest on an offline node keeps the lastSeen of its last refresh', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.run(vm(0.9), T0 + 10 * SEC);
    h.run(vm(0.9, {}, 'offline'), T0 + 20 * SEC);
    h.run(vm(0.9, {}, 'offline'), T0 + 30 * SEC);
    expect(h.exported(VM_CPU)?.lastSeen).toBe(iso(T0 + 10 * SEC));
    expect(h.memory.unseen).toEqual({ [VM_CPU]: iso(T0 + 10 * SEC) });
    h.run(vm(0.9), T0 + 40 * SEC);
    expect(h.exported(VM_CPU)?.lastSeen).toBe(iso(T0 + 40 * SEC));
    expect(h.memory.unseen).toEqual({});
  });

  it('a vanished resource is judged stale from its real lastSeen', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.run(vm(0.9), T0 + 5 * MIN);
    h.run(stateWith({}), T0 + 6 * MIN);
    expect(h.exported(VM_CPU)?.lastSeen).toBe(iso(T0 + 5 * MIN));
    // 10 minutes after the first sighting but not after the last one: kept.
    h.run(stateWith({}), T0 + 11 * MIN);
    expect(h.exported(VM_CPU)).toBeDefined();
    const out = h.run(stateWith({}), T0 + 15 * MIN + SEC);
    expect(out.find((c) => c.kind === 'resolved')).toMatchObject({ reason: 'removed' });
  });

  it('resolutions carry the time the alert was last seen before the round that resolved it', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.run(vm(0.9), T0 + 10 * SEC);
    const out = h.run(vm(0.1), T0 + 20 * SEC);
    const resolved = out.find((c) => c.kind === 'resolved');
    expect(resolved).toMatchObject({ alert: { id: VM_CPU, value: 10, lastSeen: iso(T0 + 10 * SEC) } });
  });

  it('notifications of an unchanged alert carry the current lastSeen (escalation)', () => {
    const h = new Harness(cfg((c) => (c.schedule.escalation.enabled = true)));
    h.run(vm(0.85), T0);
    h.run(vm(0.85), T0 + 10 * MIN);
    const out = h.run(vm(0.85), T0 + 15 * MIN);
    const n = out.flatMap((c) => (c.kind === 'notify' ? [c.notification] : []));
    expect(n.map((x) => [x.kind, x.alert.lastSeen])).toEqual([['escalated', iso(T0 + 15 * MIN)]]);
  });

  it('acknowledge and clear hand out the current lastSeen', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.run(vm(0.9), T0 + 10 * SEC);
    const ack = acknowledgeAlert(h.memory, VM_CPU, 'ops', T0 + 15 * SEC)!;
    expect(ack.alert.lastSeen).toBe(iso(T0 + 10 * SEC));
    expect(activeAlerts(ack.memory)[0]).toMatchObject({ acknowledged: true, lastSeen: iso(T0 + 10 * SEC) });
    expect(clearAlert(ack.memory, VM_CPU).alert?.lastSeen).toBe(iso(T0 + 10 * SEC));
  });
});

describe('backup/snapshot ages measured at most once a minute', () => {
  const H = 100;
  /** A guest whose newest backup was taken at `backupMs` (and oldest snapshot at `snapshotMs`). */
  const backedUp = (backupMs: number, snapshotMs?: number) =>
    stateWith({
      vms: [guest({ vmid: H, node: 'pve1', name: 'db' })],
      pveBackups: {
        backupTasks: [],
        storageBackups: [
          {
            id: 'b1',
            storage: 'local',
            node: 'pve1',
            instance: 'pve1',
            type: 'qemu',
            vmid: H,
            time: backupMs / 1000,
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
          snapshotMs === undefined
            ? []
            : [
                {
                  id: 's',
                  name: 'before-upgrade',
                  node: 'pve1',
                  instance: 'pve1',
                  type: 'qemu',
                  vmid: H,
                  time: snapshotMs / 1000,
                  vmstate: false,
                },
              ],
      },
    });
  const BACKUP = 'backup-age-pve1-100';
  const SNAPSHOT = 'snapshot-age-pve1-100';

  it('an age alert stays the identical object within the minute, then its age moves', () => {
    const h = new Harness(cfg());
    const state = backedUp(T0 - 8 * DAY);
    h.run(state, T0);
    const tracked = h.memory.active[BACKUP];
    expect(tracked.alert.value).toBe(8);
    for (let s = 10; s < 60; s += 10) {
      h.run(state, T0 + s * SEC);
      expect(h.memory.active[BACKUP]).toBe(tracked);
    }
    expect(h.exported(BACKUP)?.lastSeen).toBe(iso(T0 + 50 * SEC));
    h.run(state, T0 + AGE_CLOCK_MS);
    expect(h.exported(BACKUP)?.value).toBe(Math.round((8 + AGE_CLOCK_MS / DAY) * 1e4) / 1e4);
    expect(h.exported(BACKUP)?.lastSeen).toBe(iso(T0 + AGE_CLOCK_MS));
  });

  it('is raised in the round its age reaches the warning level, not up to a minute later', () => {
    const h = new Harness(cfg());
    // Seven days old at T0 + 30 s; the ages were last measured at T0.
    const state = backedUp(T0 + 30 * SEC - 7 * DAY);
    h.run(state, T0);
    h.run(state, T0 + 20 * SEC);
    expect(h.exported(BACKUP)).toBeUndefined();
    const out = h.run(state, T0 + 30 * SEC);
    expect(out.find((c) => c.kind === 'raised')).toMatchObject({ alert: { id: BACKUP, value: 7, level: 'warning' } });
    expect(h.exported(BACKUP)?.startTime).toBe(iso(T0 + 30 * SEC));
    // Until the ages are measured again, the alert keeps its level (the exact age is used).
    h.run(state, T0 + 40 * SEC);
    expect(h.exported(BACKUP)?.level).toBe('warning');
  });

  it('turns critical and resolves in the round the age crosses the level', () => {
    const h = new Harness(cfg());
    // Snapshot 30 days old at T0 + 25 s (critical level), backup fresh.
    const state = backedUp(T0 - DAY, T0 + 25 * SEC - 30 * DAY);
    h.run(state, T0);
    expect(h.exported(SNAPSHOT)?.level).toBe('warning');
    h.run(state, T0 + 20 * SEC);
    expect(h.exported(SNAPSHOT)?.level).toBe('warning');
    h.run(state, T0 + 30 * SEC);
    expect(h.exported(SNAPSHOT)).toMatchObject({ level: 'critical', value: 30.0001 });
    // The snapshot is removed: resolved at once, whatever the age clock says.
    const out = h.run(backedUp(T0 - DAY), T0 + 40 * SEC);
    expect(out.find((c) => c.kind === 'resolved')).toMatchObject({ alert: { id: SNAPSHOT } });
    expect(h.exported(SNAPSHOT)).toBeUndefined();
  });

  it('a new backup resolves the backup-age alert in the same round', () => {
    const h = new Harness(cfg());
    h.run(backedUp(T0 - 8 * DAY), T0);
    expect(h.exported(BACKUP)).toBeDefined();
    h.run(backedUp(T0 + 5 * SEC), T0 + 10 * SEC);
    expect(h.exported(BACKUP)).toBeUndefined();
  });
});

describe('pruning what is remembered, only when something expires', () => {
  it('drops a notice exactly an hour after it was sent, the others stay', () => {
    const h = new Harness(cfg());
    const two = (cpuA: number, cpuB: number) =>
      stateWith({
        nodes: [node({ name: 'pve1' })],
        vms: [guest({ vmid: 100, node: 'pve1', cpu: cpuA }), guest({ vmid: 101, node: 'pve1', cpu: cpuB })],
      });
    h.run(two(0.9, 0.1), T0);
    h.run(two(0.9, 0.9), T0 + 30 * MIN);
    expect(Object.keys(h.memory.notices).sort()).toEqual(['pve1-100-cpu', 'pve1-101-cpu']);
    h.run(two(0.9, 0.9), T0 + 60 * MIN - 1);
    expect(Object.keys(h.memory.notices).sort()).toEqual(['pve1-100-cpu', 'pve1-101-cpu']);
    h.run(two(0.9, 0.9), T0 + 60 * MIN);
    expect(h.memory.notices).toEqual({ 'pve1-101-cpu': [T0 + 30 * MIN] });
    h.run(two(0.9, 0.9), T0 + 90 * MIN);
    expect(h.memory.notices).toEqual({});
  });

  it('forgets flapping changes once they leave the window and the suppression once it ends', () => {
    const h = new Harness(cfg((c) => (c.flapping = { enabled: true, window: 300, threshold: 3, cooldown: 15 })));
    h.run(vm(0.9), T0);
    h.run(vm(0.1), T0 + 10 * SEC);
    h.run(vm(0.9), T0 + 20 * SEC);
    expect(h.memory.flaps[VM_CPU]).toEqual({
      changes: [T0, T0 + 10 * SEC, T0 + 20 * SEC],
      until: T0 + 20 * SEC + 15 * MIN,
    });
    h.run(vm(0.9), T0 + 300 * SEC);
    expect(h.memory.flaps[VM_CPU].changes).toEqual([T0, T0 + 10 * SEC, T0 + 20 * SEC]);
    h.run(vm(0.9), T0 + 300 * SEC + 1);
    expect(h.memory.flaps[VM_CPU].changes).toEqual([T0 + 10 * SEC, T0 + 20 * SEC]);
    h.run(vm(0.9), T0 + 320 * SEC + 1);
    expect(h.memory.flaps[VM_CPU]).toEqual({ changes: [], until: T0 + 20 * SEC + 15 * MIN });
    expect(h.memory.active[VM_CPU].alert.metadata?.flapping).toBe(true);
    h.run(vm(0.9), T0 + 20 * SEC + 15 * MIN);
    expect(h.memory.flaps).toEqual({});
    expect(h.memory.active[VM_CPU].alert.metadata?.flapping).toBeUndefined();
  });

  it('forgets a resolution when the suppression window (at least an hour) is over', () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.run(vm(0.1), T0 + MIN);
    h.run(vm(0.1), T0 + 61 * MIN);
    expect(Object.keys(h.memory.lastResolved)).toEqual([VM_CPU]);
    h.run(vm(0.1), T0 + 61 * MIN + 1);
    expect(h.memory.lastResolved).toEqual({});
  });
});

describe('copyAlert', () => {
  it('is a deep, independent copy, equal to structuredClone of the alert', () => {
    const a = {
      id: 'x',
      type: 'cpu',
      level: 'warning' as const,
      resourceId: 'r',
      resourceName: 'r',
      node: 'n',
      instance: 'i',
      message: 'm',
      value: 1,
      threshold: 2,
      startTime: iso(T0),
      acknowledged: false,
      lastSeen: iso(T0),
      ackUser: undefined,
      metadata: { unit: '%', nested: { deep: [1, { x: 2 }] } },
      escalationTimes: [iso(T0)],
    };
    const c = copyAlert(a);
    expect(c).toStrictEqual(structuredClone(a));
    c.metadata.nested.deep.push(3);
    c.escalationTimes.push('later');
    expect(a.metadata.nested.deep).toHaveLength(2);
    expect(a.escalationTimes).toHaveLength(1);
  });
});

describe('active alert order', () => {
  it('is the order of localeCompare on startTime, then id', () => {
    const memory = emptyMemory();
    const ids = ['b-2', 'B-1', 'a-10', 'a-9', 'Ä-1', 'a_1', 'z', 'node-offline-x'];
    const times = [iso(T0), iso(T0 + 1), iso(T0 - DAY), '2026-01-05T12:00:00Z', iso(T0)];
    ids.forEach((id, i) => {
      const alert = { ...copyAlertBase(), id, startTime: times[i % times.length] };
      memory.active[id] = { alert, category: 'performance', notify: 'sent' };
    });
    const expected = Object.values(memory.active)
      .map((t) => t.alert)
      .sort((a, b) => a.startTime.localeCompare(b.startTime) || a.id.localeCompare(b.id))
      .map((a) => a.id);
    expect(activeAlerts(memory).map((a) => a.id)).toEqual(expected);
  });
});

function copyAlertBase() {
  return {
    id: '',
    type: 'cpu',
    level: 'warning' as const,
    resourceId: 'r',
    resourceName: 'r',
    node: 'n',
    instance: 'i',
    message: 'm',
    value: 1,
    threshold: 2,
    startTime: '',
    acknowledged: false,
    lastSeen: iso(T0),
  };
}

describe('resortActiveAlerts', () => {
  it('gives the same order as a full sort, round after round of raises, re-raises and resolutions', () => {
    let memory = emptyMemory();
    let prev: ReturnType<typeof storedActiveAlerts> = [];
    const placed = new Map<string, string>();
    // A deterministic pseudo-random walk over 60 ids and a handful of start times.
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const active = { ...memory.active };
      for (let k = 0; k < 12; k++) {
        const id = `${['a', 'B', 'ä', 'c'][rnd(4)]}-${rnd(15)}`;
        if (rnd(3) === 0) delete active[id];
        else {
          const startTime = rnd(5) === 0 ? '2026-01-05T12:00:00Z' : iso(T0 + rnd(6) * SEC);
          active[id] = { alert: { ...copyAlertBase(), id, startTime }, category: 'performance', notify: 'sent' };
        }
      }
      memory = { ...memory, active };
      prev = resortActiveAlerts(memory, prev, placed);
      expect(prev.map((a) => a.id)).toEqual(storedActiveAlerts(memory).map((a) => a.id));
      expect(prev.every((a) => memory.active[a.id].alert === a)).toBe(true);
    }
  });
});

describe('cached check ids', () => {
  it('are the ids as built before, also when asked again with another string of the same text', () => {
    expect(metricId('pve1-100', 'cpu')).toBe('pve1-100-cpu');
    expect(prefixedId('snapshot-age', 'pve1-100')).toBe('snapshot-age-pve1-100');
    expect(metricId('pve1-100', 'memory')).toBe('pve1-100-memory');
    // Same resource, other table: no mix-up between suffixed and prefixed ids.
    expect(prefixedId('cpu', 'pve1-100')).toBe('cpu-pve1-100');
    expect(metricId(`pve1-${100}`, 'cpu')).toBe('pve1-100-cpu');
    // Resource after resource, and back: each gets its own.
    expect(metricId('pve1-101', 'cpu')).toBe('pve1-101-cpu');
    expect(metricId('pve1-101', 'memory')).toBe('pve1-101-memory');
    expect(metricId('pve1-100', 'memory')).toBe('pve1-100-memory');
  });
});

describe('guests seen running, met once per round', () => {
  const POWERED_OFF = prefixedId('guest-powered-off', 'pve1-100');
  const guests = (...gs: Array<Partial<Guest> & { vmid: number }>) =>
    stateWith({ nodes: [node({ name: 'pve1' })], vms: gs.map((g) => guest({ node: 'pve1', ...g })) });

  it('a guest that leaves the state is forgotten: back and stopped, it raises no powered-off alert', () => {
    const h = new Harness(cfg());
    h.run(guests({ vmid: 100 }, { vmid: 101 }), T0);
    h.run(guests({ vmid: 101 }), T0 + 10 * SEC);
    expect(h.memory.seenRunning).toEqual({ 'pve1-101': true });
    h.run(guests({ vmid: 100, status: 'stopped' }, { vmid: 101 }), T0 + 20 * SEC);
    h.run(guests({ vmid: 100, status: 'stopped' }, { vmid: 101 }), T0 + 30 * SEC);
    expect(h.exported(POWERED_OFF)).toBeUndefined();
  });

  it('a guest listed twice is met once: the one that left is still forgotten', () => {
    const h = new Harness(cfg());
    h.run(guests({ vmid: 100 }, { vmid: 101 }), T0);
    h.run(guests({ vmid: 101 }, { vmid: 101 }), T0 + 10 * SEC);
    expect(h.memory.seenRunning).toEqual({ 'pve1-101': true });
  });

  it('rounds from the same memory each judge their own state', () => {
    const h = new Harness(cfg());
    h.run(guests({ vmid: 100 }, { vmid: 101 }), T0);
    const before = deepFreeze(h.memory);
    const both = evaluate(h.config, guests({ vmid: 100 }, { vmid: 101 }), before, T0 + 10 * SEC).memory;
    const one = evaluate(h.config, guests({ vmid: 101 }), before, T0 + 10 * SEC).memory;
    const again = evaluate(h.config, guests({ vmid: 100 }, { vmid: 101 }), before, T0 + 10 * SEC).memory;
    expect(both.seenRunning).toEqual({ 'pve1-100': true, 'pve1-101': true });
    expect(one.seenRunning).toEqual({ 'pve1-101': true });
    expect(again.seenRunning).toEqual({ 'pve1-100': true, 'pve1-101': true });
  });
});

describe('the index of active alerts, carried from round to round', () => {
  const TYPES = ['cpu', 'memory', 'powered-off'];
  const guests = (round: number) =>
    stateWith({
      nodes: [node({ name: 'pve1' })],
      vms: [100, 101, 102, 103, 104, 105].map((vmid) => {
        const k = (vmid * 7 + round * 3) % 5;
        const usage = [50, 88, 95, 50, 96][(vmid + round) % 5];
        return guest({
          vmid,
          node: 'pve1',
          cpu: [0.5, 0.78, 0.9, 0.95, 0.2][k],
          status: (vmid + round) % 7 === 0 ? 'stopped' : 'running',
          memory: { total: 100, used: usage, free: 100 - usage, usage },
        });
      }),
    });
  /** What the index answers for the memory's active map, and for the same alerts in a new map (built afresh). */
  const answers = (memory: AlertMemory) => {
    const carried = new CheckSet(memory, new RunningGuests(memory));
    const fresh = new CheckSet({ ...memory, active: { ...memory.active } }, new RunningGuests(memory));
    const out: Array<[string, boolean, boolean]> = [];
    for (const type of TYPES) {
      out.push([`any ${type}`, carried.anyAlerting(type), fresh.anyAlerting(type)]);
      for (let vmid = 100; vmid <= 105; vmid++) {
        out.push([
          `pve1-${vmid} ${type}`,
          carried.alerting(`pve1-${vmid}`, type),
          fresh.alerting(`pve1-${vmid}`, type),
        ]);
      }
    }
    return out;
  };

  it("a raised alert is in the next round's index: a value between clear and trigger keeps it", () => {
    const h = new Harness(cfg());
    h.run(vm(0.9), T0);
    h.run(vm(0.78), T0 + 10 * SEC);
    expect(h.exported(VM_CPU)?.value).toBe(78);
  });

  it('answers as an index built afresh, through raises and resolutions round after round', () => {
    const h = new Harness(cfg());
    let raised = 0;
    let resolved = 0;
    for (let round = 0; round < 16; round++) {
      const changes = h.run(guests(round), T0 + round * 10 * SEC);
      raised += changes.filter((c) => c.kind === 'raised').length;
      resolved += changes.filter((c) => c.kind === 'resolved').length;
      for (const [what, carried, fresh] of answers(h.memory)) expect(carried, `${what}, round ${round}`).toBe(fresh);
    }
    expect(raised).toBeGreaterThan(10);
    expect(resolved).toBeGreaterThan(10);
  });
});

describe('the ids of an active map no round changes, listed once', () => {
  const guests = (third?: Partial<Guest>) =>
    stateWith({
      nodes: [node({ name: 'pve1' })],
      vms: [
        guest({ vmid: 100, node: 'pve1', cpu: 0.9 }),
        guest({ vmid: 101, node: 'pve1', cpu: 0.9 }),
        ...(third ? [guest({ vmid: 102, node: 'pve1', cpu: 0.9, ...third })] : []),
      ],
    });

  it('an alert raised after a steady round is looked at once no check refreshes it', () => {
    const h = new Harness(cfg());
    h.run(guests(), T0);
    h.run(guests(), T0 + 10 * SEC);
    h.run(guests({}), T0 + 20 * SEC);
    h.run(guests({}), T0 + 30 * SEC);
    expect(h.exported('pve1-102-cpu')).toBeDefined();
    const changes = h.run(guests({ status: 'stopped' }), T0 + 40 * SEC);
    expect(changes.filter((c) => c.kind === 'resolved').map((c) => c.alert.id)).toEqual(['pve1-102-cpu']);
    expect(Object.keys(h.memory.active).sort()).toEqual(['pve1-100-cpu', 'pve1-101-cpu']);
  });
});

describe('notifications of a steady round look only at alerts with something to tell', () => {
  it('an alert told while escalation was off escalates once it is switched on', () => {
    const h = new Harness(cfg());
    h.run(vm(0.85), T0);
    // Steady rounds: the told alert is left out of the ones looked at (escalation off).
    h.run(vm(0.85), T0 + MIN);
    h.run(vm(0.85), T0 + 2 * MIN);
    h.config = cfg((c) => (c.schedule.escalation.enabled = true));
    const out = h.run(vm(0.85), T0 + 15 * MIN);
    const n = out.flatMap((c) => (c.kind === 'notify' ? [c.notification] : []));
    expect(n.map((x) => [x.kind, x.alert.id, x.alert.lastEscalation])).toEqual([['escalated', VM_CPU, 1]]);
  });
});

describe('backup ages of all guests left unlooked while every backup is younger than the level', () => {
  const storageBackup = (vmid: number, ageMs: number, now: number) => ({
    id: `b${vmid}`,
    storage: 'local',
    node: 'pve1',
    instance: 'pve1',
    type: 'qemu' as const,
    vmid,
    time: (now - ageMs) / 1000,
    ctime: 0,
    size: 1,
    format: 'vma.zst',
    protected: false,
    volid: `local:backup/${vmid}`,
    isPBS: false,
    verified: false,
  });
  const estate = (ages: Record<number, number>, pbsAgeOf200?: number) =>
    stateWith({
      nodes: [node({ name: 'pve1' })],
      vms: [100, 101, 102, 200].map((vmid) => guest({ vmid, node: 'pve1' })),
      pveBackups: {
        backupTasks: [],
        guestSnapshots: [],
        storageBackups: Object.entries(ages).map(([vmid, age]) => storageBackup(Number(vmid), age, T0)),
      },
      pbsBackups:
        pbsAgeOf200 === undefined
          ? []
          : [
              {
                id: 'p200',
                instance: 'pbs1',
                datastore: 'store',
                namespace: '',
                backupType: 'vm',
                vmid: '200',
                backupTime: (T0 - pbsAgeOf200) / 1000,
                size: 1,
                protected: false,
                verified: false,
              },
            ],
    });
  const ageAlerts = (h: Harness) =>
    activeAlerts(h.memory)
      .filter((a) => a.type === 'backup-age')
      .map((a) => [a.resourceId, a.value]);

  it('one old backup among young ones is alerted, and resolves when a new one arrives', () => {
    const h = new Harness(cfg());
    h.run(estate({ 100: DAY, 101: 2 * DAY, 102: 8 * DAY }), T0);
    expect(ageAlerts(h)).toEqual([['pve1-102', 8]]);
    h.run(estate({ 100: DAY, 101: 2 * DAY, 102: DAY }), T0 + 10 * SEC);
    expect(ageAlerts(h)).toEqual([]);
  });

  it('a guest backed up only to PBS, long ago, is alerted', () => {
    const h = new Harness(cfg());
    h.run(estate({ 100: DAY, 101: DAY, 102: DAY }, 9 * DAY), T0);
    expect(ageAlerts(h)).toEqual([['pve1-200', 9]]);
  });
});
