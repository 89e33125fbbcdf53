/**
 * AlertService against a real SQLite file, a real StateStore and event bus, with a hand-moved
 * clock: state commits drive rounds without feedback loops, notifications reach the callback
 * (batched per grouping window; root cause folded), and persistence/retention work.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlertService } from '../../src/alerts/service.js';
import { createLogger } from '../../src/logging.js';
import type { PulseState } from '../../src/model/state.js';
import { alertServiceRig, closeRigs, ALERT_T0 as T0 } from '../helpers/alerts.js';
import { waitFor } from '../helpers/http.js';
import { tempDir } from '../helpers/pulse.js';
import { guest, node } from './state-builders.js';

const DAY = 86_400_000;

const settle = () => new Promise((r) => setImmediate(r));

const rig = (dataDir?: string) => alertServiceRig({ dataDir });

const opened: Array<ReturnType<typeof rig>> = [];
afterEach(() => closeRigs(opened));

function started(dataDir?: string) {
  const r = rig(dataDir);
  opened.push(r);
  r.service.start();
  return r;
}

const cluster = (offline: boolean): Partial<PulseState> => ({
  nodes: [node({ name: 'pve1', status: offline ? 'offline' : 'online' })],
  vms: [100, 101, 102, 103, 104].map((vmid) => guest({ vmid, node: 'pve1', status: offline ? 'stopped' : 'running' })),
});

describe('AlertService', () => {
  it('evaluates on state changes without reacting to its own commits', async () => {
    const r = started();
    r.service.updateConfig({ metricTimeThresholds: { guest: { default: 0 } } });
    const before = r.state.version;
    r.state.commit((d) => {
      d.vms = [guest({ vmid: 100, node: 'pve1', cpu: 0.95 })];
    });
    r.state.commit((d) => {
      d.vms = [guest({ vmid: 100, node: 'pve1', cpu: 0.96 })];
    });
    await settle();
    await settle();
    // Two poller commits coalesce into one round, which commits the alert once.
    expect(r.state.version).toBe(before + 3);
    expect(r.state.get().activeAlerts.map((a) => a.id)).toEqual(['pve1-100-cpu']);
    expect(r.state.get().activeAlerts[0].value).toBe(96);
  });

  it('batches notifications per grouping window and folds guests under their offline node', async () => {
    const r = started();
    const alertEvents: string[] = [];
    r.events.on('alert', (a) => alertEvents.push(a.id));
    for (let i = 0; i < 4; i++) {
      r.state.commit((d) => Object.assign(d, cluster(i > 0)));
      r.clock.advance(10_000);
      r.service.evaluateNow();
    }
    // Held for the 30 s grouping window, then handed over as one batch.
    expect(r.sent).toEqual([]);
    expect(r.service.pendingNotifications()).toHaveLength(1);
    r.service.flushNotifications();
    expect(r.sent).toHaveLength(1);
    const [batch] = r.sent;
    expect(batch).toHaveLength(1);
    expect(batch[0].alert.id).toBe('node-offline-pve1-pve1');
    expect(batch[0].grouped).toHaveLength(5);
    // The UI still hears about every alert.
    expect(alertEvents).toHaveLength(6);
  });

  it('persists active alerts with acknowledgements; drops day-old ones on restore', () => {
    const dataDir = tempDir();
    const a = rig(dataDir);
    a.service.start();
    a.service.updateConfig({ metricTimeThresholds: { guest: { default: 0 } } });
    a.state.commit((d) => {
      d.vms = [guest({ vmid: 100, node: 'pve1', cpu: 0.95 })];
    });
    a.service.evaluateNow();
    expect(a.service.acknowledge('pve1-100-cpu', 'bob')?.ackUser).toBe('bob');
    a.service.stop();
    a.db.close();

    const b = rig(dataDir);
    opened.push(b);
    expect(b.service.activeAlerts()).toMatchObject([{ id: 'pve1-100-cpu', acknowledged: true, ackUser: 'bob' }]);
    b.service.stop();

    const c = rig(dataDir);
    opened.push(c);
    c.clock.set(T0 + DAY + 1);
    const late = new AlertService({
      db: c.db,
      clock: c.clock,
      state: c.state,
      events: c.events,
      logger: createLogger({ level: 'silent' }),
      notify: () => {},
      tickMs: 0,
    });
    expect(late.activeAlerts()).toEqual([]);
  });

  it('re-evaluates on its tick once state stopped arriving, not while the next poll is due', async () => {
    const r = alertServiceRig({ tickMs: 30 });
    opened.push(r);
    r.service.start();
    r.service.evaluateNow();
    const rounds = vi.spyOn(r.service, 'evaluateNow');
    // The last round is one tick old, as when the next poll is running: its commit brings a round.
    r.clock.advance(30);
    await delay(120);
    expect(rounds).not.toHaveBeenCalled();
    // Half a tick more without a round: state stopped arriving, time-based transitions go on.
    r.clock.advance(15);
    await waitFor(() => rounds.mock.calls.length > 0, 'a round from the tick', 2000);
    expect(rounds).toHaveBeenCalledTimes(1);
  });

  it('does not rewrite a steady alert on every poll, but stores its last figures on stop', () => {
    const r = rig();
    r.service.start();
    r.service.updateConfig({ metricTimeThresholds: { guest: { default: 0 } } });
    const stored = () =>
      (
        JSON.parse(r.db.prepare<[], { data: string }>('SELECT data FROM alert_active').get()!.data) as {
          alert: { value: number };
        }
      ).alert.value;
    for (const [cpu, advance] of [
      [0.95, 0],
      [0.96, 10_000],
    ] as const) {
      r.clock.advance(advance);
      r.state.commit((d) => {
        d.vms = [guest({ vmid: 100, node: 'pve1', cpu })];
      });
      r.service.evaluateNow();
    }
    expect(r.service.activeAlerts()[0].value).toBe(96);
    expect(stored()).toBe(95);
    r.service.stop();
    expect(stored()).toBe(96);
    r.db.close();
  });

  it('keeps 30 days of history', () => {
    const dataDir = tempDir();
    const a = rig(dataDir);
    a.service.start();
    a.service.updateConfig({ metricTimeThresholds: { guest: { default: 0 } } });
    a.state.commit((d) => {
      d.vms = [guest({ vmid: 100, node: 'pve1', cpu: 0.95 })];
    });
    a.service.evaluateNow();
    expect(a.service.history({ limit: 0, offset: 0 })).toHaveLength(1);
    a.service.stop();
    a.db.close();

    const b = rig(dataDir);
    opened.push(b);
    b.clock.set(T0 + 29 * DAY);
    b.service.start();
    expect(b.service.history({ limit: 0, offset: 0 })).toHaveLength(1);
    b.service.stop();
    const c = rig(dataDir);
    opened.push(c);
    c.clock.set(T0 + 31 * DAY);
    c.service.start();
    expect(c.service.history({ limit: 0, offset: 0 })).toEqual([]);
  });
});
