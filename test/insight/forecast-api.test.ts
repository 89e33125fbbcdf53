/**
 * GET /api/storage/forecast and the storage-forecast alert on a real Pulse: two days of 5-minute
 * polls of a storage growing 20 GiB/day (with a nightly 15 GiB cleanup) and a flat one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticNode, syntheticStorage } from '../../bench/state-fixture.js';
import { ManualClock } from '../../src/clock.js';
import type { FullAlert, PbsInstance } from '../../src/model/state.js';
import { startTestPulse } from '../helpers/pulse.js';
import { settle } from '../ws/client.js';

const T0 = Date.UTC(2026, 0, 5);
const DAY = 86_400_000;
const STEP = 5 * 60_000;
const GiB = 1024 ** 3;
const TOTAL = 1000 * GiB;
const pbsTemplate: PbsInstance = {
  id: 'pbs-backup1',
  name: 'backup1',
  host: 'https://backup1:8007',
  status: 'online',
  version: '4.0.14',
  cpu: 0,
  memory: 0,
  memoryUsed: 0,
  memoryTotal: 0,
  uptime: 1,
  datastores: [],
  backupJobs: [],
  syncJobs: [],
  verifyJobs: [],
  pruneJobs: [],
  garbageJobs: [],
  connectionHealth: 'healthy',
  lastSeen: new Date(T0).toISOString(),
};

describe('storage-full forecast over two days of polling', () => {
  const clock = new ManualClock(T0);
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const growingUsed = (d: number) => 760 * GiB + d * 20 * GiB - Math.floor(d) * 15 * GiB;

  beforeAll(async () => {
    pulse = await startTestPulse({ clock });
    await settle();
    for (let t = T0; t <= T0 + 2 * DAY; t += STEP) {
      clock.set(t);
      const d = (t - T0) / DAY;
      const o = { nodes: 1, guestsPerNode: 0, now: t };
      const mk = (name: string, used: number) => ({
        ...syntheticStorage(0, name, o),
        total: TOTAL,
        used,
        free: TOTAL - used,
        avail: TOTAL - used,
        usage: (used / TOTAL) * 100,
      });
      const growing = mk('growing', growingUsed(d));
      const flat = mk('flat', 300 * GiB);
      const node = syntheticNode(0, o);
      // A PBS datastore growing 50 GiB/day from 1 of 4 TiB: not in the metric history, sampled
      // by the forecast service itself.
      const dsUsed = 1024 * GiB + d * 50 * GiB;
      const pbs = {
        ...pbsTemplate,
        datastores: [
          {
            name: 'main',
            total: 4096 * GiB,
            used: dsUsed,
            free: 4096 * GiB - dsUsed,
            usage: (dsUsed / (4096 * GiB)) * 100,
            status: 'available',
          },
        ],
      };
      pulse.deps.state.commit((s) => {
        s.nodes = [node];
        s.storage = [growing, flat];
        s.pbs = [pbs];
      });
    }
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
      'storage:growing',
      'pbs-datastore:main',
      'storage:flat',
    ]);
    const [g, ds, f] = body.forecasts;
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

  it('raises storage-forecast for the storage forecast full within 14 days only', async () => {
    const active: FullAlert[] = await (await fetch(`${pulse.url}/api/alerts/active`)).json();
    const forecast = active.filter((a) => a.type === 'storage-forecast');
    expect(forecast.map((a) => a.resourceId)).toEqual(['pve-node1-growing']);
    expect(forecast[0].level).toBe('warning');
    expect(forecast[0].message).toMatch(/forecast full in ~1[12] days/);
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
