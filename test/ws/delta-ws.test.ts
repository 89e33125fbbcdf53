/** The delta handshake on a real server: versioned frontend-shape initialState, requestData, deflate. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSynthetic } from '../../bench/state-fixture.js';
import { startTestPulse } from '../helpers/pulse.js';
import { settle, TestWsClient, wsUrl } from './client.js';

describe('/ws?deltas=1 handshake', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    pulse = await startTestPulse();
    await settle();
    pulse.deps.wsHub.coalesceMs = 1e9;
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: Date.now() });
  });
  afterAll(() => pulse.close());

  it('sends a versioned frontend-shape initialState, a delta per update, and the full state on requestData', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url, '?deltas=1'));
    const [init] = await c.waitFor('initialState');
    const first = init as unknown as { version: number; data: Record<string, unknown> };
    expect(typeof first.version).toBe('number');
    expect(typeof first.data.lastUpdate).toBe('number'); // frontend shape: unix ms
    pulse.deps.state.commit((d) => {
      d.nodes = d.nodes.map((n, i) => (i === 0 ? { ...n, uptime: 42 } : n));
    });
    pulse.deps.wsHub.broadcastState();
    const [delta] = (await c.waitFor('stateDelta')) as unknown as Array<{ base: number; version: number; data: any }>;
    expect(delta.base).toBe(first.version);
    expect(delta.version).toBe(first.version + 1);
    expect(delta.data.lists.nodes).toEqual({ change: [{ id: 'pve-node1', set: { uptime: 42 } }] });
    expect(delta.data.lists.vms).toBeUndefined();
    c.send({ type: 'requestData' });
    const again = (await c.waitFor('initialState', 2))[1] as unknown as { version: number };
    expect(again.version).toBe(delta.version);
    expect(c.types()).not.toContain('rawData');
    c.close();
  });

  it('does not serialise the whole document for an update when every client takes deltas', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url, '?deltas=1'));
    await c.waitFor('initialState');
    const before = pulse.deps.snapshots.serialisations;
    const built = pulse.deps.wsHub.counters.deltasBuilt;
    pulse.deps.state.commit((d) => {
      d.vms = d.vms.map((g, i) => (i === 0 ? { ...g, cpu: 0.5 } : g));
    });
    pulse.deps.wsHub.broadcastState();
    const deltas = await c.waitFor('stateDelta');
    expect(deltas.at(-1)?.data.lists.vms.change).toEqual([{ id: 'pve-node1-100', set: { cpu: 0.5 } }]);
    expect(pulse.deps.wsHub.counters.deltasBuilt).toBe(built + 1);
    expect(pulse.deps.snapshots.serialisations).toBe(before);
    c.close();
  });

  it('sends encoding 2 (row tables by index) to a deltas=2 client and encoding 1 to a deltas=1 client', async () => {
    const one = await TestWsClient.open(wsUrl(pulse.url, '?deltas=1'));
    const two = await TestWsClient.open(wsUrl(pulse.url, '?deltas=2'));
    const other = await TestWsClient.open(wsUrl(pulse.url, '?deltas=3'));
    await Promise.all([one.waitFor('initialState'), two.waitFor('initialState'), other.waitFor('initialState')]);
    const built = pulse.deps.wsHub.counters.deltasBuilt;
    pulse.deps.state.commit((d) => {
      d.vms = d.vms.map((g, i) =>
        i === 1 && g.memory ? { ...g, cpu: 0.25, memory: { ...g.memory, used: g.memory.used + 8 } } : g,
      );
    });
    pulse.deps.wsHub.broadcastState();
    const [[d1], [d2]] = (await Promise.all([
      one.waitFor('stateDelta'),
      two.waitFor('stateDelta'),
    ])) as unknown as Array<Array<{ data: any }>>;
    const vm = pulse.deps.state.get().vms[1];
    expect(d1.data.lists.vms.change).toEqual([{ id: vm.id, set: { cpu: 0.25, memory: vm.memory } }]);
    expect(d2.data.lists.vms).toEqual({
      rows: [{ at: [1], cols: ['cpu', ['memory', 'used']], vals: [[0.25], { d: 8 }] }],
    });
    expect(pulse.deps.wsHub.counters.deltasBuilt).toBe(built + 2);
    // An encoding the server does not know: a plain client (rawData in full).
    await other.waitFor('rawData');
    expect(other.types()).not.toContain('stateDelta');
    for (const c of [one, two, other]) c.close();
  });

  it('negotiates permessage-deflate with a client that offers it', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url, '?deltas=1'), { perMessageDeflate: true });
    await c.waitFor('initialState');
    expect(c.ws.extensions).toContain('permessage-deflate');
    c.close();
  });
});
