/**
 * Cluster members added twice are merged (no duplicate guests) and used for failover; a token
 * without a privilege yields per-feature messages; configured nodes survive a restart.
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

describe('cluster members', () => {
  it('adding a second member of a monitored cluster merges it: no duplicate guests', async () => {
    expect((await api(pulse.url, 'POST', '/api/config/nodes', pveBody(sim))).status).toBe(201);
    await pulse.deps.monitoring.pollNow();
    const guests = state().vms.length + state().containers.length;
    expect(guests).toBeGreaterThan(0);

    const member = sim.ready.pve[0].nodes[1];
    const r = await api(pulse.url, 'POST', '/api/config/nodes', {
      ...pveBody(sim),
      name: 'second-entry',
      host: member.url,
      fingerprint: member.fingerprint,
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'success', mergedInto: 'pve-0' });
    const list = (await api(pulse.url, 'GET', '/api/config/nodes')).body;
    expect(list).toHaveLength(1);
    await pulse.deps.monitoring.pollNow();
    expect(state().vms.length + state().containers.length).toBe(guests);
  });

  it('fails over to another member when the configured endpoint dies, keeping IDs', async () => {
    const ids = state()
      .vms.map((g) => g.id)
      .sort();
    await control(sim, 'POST', '/faults', { target: 'pve-cluster/pve1', kind: 'down' });
    await untilCycles(pulse, 4, () => {
      const n = state().nodes.find((x) => x.id === 'pve-cluster-pve2');
      return n?.status === 'online' && state().nodes.find((x) => x.id === 'pve-cluster-pve1')?.status === 'offline';
    });
    expect(state().connectionHealth['pve-cluster']).toBe(true);
    const cfg = (await api(pulse.url, 'GET', '/api/config/nodes')).body[0];
    expect(cfg.activeEndpoint).toBe(sim.ready.pve[0].nodes[1].url);
    const members = Object.fromEntries(
      cfg.clusterEndpoints.map((e: { NodeName: string; Online: boolean }) => [e.NodeName, e.Online]),
    );
    expect(members).toEqual({ pve1: false, pve2: true, pve3: true });
    expect(
      state()
        .vms.map((g) => g.id)
        .sort(),
    ).toEqual(ids);
    expect(state().nodes.find((x) => x.id === 'pve-cluster-pve2')?.connectionHealth).toBe('degraded');
    await control(sim, 'DELETE', '/faults?target=pve-cluster/pve1');
  });
});

describe('missing privileges', () => {
  const ro = { tokenId: 'mon@pve!ro', secret: 'ro-secret-1' };

  beforeAll(async () => {
    await control(sim, 'POST', '/credentials', {
      target: 'pve-standalone',
      tokenId: ro.tokenId,
      secret: ro.secret,
      acl: { '/': ['Sys.Audit'], '/storage': ['Datastore.Audit'] },
    });
  });

  const body = () => ({
    type: 'pve',
    name: 'restricted',
    host: sim.ready.pve[1].url,
    tokenName: ro.tokenId,
    tokenValue: ro.secret,
  });

  it('test-connection names the missing privilege and the feature it breaks', async () => {
    const r = await api(pulse.url, 'POST', '/api/config/nodes/test-connection', body());
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('success');
    expect(r.body.warnings.join('\n')).toMatch(/VM\.Audit.*VMs and containers/);
    expect(r.body.message).toMatch(/missing VM\.Audit \(VMs and containers\)/);
  });

  it('the node status carries the same message instead of a silent empty list', async () => {
    expect((await api(pulse.url, 'POST', '/api/config/nodes', body())).status).toBe(201);
    const uid = pulse.deps.monitoring.nodes.byPublicId('pve-1')!.uid;
    await pulse.deps.monitoring.pollNow(uid);
    const cfg = (await api(pulse.url, 'GET', '/api/config/nodes')).body.find((n: { id: string }) => n.id === 'pve-1');
    expect(cfg.status).toBe('connected');
    expect(cfg.warnings.join('\n')).toMatch(/VM\.Audit.*VMs and containers/);
  });

  it('a revoked token is a clear authentication error', async () => {
    await control(sim, 'POST', '/faults', { target: 'pve-standalone', kind: 'tokenrevoked', tokenId: ro.tokenId });
    const r = await api(pulse.url, 'POST', '/api/config/nodes/test-connection', body());
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('auth');
    expect(r.body.error).toMatch(/Authentication failed/);
    // Five failed logins in a row: the instance becomes one "<instance>-failed" offline node.
    const uid = pulse.deps.monitoring.nodes.byPublicId('pve-1')!.uid;
    for (let i = 0; i < 5; i++) await pulse.deps.monitoring.pollNow(uid);
    const mine = state().nodes.filter((n) => n.instance === 'restricted');
    expect(mine.map((n) => [n.id, n.status])).toEqual([['restricted-failed', 'offline']]);
    expect(state().connectionHealth.restricted).toBe(false);
    const cfg = (await api(pulse.url, 'GET', '/api/config/nodes')).body.find((n: { id: string }) => n.id === 'pve-1');
    expect(cfg).toMatchObject({ status: 'disconnected', errorKind: 'auth' });
    await control(sim, 'DELETE', '/faults?target=pve-standalone');
    await pulse.deps.monitoring.pollNow(uid);
    expect(state().nodes.some((n) => n.instance === 'restricted' && n.status === 'online')).toBe(true);
  });
});

describe('restart', () => {
  it('keeps configured nodes and polls them again', async () => {
    const dataDir = pulse.dataDir;
    const before = (await api(pulse.url, 'GET', '/api/config/nodes')).body;
    await pulse.close();
    pulse = await startFastPulse(dataDir);
    const after = (await api(pulse.url, 'GET', '/api/config/nodes')).body;
    expect(after.map((n: { id: string; name: string }) => [n.id, n.name])).toEqual(
      before.map((n: { id: string; name: string }) => [n.id, n.name]),
    );
    await pulse.deps.monitoring.pollNow();
    expect(state().vms.length).toBeGreaterThan(0);
  });

  it('update and delete by positional id', async () => {
    const upd = await api(pulse.url, 'PUT', '/api/config/nodes/pve-1', { name: 'renamed', tokenValue: '' });
    expect(upd.status).toBe(200);
    expect((await api(pulse.url, 'GET', '/api/config/nodes')).body[1]).toMatchObject({
      name: 'renamed',
      hasToken: true,
    });
    expect((await api(pulse.url, 'DELETE', '/api/config/nodes/pve-1')).status).toBe(200);
    expect((await api(pulse.url, 'DELETE', '/api/config/nodes/pve-9')).status).toBe(404);
    await pulse.deps.monitoring.pollNow();
    expect(state().nodes.every((n) => n.instance === 'pve-cluster')).toBe(true);
  });
});
