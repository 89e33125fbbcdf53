import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { commitSynthetic } from '../../bench/state-fixture.js';
import type { FullAlert } from '../../src/model/state.js';
import { startTestPulse } from '../helpers/pulse.js';
import { refusedStatus, settle, TestWsClient, wsUrl } from './client.js';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describe('/ws', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    pulse = await startTestPulse();
    await settle();
    pulse.deps.wsHub.coalesceMs = 100;
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: Date.now() });
  });
  afterAll(() => pulse.close());

  it('greets with welcome, then initialState in the raw shape (RFC3339 times)', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    const [init] = await c.waitFor('initialState');
    expect(c.types().slice(0, 2)).toEqual(['welcome', 'initialState']);
    expect(c.messages[0].data).toEqual({ message: 'Connected to Pulse WebSocket' });
    expect(init.data.lastUpdate).toMatch(RFC3339);
    expect(init.data.nodes[0].lastSeen).toMatch(RFC3339);
    expect(init.data.vms[0].lastSeen).toMatch(RFC3339);
    expect(init.data.metrics).toEqual([]);
    expect(init.data.nodes[0]).not.toHaveProperty('maxmem');
    expect(init.data.stats.webSocketClients).toBeGreaterThanOrEqual(0);
    c.close();
  });

  it('sends rawData (frontend shape) after a commit, coalescing bursts', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    await c.waitFor('initialState');
    const before = pulse.deps.wsHub.counters.stateBroadcasts;
    for (let i = 0; i < 10; i++) {
      pulse.deps.state.commit((d) => {
        d.nodes = d.nodes.map((n) => ({ ...n, uptime: 5000 + i }));
      });
    }
    const [msg] = await c.waitFor('rawData');
    expect(typeof msg.data.lastUpdate).toBe('number');
    expect(typeof msg.data.nodes[0].lastSeen).toBe('number');
    // The burst of 10 commits produced at most two broadcasts (leading + trailing edge).
    await new Promise((r) => setTimeout(r, 300));
    const sent = pulse.deps.wsHub.counters.stateBroadcasts - before;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(2);
    const last = c.messages.filter((m) => m.type === 'rawData').at(-1);
    expect(last?.data.nodes[0].uptime).toBe(5009);
    c.close();
  });

  it('answers ping with pong and requestData with the raw state', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    await c.waitFor('initialState');
    c.send({ type: 'ping' });
    const [pong] = await c.waitFor('pong');
    expect(Number.isInteger(pong.data.timestamp)).toBe(true);
    expect(Math.abs(pong.data.timestamp - Date.now() / 1000)).toBeLessThan(5);
    c.send({ type: 'requestData' });
    const [data] = await c.waitFor('rawData');
    expect(data.data.lastUpdate).toMatch(RFC3339);
    // Unknown and malformed messages are ignored, the socket stays open.
    c.ws.send('not json');
    c.send({ type: 'whatever' });
    c.send({ type: 'ping' });
    await c.waitFor('pong', 2);
    expect(c.closed).toBeUndefined();
    c.close();
  });

  it('pings every client and drops one that stops answering ping frames', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    const mute = await TestWsClient.open(wsUrl(pulse.url), { autoPong: false });
    await Promise.all([c.waitFor('initialState'), mute.waitFor('initialState')]);
    pulse.deps.wsHub.pingAll();
    const [ping] = await c.waitFor('ping');
    expect(Number.isInteger(ping.data.timestamp)).toBe(true);
    expect(Math.abs(ping.data.timestamp - Date.now() / 1000)).toBeLessThan(5);
    await mute.waitFor('ping');
    // Give the answering client's pong frame time to arrive, then tick again.
    c.send({ type: 'ping' });
    await c.waitFor('pong');
    pulse.deps.wsHub.pingAll();
    await c.waitFor('ping', 2);
    await mute.waitClosed();
    expect(c.closed).toBeUndefined();
    c.close();
  });

  it('forwards alert, alertResolved, node_deleted and settingsUpdate events (alerts to plain clients only)', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    const d = await TestWsClient.open(wsUrl(pulse.url, '?deltas=2'));
    await c.waitFor('initialState');
    await d.waitFor('initialState');
    const alert: FullAlert = {
      id: 'pve-node1-cpu',
      type: 'cpu',
      level: 'warning',
      resourceId: 'pve-node1',
      resourceName: 'node1',
      node: 'node1',
      instance: 'pve',
      message: 'Node CPU at 91%',
      value: 91,
      threshold: 80,
      startTime: '2026-01-01T10:00:00Z',
      acknowledged: false,
      lastSeen: '2026-01-01T10:00:10Z',
    };
    pulse.deps.events.emit('alert', alert);
    pulse.deps.events.emit('alertResolved', { alertId: alert.id });
    pulse.deps.events.emit('nodeDeleted', { nodeType: 'pve' });
    pulse.deps.events.emit('settingsUpdate', { theme: 'dark' });
    const [a] = await c.waitFor('alert');
    expect(a.data).toEqual(alert);
    expect((await c.waitFor('alertResolved'))[0].data).toEqual({ alertId: alert.id });
    expect((await c.waitFor('node_deleted'))[0].data).toEqual({ nodeType: 'pve' });
    expect((await c.waitFor('settingsUpdate'))[0].data).toEqual({ theme: 'dark' });
    // A delta client gets the other events, in order, but its alerts come in its state deltas.
    expect((await d.waitFor('settingsUpdate'))[0].data).toEqual({ theme: 'dark' });
    expect(d.messages.map((m) => m.type)).toContain('node_deleted');
    expect(d.messages.map((m) => m.type)).not.toContain('alert');
    expect(d.messages.map((m) => m.type)).not.toContain('alertResolved');
    c.close();
    d.close();
  });

  it('serves 50 concurrent clients the same update from one serialisation', async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => TestWsClient.open(wsUrl(pulse.url))));
    await Promise.all(clients.map((c) => c.waitFor('initialState')));
    expect(pulse.deps.wsHub.size).toBeGreaterThanOrEqual(50);
    const before = pulse.deps.snapshots.serialisations;
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: Date.now(), tick: 42 });
    const updates = await Promise.all(clients.map((c) => c.waitFor('rawData').then((m) => m[0])));
    const texts = new Set(updates.map((u) => JSON.stringify(u.data.nodes)));
    expect(texts.size).toBe(1);
    expect(updates[0].data.stats.webSocketClients).toBeGreaterThanOrEqual(50);
    // One frontend serialisation for the new version, not one per client.
    expect(pulse.deps.snapshots.serialisations - before).toBe(1);
    for (const c of clients) c.close();
  });

  it('rejects a foreign origin with 403 and accepts a local one', async () => {
    expect(await refusedStatus(wsUrl(pulse.url), { headers: { Origin: 'https://evil.example.com' } })).toBe(403);
    const ok = await TestWsClient.open(wsUrl(pulse.url), { headers: { Origin: 'http://localhost:5173' } });
    await ok.waitFor('initialState');
    ok.close();
  });

  it('drops a client that does not read', async () => {
    const hub = pulse.deps.wsHub;
    const saved = hub.maxBufferedBytes;
    hub.maxBufferedBytes = 256 * 1024;
    const slow = new WebSocket(wsUrl(pulse.url));
    await new Promise((r) => slow.once('open', r));
    // Stop reading from the TCP socket: the server's send buffer fills up.
    (slow as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const droppedBefore = hub.counters.droppedSlow;
    const big = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 60 && hub.counters.droppedSlow === droppedBefore; i++) {
      hub.broadcast('custom', { type: 'filler', data: big });
      await new Promise((r) => setTimeout(r, 10));
    }
    hub.maxBufferedBytes = saved;
    expect(hub.counters.droppedSlow).toBeGreaterThan(droppedBefore);
    slow.terminate();
  });
});

describe('/ws with authentication configured', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const token = 'c'.repeat(64);
  beforeAll(async () => {
    pulse = await startTestPulse({
      env: { PULSE_AUTH_USER: 'admin', PULSE_AUTH_PASS: 'correct-horse-battery', API_TOKENS: token },
    });
  });
  afterAll(() => pulse.close());

  it('refuses the upgrade without credentials and accepts ?token=', async () => {
    expect(await refusedStatus(wsUrl(pulse.url))).toBe(401);
    const c = await TestWsClient.open(wsUrl(pulse.url, `?token=${token}`));
    await c.waitFor('initialState');
    c.close();
  });
});

describe('/ws shutdown', () => {
  it('closes every client with 1001 and shuts down promptly', async () => {
    const pulse = await startTestPulse();
    await settle();
    const clients = await Promise.all(Array.from({ length: 5 }, () => TestWsClient.open(wsUrl(pulse.url))));
    await Promise.all(clients.map((c) => c.waitFor('initialState')));
    await pulse.close();
    for (const c of clients) expect((await c.waitClosed()).code).toBe(1001);
  });
});

describe('/ws without an upgrade, and /socket.io', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    pulse = await startTestPulse();
    await settle();
  });
  afterAll(() => pulse.close());

  it('a plain GET /ws gets 426 with a JSON error, not an empty 404', async () => {
    const res = await fetch(`${pulse.url}/ws`);
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
    expect(res.headers.get('content-type')).toContain('application/json');
    expect((await res.json()).error).toMatch(/WebSocket/);
    // The same URL still upgrades.
    const c = await TestWsClient.open(wsUrl(pulse.url));
    await c.waitFor('initialState');
    c.close();
  });

  it('Socket.IO paths say it is not supported (JSON 410) for HTTP and for upgrades', async () => {
    for (const path of ['/socket.io/', '/socket.io/?EIO=4&transport=polling', '/socket.io/socket.io.js']) {
      const res = await fetch(`${pulse.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(410);
      expect((await res.json()).error, path).toMatch(/Socket\.IO is not supported.*\/ws/);
    }
    expect(await refusedStatus(`${pulse.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`)).toBe(410);
  });
});
