/** Estates are deterministic; metrics move with simulated time; the control API changes the estate. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEstate } from '../../sim/estate/build.js';
import { demoEstate, largeEstate } from '../../sim/estate/builtin.js';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { control, pmgTicket, pveToken, request } from './client.js';

describe('estates', () => {
  it('the same seed gives the same estate; another seed a different one', () => {
    const a = buildEstate(largeEstate());
    const b = buildEstate(largeEstate());
    const c = buildEstate(largeEstate(), 999);
    const pick = (e: typeof a) =>
      [...e.pve[0].guests.values()].slice(0, 50).map((g) => [g.vmid, g.name, g.node, g.status, g.tags.join()]);
    expect(pick(a)).toEqual(pick(b));
    expect(pick(a)).not.toEqual(pick(c));
    expect(a.pve[0].nodes).toHaveLength(200);
    expect(a.pve[0].guests.size).toBe(10_000);
    expect(a.pve[0].credentials).toEqual(b.pve[0].credentials);
  });

  it('demo has the variety the features need', () => {
    const e = buildEstate(demoEstate());
    const guests = [...e.pve[0].guests.values()];
    expect(guests.some((g) => g.template)).toBe(true);
    expect(guests.some((g) => g.lock)).toBe(true);
    expect(guests.some((g) => g.status === 'stopped' && !g.template)).toBe(true);
    expect(guests.some((g) => g.agent)).toBe(true);
    expect(guests.some((g) => g.agentConfigured && !g.agent)).toBe(true);
    expect(guests.some((g) => g.balloon)).toBe(true);
    expect(new Set(e.pve[0].storages.map((s) => s.type))).toEqual(
      new Set(['dir', 'lvmthin', 'zfspool', 'nfs', 'rbd', 'cephfs', 'pbs']),
    );
  });
});

describe('custom estates', () => {
  it('an EstateSpec (object or JSON file) with its own users, tokens and ACLs', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const spec = {
      name: 'custom',
      seed: 3,
      pve: [
        {
          name: 'lab',
          nodes: ['n1'],
          guests: [{ vmid: 500, type: 'qemu' as const, node: 'n1', name: 'only-vm', agent: true }],
          users: [{ userid: 'ops@pve', password: 'pw-ops-1' }],
          tokens: [{ tokenid: 'ops@pve!mon', secret: 'tok-1', acl: { '/': ['Sys.Audit', 'VM.Audit'] } }],
        },
      ],
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sim-estate-')), 'estate.json');
    fs.writeFileSync(file, JSON.stringify(spec));
    const sim = await startSimulator({ estate: file });
    try {
      const lab = sim.ready.pve[0];
      expect(lab).toMatchObject({
        name: 'lab',
        cluster: null,
        user: 'ops@pve',
        password: 'pw-ops-1',
        tokenId: 'ops@pve!mon',
        tokenSecret: 'tok-1',
      });
      const h = pveToken(lab.tokenId, lab.tokenSecret);
      const vms = (await request(`${lab.url}/api2/json/nodes/n1/qemu`, { headers: h })).json.data;
      expect(vms.map((v: { vmid: number; name: string }) => [v.vmid, v.name])).toEqual([[500, 'only-vm']]);
      expect((await request(`${lab.url}/api2/json/storage`, { headers: h })).json.data).toEqual([]);
    } finally {
      await sim.stop();
    }
    await expect(
      startSimulator({
        estate: { name: 'bad', pve: [{ name: 'x', nodes: ['a'], guests: [{ vmid: 100, type: 'qemu', node: 'zz' }] }] },
      }),
    ).rejects.toThrow(/unknown node zz/);
  });
});

describe('simulator: behaviour over time', () => {
  let sim: Simulator;
  let auth: Record<string, string>;
  const get = async (path: string) => {
    const r = await request(`${sim.ready.pve[0].url}/api2/json${path}`, { headers: auth });
    expect(r.status, path).toBe(200);
    return r.json.data;
  };
  const advance = (seconds: number) => control(sim.controlUrl, 'POST', '/clock/advance', { seconds });

  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo' });
    auth = pveToken(sim.ready.pve[0].tokenId, sim.ready.pve[0].tokenSecret);
  });
  afterAll(() => sim.stop());

  it('counters only increase, uptime grows, cpu wanders within [0, 1]', async () => {
    const samples = [];
    for (let i = 0; i < 6; i++) {
      samples.push(await get('/nodes/pve1/qemu/101/status/current'));
      await advance(300);
    }
    for (let i = 1; i < samples.length; i++) {
      for (const c of ['netin', 'netout', 'diskread', 'diskwrite'])
        expect(samples[i][c]).toBeGreaterThan(samples[i - 1][c]);
      // +300 s of simulated time, plus whatever real time passed between the calls.
      expect(samples[i].uptime - samples[i - 1].uptime).toBeGreaterThanOrEqual(300);
      expect(samples[i].uptime - samples[i - 1].uptime).toBeLessThan(330);
    }
    const cpus = samples.map((s) => s.cpu);
    for (const c of cpus) expect(c).toBeGreaterThanOrEqual(0);
    for (const c of cpus) expect(c).toBeLessThanOrEqual(1);
    expect(new Set(cpus).size).toBeGreaterThan(1);
    const nodeUp = [(await get('/nodes/pve2/status')).uptime];
    await advance(60);
    nodeUp.push((await get('/nodes/pve2/status')).uptime);
    expect(nodeUp[1] - nodeUp[0]).toBeGreaterThanOrEqual(60);
    expect(nodeUp[1] - nodeUp[0]).toBeLessThan(90);
  });

  it('scheduled backups appear: a day later each backed-up guest has one more archive', async () => {
    const list = async () =>
      (await get('/nodes/pve1/storage/pbs-main/content?content=backup')) as Array<{
        vmid: number;
        ctime: number;
        volid: string;
      }>;
    const before = await list();
    expect(before.length).toBeGreaterThan(0);
    const newest = Math.max(...before.map((b) => b.ctime));
    await advance(86400);
    const after = await list();
    expect(Math.max(...after.map((b) => b.ctime))).toBeGreaterThan(newest);
    expect(after.every((b) => /^pbs-main:backup\/(vm|ct)\/\d+\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(b.volid))).toBe(
      true,
    );
    // Guests excluded from the job are reported as not backed up.
    const nb = (await get('/cluster/backup-info/not-backed-up')) as Array<{ vmid: number }>;
    expect(nb.map((g) => g.vmid)).toEqual(expect.arrayContaining([303, 304]));
    const tasks = (await get('/nodes/pve1/tasks?typefilter=vzdump')) as Array<{ type: string; status?: string }>;
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((t) => t.type === 'vzdump')).toBe(true);
  });

  it('control: take a backup now, migrate, add and remove guests', async () => {
    const b = await control(sim.controlUrl, 'POST', '/guests/pve-cluster/200/backup', {
      storage: 'nfs-backup',
      notes: 'before upgrade',
      protected: true,
    });
    expect(b.status).toBe(200);
    const content = (await get('/nodes/pve2/storage/nfs-backup/content?vmid=200')) as Array<Record<string, unknown>>;
    expect(content.find((c) => c.volid === b.json.volid)).toMatchObject({
      notes: 'before upgrade',
      protected: 1,
      format: 'vma.zst',
    });

    const m = await control(sim.controlUrl, 'POST', '/guests/pve-cluster/200/migrate', { target: 'pve3' });
    expect(m.status).toBe(200);
    expect(((await get('/nodes/pve3/qemu')) as Array<{ vmid: number }>).some((g) => g.vmid === 200)).toBe(true);
    expect(((await get('/nodes/pve2/qemu')) as Array<{ vmid: number }>).some((g) => g.vmid === 200)).toBe(false);

    const add = await control(sim.controlUrl, 'POST', '/guests/pve-cluster', {
      vmid: 150,
      type: 'lxc',
      node: 'pve1',
      name: 'new-ct',
      tags: ['new'],
    });
    expect(add.status).toBe(200);
    const res = (await get('/cluster/resources?type=vm')) as Array<{ vmid: number; name: string }>;
    expect(res.find((r) => r.vmid === 150)?.name).toBe('new-ct');
    expect(
      (await control(sim.controlUrl, 'POST', '/guests/pve-cluster', { vmid: 150, type: 'lxc', node: 'pve1' })).status,
    ).toBe(409);
    expect((await control(sim.controlUrl, 'DELETE', '/guests/pve-cluster/150')).status).toBe(200);
    expect(((await get('/cluster/resources?type=vm')) as Array<{ vmid: number }>).some((r) => r.vmid === 150)).toBe(
      false,
    );
    expect((await control(sim.controlUrl, 'PUT', '/guests/pve-cluster/100/metrics', { cpu: 2 })).status).toBe(400);
  });

  it('control: PBS/PMG metrics, PMG queue, datastore and storage usage, guest details', async () => {
    const c = sim.controlUrl;
    const pbs = sim.ready.pbs[0];
    const pmg = sim.ready.pmg[0];
    const pbsGet = async (path: string) =>
      (
        await request(`${pbs.url}/api2/json${path}`, {
          headers: { Authorization: `PBSAPIToken=${pbs.tokenId}:${pbs.tokenSecret}` },
        })
      ).json.data;
    const pmgHeaders = await pmgTicket(pmg);
    const pmgGet = async (path: string) =>
      (await request(`${pmg.url}/api2/json${path}`, { headers: pmgHeaders })).json.data;

    expect((await control(c, 'PUT', '/servers/pbs-main/metrics', { cpu: 0.95, mem: 1024 })).status).toBe(200);
    expect(await pbsGet('/nodes/localhost/status')).toMatchObject({ cpu: 0.95, memory: { used: 1024 } });
    expect((await control(c, 'PUT', '/pbs/pbs-main/datastores/main', { usedFraction: 0.97 })).status).toBe(200);
    const st = await pbsGet('/admin/datastore/main/status');
    expect(st.used / st.total).toBeGreaterThan(0.93);
    expect((await control(c, 'PUT', '/pbs/pbs-main/datastores/main', { usedFraction: 3 })).status).toBe(400);

    expect(
      (await control(c, 'PUT', '/pmg/pmg-main/nodes/pmg2/queue', { deferred: 250, oldest_age: 7200 })).status,
    ).toBe(200);
    // Counts are read through qshape (TOTAL row); 7200 s = 120 min falls in the 160m bucket.
    const [total] = await pmgGet('/nodes/pmg2/postfix/qshape?queue=deferred');
    expect(total).toMatchObject({ domain: 'TOTAL', total: '250', '160m': '1' });
    expect((await control(c, 'PUT', '/servers/pmg-main/metrics', { uptime: 42 })).status).toBe(200);
    expect((await pmgGet('/nodes/pmg1/status')).uptime).toBe(42);

    expect((await control(c, 'PUT', '/storage/pve-cluster/local-lvm', { usedFraction: 0.99 })).status).toBe(200);
    const store = (
      (await get('/cluster/resources?type=storage')) as Array<{ id: string; disk: number; maxdisk: number }>
    ).find((s) => s.id === 'storage/pve1/local-lvm')!;
    expect(store.disk / store.maxdisk).toBeGreaterThan(0.95);

    expect(
      (
        await control(c, 'PATCH', '/guests/pve-cluster/101', {
          tags: ['db', 'critical'],
          lock: 'backup',
          name: 'db-renamed',
        })
      ).status,
    ).toBe(200);
    const g = ((await get('/cluster/resources?type=vm')) as Array<Record<string, unknown>>).find(
      (r) => r.vmid === 101,
    )!;
    expect(g).toMatchObject({ tags: 'db;critical', lock: 'backup', name: 'db-renamed' });
    expect((await control(c, 'PATCH', '/guests/pve-cluster/101', { lock: null, vmid: 5 })).status).toBe(400);
    expect((await control(c, 'PATCH', '/guests/pve-cluster/101', { lock: null })).status).toBe(200);
  });

  it('POST /reset restores the initial estate, clears faults and resets the clock', async () => {
    const c = sim.controlUrl;
    await control(c, 'PATCH', '/guests/pve-cluster/103', { name: 'changed' });
    await control(c, 'POST', '/faults', { target: 'pve-cluster/pve3', kind: 'down' });
    await control(c, 'POST', '/clock/advance', { seconds: 5000 });
    const r = await control(c, 'POST', '/reset');
    expect(r.status).toBe(200);
    const st = (await control(c, 'GET', '/state')).json;
    expect(st.faults).toEqual([]);
    expect(st.clockOffsetMs).toBe(0);
    expect((await control(c, 'GET', '/guests/pve-cluster/103')).json.name).toBe('dns-01');
    const pve3 = await request(`${sim.ready.pve[0].nodes[2].url}/api2/json/version`, { headers: auth });
    expect(pve3.status).toBe(200);
  });

  it('PVE 8 and PVE 9 rrddata shapes differ like the recordings', async () => {
    const v9 = (await get('/nodes/pve1/rrddata?timeframe=hour')) as Array<Record<string, number>>;
    const auth8 = pveToken(sim.ready.pve[1].tokenId, sim.ready.pve[1].tokenSecret);
    const v8 = (
      await request(`${sim.ready.pve[1].url}/api2/json/nodes/minipc/rrddata?timeframe=hour`, { headers: auth8 })
    ).json.data;
    expect(v9[10]).toHaveProperty('memavailable');
    expect(v8[10]).not.toHaveProperty('memavailable');
    expect(v8[10]).toHaveProperty('memused');
    // The newest row has no samples yet, as in a real RRD.
    expect(Object.keys(v9[v9.length - 1])).toEqual(['time']);
    const g9 = (await get('/nodes/pve1/qemu/100/rrddata?timeframe=hour')) as Array<Record<string, number>>;
    expect(g9[10]).toHaveProperty('memhost');
    expect(g9[10]).not.toHaveProperty('memused');
  });
});
