/**
 * GET /api/storage/forecast and the storage-forecast alert on a real Pulse: two days of 5-minute
 * polls of a storage growing 20 GiB/day (with a nightly 15 GiB cleanup), a flat one, a ZFS pool, a
 * PBS datastore whose garbage collection frees space nightly and a Ceph pool, each with a known answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticNode } from '../../bench/state-fixture.js';
import { ManualClock } from '../../src/clock.js';
import type { FullAlert } from '../../src/model/state.js';
import {
  cephWithPool,
  datastoreUsing,
  GiB,
  linear,
  pbsWith,
  replayHistory,
  storageUsing,
  withDrops,
} from '../helpers/forecast.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { settle } from '../ws/client.js';

const T0 = Date.UTC(2026, 0, 5);

describe('storage-full forecast over two days of polling', () => {
  const clock = new ManualClock(T0);
  let pulse: TestPulse;
  // 20 GiB/day with a nightly 15 GiB cleanup: ends at 760 + 40 − 30 = 770 GiB.
  const growing = withDrops(linear(760 * GiB, 20 * GiB), 15 * GiB);
  // A ZFS pool growing 10 GiB/day from 900 GiB: 920 at the end, full in 8 days.
  const tank = linear(900 * GiB, 10 * GiB);
  // A PBS datastore growing 50 GiB/day from 1 of 4 TiB: not in the metric history, sampled
  // by the forecast service itself.
  const main = linear(1024 * GiB, 50 * GiB);
  // 80 GiB/day arrive and garbage collection frees 40 GiB every night: 3080 GiB at the end,
  // the remaining 1016 GiB fill in 12.7 days at the gross rate.
  const fast = withDrops(linear(3000 * GiB, 80 * GiB), 40 * GiB);
  // A Ceph pool storing 700 GiB + 25 GiB/day of 1000 GiB (stored + available): full in 10 days.
  const rbd = linear(700 * GiB, 25 * GiB);

  beforeAll(async () => {
    pulse = await startTestPulse({ clock });
    await settle();
    replayHistory(pulse, clock, T0, 2, (d, at) => (s) => {
      s.nodes = [syntheticNode(0, { nodes: 1, guestsPerNode: 0, now: at })];
      s.storage = [
        storageUsing('growing', growing(d), at),
        storageUsing('flat', 300 * GiB, at),
        { ...storageUsing('tank', tank(d), at), type: 'zfspool' },
      ];
      s.pbs = [pbsWith([datastoreUsing('main', main(d)), datastoreUsing('fast', fast(d))], at)];
      s.cephClusters = [cephWithPool(rbd(d), at)];
    });
    await settle();
    pulse.deps.alerts.evaluateNow();
  }, 120_000);
  afterAll(() => pulse?.close());

  it('forecasts the growing storage from its gross growth, soonest first', async () => {
    const res = await fetch(`${pulse.url}/api/storage/forecast`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.horizonDays).toBe(14);
    expect(body.forecasts.map((f: { kind: string; name: string }) => `${f.kind}:${f.name}`)).toEqual([
      'storage:tank',
      'ceph-pool:rbd',
      'storage:growing',
      'pbs-datastore:fast',
      'pbs-datastore:main',
      'storage:flat',
    ]);
    const [tank, rbd, g, fast, ds, f] = body.forecasts;
    expect(tank.daysToFull).toBeCloseTo(8, 1);
    expect(rbd.id).toBe('pve-ceph-pool-rbd');
    expect(rbd.daysToFull).toBeCloseTo(10, 0);
    // The nightly garbage collection is cut out: the gross 80 GiB/day, not the net 40.
    expect(fast.bytesPerDay / GiB).toBeCloseTo(80, 0);
    expect(fast.drops).toBe(2);
    expect(fast.daysToFull).toBeGreaterThan(12.5);
    expect(fast.daysToFull).toBeLessThan(12.9);
    // 1024 + 2 × 50 = 1124 GiB of 4096 at 50 GiB/day: full in ~59 days, no alert at 14.
    expect(ds.id).toBe('pbs-backup1-main');
    expect(ds.bytesPerDay / GiB).toBeCloseTo(50, 0);
    expect(ds.daysToFull).toBeGreaterThan(59);
    expect(ds.daysToFull).toBeLessThan(60);
    expect(g.trend).toBe('growing');
    expect(g.bytesPerDay / GiB).toBeGreaterThan(19.5);
    expect(g.bytesPerDay / GiB).toBeLessThan(20.5);
    expect(g.drops).toBe(2);
    // Ends at 760 + 40 − 30 = 770 GiB: 85 % (850 GiB) in ~4 days, full in ~11.5 days.
    expect(g.daysToWarn).toBeGreaterThan(3.8);
    expect(g.daysToWarn).toBeLessThan(4.2);
    expect(g.daysToFull).toBeGreaterThan(11.2);
    expect(g.daysToFull).toBeLessThan(11.8);
    expect(Date.parse(g.fullAt)).toBeGreaterThan(clock.now());
    expect(g.confidence).toBeGreaterThanOrEqual(0.5);
    expect(f.trend).toBe('flat');
    expect(f.fullAt).toBeNull();
  });

  it('filters by id and refuses unknown parameters', async () => {
    const one = await (await fetch(`${pulse.url}/api/storage/forecast?id=pve-node1-flat`)).json();
    expect(one.forecasts).toHaveLength(1);
    const bad = await fetch(`${pulse.url}/api/storage/forecast?bogus=1`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/bogus/);
  });

  it('raises storage-forecast for each storage, ZFS pool, PBS datastore and Ceph pool full within 14 days only', async () => {
    const active: FullAlert[] = await (await fetch(`${pulse.url}/api/alerts/active`)).json();
    const forecast = active.filter((a) => a.type === 'storage-forecast');
    const byId = new Map(forecast.map((a) => [a.resourceId, a]));
    expect([...byId.keys()].sort()).toEqual([
      'pbs-backup1-fast',
      'pve-ceph-pool-rbd',
      'pve-node1-growing',
      'pve-node1-tank',
    ]);
    for (const a of forecast) expect(a.level).toBe('warning');
    expect(byId.get('pve-node1-growing')?.message).toMatch(/^Storage 'growing' .*forecast full in ~1[12] days/);
    expect(byId.get('pve-node1-tank')?.message).toMatch(/^ZFS pool 'tank' .*full in ~8 days/);
    expect(byId.get('pbs-backup1-fast')?.message).toMatch(/^PBS datastore 'fast' on backup1 .*full in ~13 days/);
    expect(byId.get('pbs-backup1-fast')?.metadata?.resourceType).toBe('PBS Datastore');
    expect(byId.get('pve-ceph-pool-rbd')?.message).toMatch(/^Ceph pool 'rbd' of ceph-main .*full in ~10 days/);
  });

  it('a critical level inside criticalDays, and PBS forecasts stay quiet when PBS alerts are off', async () => {
    const put = (body: unknown) =>
      fetch(`${pulse.url}/api/alerts/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ storageForecast: { horizonDays: 14, criticalDays: 9 } })).status).toBe(200);
    pulse.deps.alerts.evaluateNow();
    let active: FullAlert[] = await (await fetch(`${pulse.url}/api/alerts/active`)).json();
    const levels = Object.fromEntries(
      active.filter((a) => a.type === 'storage-forecast').map((a) => [a.resourceId, a.level]),
    );
    expect(levels).toEqual({
      'pbs-backup1-fast': 'warning',
      'pve-ceph-pool-rbd': 'warning',
      'pve-node1-growing': 'warning',
      'pve-node1-tank': 'critical',
    });
    expect((await put({ disableAllPBS: true, storageForecast: { horizonDays: 14, criticalDays: 3 } })).status).toBe(
      200,
    );
    pulse.deps.alerts.evaluateNow();
    active = await (await fetch(`${pulse.url}/api/alerts/active`)).json();
    expect(
      active
        .filter((a) => a.type === 'storage-forecast')
        .map((a) => a.resourceId)
        .sort(),
    ).toEqual(['pve-ceph-pool-rbd', 'pve-node1-growing', 'pve-node1-tank']);
    expect((await put({ disableAllPBS: false })).status).toBe(200);
  });

  it('resolves it when the horizon is shortened below the forecast', async () => {
    const res = await fetch(`${pulse.url}/api/alerts/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storageForecast: { horizonDays: 7, criticalDays: 2 } }),
    });
    expect(res.status).toBe(200);
    pulse.deps.alerts.evaluateNow();
    const active: FullAlert[] = await (await fetch(`${pulse.url}/api/alerts/active`)).json();
    expect(active.filter((a) => a.type === 'storage-forecast')).toEqual([]);
    const bad = await fetch(`${pulse.url}/api/alerts/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storageForecast: { horizonDays: 5, criticalDays: 9 } }),
    });
    expect(bad.status).toBe(400);
  });
});
