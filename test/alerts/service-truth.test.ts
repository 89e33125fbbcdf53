/**
 * AlertService and issue 18 "alerts must never lie": leaving mock mode brings the real alerts
 * back silently (never resolved, never sent again), a restart in mock mode keeps them, and the
 * history keeps acknowledgement and notification facts (status, duration, reason).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import type { AlertNotification, PulseState } from '../../src/model/state.js';
import { alertServiceRig, closeRigs, ALERT_T0 as T0 } from '../helpers/alerts.js';
import { tempDir } from '../helpers/pulse.js';
import { guest, node } from './state-builders.js';

const SEC = 1000;
const MIN = 60 * SEC;

const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

const opened: Parameters<typeof closeRigs>[0] = [];
afterEach(() => closeRigs(opened));

function started(dataDir = tempDir(), at = T0) {
  const sent: AlertNotification[] = [];
  const resolvedEvents: string[] = [];
  const r = { ...alertServiceRig({ dataDir, now: at, notify: (batch) => sent.push(...batch) }), sent, resolvedEvents };
  r.events.on('alertResolved', (e) => resolvedEvents.push(e.alertId));
  opened.push(r);
  const { service } = r;
  service.start();
  // No grace periods, no batching window: every decision is visible at once.
  service.updateConfig({ metricTimeThresholds: { guest: { default: 0 } }, schedule: { grouping: { enabled: false } } });
  return r;
}

const real = (cpu: number): Partial<PulseState> => ({
  nodes: [node({ name: 'pve1' })],
  vms: [guest({ vmid: 100, node: 'pve1', name: 'db', cpu })],
});
const mockFleet: Partial<PulseState> = {
  nodes: [node({ name: 'mock1', instance: 'mock-cluster' })],
  vms: [guest({ vmid: 200, node: 'mock1', instance: 'mock-cluster', cpu: 0.99 })],
};

async function show(r: ReturnType<typeof started>, parts: Partial<PulseState>, at: number) {
  r.clock.set(at);
  r.state.commit((d) => {
    d.nodes = parts.nodes ?? [];
    d.vms = parts.vms ?? [];
    d.containers = parts.containers ?? [];
  });
  await settle();
}

describe('mock mode sets the real alerts aside and brings them back silently', () => {
  it('no resolve and no re-send on leaving mock mode; the acknowledgement survives', async () => {
    const r = started();
    await show(r, real(0.95), T0);
    expect(r.sent.map((n) => [n.kind, n.alert.id])).toEqual([['fired', 'pve1-100-cpu']]);
    r.service.acknowledge('pve1-100-cpu', 'ops');
    const startTime = r.service.activeAlerts()[0].startTime;

    // Mock mode on: the real alert leaves the picture without being resolved.
    r.service.suspend();
    await show(r, mockFleet, T0 + MIN);
    expect(r.service.activeAlerts().map((a) => a.id)).toEqual(['mock-cluster-mock1-200-cpu']);
    expect(r.resolvedEvents).toEqual([]);

    // Off again, long after the cooldown: the real alert is back as it was, nothing is sent.
    const sentBefore = r.sent.length;
    r.clock.set(T0 + 30 * MIN);
    r.service.resume();
    expect(r.resolvedEvents).toEqual(['mock-cluster-mock1-200-cpu']);
    await show(r, {}, T0 + 30 * MIN + SEC); // the empty picture before the first real poll
    await show(r, real(0.95), T0 + 30 * MIN + 10 * SEC);
    expect(r.sent.slice(sentBefore)).toEqual([]);
    const back = r.service.activeAlerts();
    expect(back.map((a) => [a.id, a.startTime, a.acknowledged, a.ackUser])).toEqual([
      ['pve1-100-cpu', startTime, true, 'ops'],
    ]);
    expect(r.resolvedEvents).toEqual(['mock-cluster-mock1-200-cpu']);

    // The mock alert's history row is closed as such; the real one is still open.
    const history = r.service.history({ limit: 0, offset: 0 });
    expect(history.map((h) => [h.id, h.status, h.resolveReason])).toEqual([
      ['mock-cluster-mock1-200-cpu', 'resolved', 'mock'],
      ['pve1-100-cpu', 'acknowledged', undefined],
    ]);
  });

  it('a restart while in mock mode keeps the real alerts for when it ends', async () => {
    const dataDir = tempDir();
    const first = started(dataDir);
    await show(first, real(0.95), T0);
    first.service.suspend();
    await show(first, mockFleet, T0 + MIN);
    first.service.stop();
    first.db.close();
    opened.splice(opened.indexOf(first), 1);

    const second = started(dataDir, T0 + 2 * MIN);
    second.service.suspend(); // mock mode re-entered at start
    await show(second, mockFleet, T0 + 3 * MIN);
    second.service.resume();
    await show(second, real(0.95), T0 + 4 * MIN);
    expect(second.service.activeAlerts().map((a) => a.id)).toEqual(['pve1-100-cpu']);
    expect(second.sent.filter((n) => n.alert.id === 'pve1-100-cpu')).toEqual([]);
  });
});

describe('Docker hosts stay real in mock mode', () => {
  it('their alerts go on through mock mode: not raised or sent again, not dropped at its end', async () => {
    const r = started();
    const docker = [
      {
        id: 'h1',
        hostname: 'box',
        status: 'online',
        containers: [{ id: 'c1', name: 'app', state: 'exited', exitCode: 1 }],
      },
    ] as unknown as PulseState['dockerHosts'];
    const withDocker = (parts: Partial<PulseState>, at: number) => {
      r.clock.set(at);
      r.state.commit((d) => {
        d.nodes = parts.nodes ?? [];
        d.vms = parts.vms ?? [];
        d.dockerHosts = docker;
      });
      return settle();
    };
    const id = 'docker-container-state-docker:h1/c1';
    await withDocker(real(0.1), T0);
    await withDocker(real(0.1), T0 + 10 * SEC);
    expect(r.sent.map((n) => n.alert.id)).toEqual([id]);
    const startTime = r.service.activeAlerts()[0].startTime;
    r.service.suspend();
    await withDocker(mockFleet, T0 + MIN);
    await withDocker(mockFleet, T0 + 2 * MIN);
    expect(r.service.activeAlerts().map((a) => [a.id, a.startTime])).toContainEqual([id, startTime]);
    r.clock.set(T0 + 3 * MIN);
    r.service.resume();
    await withDocker(real(0.1), T0 + 3 * MIN + SEC);
    expect(r.service.activeAlerts().map((a) => [a.id, a.startTime])).toEqual([[id, startTime]]);
    expect(r.sent.filter((n) => n.alert.id === id)).toHaveLength(1);
    expect(r.resolvedEvents).not.toContain(id);
  });
});

describe('history keeps acknowledgement and notification facts', () => {
  it('status, duration, acknowledgement, notifications and resolve reason', async () => {
    const r = started();
    await show(r, real(0.95), T0);
    r.service.acknowledge('pve1-100-cpu', 'alice');
    r.clock.set(T0 + 90 * SEC);
    const [open] = r.service.history({ limit: 0, offset: 0 });
    expect(open).toMatchObject({
      id: 'pve1-100-cpu',
      status: 'acknowledged',
      acknowledged: true,
      ackUser: 'alice',
      ackTime: new Date(T0).toISOString(),
      durationSeconds: 90,
      notifications: { count: 1, firstTime: new Date(T0).toISOString(), lastTime: new Date(T0).toISOString() },
    });
    await show(r, real(0.1), T0 + 5 * MIN);
    const [done] = r.service.history({ limit: 0, offset: 0 });
    expect(done).toMatchObject({
      status: 'resolved',
      resolvedTime: new Date(T0 + 5 * MIN).toISOString(),
      resolveReason: 'condition',
      durationSeconds: 300,
      // The acknowledgement stays on the resolved entry (the snapshot at creation had none).
      acknowledged: true,
      ackUser: 'alice',
      notifications: { count: 1, resolvedTime: new Date(T0 + 5 * MIN).toISOString() },
    });
  });

  it('a resolution that was told is recorded', async () => {
    const r = started();
    await show(r, real(0.95), T0);
    await show(r, real(0.1), T0 + MIN);
    const [done] = r.service.history({ limit: 0, offset: 0 });
    expect(done).toMatchObject({ status: 'resolved', acknowledged: false, durationSeconds: 60 });
    expect(done.notifications).toEqual({
      count: 1,
      firstTime: new Date(T0).toISOString(),
      lastTime: new Date(T0).toISOString(),
      resolvedTime: new Date(T0 + MIN).toISOString(),
    });
  });
});

describe('migration 31 (history facts)', () => {
  it('also reaches a database that was already past 31 before it existed', () => {
    const dir = tempDir();
    const old = openDatabase(
      dir,
      migrations.filter((m) => m.version !== 31),
    );
    expect(schemaVersion(old)).toBeGreaterThan(31);
    old.close();
    const db = openDatabase(dir);
    const columns = (db.prepare('PRAGMA table_info(alert_history)').all() as Array<{ name: string }>).map(
      (c) => c.name,
    );
    expect(columns).toEqual(expect.arrayContaining(['ack_time', 'ack_user', 'notify_count', 'resolve_reason']));
    db.close();
    // Opening again changes nothing (the step is idempotent).
    openDatabase(dir).close();
  });
});
