/** Fault injection through the control API, observed by real HTTPS clients. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { control, pbsToken, pveToken, request } from './client.js';

describe('simulator: faults', () => {
  let sim: Simulator;
  let auth: Record<string, string>;
  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo', proxyTimeoutMs: 200 });
    auth = pveToken(sim.ready.pve[0].tokenId, sim.ready.pve[0].tokenSecret);
  });
  afterAll(() => sim.stop());

  const node = (i: number) => sim.ready.pve[0].nodes[i];
  const get = (url: string, path: string, extra: { timeoutMs?: number; headers?: Record<string, string> } = {}) =>
    request(`${url}/api2/json${path}`, { headers: extra.headers ?? auth, timeoutMs: extra.timeoutMs });
  const fault = async (body: Record<string, unknown>) => {
    const res = await control(sim.controlUrl, 'POST', '/faults', body);
    expect(res.status).toBe(200);
    return res.json;
  };
  const clear = async () => {
    expect((await control(sim.controlUrl, 'DELETE', '/faults')).status).toBe(200);
  };

  it('down: connection refused until cleared; the rest of the cluster answers and sees it offline', async () => {
    await fault({ target: 'pve-cluster/pve2', kind: 'down' });
    await expect(get(node(1).url, '/version')).rejects.toThrow(/ECONNREFUSED/);
    const nodes = (await get(node(0).url, '/nodes')).json.data;
    expect(nodes.find((n: { node: string }) => n.node === 'pve2').status).toBe('offline');
    const proxied = await get(node(0).url, '/nodes/pve2/qemu');
    expect(proxied.status).toBe(596);
    await clear();
    expect((await get(node(1).url, '/version')).status).toBe(200);
    expect((await get(node(0).url, '/nodes')).json.data.find((n: { node: string }) => n.node === 'pve2').status).toBe(
      'online',
    );
  });

  it('hang: accepts and never answers (client timeout); a proxied call to the hung member gives 596', async () => {
    await fault({ target: 'pve-cluster/pve3', kind: 'hang' });
    await expect(get(node(2).url, '/version', { timeoutMs: 300 })).rejects.toThrow(/client timeout/);
    const proxied = await get(node(0).url, '/nodes/pve3/status');
    expect(proxied.status).toBe(596);
    expect(proxied.json.message).toContain('timed out');
    await clear();
    expect((await get(node(2).url, '/version')).status).toBe(200);
  });

  it('slow: a client with a short timeout gives up, a patient one gets the answer', async () => {
    await fault({ target: 'pve-cluster', kind: 'slow', ms: 1500 });
    await expect(get(node(0).url, '/version', { timeoutMs: 200 })).rejects.toThrow(/client timeout/);
    await clear();
    await fault({ target: 'pve-cluster', kind: 'slow', ms: 50 });
    expect((await get(node(0).url, '/version')).status).toBe(200);
    await clear();
  });

  it("a member's 500 and latency show through another member that proxies to it", async () => {
    await fault({ target: 'pve-cluster/pve2', kind: 'http500' });
    expect((await get(node(0).url, '/nodes/pve2/status')).status).toBe(500);
    expect((await get(node(0).url, '/nodes/pve1/status')).status).toBe(200);
    await clear();
    await fault({ target: 'pve-cluster/pve2', kind: 'slow', ms: 1500 });
    await expect(get(node(0).url, '/nodes/pve2/status', { timeoutMs: 200 })).rejects.toThrow(/client timeout/);
    await clear();
  });

  it('http500, badjson and truncated, optionally limited to one path', async () => {
    await fault({ target: 'pve-cluster', kind: 'http500', path: '/cluster/resources' });
    const r500 = await get(node(0).url, '/cluster/resources');
    expect(r500.status).toBe(500);
    expect((await get(node(0).url, '/version')).status).toBe(200);
    await clear();

    await fault({ target: 'pve-cluster/pve1', kind: 'badjson' });
    const bad = await get(node(0).url, '/nodes');
    expect(bad.status).toBe(200);
    expect(bad.json).toBeUndefined();
    expect(() => JSON.parse(bad.text)).toThrow();
    await clear();

    await fault({ target: 'pve-cluster/pve1', kind: 'truncated' });
    await expect(get(node(0).url, '/cluster/resources')).rejects.toThrow(/aborted|ECONNRESET|socket hang up/);
    await clear();
    expect((await get(node(0).url, '/cluster/resources')).status).toBe(200);
  });

  it('certchange: a new certificate (new fingerprint) until cleared', async () => {
    const before = (await get(node(0).url, '/version')).fingerprint;
    expect(before).toBe(node(0).fingerprint);
    const f = await fault({ target: 'pve-cluster/pve1', kind: 'certchange' });
    expect(f.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const after = await get(node(0).url, '/version');
    expect(after.fingerprint).toBe(f.fingerprint);
    expect(after.fingerprint).not.toBe(before);
    // Other members keep theirs.
    expect((await get(node(1).url, '/version')).fingerprint).toBe(node(1).fingerprint);
    await clear();
    expect((await get(node(0).url, '/version')).fingerprint).toBe(before);
  });

  it('tokenrevoked: the token gets 401 while password logins still work', async () => {
    await fault({ target: 'pve-cluster', kind: 'tokenrevoked' });
    const r = await get(node(0).url, '/nodes');
    expect(r.status).toBe(401);
    const login = await request(`${node(0).url}/api2/json/access/ticket`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: sim.ready.pve[0].user, password: sim.ready.pve[0].password }).toString(),
    });
    expect(login.status).toBe(200);
    await clear();
    expect((await get(node(0).url, '/nodes')).status).toBe(200);

    const pbs = sim.ready.pbs[0];
    await fault({ target: 'pbs-main', kind: 'tokenrevoked' });
    expect(
      (await request(`${pbs.url}/api2/json/version`, { headers: pbsToken(pbs.tokenId, pbs.tokenSecret) })).status,
    ).toBe(401);
    await clear();
  });

  it('guest agent: "not running", "not configured", and agenttimeout', async () => {
    const ok = await get(node(0).url, '/nodes/pve1/qemu/100/agent/get-osinfo');
    expect(ok.status).toBe(200);
    expect(ok.json.data.result.id).toMatch(/debian|ubuntu/);
    const notRunning = await get(node(0).url, '/nodes/pve1/qemu/102/agent/get-fsinfo');
    expect(notRunning.status).toBe(500);
    expect(notRunning.json.message).toBe('QEMU guest agent is not running\n');
    const fsinfo = await get(node(0).url, '/nodes/pve1/qemu/100/agent/get-fsinfo');
    expect(fsinfo.json.data.result[0]).toMatchObject({ mountpoint: '/', type: 'ext4' });
    const meminfo = await get(node(0).url, '/nodes/pve1/qemu/100/agent/file-read?file=/proc/meminfo');
    // The guest sees the balloon's size less what its kernel keeps, the total_mem PVE reports.
    const cur = await get(node(0).url, '/nodes/pve1/qemu/100/status/current');
    const memTotalKb = Number(/^MemTotal:\s+(\d+) kB/.exec(meminfo.json.data.content)?.[1]);
    expect(memTotalKb).toBe(Math.floor(cur.json.data.ballooninfo.total_mem / 1024));
    expect(memTotalKb * 1024).toBeLessThan(cur.json.data.maxmem);
    // An appliance (ostype other) reports only special filesystems.
    await control(sim.controlUrl, 'POST', '/guests/pve-cluster', {
      vmid: 160,
      type: 'qemu',
      node: 'pve1',
      agent: true,
      ostype: 'other',
    });
    const special = await get(node(0).url, '/nodes/pve1/qemu/160/agent/get-fsinfo');
    expect(special.json.data.result.map((f: { type: string }) => f.type)).toEqual(['squashfs', 'tmpfs', 'overlay']);
    await control(sim.controlUrl, 'DELETE', '/guests/pve-cluster/160');
    const standalone = sim.ready.pve[1];
    // The demo's standalone token is PVEAuditor-only (no VM.Monitor): a full one asks the agent.
    const full = { tokenId: 'root@pam!full', secret: 'full-secret-1' };
    await control(sim.controlUrl, 'POST', '/credentials', {
      target: 'pve-standalone',
      tokenId: full.tokenId,
      secret: full.secret,
      acl: { '/': ['*'] },
    });
    const denied = await get(standalone.url, '/nodes/minipc/qemu/103/agent/info', {
      headers: pveToken(standalone.tokenId, standalone.tokenSecret),
    });
    expect(denied.status).toBe(403);
    const unconfigured = await get(standalone.url, '/nodes/minipc/qemu/103/agent/info', {
      headers: pveToken(full.tokenId, full.secret),
    });
    expect(unconfigured.status).toBe(500);
    expect(unconfigured.json.message).toBe('No QEMU guest agent configured\n');
    await fault({ target: 'pve-cluster/100', kind: 'agenttimeout' });
    const timeout = await get(node(0).url, '/nodes/pve1/qemu/100/agent/network-get-interfaces');
    expect(timeout.status).toBe(500);
    expect(timeout.json.message).toContain('got timeout');
    await clear();
  });

  it('control API rejects bad fault requests with 4xx', async () => {
    expect((await control(sim.controlUrl, 'POST', '/faults', { target: 'pve-cluster', kind: 'explode' })).status).toBe(
      400,
    );
    expect((await control(sim.controlUrl, 'POST', '/faults', { target: 'nope', kind: 'down' })).status).toBe(404);
    expect((await control(sim.controlUrl, 'POST', '/faults', { kind: 'down' })).status).toBe(400);
    expect((await control(sim.controlUrl, 'DELETE', '/faults/999')).status).toBe(404);
    const res = await fetch(`${sim.controlUrl}/faults`, { method: 'POST', body: '{not json' });
    expect(res.status).toBe(400);
  });
});
