/** The control API's request log: the GET requests answered while it was open, and nothing else. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { control, pveToken, request } from './client.js';

let sim: Simulator;
let get: (path: string) => Promise<number>;

beforeAll(async () => {
  sim = await startSimulator({ estate: 'demo' });
  const pve = sim.ready.pve[0];
  const auth = pveToken(pve.tokenId, pve.tokenSecret);
  get = async (path) => (await request(`${pve.url}/api2/json${path}`, { headers: auth })).status;
});
afterAll(() => sim?.stop());

it('logs the GET requests answered while recording, with their query as sent', async () => {
  await get('/version');
  expect((await control(sim.controlUrl, 'POST', '/requests/log', { record: true })).json).toEqual({
    recording: true,
    count: 0,
  });
  expect(await get('/cluster/resources?type=vm')).toBe(200);
  expect(await get('/nodes')).toBe(200);
  // A refused request is logged too: the floor replays what the client asked.
  expect(await get('/nodes/no-such-node/qemu')).not.toBe(200);
  const stopped = await control(sim.controlUrl, 'POST', '/requests/log', { record: false });
  expect(stopped.json).toEqual({ recording: false, count: 3 });
  await get('/version');
  const log = await control(sim.controlUrl, 'GET', '/requests/log');
  expect(log.json).toEqual({
    recording: false,
    requests: ['/cluster/resources?type=vm', '/nodes', '/nodes/no-such-node/qemu'],
  });
});

it('a new log starts empty, and a body without a boolean is refused', async () => {
  await control(sim.controlUrl, 'POST', '/requests/log', { record: true });
  await get('/cluster/status');
  await control(sim.controlUrl, 'POST', '/requests/log', { record: true });
  await get('/nodes');
  await control(sim.controlUrl, 'POST', '/requests/log', { record: false });
  expect((await control(sim.controlUrl, 'GET', '/requests/log')).json.requests).toEqual(['/nodes']);
  const bad = await control(sim.controlUrl, 'POST', '/requests/log', { record: 'yes' });
  expect(bad.status).toBe(400);
  expect(bad.json.error).toMatch(/record must be true or false/);
});
