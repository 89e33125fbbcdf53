import { get as httpGet } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitSynthetic, syntheticState } from '../../bench/state-fixture.js';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse } from '../helpers/pulse.js';
import { settle, TestWsClient, wsUrl } from './client.js';

const ARRAYS = [
  'nodes',
  'vms',
  'containers',
  'dockerHosts',
  'storage',
  'cephClusters',
  'physicalDisks',
  'pbs',
  'pmg',
  'pbsBackups',
  'activeAlerts',
  'recentlyResolved',
];

describe('GET /api/state', () => {
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 10));
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    pulse = await startTestPulse({ clock });
    await settle();
  });
  afterAll(() => pulse.close());

  it('has every collection, empty ones as [], plus stats and performance', async () => {
    clock.advance(90_000);
    const res = await fetch(`${pulse.url}/api/state`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = await res.json();
    for (const k of ARRAYS) expect(body[k], k).toEqual([]);
    expect(body.pveBackups).toEqual({ backupTasks: [], storageBackups: [], guestSnapshots: [] });
    expect(body.connectionHealth).toEqual({});
    expect(body.metrics).toEqual({});
    expect(body.stats).toMatchObject({ uptime: 90, webSocketClients: 0 });
    expect(Number.isInteger(body.stats.pollingCycles)).toBe(true);
    expect(Date.parse(body.stats.startTime)).toBe(Date.UTC(2026, 2, 1, 10));
    expect(typeof body.stats.version).toBe('string');
    expect(body.performance).toMatchObject({ apiCallDuration: null, totalApiCalls: 0, failedApiCalls: 0 });
    expect(typeof body.lastUpdate).toBe('number');
  });

  it('serves committed state in the frontend shape (ms times) and escapes <>&', async () => {
    const now = clock.now();
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now });
    pulse.deps.state.commit((d) => {
      d.nodes = d.nodes.map((n, i) => (i === 0 ? { ...n, displayName: '<b>&' } : n));
    });
    const res = await fetch(`${pulse.url}/api/state`);
    const text = await res.text();
    expect(text).toContain('\\u003cb\\u003e\\u0026');
    const body = JSON.parse(text);
    expect(body.nodes).toHaveLength(2);
    expect(body.nodes[0].displayName).toBe('<b>&');
    expect(body.vms.length + body.containers.length).toBe(6);
    expect(body.lastUpdate).toBe(now);
    expect(body.nodes[0].lastSeen).toBe(now);
    expect(body.storage[0].avail).toBe(body.storage[0].free);
    // The pollers' own cycle count wins over the commit count when they report one.
    pulse.deps.state.commit((d) => {
      d.stats = { ...(d.stats as object), pollingCycles: 41 } as typeof d.stats;
    });
    expect((await (await fetch(`${pulse.url}/api/state`)).json()).stats.pollingCycles).toBe(41);
  });

  it('serialises once per state version, however many readers', async () => {
    const before = pulse.deps.snapshots.serialisations;
    const bodies = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${pulse.url}/api/state`).then((r) => r.text())),
    );
    expect(new Set(bodies).size).toBe(1);
    expect(pulse.deps.snapshots.serialisations - before).toBeLessThanOrEqual(1);
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: clock.now(), tick: 1 });
    await Promise.all(Array.from({ length: 5 }, () => fetch(`${pulse.url}/api/state`).then((r) => r.text())));
    expect(pulse.deps.snapshots.serialisations - before).toBeLessThanOrEqual(2);
  });

  it('gzips a large document once per version when the client accepts it', async () => {
    commitSynthetic(pulse.deps.state, { nodes: 4, guestsPerNode: 20, now: clock.now(), tick: 7 });
    const plain = await fetch(`${pulse.url}/api/state`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const plainText = await plain.text();
    expect(plainText.length).toBeGreaterThan(16 * 1024);
    const before = pulse.deps.snapshots.serialisations;
    const zipped = await fetch(`${pulse.url}/api/state`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toContain('Accept-Encoding');
    expect(await zipped.text()).toBe(plainText); // fetch decompresses
    expect(pulse.deps.snapshots.serialisations).toBe(before);
    // As sent: one gzip member whose CRC and length check out (gunzipSync verifies both), with a
    // Content-Length that matches the bytes, although the body is written in pieces.
    const raw = await request(`${pulse.url}/api/state`, { headers: { 'accept-encoding': 'gzip' } });
    const wire = Buffer.from(await raw.body.arrayBuffer());
    expect(pulse.deps.snapshots.frontendPieces().pieces.length).toBeGreaterThan(2);
    expect(Number(raw.headers['content-length'])).toBe(wire.length);
    expect(gunzipSync(wire).toString('utf8')).toBe(plainText);
    const refused = await fetch(`${pulse.url}/api/state`, { headers: { 'Accept-Encoding': 'gzip;q=0' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
    await refused.arrayBuffer();
  });

  it('keeps the large lists compressed only once the gzip body is built, and still serves them whole, inflated as they are sent', async () => {
    const snaps = pulse.deps.snapshots;
    clock.advance(snaps.prewarmWindowMs + 1); // the uncompressed reads of the tests above are over
    commitSynthetic(pulse.deps.state, { nodes: 20, guestsPerNode: 40, now: clock.now(), tick: 8 });
    const zipped = await request(`${pulse.url}/api/state`, { headers: { 'accept-encoding': 'gzip' } });
    const text = gunzipSync(Buffer.from(await zipped.body.arrayBuffer())).toString('utf8');
    const held = snaps.frontendResidency();
    expect(held.length).toBe(Buffer.byteLength(text));
    expect(held.resident).toBeLessThan(held.length / 2); // the guests' lists are held compressed
    // More gzip readers of the same version are served from the compressed form alone.
    const again = await request(`${pulse.url}/api/state`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gunzipSync(Buffer.from(await again.body.arrayBuffer())).toString('utf8')).toBe(text);
    expect(snaps.frontendResidency().resident).toBe(held.resident);
    const before = snaps.serialisations;
    const plain = await fetch(`${pulse.url}/api/state`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(await plain.text()).toBe(text);
    expect(snaps.serialisations).toBe(before); // inflated again, not serialised again
    // The first plain reader was sent the lists inflated on the fly, and they stay compressed; a
    // second one finds them read back before and they are restored and kept.
    expect(snaps.frontendResidency().resident).toBe(held.resident);
    const second = await fetch(`${pulse.url}/api/state`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(Number(second.headers.get('content-length'))).toBe(held.length);
    expect(await second.text()).toBe(text);
    expect(snaps.frontendResidency().resident).toBe(held.length);
  });

  it('a plain reader who leaves half-way through the compressed lists leaves the next one the whole body', async () => {
    const snaps = pulse.deps.snapshots;
    clock.advance(snaps.prewarmWindowMs + 1);
    commitSynthetic(pulse.deps.state, { nodes: 20, guestsPerNode: 40, now: clock.now(), tick: 12 });
    const zipped = await request(`${pulse.url}/api/state`, { headers: { 'accept-encoding': 'gzip' } });
    const text = gunzipSync(Buffer.from(await zipped.body.arrayBuffer())).toString('utf8');
    const held = snaps.frontendResidency().resident;
    expect(held).toBeLessThan(text.length / 2);
    // HEAD: the length and no body, and nothing inflated for it.
    for (let i = 0; i < 2; i++) {
      const head = await request(`${pulse.url}/api/state`, { method: 'HEAD' });
      expect(head.statusCode).toBe(200);
      expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(text));
      expect((await head.body.arrayBuffer()).byteLength).toBe(0);
    }
    // (A drained body is read after the reply has ended: give it the time it would take.)
    await new Promise((r) => setTimeout(r, 300));
    expect(snaps.frontendResidency().resident).toBe(held);
    // One chunk, then the reader hangs up.
    await new Promise<void>((resolve, reject) => {
      const req = httpGet(`${pulse.url}/api/state`, (res) => {
        res.once('data', () => {
          res.destroy();
          resolve();
        });
      });
      req.on('error', reject);
    });
    for (let i = 0; i < 2; i++) {
      const plain = await request(`${pulse.url}/api/state`);
      expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(text));
      expect(Buffer.from(await plain.body.arrayBuffer()).toString('utf8')).toBe(text);
    }
  });

  it('keeps the large lists whole while someone reads the uncompressed body', async () => {
    const snaps = pulse.deps.snapshots;
    clock.advance(snaps.prewarmWindowMs + 1);
    commitSynthetic(pulse.deps.state, { nodes: 20, guestsPerNode: 40, now: clock.now(), tick: 9 });
    // A script polling with plain curl (no Accept-Encoding)…
    const plain = await request(`${pulse.url}/api/state`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    await plain.body.arrayBuffer();
    // …and a gzip reader of the next version: the pieces stay whole for the next plain read.
    commitSynthetic(pulse.deps.state, { nodes: 20, guestsPerNode: 40, now: clock.now(), tick: 10 });
    const zipped = await request(`${pulse.url}/api/state`, { headers: { 'accept-encoding': 'gzip' } });
    const text = gunzipSync(Buffer.from(await zipped.body.arrayBuffer())).toString('utf8');
    const held = snaps.frontendResidency();
    expect(held.length).toBe(Buffer.byteLength(text));
    expect(held.resident).toBe(held.length);
    const again = await request(`${pulse.url}/api/state`);
    expect(Buffer.from(await again.body.arrayBuffer()).toString('utf8')).toBe(text);
    // Once the plain reader has been gone for the window, gzip readers get the compact form again.
    clock.advance(snaps.prewarmWindowMs + 1);
    commitSynthetic(pulse.deps.state, { nodes: 20, guestsPerNode: 40, now: clock.now(), tick: 11 });
    await (await request(`${pulse.url}/api/state`, { headers: { 'accept-encoding': 'gzip' } })).body.arrayBuffer();
    const later = snaps.frontendResidency();
    expect(later.resident).toBeLessThan(later.length / 2);
  });

  it('pre-builds the next body after commits only while /api/state is being read', async () => {
    const snaps = pulse.deps.snapshots;
    pulse.deps.wsHub.coalesceMs = 20;
    // Let a tick still pending from earlier tests (500 ms window) pass.
    await new Promise((r) => setTimeout(r, 600));
    const waitTick = () => new Promise((r) => setTimeout(r, 200));
    // Read recently → a commit is serialised (and gzipped) on the hub's tick, with no request.
    await (await fetch(`${pulse.url}/api/state`)).arrayBuffer();
    let before = snaps.serialisations;
    commitSynthetic(pulse.deps.state, { nodes: 1, guestsPerNode: 1, now: clock.now(), tick: 11 });
    for (let i = 0; i < 100 && snaps.serialisations === before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(snaps.serialisations).toBe(before + 1);
    await (await fetch(`${pulse.url}/api/state`)).arrayBuffer();
    expect(snaps.serialisations).toBe(before + 1);
    // Nobody read for longer than the window (and no WS clients) → nothing is built.
    clock.advance(snaps.prewarmWindowMs + 1);
    before = snaps.serialisations;
    commitSynthetic(pulse.deps.state, { nodes: 1, guestsPerNode: 1, now: clock.now(), tick: 12 });
    await waitTick();
    expect(snaps.serialisations).toBe(before);
  });

  it('pre-builds the next body for a reader of the uncompressed body without compressing it', async () => {
    const snaps = pulse.deps.snapshots;
    pulse.deps.wsHub.coalesceMs = 20;
    await new Promise((r) => setTimeout(r, 600));
    clock.advance(snaps.prewarmWindowMs + 1); // earlier gzip reads are over
    await (await request(`${pulse.url}/api/state`)).body.arrayBuffer();
    const before = snaps.serialisations;
    // Every object replaced: every list of the next version is serialised afresh.
    commitSynthetic(pulse.deps.state, { nodes: 20, guestsPerNode: 40, now: clock.now(), tick: 31 });
    for (let i = 0; i < 100 && snaps.serialisations === before; i++) await new Promise((r) => setTimeout(r, 50));
    expect(snaps.serialisations).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 100));
    // Built and held whole, and nothing was deflated for a gzip body nobody asked for.
    const held = snaps.frontendResidency();
    expect(held.resident).toBe(held.length);
    expect(snaps.fragments.heldBytes()).toBeLessThanOrEqual(held.length);
  });

  it('lets the document sent to rawData clients go unless /api/state is being read', async () => {
    const snaps = pulse.deps.snapshots;
    pulse.deps.wsHub.coalesceMs = 20;
    const c = await TestWsClient.open(wsUrl(pulse.url));
    await c.waitFor('initialState');
    // Nobody read /api/state for longer than the window: once sent, the version is not kept.
    clock.advance(snaps.prewarmWindowMs + 1);
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: clock.now(), tick: 21 });
    const [sent] = await c.waitFor('rawData');
    expect(snaps.frontendResidency().length).toBe(0);
    // A reader who comes anyway gets the same document, built again.
    let before = snaps.serialisations;
    const body = await (await fetch(`${pulse.url}/api/state`)).json();
    expect(snaps.serialisations).toBe(before + 1);
    expect(JSON.stringify(body.vms)).toBe(JSON.stringify(sent.data.vms));
    expect(body.lastUpdate).toBe(sent.data.lastUpdate);
    // It was read just now: the next version is kept for the readers after the broadcast.
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: clock.now(), tick: 22 });
    await c.waitFor('rawData', 2);
    expect(snaps.frontendResidency().length).toBeGreaterThan(0);
    before = snaps.serialisations;
    await (await fetch(`${pulse.url}/api/state`)).arrayBuffer();
    expect(snaps.serialisations).toBe(before);
    c.close();
  });

  it('lets the lists serialised for a delta client go once the version moved on, with only delta clients', async () => {
    const snaps = pulse.deps.snapshots;
    pulse.deps.wsHub.coalesceMs = 20;
    clock.advance(snaps.prewarmWindowMs + 1); // nobody read /api/state lately
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: clock.now(), tick: 41 });
    await new Promise((r) => setTimeout(r, 100));
    const c = await TestWsClient.open(wsUrl(pulse.url, '?deltas=2'));
    await c.waitFor('initialState');
    expect(pulse.deps.wsHub.deltaClients).toBe(pulse.deps.wsHub.size);
    const held = snaps.fragments.heldElements();
    const superseded = pulse.deps.state.get().vms.length + pulse.deps.state.get().containers.length;
    expect(held).toBeGreaterThanOrEqual(superseded);
    // Every guest, node and storage replaced; the clients get a delta, no document is serialised.
    const before = snaps.serialisations;
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: clock.now(), tick: 42 });
    await c.waitFor('stateDelta');
    expect(snaps.serialisations).toBe(before);
    // The initialState's guests are not kept alive beside the current ones.
    expect(snaps.fragments.heldElements()).toBeLessThanOrEqual(held - superseded);
    c.close();
  });

  it('/simple-stats is a page that reads /ws', async () => {
    const res = await fetch(`${pulse.url}/simple-stats`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    // No inline script (our CSP would block it): the page loads its script from our origin.
    const html = await res.text();
    expect(html).toContain('<script src="/simple-stats.js"></script>');
    expect(html).not.toMatch(/<script>/);
    const js = await fetch(`${pulse.url}/simple-stats.js`);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toContain("'/ws'");
  });
});

describe('GET /api/state with authentication configured', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const basic = `Basic ${Buffer.from('admin:correct-horse-battery').toString('base64')}`;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { PULSE_AUTH_USER: 'admin', PULSE_AUTH_PASS: 'correct-horse-battery' } });
    await settle();
    pulse.deps.state.commit((d) => {
      d.nodes = syntheticState({ nodes: 1, guestsPerNode: 0, now: 1 }).nodes;
    });
  });
  afterAll(() => pulse.close());

  it('needs a credential', async () => {
    expect((await fetch(`${pulse.url}/api/state`)).status).toBe(401);
    const ok = await fetch(`${pulse.url}/api/state`, { headers: { Authorization: basic } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).nodes).toHaveLength(1);
  });
});
