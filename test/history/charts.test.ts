import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticGuest, syntheticNode, syntheticStorage } from '../../bench/state-fixture.js';
import { ManualClock } from '../../src/clock.js';
import { pointsPerSeries } from '../../src/routes/charts.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';
import { settle } from '../ws/client.js';

const T0 = Date.UTC(2026, 0, 5); // aligned to every tier's chunks
const MIN = 60_000;
const HOUR = 60 * MIN;
const RANGES = ['5m', '15m', '30m', '1h', '4h', '12h', '24h', '7d'];

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;
interface Point {
  timestamp: number;
  value: number;
}

/** Commits one node, one VM and one storage whose figures are `cpuPct` and friends. */
function commit(pulse: Pulse, clock: ManualClock, cpuPct: number, extra: { netin?: number } = {}): void {
  const o = { nodes: 1, guestsPerNode: 1, now: clock.now() };
  const node = { ...syntheticNode(0, o), cpu: cpuPct / 100 };
  const vm = { ...syntheticGuest(0, 0, o), cpu: cpuPct / 200, networkIn: extra.netin ?? 1000 };
  const storage = { ...syntheticStorage(0, 'local', o), usage: cpuPct, used: cpuPct * 1e9 };
  pulse.deps.state.commit((d) => {
    d.nodes = [node];
    d.vms = [vm];
    d.storage = [storage];
  });
}

async function charts(pulse: Pulse, range?: string) {
  const res = await fetch(`${pulse.url}/api/charts${range ? `?range=${range}` : ''}`);
  expect(res.status).toBe(200);
  return res.json();
}

const values = (pts: Point[]) => pts.map((p) => p.value);

describe('/api/charts over hours of simulated polling', () => {
  const clock = new ManualClock(T0);
  let pulse: Pulse;
  const nodeId = 'pve-node1';
  const vmId = 'pve-node1-100';
  const storageId = 'pve-node1-local';

  beforeAll(async () => {
    pulse = await startTestPulse({ clock });
    await settle();
    // Two hours of 10-s polls: cpu 10 % in even minutes, 30 % in odd minutes.
    for (let i = 0; i < 720; i++) {
      clock.set(T0 + i * 10_000);
      commit(pulse, clock, Math.floor(i / 6) % 2 === 0 ? 10 : 30);
    }
  });
  afterAll(() => pulse.close());

  it('answers every range with the contract shape', async () => {
    for (const range of RANGES) {
      const body = await charts(pulse, range);
      expect(Object.keys(body).sort()).toEqual(['data', 'nodeData', 'stats', 'storageData', 'timestamp']);
      expect(body.timestamp).toBe(clock.now());
      expect(Object.keys(body.data[vmId]).sort()).toEqual(
        ['cpu', 'disk', 'diskread', 'diskwrite', 'memory', 'netin', 'netout'].sort(),
      );
      expect(Object.keys(body.nodeData[nodeId]).sort()).toEqual(['cpu', 'disk', 'memory']);
      expect(Object.keys(body.storageData[storageId])).toEqual(['disk']);
      const cpu: Point[] = body.nodeData[nodeId].cpu;
      expect(cpu.length, range).toBeGreaterThan(1);
      expect(cpu.length, range).toBeLessThanOrEqual(121);
      expect(cpu[0].timestamp).toBeGreaterThanOrEqual(clock.now() - 7 * 24 * HOUR - 10 * MIN);
      expect(body.stats.oldestDataTimestamp).toBeLessThanOrEqual(cpu[0].timestamp);
      for (let k = 1; k < cpu.length; k++) expect(cpu[k].timestamp).toBeGreaterThan(cpu[k - 1].timestamp);
    }
  });

  it('defaults to 1h and keeps raw resolution for short ranges', async () => {
    const def = await charts(pulse);
    const hour = await charts(pulse, '1h');
    expect(def.nodeData).toEqual(hour.nodeData);
    const five: Point[] = (await charts(pulse, '5m')).nodeData[nodeId].cpu;
    expect(five.length).toBeGreaterThanOrEqual(30);
    expect(five[1].timestamp - five[0].timestamp).toBe(10_000);
    expect(new Set(values(five))).toEqual(new Set([10, 30]));
    // 1h: 30-s buckets never straddle a minute, so values stay 10 or 30.
    const h: Point[] = hour.nodeData[nodeId].cpu;
    expect(h[2].timestamp - h[1].timestamp).toBe(30_000);
    expect(new Set(values(h))).toEqual(new Set([10, 30]));
  });

  it('downsamples longer ranges to averages (1-min tier, 2-min buckets → 20 %)', async () => {
    const body = await charts(pulse, '4h');
    const cpu: Point[] = body.nodeData[nodeId].cpu;
    expect(cpu).toHaveLength(60); // two hours of data in 2-min buckets
    for (const p of cpu) expect(p.value).toBeCloseTo(20, 5);
    expect(body.stats.oldestDataTimestamp).toBe(T0);
    // The VM's cpu is half the node's; storage usage equals it.
    for (const p of body.data[vmId].cpu as Point[]) expect(p.value).toBeCloseTo(10, 5);
    for (const p of body.storageData[storageId].disk as Point[]) expect(p.value).toBeCloseTo(20, 5);
  });

  it('covers a day at 1-min and a week at 5-min resolution', async () => {
    // 24 more hours at one poll a minute, then six days at one poll every 5 minutes (40 %).
    let t = clock.now();
    for (let i = 0; i < 24 * 60; i++) {
      t += MIN;
      clock.set(t);
      commit(pulse, clock, 40);
    }
    const day: Point[] = (await charts(pulse, '24h')).nodeData[nodeId].cpu;
    // 24 h from the 5-min tier in 15-min buckets.
    expect(day.length).toBeGreaterThanOrEqual(95);
    expect(day.length).toBeLessThanOrEqual(97);
    expect(day[2].timestamp - day[1].timestamp).toBe(15 * MIN);
    expect(day.at(-2)?.value).toBeCloseTo(40, 5);
    for (let i = 0; i < 6 * 24 * 12; i++) {
      t += 5 * MIN;
      clock.set(t);
      commit(pulse, clock, 50);
    }
    const week = await charts(pulse, '7d');
    const cpu: Point[] = week.nodeData[nodeId].cpu;
    expect(cpu.length).toBeGreaterThan(100);
    expect(cpu.length).toBeLessThanOrEqual(121);
    expect(cpu.at(-2)?.value).toBeCloseTo(50, 5);
    expect(cpu.some((p) => Math.abs(p.value - 40) < 1e-6)).toBe(true);
    expect(week.stats.oldestDataTimestamp).toBeGreaterThanOrEqual(t - 7 * 24 * HOUR);
    // Only the last hour of the 10-s tier is kept; older chunks are pruned at checkpoints.
    pulse.deps.history.checkpoint();
    pulse.deps.history.drain();
    const rows = pulse.deps.db
      .prepare('SELECT tier, MIN(chunk_start) AS oldest FROM metric_slabs GROUP BY tier')
      .all() as Array<{
      tier: number;
      oldest: number;
    }>;
    const byTier = new Map(rows.map((r) => [r.tier, r.oldest]));
    expect(byTier.get(0)).toBeGreaterThanOrEqual(t - 2 * HOUR);
    expect(byTier.get(1)).toBeGreaterThanOrEqual(t - 25 * HOUR);
    expect(byTier.get(2)).toBeGreaterThanOrEqual(t - 7 * 24 * HOUR - HOUR);
  });

  it('shares one computed reply between polls, gzipped on request', async () => {
    const a = await charts(pulse, '15m');
    clock.advance(5_000);
    const b = await charts(pulse, '15m');
    expect(b.timestamp).toBe(a.timestamp); // same state version, within 10 s: the cached reply
    clock.advance(5_000);
    const c = await charts(pulse, '15m');
    expect(c.timestamp).toBe(clock.now()); // 10 s later: computed again
    commit(pulse, clock, 30);
    expect((await charts(pulse, '15m')).nodeData[nodeId].cpu.at(-1).value).toBe(30); // new version
    const z = await fetch(`${pulse.url}/api/charts?range=7d`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(z.headers.get('content-encoding')).toBe('gzip');
    expect(Object.keys((await z.json()).nodeData)).toEqual([nodeId]);
  });

  it('bounds the points of a reply by the size of the estate', () => {
    expect(pointsPerSeries(12)).toBe(120); // a small estate: full resolution
    expect(pointsPerSeries(10_000)).toBe(50);
    expect(pointsPerSeries(74_000)).toBe(6); // 10,000 guests × 7 metrics + nodes + storage
    expect(pointsPerSeries(1_000_000)).toBe(6); // never fewer
  });

  it('rejects an unknown range with 400', async () => {
    for (const bad of ['2h', '1d', '', 'x;drop']) {
      const res = await fetch(`${pulse.url}/api/charts?range=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect((await res.json()).error).toMatch(/range/i);
    }
  });
});

describe('/api/storage-charts', () => {
  const clock = new ManualClock(T0);
  let pulse: Pulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ clock });
    await settle();
    for (let i = 0; i < 90; i++) {
      clock.set(T0 + i * MIN);
      commit(pulse, clock, i < 45 ? 20 : 60);
    }
  });
  afterAll(() => pulse.close());

  it('answers usage/used/total/avail series with RFC3339 timestamps', async () => {
    const res = await fetch(`${pulse.url}/api/storage-charts?range=120`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const s = body['pve-node1-local'];
    expect(Object.keys(s).sort()).toEqual(['avail', 'total', 'usage', 'used']);
    expect(s.usage.length).toBeGreaterThan(10);
    for (const p of s.usage) expect(p.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(Date.parse(s.usage[0].timestamp)).toBe(T0);
    expect(s.usage[0].value).toBeCloseTo(20, 5);
    expect(s.usage.at(-1).value).toBeCloseTo(60, 5);
    // Series are stored as Float32: byte figures keep 7 significant digits.
    expect(Math.abs(s.used.at(-1).value - 60e9) / 60e9).toBeLessThan(1e-6);
    expect(s.total[0].value).toBeGreaterThan(0);
  });

  it('defaults to an hour and validates the range', async () => {
    const def = await (await fetch(`${pulse.url}/api/storage-charts`)).json();
    const first = Date.parse(def['pve-node1-local'].usage[0].timestamp);
    expect(first).toBeGreaterThanOrEqual(clock.now() - HOUR - MIN);
    for (const bad of ['0', '-5', 'abc', '10081', '1.5']) {
      expect((await fetch(`${pulse.url}/api/storage-charts?range=${bad}`)).status, bad).toBe(400);
    }
  });
});

describe('history survives a restart', () => {
  it('keeps closed and partly filled chunks across restarts', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock(T0);
    let pulse = await startTestPulse({ clock, dataDir });
    await settle();
    // 15 minutes at 10 s (cpu 10), then restart in the middle of a 10-min chunk.
    for (let i = 0; i < 90; i++) {
      clock.set(T0 + i * 10_000);
      commit(pulse, clock, 10);
    }
    await pulse.close();
    clock.advance(30_000);
    pulse = await startTestPulse({ clock, dataDir });
    await settle();
    for (let i = 0; i < 6; i++) {
      clock.advance(10_000);
      commit(pulse, clock, 70);
    }
    await pulse.close();
    clock.advance(10_000);
    pulse = await startTestPulse({ clock, dataDir });
    await settle();
    try {
      const body = await charts(pulse, '30m');
      // Nothing was committed since this start: the node is not in the state, so read the store.
      expect(body.nodeData).toEqual({});
      const h = pulse.deps.history.query({ rangeMs: 30 * MIN, kinds: ['node'] });
      const cpu = h.series.node.get('pve-node1')?.cpu ?? [];
      expect(cpu[0].timestamp).toBe(T0);
      expect(cpu.filter((p) => p.value === 10).length).toBeGreaterThanOrEqual(40);
      expect(cpu.filter((p) => p.value === 70).length).toBeGreaterThanOrEqual(2);
      // Once the node is polled again its chart includes the history from before the restarts.
      commit(pulse, clock, 70);
      const again = await charts(pulse, '30m');
      expect(again.nodeData['pve-node1'].cpu[0].timestamp).toBe(T0);
    } finally {
      await pulse.close();
    }
  });
});
