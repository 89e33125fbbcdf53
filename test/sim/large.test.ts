/** The `large` estate: 200 cluster members on their own ports, 10,000 guests, gzip for big replies. */
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { pveToken, request } from './client.js';

function getRaw(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { headers, rejectUnauthorized: false, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('simulator: large estate', () => {
  let sim: Simulator;
  let auth: Record<string, string>;
  beforeAll(async () => {
    sim = await startSimulator({ estate: 'large' });
    auth = pveToken(sim.ready.pve[0].tokenId, sim.ready.pve[0].tokenSecret);
  });
  afterAll(() => sim.stop());

  it('200 members, each on its own HTTPS port with its own certificate', async () => {
    const nodes = sim.ready.pve[0].nodes;
    expect(nodes).toHaveLength(200);
    expect(new Set(nodes.map((n) => n.url)).size).toBe(200);
    expect(new Set(nodes.map((n) => n.fingerprint)).size).toBe(200);
    const last = await request(`${nodes[199].url}/api2/json/cluster/status`, { headers: auth });
    expect(last.json.data.find((x: { local: number }) => x.local === 1).name).toBe('node200');
  });

  it('/cluster/resources lists 10,000 guests and 200 nodes; gzip when accepted', async () => {
    const url = `${sim.ready.pve[0].url}/api2/json/cluster/resources`;
    const plain = await getRaw(url, auth);
    const data = JSON.parse(plain.body.toString()).data as Array<{ type: string }>;
    expect(data.filter((r) => r.type === 'qemu' || r.type === 'lxc')).toHaveLength(10_000);
    expect(data.filter((r) => r.type === 'node')).toHaveLength(200);
    const gz = await getRaw(url, { ...auth, 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(plain.body.length / 2);
    expect(JSON.parse(gunzipSync(gz.body).toString()).data).toHaveLength(data.length);
  });
});
