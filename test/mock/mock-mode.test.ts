/** Mock mode: the generated fleet replaces the live picture and polling; disabling restores both. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { DEFAULT_MOCK_CONFIG, generateFleet, mergeMockConfig, seededRandom } from '../../src/mock/fleet.js';
import { parseNodeInput } from '../../src/settings/node-config.js';
import { api } from '../helpers/http.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';

const TOKEN = 'd4'.repeat(32);

describe('mock fleet (pure)', () => {
  it('follows the config: counts, stopped share, high-load nodes', () => {
    const cfg = mergeMockConfig(DEFAULT_MOCK_CONFIG, {
      nodeCount: 4,
      vmsPerNode: 10,
      lxcsPerNode: 5,
      stoppedPercent: 1,
      highLoadNodes: ['pve3'],
    });
    const f = generateFleet(cfg, 1000, seededRandom(3));
    expect(f.nodes.map((n) => n.name)).toEqual(['pve1', 'pve2', 'pve3', 'pve4']);
    expect(f.vms).toHaveLength(40);
    expect(f.containers).toHaveLength(20);
    expect([...f.vms, ...f.containers].every((g) => g.status === 'stopped' && g.cpu === 0)).toBe(true);
    expect(f.nodes[2].cpu).toBeGreaterThanOrEqual(0.85);
    expect(new Set([...f.vms, ...f.containers].map((g) => g.vmid)).size).toBe(60);
    expect(() => mergeMockConfig(DEFAULT_MOCK_CONFIG, { nodeCount: 0 })).toThrow(/nodeCount/);
    expect(() => mergeMockConfig(DEFAULT_MOCK_CONFIG, { stoppedPercent: 1.5 })).toThrow(/stoppedPercent/);
  });
});

describe('mock mode API', () => {
  let sim: Simulator;
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const dataDir = tempDir();
  const call = (method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
    api(pulse.url, method, path, body, token ? { 'x-api-token': token } : {});
  const simNodeCount = () => pulse.deps.state.get().nodes.filter((n) => n.instance !== 'mock-cluster').length;

  beforeAll(async () => {
    sim = await startSimulator({ estate: 'small', seed: 9, port: 0 });
    pulse = await startTestPulse({ dataDir, env: { API_TOKENS: TOKEN } });
    const pve = sim.ready.pve[0];
    await pulse.deps.monitoring.addNode(
      parseNodeInput({ type: 'pve', name: 'sim', host: pve.url, tokenName: pve.tokenId, tokenValue: pve.tokenSecret }),
    );
    await pulse.deps.monitoring.pollNow();
  });
  afterAll(async () => {
    await pulse?.close();
    await sim?.stop();
  });

  it('GET reports the PascalCase config; writes need an admin', async () => {
    expect(simNodeCount()).toBeGreaterThan(0);
    const res = await call('GET', '/api/system/mock-mode');
    expect(res.body).toEqual({
      enabled: false,
      config: {
        NodeCount: 7,
        VMsPerNode: 5,
        LXCsPerNode: 8,
        DockerHostCount: 0,
        DockerContainersPerHost: 0,
        RandomMetrics: true,
        HighLoadNodes: [],
        StoppedPercent: 0.2,
      },
    });
    expect((await call('POST', '/api/system/mock-mode', { enabled: true }, null)).status).toBe(401);
    for (const bad of [
      { enabled: 'yes' },
      { config: { nodeCount: 0 } },
      { config: { stoppedPercent: 2 } },
      { config: { dockerHostCount: 3 } },
      { config: [] },
    ]) {
      expect((await call('POST', '/api/system/mock-mode', bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect((await call('POST', '/api/system/mock-mode', { config: { nodeCount: 0 } })).body).toEqual({
      error: 'body.config.nodeCount must be >= 1',
      field: 'config.nodeCount',
    });
    // PascalCase is checked by the same rules.
    expect((await call('POST', '/api/system/mock-mode', { config: { NodeCount: 0 } })).body.field).toBe('nodeCount');
    expect((await call('GET', '/api/system/mock-mode')).body.enabled).toBe(false);
  });

  it('enabling replaces the state with the fleet and pauses polling; PUT regenerates', async () => {
    const on = await call('POST', '/api/system/mock-mode', {
      enabled: true,
      config: {
        nodeCount: 3,
        vmsPerNode: 2,
        lxcsPerNode: 1,
        stoppedPercent: 0,
        highLoadNodes: ['pve2'],
        randomMetrics: false,
      },
    });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({
      enabled: true,
      config: { NodeCount: 3, VMsPerNode: 2, LXCsPerNode: 1, HighLoadNodes: ['pve2'] },
    });
    const s = pulse.deps.state.get();
    expect(s.nodes.map((n) => n.id)).toEqual(['mock-cluster-pve1', 'mock-cluster-pve2', 'mock-cluster-pve3']);
    expect(s.vms).toHaveLength(6);
    expect(s.containers).toHaveLength(3);
    expect([...s.vms, ...s.containers].every((g) => g.status === 'running')).toBe(true);
    expect(s.nodes[1].cpu).toBeGreaterThanOrEqual(0.85);
    expect(simNodeCount()).toBe(0);
    expect(pulse.deps.monitoring.pollers()).toHaveLength(0);
    const api = (await call('GET', '/api/state')).body;
    expect(api.nodes).toHaveLength(3);

    const put = await call('PUT', '/api/system/mock-mode', { config: { stoppedPercent: 1 } });
    expect(put.body).toMatchObject({ enabled: true, config: { StoppedPercent: 1 } });
    expect(pulse.deps.state.get().vms.every((g) => g.status === 'stopped')).toBe(true);
  });

  it('the mode survives a restart', async () => {
    await pulse.close();
    pulse = await startTestPulse({ dataDir, env: { API_TOKENS: TOKEN } });
    expect((await call('GET', '/api/system/mock-mode')).body.enabled).toBe(true);
    expect(pulse.deps.state.get().nodes).toHaveLength(3);
    expect(simNodeCount()).toBe(0);
  });

  it('disabling clears the fleet and resumes real polling', async () => {
    const off = await call('POST', '/api/system/mock-mode', { enabled: false });
    expect(off.body.enabled).toBe(false);
    expect(pulse.deps.state.get().nodes.some((n) => n.instance === 'mock-cluster')).toBe(false);
    expect(pulse.deps.monitoring.pollers()).toHaveLength(1);
    await pulse.deps.monitoring.pollNow();
    expect(simNodeCount()).toBeGreaterThan(0);
    expect(pulse.deps.state.get().vms.some((g) => g.instance === 'mock-cluster')).toBe(false);
  });
});
