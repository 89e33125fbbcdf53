/**
 * A real client: Debian's python3-proxmoxer (for /usr/bin/python3) logs in to the simulated PVE
 * with a password and with an API token and lists nodes, VMs, containers and storage.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(HERE, 'proxmoxer_check.py');

describe('proxmoxer against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo' });
  });
  afterAll(() => sim.stop());

  it('python3-proxmoxer is installed for /usr/bin/python3 (CI installs it)', async () => {
    expect(fs.existsSync(PYTHON)).toBe(true);
    await run(PYTHON, ['-c', 'import proxmoxer']);
  });

  it('logs in with password and with token and lists nodes, VMs, containers and storage', async () => {
    const pve = sim.ready.pve[0];
    const { port } = new URL(pve.url);
    const { stdout } = await run(
      PYTHON,
      [SCRIPT, '127.0.0.1', port, pve.user, pve.password, pve.tokenId, pve.tokenSecret],
      { timeout: 60_000 },
    );
    const out = JSON.parse(stdout);
    for (const via of ['password', 'token']) {
      expect(out[via].nodes).toEqual(['pve1', 'pve2', 'pve3']);
      expect(out[via].vms).toEqual([100, 101, 102, 105, 200, 201, 203, 300, 301, 302, 304, 9000]);
      expect(out[via].containers).toEqual([103, 104, 202, 204, 303, 9001]);
      expect(out[via].storage).toContain('pve3/local-zfs');
      expect(out[via].storage).toContain('pve1/pbs-main');
      expect(out[via].resources).toBe(18);
      expect(out[via].version).toBe('9.0.10');
    }
    expect(out.write_upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmstart:105:root@pam:$/);
  });
});
