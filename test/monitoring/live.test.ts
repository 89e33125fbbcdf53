/**
 * Pulse polling the simulator's demo estate over HTTPS: configuration through the API, every
 * guest in the state with the simulator's values and stable IDs, changes within one interval,
 * a node going down and coming back, storage and backup routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import { api } from '../helpers/http.js';
import { startFastPulse, type TestPulse, untilCycles } from '../helpers/pulse.js';
import { control, pveBody, startSim } from '../helpers/sim.js';

let sim: Simulator;
let pulse: TestPulse;

beforeAll(async () => {
  sim = await startSim('demo');
  pulse = await startFastPulse();
});

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

const state = () => pulse.deps.state.get();

describe('configuring nodes', () => {
  it('test-connection reports the cluster', async () => {
    const r = await api(pulse.url, 'POST', '/api/config/nodes/test-connection', pveBody(sim));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'success', isCluster: true, nodeCount: 3, clusterNodeCount: 3 });
  });

  it('adds PVE (token, pinned), PVE (password), PBS and PMG; secrets are never returned', async () => {
    expect((await api(pulse.url, 'POST', '/api/config/nodes', pveBody(sim))).status).toBe(201);
    const standalone = sim.ready.pve[1];
    const add2 = await api(pulse.url, 'POST', '/api/config/nodes', {
      type: 'pve',
      name: standalone.name,
      host: standalone.url,
      user: standalone.user,
      password: standalone.password,
      verifySSL: false,
    });
    expect(add2.status).toBe(201);
    const pbs = sim.ready.pbs[0];
    expect(
      (
        await api(pulse.url, 'POST', '/api/config/nodes', {
          type: 'pbs',
          name: pbs.name,
          host: pbs.url,
          tokenName: pbs.tokenId,
          tokenValue: pbs.tokenSecret,
        })
      ).status,
    ).toBe(201);
    const pmg = sim.ready.pmg[0];
    expect(
      (
        await api(pulse.url, 'POST', '/api/config/nodes', {
          type: 'pmg',
          name: pmg.name,
          host: pmg.url,
          user: pmg.user,
          password: pmg.password,
        })
      ).status,
    ).toBe(201);

    const dup = await api(pulse.url, 'POST', '/api/config/nodes', pveBody(sim));
    expect(dup.status).toBe(409);
    const bad = await api(pulse.url, 'POST', '/api/config/nodes', { type: 'pve', host: 'h', tokenName: 'a@pve!x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/tokenValue/);

    const list = await api(pulse.url, 'GET', '/api/config/nodes');
    expect(list.body.map((n: { id: string }) => n.id)).toEqual(['pve-0', 'pve-1', 'pbs-0', 'pmg-0']);
    const text = JSON.stringify(list.body);
    for (const secret of [sim.ready.pve[0].tokenSecret, standalone.password, pbs.tokenSecret, pmg.password]) {
      expect(text).not.toContain(secret);
    }
    expect(list.body[0]).toMatchObject({ hasToken: true, hasPassword: false, tokenName: sim.ready.pve[0].tokenId });
    expect(list.body[1]).toMatchObject({ hasToken: false, hasPassword: true, user: 'root@pam' });
  });

  it('PBS and PMG test-connection, test-config and /:id/test', async () => {
    const pbs = sim.ready.pbs[0];
    const t = await api(pulse.url, 'POST', '/api/config/nodes/test-connection', {
      type: 'pbs',
      host: pbs.url,
      tokenName: pbs.tokenId,
      tokenValue: pbs.tokenSecret,
    });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ status: 'success', datastoreCount: pbs.datastores.length });
    const pmg = sim.ready.pmg[0];
    const c = await api(pulse.url, 'POST', '/api/config/nodes/test-config', {
      type: 'pmg',
      host: pmg.url,
      user: pmg.user,
      password: pmg.password,
    });
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('success');
    expect(typeof c.body.latency).toBe('number');
    const byId = await api(pulse.url, 'POST', '/api/config/nodes/pve-0/test');
    expect(byId.body).toMatchObject({ status: 'success' });
    const wrong = await api(pulse.url, 'POST', '/api/config/nodes/test-config', {
      type: 'pmg',
      host: pmg.url,
      user: pmg.user,
      password: 'wrong',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ status: 'error', code: 'auth' });
    const refused = await api(pulse.url, 'POST', '/api/config/nodes/test-connection', {
      type: 'pve',
      host: 'https://127.0.0.1:1',
      tokenName: 'a@pve!b',
      tokenValue: 'c',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('refused');
  });

  it('every simulated guest appears with the simulator values and stable IDs', async () => {
    await pulse.deps.monitoring.pollNow();
    for (const inst of sim.ready.pve) {
      const guests = (await control(sim, 'GET', `/guests/${inst.name}`)) as Array<Record<string, any>>;
      const live = guests.filter((g) => !g.template);
      for (const g of live) {
        const list = g.type === 'qemu' ? state().vms : state().containers;
        const id = inst.name === g.node ? `${g.node}-${g.vmid}` : `${inst.name}-${g.node}-${g.vmid}`;
        const mine = list.find((x) => x.id === id);
        expect(mine, `guest ${id}`).toBeDefined();
        expect(mine).toMatchObject({
          vmid: g.vmid,
          name: g.name,
          node: g.node,
          instance: inst.name,
          status: g.status,
          cpus: g.cpus,
        });
        if (g.type === 'qemu' && !g.balloon) expect(mine?.memory?.total).toBe(g.maxmem);
        if (g.tags.length) expect(mine?.tags).toBe(g.tags.join(','));
      }
      const mineCount = [...state().vms, ...state().containers].filter((x) => x.instance === inst.name).length;
      expect(mineCount).toBe(live.length);
    }
    // Templates are skipped; IDs are unique.
    const ids = [...state().vms, ...state().containers].map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(state().connectionHealth).toMatchObject({
      'pve-cluster': true,
      'pve-standalone': true,
      'pbs-pbs-main': true,
      'pmg-pmg-main': true,
    });
  });

  it('a metric changed through the control API shows up within one interval', async () => {
    const vm = state().vms.find((g) => g.instance === 'pve-cluster' && g.status === 'running')!;
    await control(sim, 'PUT', `/guests/pve-cluster/${vm.vmid}/metrics`, { cpu: 0.777 });
    const cycles = await untilCycles(pulse, 2, () => state().vms.find((g) => g.id === vm.id)?.cpu === 0.777);
    expect(cycles).toBeLessThanOrEqual(2);
    const node = state().nodes.find((n) => n.instance === 'pve-cluster')!;
    await control(sim, 'PUT', `/nodes/pve-cluster/${node.name}/metrics`, { cpu: 0.333 });
    await untilCycles(pulse, 2, () => state().nodes.find((n) => n.id === node.id)?.cpu === 0.333);
  });

  it('rates come from counter deltas', async () => {
    await untilCycles(pulse, 3, () => state().vms.some((g) => g.status === 'running' && g.networkIn > 0));
  });
});

describe('tickets and settings', () => {
  it('a password-configured node logs in again when its ticket expires', async () => {
    await control(sim, 'POST', '/auth/expire-tickets', { target: 'pve-standalone' });
    const seen = state().nodes.find((n) => n.instance === 'pve-standalone')!.lastSeen;
    await untilCycles(
      pulse,
      3,
      () => state().nodes.find((n) => n.instance === 'pve-standalone')!.lastSeen > seen,
      'pve-1',
    );
    expect(state().connectionHealth['pve-standalone']).toBe(true);
  });

  it('a changed polling interval takes effect without a restart', async () => {
    const m = pulse.deps.monitoring;
    expect(m.intervalMs('pbs')).toBe(1000);
    const r = await api(pulse.url, 'POST', '/api/system/settings/update', { pbsPollingInterval: 120 });
    expect(r.status).toBe(200);
    expect(m.intervalMs('pbs')).toBe(120_000);
    pulse.deps.systemSettings.save({ pbsPollingInterval: 1 });
    expect(m.intervalMs('pbs')).toBe(1000);
  });
});

describe('faults', () => {
  it('a node taken down goes offline within two intervals while others keep updating, and comes back', async () => {
    const before = state().nodes.find((n) => n.id === 'pve-cluster-pve1')!.lastSeen;
    await control(sim, 'POST', '/faults', { target: 'pve-cluster/pve2', kind: 'down' });
    await untilCycles(pulse, 2, () => state().nodes.find((n) => n.id === 'pve-cluster-pve2')?.status === 'offline');
    const pve1 = state().nodes.find((n) => n.id === 'pve-cluster-pve1')!;
    expect(pve1.status).toBe('online');
    expect(pve1.lastSeen).toBeGreaterThan(before);
    expect(state().nodes.find((n) => n.id === 'pve-standalone-minipc')?.status).toBe('online');
    await control(sim, 'DELETE', '/faults?target=pve-cluster/pve2');
    await untilCycles(pulse, 3, () => state().nodes.find((n) => n.id === 'pve-cluster-pve2')?.status === 'online');
  });

  it('an unreachable instance is marked and recovers by itself', async () => {
    await control(sim, 'POST', '/faults', { target: 'pve-standalone', kind: 'down' });
    await untilCycles(pulse, 2, () => state().connectionHealth['pve-standalone'] === false, 'pve-1');
    expect(state().nodes.find((n) => n.instance === 'pve-standalone')?.status).toBe('offline');
    const cfg = (await api(pulse.url, 'GET', '/api/config/nodes')).body.find((n: { id: string }) => n.id === 'pve-1');
    expect(cfg).toMatchObject({ status: 'disconnected', errorKind: 'refused' });
    // The cluster keeps updating meanwhile.
    const seen = state().nodes.find((n) => n.id === 'pve-cluster-pve1')!.lastSeen;
    await untilCycles(pulse, 3, () => state().nodes.find((n) => n.id === 'pve-cluster-pve1')!.lastSeen > seen);
    await control(sim, 'DELETE', '/faults?target=pve-standalone');
    await untilCycles(pulse, 6, () => state().connectionHealth['pve-standalone'] === true, 'pve-1');
  });

  it('a changed certificate under pinning is refused with the presented fingerprint', async () => {
    const fault = await control(sim, 'POST', '/faults', { target: 'pbs-main', kind: 'certchange' });
    // PBS has no fingerprint pinned: test-connection with the old pin must refuse the new certificate.
    const pbs = sim.ready.pbs[0];
    const r = await api(pulse.url, 'POST', '/api/config/nodes/test-connection', {
      type: 'pbs',
      host: pbs.url,
      tokenName: pbs.tokenId,
      tokenValue: pbs.tokenSecret,
      fingerprint: pbs.fingerprint,
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('tls');
    expect(r.body.fingerprint).toBe(fault.fingerprint);
    expect(r.body.error).toContain(fault.fingerprint);
    await control(sim, 'DELETE', '/faults?target=pbs-main');
  });

  it('a pinned instance whose certificate changes goes offline with a TLS error', async () => {
    const fault = await control(sim, 'POST', '/faults', { target: 'pve-cluster', kind: 'certchange' });
    await untilCycles(pulse, 4, () => state().connectionHealth['pve-cluster'] === false);
    const cfg = (await api(pulse.url, 'GET', '/api/config/nodes')).body.find((n: { id: string }) => n.id === 'pve-0');
    expect(cfg.errorKind).toBe('tls');
    expect([fault.fingerprint, ...sim.ready.pve[0].nodes.map(() => fault.fingerprint)]).toContain(
      cfg.presentedFingerprint,
    );
    await control(sim, 'DELETE', '/faults?target=pve-cluster');
    await untilCycles(pulse, 6, () => state().connectionHealth['pve-cluster'] === true);
  });
});

describe('views', () => {
  it('storage: shared once with its nodes; /api/storage and /api/storage/:id', async () => {
    const shared = state().storage.filter((s) => s.instance === 'pve-cluster' && s.shared);
    expect(shared.length).toBeGreaterThan(0);
    for (const s of shared) {
      expect(s.node).toBe('cluster');
      expect(s.nodeCount).toBe(s.nodes?.length);
      expect(state().storage.filter((x) => x.instance === 'pve-cluster' && x.name === s.name)).toHaveLength(1);
    }
    const all = await api(pulse.url, 'GET', '/api/storage/');
    expect(all.status).toBe(200);
    expect(all.body.data.length).toBe(state().storage.length);
    const one = await api(pulse.url, 'GET', `/api/storage/${encodeURIComponent(shared[0].id)}`);
    expect(one.body.data.id).toBe(shared[0].id);
    expect(one.body.data.avail).toBeUndefined();
    expect(Number.isInteger(one.body.timestamp)).toBe(true);
    const none = await api(pulse.url, 'GET', '/api/storage/nope');
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ code: 'storage_not_found' });
  });

  it('PBS and PMG appear with datastores and mail data', async () => {
    await untilCycles(pulse, 3, () => (state().pbs[0]?.datastores?.length ?? 0) > 0, 'pbs-0');
    const pbs = state().pbs[0];
    expect(pbs).toMatchObject({ id: 'pbs-pbs-main', status: 'online', connectionHealth: 'healthy' });
    expect(pbs.datastores.map((d) => d.name).sort()).toEqual([...sim.ready.pbs[0].datastores].sort());
    const pmg = state().pmg[0];
    expect(pmg).toMatchObject({ id: 'pmg-pmg-main', status: 'online' });
    expect(pmg.nodes?.map((n) => n.name).sort()).toEqual([...sim.ready.pmg[0].nodes].sort());
  });

  it('backup routes answer in the contract shapes', async () => {
    const b = await api(pulse.url, 'GET', '/api/backups');
    expect(Object.keys(b.body).sort()).toEqual(['backupTasks', 'guestSnapshots', 'pbsBackups', 'storageBackups']);
    expect((await api(pulse.url, 'GET', '/api/backups/unified')).body).toEqual(b.body);
    expect(Object.keys((await api(pulse.url, 'GET', '/api/backups/pve')).body)).toEqual(['backups']);
    expect((await api(pulse.url, 'GET', '/api/backups/pbs')).body.instances[0].id).toBe('pbs-pbs-main');
    expect(Array.isArray((await api(pulse.url, 'GET', '/api/snapshots')).body.snapshots)).toBe(true);
  });

  it('system settings: validated, stored, visible', async () => {
    const bad = await api(pulse.url, 'POST', '/api/system/settings/update', { pbsPollingInterval: 5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/pbsPollingInterval/);
    const ok = await api(pulse.url, 'POST', '/api/system/settings/update', { theme: 'dark' });
    expect(ok.body).toEqual({ success: true });
    expect((await api(pulse.url, 'GET', '/api/system/settings')).body.theme).toBe('dark');
    expect((await api(pulse.url, 'GET', '/api/config/system')).body).toMatchObject({
      theme: 'dark',
      pvePollingInterval: 1,
    });
  });
});
