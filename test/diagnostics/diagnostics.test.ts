/** /api/diagnostics: live probes of configured instances (simulator), without leaking secrets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { parseNodeInput } from '../../src/settings/node-config.js';
import { startTestPulse } from '../helpers/pulse.js';

describe('diagnostics', () => {
  let sim: Simulator;
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;

  beforeAll(async () => {
    sim = await startSimulator({ estate: 'small', seed: 5, port: 0 });
    pulse = await startTestPulse();
    const m = pulse.deps.monitoring;
    const pve = sim.ready.pve[0];
    const pbs = sim.ready.pbs[0];
    await m.addNode(
      parseNodeInput({ type: 'pve', name: 'good', host: pve.url, tokenName: pve.tokenId, tokenValue: pve.tokenSecret }),
    );
    await m.addNode(
      parseNodeInput({ type: 'pbs', name: 'backup', host: pbs.url, user: pbs.user, password: pbs.password }),
    );
    await m.addNode(
      parseNodeInput({
        type: 'pve',
        name: 'wrong-secret',
        host: `${pve.url.replace('127.0.0.1', 'localhost')}`,
        tokenName: pve.tokenId,
        tokenValue: 'deadbeef-0000-0000-0000-000000000000',
      }),
    );
    await m.addNode(
      parseNodeInput({
        type: 'pmg',
        name: 'nowhere',
        host: 'https://127.0.0.1:1',
        user: 'root',
        password: 'hunter2-secret',
      }),
    );
  });
  afterAll(async () => {
    await pulse?.close();
    await sim?.stop();
  });

  it('reports each instance with auth method, live result and system facts', async () => {
    const res = await fetch(`${pulse.url}/api/diagnostics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [sim.ready.pve[0].tokenSecret, sim.ready.pbs[0].password, 'hunter2-secret', 'deadbeef-0000']) {
      expect(text).not.toContain(secret);
    }
    const body = JSON.parse(text);
    expect(body).toMatchObject({ runtime: 'node', errors: [] });
    expect(body.version).toMatch(/^v\d+\.\d+\.\d+/);
    expect(body.system).toMatchObject({ arch: process.arch, nodeVersion: process.version });
    expect(body.system.numCPU).toBeGreaterThan(0);
    expect(body.system.memoryMB).toBeGreaterThan(0);
    expect(body.services).toMatchObject({ mockMode: false, activeAlerts: expect.any(Number) });
    expect(body.services.updates.status).toBe('idle');

    // PVE under nodes, PBS under pbs, PMG apart (wire-contract §10).
    expect(body.nodes.map((n: { type: string }) => n.type)).toEqual(['pve', 'pve']);
    expect(body.pmg.map((n: { id: string }) => n.id)).toEqual(['pmg-0']);
    const byName = Object.fromEntries(
      [...body.nodes, ...body.pbs, ...body.pmg].map((n: Record<string, any>) => [n.name, n]),
    );
    expect(byName.good).toMatchObject({ id: 'pve-0', type: 'pve', authMethod: 'api_token', connected: true });
    expect(byName.good.latency).toBeGreaterThanOrEqual(0);
    expect(byName.good.details.node_count).toBeGreaterThan(0);
    expect(byName.backup).toMatchObject({ id: 'pbs-0', authMethod: 'username_password', connected: true });
    expect(body.pbs).toHaveLength(1);
    expect(byName['wrong-secret']).toMatchObject({ id: 'pve-1', connected: false });
    expect(byName['wrong-secret'].error).toMatch(/auth|401|token/i);
    expect(byName.nowhere).toMatchObject({ id: 'pmg-0', connected: false });
    expect(byName.nowhere.error.length).toBeGreaterThan(0);
  });
});
