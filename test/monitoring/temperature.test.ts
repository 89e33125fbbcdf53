/**
 * Node temperatures end to end: Pulse polls the simulated cluster over HTTPS and reads
 * `sensors -j` from each node over the simulator's real SSH servers. The nodes in /api/state
 * carry the simulator's readings, NVMe readings land on the physical disks, a changed reading
 * shows after the refresh period, one node's SSH failing leaves the rest alone, and
 * verify-temperature-ssh reports per node (admin or setup token only).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { generateSshKeyPair } from '../../sim/ssh-server.js';
import type { Alert, Node } from '../../src/model/state.js';
import { api } from '../helpers/http.js';
import { startTestPulse, type TestPulse, tempDir, untilCycles } from '../helpers/pulse.js';
import { control, pveBody } from '../helpers/sim.js';

const keys = generateSshKeyPair();
const AUTH = `Basic ${Buffer.from('admin:temperature-test-pw').toString('base64')}`;
const INST = 'pve-cluster';
let sim: Simulator;
let pulse: TestPulse;

const call = (method: string, url: string, body?: unknown, headers: Record<string, string> = { authorization: AUTH }) =>
  api(pulse.url, method, url, body, headers);

const nodes = () => pulse.deps.state.get().nodes.filter((n) => n.instance === INST);
const node = (name: string) => nodes().find((n) => n.name === name) as Node;
interface SshView {
  instance: string;
  node: string;
  temperatures: { cpuPackage: number; cores: number[]; nvme: number[] };
}
const simNode = async (name: string) =>
  ((await control(sim, 'GET', '/ssh')) as SshView[]).find((n) => n.instance === INST && n.node === name)!;

beforeAll(async () => {
  sim = await startSimulator({ estate: 'demo', seed: 42, ssh: { authorizedKeys: [keys.public] } });
  const dataDir = tempDir();
  fs.mkdirSync(path.join(dataDir, '.ssh'));
  fs.writeFileSync(path.join(dataDir, '.ssh', 'id_ed25519'), keys.private, { mode: 0o600 });
  // The simulated members' `ip` (10.0.x.y) is not reachable: point Pulse at the per-node SSH ports.
  const hosts = sim.ssh!.list().map((n) => `${n.node}=${n.host}:${n.port}`);
  pulse = await startTestPulse({
    dataDir,
    env: {
      PULSE_AUTH_USER: 'admin',
      PULSE_AUTH_PASS: 'temperature-test-pw',
      PULSE_SENSORS_SSH_HOSTS: hosts.join(','),
      PULSE_SENSORS_REFRESH_SECONDS: '2',
    },
  });
  pulse.deps.systemSettings.save({ pvePollingInterval: 1, pbsPollingInterval: 1, pmgPollingInterval: 1 });
  expect((await call('POST', '/api/config/nodes', pveBody(sim))).status).toBe(201);
});

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

describe('node temperatures over SSH', () => {
  it('every online node carries the simulator readings; NVMe readings reach the physical disks', async () => {
    await control(sim, 'PUT', `/ssh/${INST}/pve1`, { nvme: [44.6] });
    await untilCycles(pulse, 40, () => nodes().length === 3 && nodes().every((n) => n.temperature?.available));
    const state = (await call('GET', '/api/state')).body;
    for (const name of ['pve1', 'pve2', 'pve3']) {
      const n = state.nodes.find((x: Node) => x.instance === INST && x.name === name);
      const want = (await simNode(name)).temperatures;
      expect(n.temperature).toMatchObject({ available: true, hasCPU: true, hasNVMe: true });
      // The simulator's reading wanders with its CPU load between the read and now.
      expect(Math.abs(n.temperature.cpuPackage - want.cpuPackage)).toBeLessThanOrEqual(3);
      expect(n.temperature.cores).toHaveLength(want.cores.length);
      expect(n.temperature.cpuMax).toBe(Math.max(...n.temperature.cores.map((c: { temp: number }) => c.temp)));
      expect(n.temperature.nvme).toHaveLength(1);
      expect(n.temperature.nvme[0].device).toBe('nvme0100');
      expect(n.temperature.lastUpdate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    }
    await untilCycles(pulse, 20, () =>
      pulse.deps.state
        .get()
        .physicalDisks.some((d) => d.node === 'pve1' && d.devPath === '/dev/nvme0n1' && d.temperature === 45),
    );
    const disks = pulse.deps.state.get().physicalDisks.filter((d) => d.node === 'pve1');
    expect(disks.filter((d) => d.devPath !== '/dev/nvme0n1').every((d) => d.temperature === 0)).toBe(true);
  });

  it('a temperature changed on the node shows after the refresh period and raises the node alert', async () => {
    await control(sim, 'PUT', `/ssh/${INST}/pve2`, { cpuPackage: 91 });
    await untilCycles(pulse, 20, () => node('pve2').temperature?.cpuPackage === 91);
    const alertId = `${node('pve2').id}-temperature`;
    let alert: Alert | undefined;
    await untilCycles(pulse, 30, () => {
      alert = pulse.deps.state.get().activeAlerts.find((a) => a.id === alertId);
      return alert !== undefined;
    });
    expect(alert).toMatchObject({ type: 'temperature', level: 'critical', value: 91 });
    await control(sim, 'PUT', `/ssh/${INST}/pve2`, { cpuPackage: null });
  });

  it("one node's SSH failing leaves the other nodes' temperatures and the poll alone", async () => {
    await control(sim, 'PUT', `/ssh/${INST}/pve3`, { mode: 'down' });
    await untilCycles(pulse, 20, () => node('pve3').temperature === undefined);
    const before = pulse.deps.state.get().stats.pollingCycles;
    await untilCycles(pulse, 3, () => pulse.deps.state.get().stats.pollingCycles >= before + 2);
    expect(node('pve3').status).toBe('online');
    expect(node('pve1').temperature?.available).toBe(true);
    expect(node('pve2').temperature?.available).toBe(true);
    expect(nodes().every((n) => n.connectionHealth === 'healthy')).toBe(true);
    expect(pulse.deps.temperature.failure(INST, 'pve3')).toBe('refused');
    await control(sim, 'PUT', `/ssh/${INST}/pve3`, { mode: 'ok' });
    await untilCycles(pulse, 20, () => node('pve3').temperature?.available === true);
  });
});

describe('POST /api/system/verify-temperature-ssh', () => {
  const path = '/api/system/verify-temperature-ssh';

  it('reports per node: OK with the CPU reading, or the exact failure', async () => {
    await control(sim, 'PUT', `/ssh/${INST}/pve2`, { mode: 'nosensors' });
    await control(sim, 'PUT', `/ssh/${INST}/pve3`, { mode: 'down' });
    await control(sim, 'PUT', `/ssh/${INST}/pve1`, { cpuPackage: 52 });
    try {
      const r = await call('POST', path, { nodes: 'pve1 pve2 pve3' });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(r.text).toMatch(/^OK {3}pve1 \(127\.0\.0\.1:\d+\): CPU 52\.0°C, \d+ core sensors?, 1 NVMe drive$/m);
      expect(r.text).toMatch(/^FAIL pve2 .*\[sensors-missing\] sensors is not installed/m);
      expect(r.text).toMatch(/^FAIL pve3 .*\[refused\] connection refused/m);
      expect(r.text).toContain('1 of 3 nodes OK');
    } finally {
      await control(sim, 'PUT', `/ssh/${INST}/pve2`, { mode: 'ok' });
      await control(sim, 'PUT', `/ssh/${INST}/pve3`, { mode: 'ok' });
      await control(sim, 'PUT', `/ssh/${INST}/pve1`, { cpuPackage: null });
    }
  });

  it('needs an admin or a setup token; bad input is a 400', async () => {
    expect((await call('POST', path, { nodes: 'pve1' }, {})).status).toBe(401);
    expect((await call('POST', path, { nodes: 'pve1' }, { 'x-setup-token': 'ABCDEF' })).status).toBe(401);
    const issued = await call('POST', '/api/setup-script-url', { type: 'pve', host: sim.ready.pve[0].url });
    expect(issued.status).toBe(200);
    const viaCode = await call('POST', path, { nodes: 'pve1' }, { 'x-setup-token': issued.body.setupCode });
    expect(viaCode.status).toBe(200);
    expect(viaCode.text).toContain('OK   pve1');
    for (const body of [{}, { nodes: 5 }, { nodes: '' }, { nodes: 'pve1 $(reboot)' }, []]) {
      const r = await call('POST', path, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(typeof r.body.error).toBe('string');
    }
    // Guessing codes: ten wrong ones from one address, then 429 even for a right one.
    for (let i = 0; i < 9; i++)
      expect((await call('POST', path, { nodes: 'pve1' }, { 'x-setup-token': 'ZZZZZ2' })).status).toBe(401);
    const limited = await call('POST', path, { nodes: 'pve1' }, { 'x-setup-token': issued.body.setupCode });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatch(/Too many invalid setup tokens/);
    expect((await call('POST', path, { nodes: 'pve1' })).status).toBe(200);
  });

  it('a node whose host key changed is refused', async () => {
    await control(sim, 'POST', `/ssh/${INST}/pve1/rotate-host-key`);
    const r = await call('POST', path, { nodes: 'pve1' });
    expect(r.text).toMatch(/^FAIL pve1 .*\[host-key-changed\] SSH host key of 127\.0\.0\.1:\d+ changed/m);
    expect(r.text).toContain('ssh_known_hosts');
  });
});
