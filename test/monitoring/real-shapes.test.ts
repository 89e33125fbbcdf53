/**
 * The figures of issue 15 end to end: Pulse polling a simulator that answers the paths real
 * PVE/PMG have, in their shapes. Ceph pools from /nodes/{n}/ceph/pool, PMG queue counts from
 * qshape, container addresses from a PVE 8.3 node (hwaddr/inet/inet6 only), and ballooned VM
 * memory that agrees with PVE's own `mem` within a point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { api } from '../helpers/http.js';
import { startFastPulse, type TestPulse } from '../helpers/pulse.js';
import { control, pmgNodeBody, tokenNodeBody } from '../helpers/sim.js';
import { request } from '../sim/client.js';

let sim: Simulator;
let pulse: TestPulse;

const cephStorages = [
  { storage: 'local', type: 'dir' as const, content: 'iso,vztmpl,backup', totalGiB: 90, usedFraction: 0.2 },
  { storage: 'local-lvm', type: 'lvmthin' as const, content: 'images,rootdir', totalGiB: 800, usedFraction: 0.3 },
  {
    storage: 'vmpool',
    type: 'rbd' as const,
    content: 'images,rootdir',
    shared: true,
    totalGiB: 3000,
    usedFraction: 0.4,
  },
  { storage: 'fs', type: 'cephfs' as const, content: 'iso,backup', shared: true, totalGiB: 3000, usedFraction: 0.1 },
];

beforeAll(async () => {
  sim = await startSimulator({
    estate: {
      name: 'shapes',
      seed: 7,
      pve: [
        {
          name: 'ceph9',
          cluster: 'ceph9',
          version: '9.0.10',
          nodes: [{ name: 'c1' }, { name: 'c2' }, { name: 'c3' }],
          storages: cephStorages,
          ceph: { health: 'HEALTH_OK' },
          guests: [
            // Ballooning VMs: one whose agent reads /proc/meminfo, one without an agent.
            { vmid: 100, type: 'qemu', node: 'c1', name: 'db', agent: true, balloon: true, memMiB: 8192 },
            { vmid: 101, type: 'qemu', node: 'c2', name: 'web', balloon: true, memMiB: 2048 },
            { vmid: 102, type: 'lxc', node: 'c3', name: 'proxy', memMiB: 1024 },
          ],
        },
        {
          name: 'old83',
          version: '8.3.2',
          nodes: [{ name: 'legacy' }],
          guests: [
            { vmid: 200, type: 'lxc', node: 'legacy', name: 'dns', memMiB: 512 },
            { vmid: 201, type: 'lxc', node: 'legacy', name: 'off', status: 'stopped', memMiB: 512 },
          ],
        },
      ],
      pmg: [{ name: 'mail', nodes: ['mx1', 'mx2'] }],
    },
    port: 0,
  });
  pulse = await startFastPulse();
  for (const p of sim.ready.pve) {
    const r = await api(pulse.url, 'POST', '/api/config/nodes', tokenNodeBody('pve', p));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  const m = sim.ready.pmg[0];
  // PMG logs in with user@realm + password (it has no API tokens).
  const r = await api(pulse.url, 'POST', '/api/config/nodes', pmgNodeBody(m));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await control(sim, 'PUT', '/pmg/mail/nodes/mx1/queue', {
    active: 4,
    deferred: 17,
    hold: 2,
    incoming: 1,
    oldest_age: 3 * 3600,
  });
  await control(sim, 'PUT', '/pmg/mail/nodes/mx2/queue', { active: 0, deferred: 0, hold: 0, incoming: 0 });
  await pulse.deps.monitoring.pollNow();
  await pulse.deps.monitoring.pollNow();
});

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

const state = () => pulse.deps.state.get();

/** What the simulated PVE itself answers (the figures its UI would show). */
async function pve(instance: string, path: string): Promise<any> {
  const p = sim.ready.pve.find((x) => x.name === instance)!;
  const res = await request(`${p.url}/api2/json${path}`, {
    headers: { authorization: `PVEAPIToken=${p.tokenId}=${p.tokenSecret}` },
  });
  expect(res.status, `${path}: ${res.text}`).toBe(200);
  return res.json.data;
}

describe('Ceph', () => {
  it('/api/state carries every pool with its size worked out from bytes_used / percent_used', async () => {
    const res = await api(pulse.url, 'GET', '/api/state');
    const cluster = res.body.cephClusters.find((c: { instance: string }) => c.instance === 'ceph9');
    expect(cluster).toBeTruthy();
    const raw = (await pve('ceph9', '/nodes/c1/ceph/pool')) as Array<Record<string, number | string>>;
    expect(cluster.pools.map((p: { name: string }) => p.name)).toEqual(raw.map((p) => p.pool_name));
    // Storage use drifts slowly in the simulator: Pulse's poll and this request are moments apart.
    const near = (a: number, b: number) => Math.abs(a - b) <= Math.max(1, b) * 1e-4;
    for (const p of raw) {
      const got = cluster.pools.find((x: { name: string }) => x.name === p.pool_name);
      expect(near(got.storedBytes, Number(p.bytes_used)), `${p.pool_name} used`).toBe(true);
      expect(near(got.percentUsed, Number(p.percent_used)), `${p.pool_name} fraction`).toBe(true);
      expect(got.percentUsed).toBeGreaterThan(0);
      expect(got.percentUsed).toBeLessThan(1);
      // The size the PVE UI implies, from Pulse's own figures: used is percent_used of it.
      expect(Math.abs(got.availableBytes + got.storedBytes - got.storedBytes / got.percentUsed)).toBeLessThanOrEqual(1);
    }
    const status = await pve('ceph9', '/cluster/ceph/status');
    expect(cluster.totalBytes).toBe(status.pgmap.bytes_total);
    expect(near(cluster.usedBytes, status.pgmap.bytes_used)).toBe(true);
    expect(cluster.usedBytes + cluster.availableBytes).toBe(cluster.totalBytes);
  });
});

describe('PMG', () => {
  it('queue counts per node come from qshape (TOTAL row, string figures)', async () => {
    const res = await api(pulse.url, 'GET', '/api/state');
    const mail = res.body.pmg.find((p: { name: string }) => p.name === 'mail');
    const mx1 = mail.nodes.find((n: { name: string }) => n.name === 'mx1');
    const mx2 = mail.nodes.find((n: { name: string }) => n.name === 'mx2');
    expect(mx1.queueStatus).toMatchObject({ active: 4, deferred: 17, hold: 2, incoming: 1, total: 24 });
    // 3 h = 180 min lies in qshape's 320m bucket (160–320 min): its lower bound is what qshape tells.
    expect(mx1.queueStatus.oldestAge).toBe(160 * 60);
    expect(mx2.queueStatus).toMatchObject({ active: 0, deferred: 0, hold: 0, incoming: 0, total: 0, oldestAge: 0 });
  });
});

describe('containers on PVE 8.3', () => {
  it('the old interfaces shape (hwaddr, inet, inet6) yields addresses and MAC', async () => {
    const raw = (await pve('old83', '/nodes/legacy/lxc/200/interfaces')) as Array<Record<string, unknown>>;
    expect(raw.every((i) => !('ip-addresses' in i))).toBe(true);
    const eth0 = raw.find((i) => i.name === 'eth0')!;
    const ct = state().containers.find((c) => c.instance === 'old83' && c.vmid === 200)!;
    expect(ct.ipAddresses).toEqual(
      [String(eth0.inet).split('/')[0], String(eth0.inet6).split('/')[0]].sort((a, b) => a.localeCompare(b)),
    );
    expect(ct.networkInterfaces).toEqual([{ name: 'eth0', mac: eth0.hwaddr, addresses: ct.ipAddresses }]);
    const stopped = state().containers.find((c) => c.instance === 'old83' && c.vmid === 201)!;
    expect(stopped.ipAddresses).toBeUndefined();
  });

  it('on 9.x the agent-style keys are there as well, and give the same addresses', async () => {
    const raw = (await pve('ceph9', '/nodes/c3/lxc/102/interfaces')) as Array<Record<string, unknown>>;
    expect(raw.every((i) => 'ip-addresses' in i && 'hwaddr' in i)).toBe(true);
    const ct = state().containers.find((c) => c.instance === 'ceph9' && c.vmid === 102)!;
    expect(ct.ipAddresses?.length).toBe(2);
  });
});

describe('ballooned VMs', () => {
  it('used memory matches PVE’s own mem within one point of the total shown', async () => {
    for (const [node, vmid] of [
      ['c1', 100],
      ['c2', 101],
    ] as const) {
      await pulse.deps.monitoring.pollNow();
      const cur = await pve('ceph9', `/nodes/${node}/qemu/${vmid}/status/current`);
      const vm = state().vms.find((v) => v.instance === 'ceph9' && v.vmid === vmid)!;
      // Pulse shows used of the balloon size (0 < balloon < maxmem); PVE's mem is total_mem − free_mem.
      expect(cur.balloon).toBeLessThan(cur.maxmem);
      expect(vm.memory!.total).toBe(cur.balloon);
      expect(cur.mem).toBe(cur.ballooninfo.total_mem - cur.ballooninfo.free_mem);
      const points = (Math.abs(vm.memory!.used - cur.mem) / vm.memory!.total) * 100;
      expect(points, `vm ${vmid}: used ${vm.memory!.used}, PVE mem ${cur.mem}`).toBeLessThanOrEqual(1);
    }
  });
});
