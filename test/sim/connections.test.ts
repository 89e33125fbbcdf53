/**
 * Connection reuse as the real servers allow it. PVE's and PMG's API server
 * (PVE::APIServer::AnyEvent, started with keep_alive => 100) answers at most 100 requests on one
 * connection and closes it after any answer from 400 up; PBS's proxy is another server.
 */
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { ProxmoxClient } from '../../src/proxmox/client.js';
import { pbsToken, pveToken } from './client.js';

interface Answer {
  status: number;
  connection: string | undefined;
  /** Whether the request went out on a connection an earlier request had opened. */
  reused: boolean;
}

/** One GET on `agent`, which holds at most one keep-alive connection. */
function get(agent: https.Agent, url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { headers, agent, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, reused: req.reusedSocket }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const oneConnection = () => new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });

describe('simulator: connections close as on real hosts', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo' });
  });
  afterAll(() => sim.stop());

  it('PVE answers 100 requests on a connection, then closes it', async () => {
    const pve = sim.ready.pve[0];
    const agent = oneConnection();
    const answers: Answer[] = [];
    for (let i = 0; i < 101; i++)
      answers.push(await get(agent, `${pve.url}/api2/json/version`, pveToken(pve.tokenId, pve.tokenSecret)));
    agent.destroy();
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.slice(0, 99).every((a) => a.connection === 'keep-alive')).toBe(true);
    expect(answers[99].connection).toBe('close');
    expect(answers.map((a, i) => (a.reused ? -1 : i)).filter((i) => i >= 0)).toEqual([0, 100]);
  });

  it('PVE closes the connection after an error answer; PBS keeps it', async () => {
    const pve = sim.ready.pve[0];
    const pveAgent = oneConnection();
    const pveHeaders = pveToken(pve.tokenId, pve.tokenSecret);
    const refused = await get(pveAgent, `${pve.url}/api2/json/nodes/no-such-node/status`, pveHeaders);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.connection).toBe('close');
    const after = await get(pveAgent, `${pve.url}/api2/json/version`, pveHeaders);
    expect(after).toMatchObject({ status: 200, reused: false });
    pveAgent.destroy();

    const pbs = sim.ready.pbs[0];
    const pbsAgent = oneConnection();
    const pbsHeaders = pbsToken(pbs.tokenId, pbs.tokenSecret);
    const pbsRefused = await get(pbsAgent, `${pbs.url}/api2/json/admin/datastore/no-such-store/status`, pbsHeaders);
    expect(pbsRefused.status).toBeGreaterThanOrEqual(400);
    expect(pbsRefused.connection).not.toBe('close');
    expect(await get(pbsAgent, `${pbs.url}/api2/json/version`, pbsHeaders)).toMatchObject({
      status: 200,
      reused: true,
    });
    pbsAgent.destroy();
  });

  it("Pulse's client opens a new connection only when the host has closed one", async () => {
    const pve = sim.ready.pve[0];
    const ep = sim.core.endpoints.find((e) => e.url === pve.url);
    if (!ep) throw new Error('no endpoint for the first PVE node');
    let connections = 0;
    const count = () => connections++;
    ep.server.on('secureConnection', count);
    const client = new ProxmoxClient({
      product: 'pve',
      baseUrl: pve.url,
      verifySSL: true,
      fingerprint: pve.fingerprint,
      timeoutMs: 10_000,
      tokenId: pve.tokenId,
      tokenSecret: pve.tokenSecret,
      connections: 1,
    });
    try {
      for (let i = 0; i < 350; i++) await client.get('/version');
      // 350 calls, 100 per connection: four connections (undici's Agent opened one per call
      // once the host had closed the first).
      expect(connections).toBe(4);
      // An error answer closes the connection too; the next call opens one.
      await expect(client.get('/nodes/no-such-node/status')).rejects.toThrow();
      await client.get('/version');
      expect(connections).toBe(5);
    } finally {
      ep.server.off('secureConnection', count);
      await client.close();
    }
  });
});
