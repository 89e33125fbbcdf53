/**
 * The simulator's POST /reset puts its SSH servers back as they started: mode ok, no pinned
 * readings, the original host key, the authorized keys given at start; a real SSH session with
 * the original key then reads `sensors -j` again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { generateSshKeyPair } from '../../sim/ssh-server.js';
import { ManualClock } from '../../src/clock.js';
import { TemperatureCollector } from '../../src/collect/temperature.js';
import { createLogger } from '../../src/logging.js';
import { tempDir } from '../helpers/pulse.js';

const keys = generateSshKeyPair();
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ estate: 'demo', seed: 42, ssh: { authorizedKeys: [keys.public] } });
});
afterAll(async () => {
  await sim?.stop();
});

async function control(method: string, p: string, body?: unknown) {
  const res = await fetch(`${sim.controlUrl}${p}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(res.status).toBeLessThan(300);
  return res.json();
}

it('POST /reset restores every SSH server, and the original key reads sensors again', async () => {
  const id = 'pve-cluster/pve1';
  const before = sim.ssh!.view(id);
  await control('PUT', `/ssh/${id}`, { mode: 'down', cpuPackage: 95, nvme: [60] });
  await control('POST', `/ssh/${id}/rotate-host-key`);
  await control('PUT', '/ssh/authorized-keys', { keys: [generateSshKeyPair().public] });
  expect(sim.ssh!.view(id)).toMatchObject({ mode: 'down', override: { cpuPackage: 95, nvme: [60] } });
  expect(sim.ssh!.view(id).hostKey).not.toBe(before.hostKey);

  await control('POST', '/reset');
  const after = sim.ssh!.view(id);
  expect(after).toMatchObject({ mode: 'ok', override: {}, hostKey: before.hostKey, port: before.port, execs: 0 });

  const dir = tempDir('pulse-ssh-reset-');
  fs.mkdirSync(path.join(dir, '.ssh'));
  fs.writeFileSync(path.join(dir, '.ssh', 'id_ed25519'), keys.private, { mode: 0o600 });
  const c = new TemperatureCollector({
    dataDir: dir,
    hosts: {},
    refreshMs: 30_000,
    clock: new ManualClock(Date.now()),
    logger: createLogger({ level: 'silent' }),
  });
  try {
    expect(await c.probe({ host: after.host, port: after.port })).toMatchObject({ ok: true });
  } finally {
    await c.close();
  }
});
