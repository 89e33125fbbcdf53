/**
 * The temperature collector against the simulator's real SSH servers, with a hand-moved clock:
 * no key → no SSH at all; one session per node per refresh period however often the poller
 * asks; failures classified; host keys pinned on first use and a changed one refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { generateSshKeyPair } from '../../sim/ssh-server.js';
import { LogCapture, tempDir } from '../../test/helpers/pulse.js';
import { ManualClock } from '../clock.js';
import { createLogger } from '../logging.js';
import { TemperatureCollector } from './temperature.js';

const keys = generateSshKeyPair();
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ estate: 'demo', seed: 42, ssh: { authorizedKeys: [keys.public] } });
});
afterAll(async () => {
  await sim?.stop();
});

const INST = 'pve-cluster';
const sshNodes = () => sim.ssh!.list().filter((n) => n.instance === INST);
const hostsMap = () => Object.fromEntries(sshNodes().map((n) => [n.node, { host: n.host, port: n.port }]));
const view = (node: string) => sim.ssh!.view(`${INST}/${node}`);

function collector(dataDir: string, extra: Partial<ConstructorParameters<typeof TemperatureCollector>[0]> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 12));
  const logs = new LogCapture();
  const c = new TemperatureCollector({
    dataDir,
    hosts: hostsMap(),
    refreshMs: 30_000,
    clock,
    logger: createLogger({ level: 'debug', destination: logs }),
    ...extra,
  });
  return { c, clock, logs };
}

function withKey(): string {
  const dir = tempDir('pulse-temp-');
  fs.mkdirSync(path.join(dir, '.ssh'));
  fs.writeFileSync(path.join(dir, '.ssh', 'id_ed25519'), keys.private, { mode: 0o600 });
  return dir;
}

describe('TemperatureCollector', () => {
  it('without a key file it is off and never connects', async () => {
    const before = sshNodes().map((n) => view(n.node).connections);
    const { c } = collector(tempDir('pulse-temp-'));
    expect(c.enabled).toBe(false);
    for (let i = 0; i < 3; i++) expect(c.read({ instance: INST, node: 'pve1' })).toBeUndefined();
    await c.idle();
    const probe = await c.probe({ host: '127.0.0.1', port: sshNodes()[0].port });
    expect(probe).toMatchObject({ ok: false, failure: 'no-key' });
    expect(sshNodes().map((n) => view(n.node).connections)).toEqual(before);
    await c.close();
  });

  it('reads in the background, at most once per node per refresh period', async () => {
    const dir = withKey();
    const { c, clock } = collector(dir);
    expect(c.enabled).toBe(true);
    const execs0 = view('pve1').execs;
    // The first ask schedules and answers nothing yet: the poll never waits for SSH.
    expect(c.read({ instance: INST, node: 'pve1' })).toBeUndefined();
    await c.idle();
    const t = c.read({ instance: INST, node: 'pve1' });
    expect(t?.available).toBe(true);
    expect(t?.cpuPackage).toBe(view('pve1').temperatures!.cpuPackage);
    expect(t?.nvme).toHaveLength(1);
    // Ten more polls within the period: no new session.
    for (let i = 0; i < 10; i++) {
      clock.advance(2_000);
      c.read({ instance: INST, node: 'pve1' });
    }
    await c.idle();
    expect(view('pve1').execs).toBe(execs0 + 1);
    // A pinned value shows after the next refresh, not before.
    await sim.ssh!.setNode(`${INST}/pve1`, { cpuPackage: 77 });
    clock.advance(9_000);
    expect(c.read({ instance: INST, node: 'pve1' })?.cpuPackage).not.toBe(77);
    await c.idle();
    expect(view('pve1').execs).toBe(execs0 + 1);
    clock.advance(1_000);
    expect(c.read({ instance: INST, node: 'pve1' })?.cpuPackage).not.toBe(77);
    await c.idle();
    expect(c.read({ instance: INST, node: 'pve1' })?.cpuPackage).toBe(77);
    expect(view('pve1').execs).toBe(execs0 + 2);
    // The host key was remembered on first use, in OpenSSH's layout.
    const port = hostsMap().pve1.port;
    expect(fs.readFileSync(path.join(dir, 'ssh_known_hosts'), 'utf8')).toContain(`[127.0.0.1]:${port} ssh-ed25519 `);
    await sim.ssh!.setNode(`${INST}/pve1`, { cpuPackage: null });
    await c.close();
  });

  it('bounded concurrency still reaches every node', async () => {
    const { c } = collector(withKey(), { concurrency: 1 });
    for (const n of sshNodes()) c.read({ instance: INST, node: n.node });
    await c.idle();
    for (const n of sshNodes()) expect(c.read({ instance: INST, node: n.node })?.available).toBe(true);
    await c.close();
  });

  it('failures: refused, timeout, sensors missing, auth failed; the last reading expires', async () => {
    // The default 5-s timeout for the reads: an SSH handshake on a loaded CI machine can take
    // longer than a short test timeout. A second collector with a short one probes the hang.
    const dir = withKey();
    const { c, clock, logs } = collector(dir);
    const quick = collector(dir, { timeoutMs: 400 }).c;
    const req = { instance: INST, node: 'pve2' };
    c.read(req);
    await c.idle();
    expect(c.read(req)?.available).toBe(true);

    await sim.ssh!.setNode(`${INST}/pve2`, { mode: 'down' });
    clock.advance(30_000);
    expect(c.read(req)?.available).toBe(true);
    await c.idle();
    expect(c.failure(INST, 'pve2')).toBe('refused');
    // Kept for a while after a failed refresh, then gone.
    expect(c.read(req)?.available).toBe(true);
    clock.advance(91_000);
    expect(c.read(req)).toBeUndefined();
    expect(logs.text()).toContain('connection refused');

    const target = c.target(req);
    await sim.ssh!.setNode(`${INST}/pve2`, { mode: 'hang' });
    expect(await quick.probe(target)).toMatchObject({ ok: false, failure: 'timeout' });
    await quick.close();
    await sim.ssh!.setNode(`${INST}/pve2`, { mode: 'nosensors' });
    expect(await c.probe(target)).toMatchObject({ ok: false, failure: 'sensors-missing' });
    await sim.ssh!.setNode(`${INST}/pve2`, { mode: 'ok' });
    sim.ssh!.authorize([generateSshKeyPair().public]);
    try {
      expect(await c.probe(target)).toMatchObject({ ok: false, failure: 'auth-failed' });
    } finally {
      sim.ssh!.authorize([keys.public]);
    }
    expect(await c.probe(target)).toMatchObject({ ok: true });
    await c.close();
  });

  it('a changed host key is refused and logged as an error', async () => {
    const { c, clock, logs } = collector(withKey());
    const req = { instance: INST, node: 'pve3' };
    c.read(req);
    await c.idle();
    expect(c.read(req)?.available).toBe(true);
    sim.ssh!.rotateHostKey(`${INST}/pve3`);
    clock.advance(30_000);
    c.read(req);
    await c.idle();
    expect(c.failure(INST, 'pve3')).toBe('host-key-changed');
    const line = logs.lines.map((l) => JSON.parse(l)).find((l) => l.failure === 'host-key-changed');
    expect(line.level).toBe(50);
    expect(line.msg).toMatch(/host key of 127\.0\.0\.1:\d+ changed .*refusing/);
    expect(await c.probe(c.target(req))).toMatchObject({ ok: false, failure: 'host-key-changed' });
    await c.close();
  });

  it('targets: mapping by instance/node, node, or address; else the address; else the name', () => {
    const { c } = collector(tempDir('pulse-temp-'), {
      port: 2222,
      hosts: { 'a/n1': { host: 'x', port: 1 }, n2: { host: 'y' }, '10.0.0.3': { host: 'z', port: 3 } },
    });
    expect(c.target({ instance: 'a', node: 'n1' })).toEqual({ host: 'x', port: 1 });
    expect(c.target({ instance: 'a', node: 'n2', address: '10.0.0.2' })).toEqual({ host: 'y', port: 2222 });
    expect(c.target({ instance: 'a', node: 'n3', address: '10.0.0.3' })).toEqual({ host: 'z', port: 3 });
    expect(c.target({ instance: 'a', node: 'n4', address: '10.0.0.4' })).toEqual({ host: '10.0.0.4', port: 2222 });
    expect(c.target({ instance: 'a', node: 'n5' })).toEqual({ host: 'n5', port: 2222 });
  });
});
