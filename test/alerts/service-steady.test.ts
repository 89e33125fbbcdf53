/**
 * AlertService in steady rounds (real SQLite file, StateStore, hand-moved clock): a round in
 * which only lastSeen moves commits no new state version (the state shape has no lastSeen) and
 * rewrites no row, while REST and the rows written on full writes and on stop carry the
 * current lastSeen — so a steady alert survives a restart even after a day.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { alertServiceRig, closeRigs, ALERT_T0 as T0 } from '../helpers/alerts.js';
import { tempDir } from '../helpers/pulse.js';
import { guest } from './state-builders.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

const rig = (dataDir: string, now = T0) => alertServiceRig({ dataDir, now });

const opened: Array<ReturnType<typeof rig>> = [];
afterEach(() => closeRigs(opened));

const storedRow = (db: Database) =>
  db.prepare<[], { data: string; updated_at: number }>('SELECT data, updated_at FROM alert_active').get()!;

/** A started service whose guest CPU alerts raise at once (no time threshold). */
function startedRig(): ReturnType<typeof rig> {
  const r = rig(tempDir());
  opened.push(r);
  r.service.start();
  r.service.updateConfig({ metricTimeThresholds: { guest: { default: 0 } } });
  return r;
}

describe('AlertService steady rounds', () => {
  it('commits no state and writes no row when only lastSeen moved; REST shows the current lastSeen', () => {
    const r = startedRig();
    const poll = (cpu: number) =>
      r.state.commit((d) => {
        d.vms = [guest({ vmid: 100, node: 'pve1', cpu })];
      });
    poll(0.95);
    r.service.evaluateNow();
    r.clock.advance(10_000);
    poll(0.95);
    r.service.evaluateNow();
    const version = r.state.version;
    const row = storedRow(r.db);

    r.clock.advance(10_000);
    r.service.evaluateNow();
    expect(r.state.version).toBe(version);
    expect(storedRow(r.db)).toEqual(row);
    expect(r.service.activeAlerts()[0]).toMatchObject({ value: 95, lastSeen: iso(T0 + 20_000) });
    expect(r.service.acknowledge('pve1-100-cpu', 'ops')?.lastSeen).toBe(iso(T0 + 20_000));

    // A moved figure is a new state version.
    r.clock.advance(10_000);
    poll(0.97);
    r.service.evaluateNow();
    expect(r.state.get().activeAlerts[0].value).toBe(97);
  });

  it('a commit makes anew only the state alerts whose alert changed', () => {
    const r = startedRig();
    const poll = (cpu: number) =>
      r.state.commit((d) => {
        d.vms = [guest({ vmid: 100, node: 'pve1', cpu: 0.95 }), guest({ vmid: 101, node: 'pve1', cpu })];
      });
    poll(0.95);
    r.service.evaluateNow();
    const [steady, moving] = r.state.get().activeAlerts;
    expect([steady.id, moving.id]).toEqual(['pve1-100-cpu', 'pve1-101-cpu']);
    r.clock.advance(10_000);
    poll(0.97);
    r.service.evaluateNow();
    const after = r.state.get().activeAlerts;
    expect(after[0]).toBe(steady);
    expect(after[1]).toMatchObject({ id: 'pve1-101-cpu', value: 97 });
    r.service.acknowledge('pve1-100-cpu', 'ops');
    expect(r.state.get().activeAlerts[0]).toMatchObject({ id: 'pve1-100-cpu', acknowledged: true, ackUser: 'ops' });
  });

  it('a steady alert refreshed for more than a day is restored after a restart, with its lastSeen', () => {
    const dataDir = tempDir();
    const a = rig(dataDir);
    a.service.start();
    a.service.updateConfig({ metricTimeThresholds: { guest: { default: 0 } } });
    a.state.commit((d) => {
      d.vms = [guest({ vmid: 100, node: 'pve1', cpu: 0.95 })];
    });
    // Hourly rounds for 26 hours: each one is a full write (they are more than 5 minutes apart).
    for (let h = 0; h <= 26; h++) {
      a.clock.set(T0 + h * HOUR);
      a.service.evaluateNow();
    }
    expect(JSON.parse(storedRow(a.db).data).alert.lastSeen).toBe(iso(T0 + 26 * HOUR));
    // Killed without stop(): what the last full write stored is what a restart finds.
    a.db.close();

    const b = rig(dataDir, T0 + 26 * HOUR + 60_000);
    opened.push(b);
    expect(b.service.activeAlerts()).toMatchObject([
      { id: 'pve1-100-cpu', startTime: iso(T0), lastSeen: iso(T0 + 26 * HOUR) },
    ]);
  });

  it('stop() stores the last lastSeen even when nothing else moved since the last full write', () => {
    const dataDir = tempDir();
    const a = rig(dataDir);
    a.service.start();
    a.service.updateConfig({ metricTimeThresholds: { guest: { default: 0 } } });
    a.state.commit((d) => {
      d.vms = [guest({ vmid: 100, node: 'pve1', cpu: 0.95 })];
    });
    a.service.evaluateNow();
    a.clock.advance(60_000);
    a.service.evaluateNow();
    expect(JSON.parse(storedRow(a.db).data).alert.lastSeen).toBe(iso(T0));
    a.service.stop();
    expect(JSON.parse(storedRow(a.db).data).alert.lastSeen).toBe(iso(T0 + 60_000));
    // The row is the alert as REST shows it (only lastSeen was updated in place).
    expect(JSON.parse(storedRow(a.db).data).alert).toEqual(a.service.activeAlerts()[0]);
    a.db.close();
  });
});
