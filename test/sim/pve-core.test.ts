import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { control, pveToken, request } from './client.js';

describe('simulator: demo estate over HTTPS (PVE core)', () => {
  let sim: Simulator;
  let base: string;
  let auth: Record<string, string>;
  const get = (path: string, headers = auth, url = base) => request(`${url}/api2/json${path}`, { headers });

  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo' });
    const pve = sim.ready.pve[0];
    base = pve.url;
    auth = pveToken(pve.tokenId, pve.tokenSecret);
  });
  afterAll(() => sim.stop());

  it('ready info lists every server with its certificate fingerprint', async () => {
    const r = sim.ready;
    expect(r.ready).toBe(true);
    expect(r.control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(r.pve.map((p) => p.name)).toEqual(['pve-cluster', 'pve-standalone']);
    expect(r.pve[0].nodes.map((n) => n.name)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(r.pve[0].tokenId).toMatch(/^[^@]+@[^!]+![^=]+$/);
    expect(r.pbs).toHaveLength(1);
    expect(r.pmg).toHaveLength(1);
    for (const n of r.pve[0].nodes) {
      expect(n.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const res = await get('/version', auth, n.url);
      expect(res.status).toBe(200);
      expect(res.fingerprint).toBe(n.fingerprint);
    }
  });

  it('answers /version and /cluster/status in {"data": …} envelopes', async () => {
    const v = await get('/version');
    expect(v.headers['content-type']).toContain('application/json');
    expect(v.json.data).toMatchObject({ version: '9.0.10', release: '9.0' });
    const st = (await get('/cluster/status')).json.data;
    expect(st[0]).toMatchObject({ type: 'cluster', name: 'pve-cluster', nodes: 3, quorate: 1 });
    expect(st.filter((x: any) => x.type === 'node').map((x: any) => x.local)).toEqual([1, 0, 0]);
    const st2 = (await get('/cluster/status', auth, sim.ready.pve[0].nodes[1].url)).json.data;
    expect(st2.find((x: any) => x.name === 'pve2').local).toBe(1);
  });

  it('/cluster/resources lists nodes, guests and storage and filters by type', async () => {
    const all = (await get('/cluster/resources')).json.data;
    const types = new Set(all.map((x: any) => x.type));
    for (const t of ['node', 'qemu', 'lxc', 'storage']) expect(types.has(t)).toBe(true);
    const vms = (await get('/cluster/resources?type=vm')).json.data;
    expect(vms.every((x: any) => x.type === 'qemu' || x.type === 'lxc')).toBe(true);
    expect(vms.find((x: any) => x.vmid === 9000)).toMatchObject({ template: 1, status: 'stopped' });
    expect(vms.find((x: any) => x.vmid === 100)).toMatchObject({ tags: 'prod;web', node: 'pve1', status: 'running' });
    const bad = await get('/cluster/resources?type=bogus');
    expect(bad.status).toBe(400);
    expect(bad.json.errors.type).toContain('enumeration');
  });

  it('node, guest and storage GETs', async () => {
    expect((await get('/nodes')).json.data.map((n: any) => n.node)).toEqual(['pve1', 'pve2', 'pve3']);
    const st = (await get('/nodes/pve2/status')).json.data;
    expect(st.memory.total).toBe(48 * 1024 ** 3);
    expect(st.pveversion).toMatch(/^pve-manager\/9\.0\.10\//);
    const qemu = (await get('/nodes/pve1/qemu')).json.data;
    expect(qemu.map((g: any) => g.vmid).sort()).toEqual([100, 101, 102, 105]);
    const lxc = (await get('/nodes/pve1/lxc')).json.data;
    expect(lxc.map((g: any) => g.vmid).sort()).toEqual([103, 104]);
    const cur = (await get('/nodes/pve1/qemu/100/status/current')).json.data;
    expect(cur).toMatchObject({ vmid: 100, status: 'running', agent: 1, ha: { managed: 1 } });
    expect(cur.ballooninfo.max_mem).toBe(8192 * 1024 ** 2);
    const ct = (await get('/nodes/pve1/lxc/103/status/current')).json.data;
    expect(ct).toMatchObject({ vmid: 103, type: 'lxc' });
    const missing = await get('/nodes/pve1/qemu/999/status/current');
    expect(missing.status).toBe(500);
    expect(missing.json.message).toContain('does not exist');
    expect((await get('/storage')).json.data.map((s: any) => s.storage)).toContain('pbs-main');
    const pve3 = (await get('/nodes/pve3/storage')).json.data.map((s: any) => s.storage);
    expect(pve3).toContain('local-zfs');
    const pve1 = (await get('/nodes/pve1/storage')).json.data.map((s: any) => s.storage);
    expect(pve1).not.toContain('local-zfs');
  });

  it('401 without credentials, with a wrong token, 400 on bad parameters, 501 on unknown paths', async () => {
    const none = await get('/nodes', {});
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ data: null, message: 'No ticket\n' });
    const wrong = await get('/nodes', pveToken(sim.ready.pve[0].tokenId, 'nope'));
    expect(wrong.status).toBe(401);
    const bad = await get('/nodes/pve1/qemu/abc/status/current');
    expect(bad.status).toBe(400);
    expect(bad.json.errors.vmid).toBeDefined();
    expect((await get('/nodes/pve1/frobnicate')).status).toBe(501);
  });

  it('control API: metrics overrides, stop/start, node down', async () => {
    const c = sim.controlUrl;
    const set = await control(c, 'PUT', '/guests/pve-cluster/100/metrics', { cpu: 0.5, mem: 1024 ** 3, netin: 12345 });
    expect(set.status).toBe(200);
    const cur = (await get('/nodes/pve1/qemu/100/status/current')).json.data;
    expect(cur).toMatchObject({ cpu: 0.5, mem: 1024 ** 3, netin: 12345 });
    await control(c, 'PUT', '/guests/pve-cluster/100/metrics', { netin: null });
    const after = (await get('/nodes/pve1/qemu/100/status/current')).json.data;
    expect(after.netin).toBeGreaterThanOrEqual(12345);

    const n = await control(c, 'PUT', '/nodes/pve-cluster/pve2/metrics', { cpu: 0.9 });
    expect(n.status).toBe(200);
    expect((await get('/nodes/pve2/status')).json.data.cpu).toBe(0.9);

    expect((await control(c, 'POST', '/guests/pve-cluster/101/stop')).json.upid).toMatch(/^UPID:pve1:/);
    expect((await get('/nodes/pve1/qemu/101/status/current')).json.data).toMatchObject({
      status: 'stopped',
      cpu: 0,
      uptime: 0,
    });
    await control(c, 'POST', '/guests/pve-cluster/101/start');
    expect((await get('/nodes/pve1/qemu/101/status/current')).json.data.status).toBe('running');

    const pve3 = sim.ready.pve[0].nodes[2];
    const down = await control(c, 'POST', '/faults', { target: 'pve-cluster/pve3', kind: 'down' });
    expect(down.status).toBe(200);
    await expect(request(`${pve3.url}/api2/json/version`)).rejects.toThrow(/ECONNREFUSED/);
    const st = (await get('/cluster/status')).json.data;
    expect(st.find((x: any) => x.name === 'pve3').online).toBe(0);
    const res = (await get('/cluster/resources?type=vm')).json.data;
    expect(res.find((x: any) => x.vmid === 300).status).toBe('unknown');
    const proxied = await get('/nodes/pve3/status');
    expect(proxied.status).toBe(596);
    await control(c, 'DELETE', `/faults/${down.json.id}`);
    expect((await get('/version', auth, pve3.url)).status).toBe(200);
  });
});
