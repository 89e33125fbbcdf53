/**
 * History notification facts when the telling and the raise fall in one round (the row is written
 * with them) and when they do not (the row is updated): both read the same, and each row of an
 * alert raised again counts only its own notifications.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PulseState } from '../../src/model/state.js';
import { alertServiceRig, closeRigs, ALERT_T0 as T0 } from '../helpers/alerts.js';
import { guest, node } from './state-builders.js';

const SEC = 1000;
const MIN = 60 * SEC;
const at = (ms: number) => new Date(ms).toISOString();

const opened: Array<ReturnType<typeof alertServiceRig>> = [];
afterEach(() => closeRigs(opened));

function rig() {
  const r = alertServiceRig();
  opened.push(r);
  const { clock, state, service } = r;
  service.updateConfig({
    metricTimeThresholds: { guest: { default: 0 } },
    schedule: { grouping: { enabled: false } },
  });
  const round = (parts: Partial<PulseState>, ms: number) => {
    clock.set(ms);
    state.commit((d) => {
      d.nodes = parts.nodes ?? [];
      d.vms = parts.vms ?? [];
    });
    service.evaluateNow();
  };
  const rows = (id: string) =>
    service
      .history({ limit: 0, offset: 0 })
      .filter((h) => h.id === id)
      .map((h) => h.notifications);
  return { round, rows };
}

const cluster = (offline: boolean): Partial<PulseState> => ({
  nodes: [node({ name: 'pve1', status: offline ? 'offline' : 'online' })],
  vms: [100, 101].map((vmid) => guest({ vmid, node: 'pve1', status: offline ? 'stopped' : 'running' })),
});

describe('history notification facts', () => {
  it('a node told in the round it is raised, its guests raised before and told inside its notification', () => {
    const r = rig();
    r.round(cluster(false), T0);
    r.round(cluster(true), T0 + 10 * SEC);
    r.round(cluster(true), T0 + 20 * SEC);
    const guestRaised = r.rows('guest-powered-off-pve1-100');
    expect(guestRaised).toEqual([{ count: 0 }]);
    r.round(cluster(true), T0 + 30 * SEC);
    const told = { count: 1, firstTime: at(T0 + 30 * SEC), lastTime: at(T0 + 30 * SEC) };
    expect(r.rows('node-offline-pve1-pve1')).toEqual([told]);
    expect(r.rows('guest-powered-off-pve1-100')).toEqual([told]);
    expect(r.rows('guest-powered-off-pve1-101')).toEqual([told]);
  });

  it('an alert raised again gets a row of its own; the earlier row keeps its facts', () => {
    const r = rig();
    const vm = (cpu: number): Partial<PulseState> => ({
      nodes: [node({ name: 'pve1' })],
      vms: [guest({ vmid: 100, node: 'pve1', cpu })],
    });
    r.round(vm(0.95), T0);
    r.round(vm(0.1), T0 + MIN);
    // Past the cooldown and the suppression window: told again.
    r.round(vm(0.97), T0 + 20 * MIN);
    // Newest first.
    expect(r.rows('pve1-100-cpu')).toEqual([
      { count: 1, firstTime: at(T0 + 20 * MIN), lastTime: at(T0 + 20 * MIN) },
      { count: 1, firstTime: at(T0), lastTime: at(T0), resolvedTime: at(T0 + MIN) },
    ]);
  });
});
