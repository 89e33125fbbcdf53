/** /api/charts?ids=…&metrics=…: only the resources (and metrics) on screen are answered. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticState } from '../../bench/state-fixture.js';
import { ManualClock } from '../../src/clock.js';
import { CHART_IDS_MAX } from '../../src/routes/charts.js';
import { startTestPulse } from '../helpers/pulse.js';
import { settle } from './client.js';

describe('/api/charts with ids', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const get = async (query: string) => {
    const res = await fetch(`${pulse.url}/api/charts?${query}`);
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    pulse = await startTestPulse({ clock });
    await settle();
    // Twenty minutes of 10-s polls, values moving with the tick.
    for (let tick = 0; tick < 120; tick++) {
      const s = syntheticState({ nodes: 2, guestsPerNode: 3, tick, now: clock.now() });
      pulse.deps.state.commit((d) => {
        d.nodes = s.nodes;
        d.vms = s.vms;
        d.containers = s.containers;
        d.storage = s.storage;
      });
      // The flush and checkpoint timers, so older chunks are answered from SQLite.
      if (tick % 6 === 0) pulse.deps.history.flush();
      if (tick % 30 === 0) pulse.deps.history.checkpoint();
      clock.advance(10_000);
    }
    while (pulse.deps.history.queuedParts > 0) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(() => pulse.close());

  it('answers only the named resources, with the same series as the whole-estate answer', async () => {
    const all = await get('range=1h');
    expect(Object.keys(all.body.data)).toHaveLength(6);
    const some = await get('range=1h&ids=pve-node1-101,pve-node2,no-such-id');
    expect(some.status).toBe(200);
    expect(Object.keys(some.body.data)).toEqual(['pve-node1-101']);
    expect(Object.keys(some.body.nodeData)).toEqual(['pve-node2']);
    expect(some.body.storageData).toEqual({});
    expect(some.body.data['pve-node1-101']).toEqual(all.body.data['pve-node1-101']);
    expect(some.body.nodeData['pve-node2']).toEqual(all.body.nodeData['pve-node2']);
    expect(some.body.data['pve-node1-101'].cpu.length).toBeGreaterThan(10);
  });

  it('narrows each series to the named metrics', async () => {
    const r = await get('range=1h&ids=pve-node1-101,pve-node1,pve-node1-local&metrics=cpu');
    expect(Object.keys(r.body.data['pve-node1-101'])).toEqual(['cpu']);
    expect(Object.keys(r.body.nodeData['pve-node1'])).toEqual(['cpu']);
    expect(r.body.storageData).toEqual({});
    const d = await get('range=1h&ids=pve-node1-local&metrics=disk');
    expect(Object.keys(d.body.storageData)).toEqual(['pve-node1-local']);
  });

  it('refuses too many ids and unknown metrics', async () => {
    const ids = Array.from({ length: CHART_IDS_MAX + 1 }, (_, i) => `g${i}`).join(',');
    expect((await get(`ids=${ids}`)).status).toBe(400);
    expect((await get('metrics=cpu,bogus')).status).toBe(400);
  });
});
