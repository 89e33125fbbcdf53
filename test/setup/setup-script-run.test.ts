/**
 * Runs the served setup script with bash against a real Pulse. There is no Proxmox host here, so
 * the Proxmox CLI (`pveum`), `id` and `hostname` are stand-ins on PATH that record their arguments
 * and print what PVE prints; curl, sed and the HTTP round trip are real. The token the stand-in
 * reports exists in the simulator, so the registered node then polls for real.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';

const run = promisify(execFile);
const TOKEN = 'e5'.repeat(32);
const SECRET = '3f0c2d4e-1b2a-4c5d-9e8f-7a6b5c4d3e2f';

describe('the setup script, executed', () => {
  let sim: Simulator;
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const bin = tempDir('pulse-bin-');
  const log = path.join(bin, 'calls.log');

  beforeAll(async () => {
    sim = await startSimulator({
      estate: {
        name: 'lab',
        seed: 4,
        pve: [
          {
            name: 'lab',
            version: '8.4.1',
            nodes: ['n1'],
            tokens: [
              {
                tokenid: 'pulse-monitor@pam!pulse-127-0-0-1',
                secret: SECRET,
                acl: { '/': ['Sys.Audit', 'VM.Audit', 'Datastore.Audit', 'VM.Monitor'] },
              },
            ],
          },
        ],
      },
      port: 0,
    });
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
    const stub = (name: string, body: string) =>
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    stub('id', 'echo 0');
    stub('hostname', 'if [ "$1" = "-I" ]; then echo "127.0.0.1 "; else echo simnode; fi');
    stub(
      'pveum',
      `echo "pveum $*" >> "${log}"
case "$*" in
  *"token add"*) echo '{"full-tokenid":"pulse-monitor@pam!pulse-127-0-0-1","info":{"privsep":"0"},"value":"${SECRET}"}' ;;
  *"user list"*|*"role list"*) echo '[]' ;;
esac`,
    );
  });
  afterAll(async () => {
    await pulse?.close();
    await sim?.stop();
  });

  it('creates the read-only account, registers with the code, and the node polls', async () => {
    const host = sim.ready.pve[0].url;
    const issued = await fetch(`${pulse.url}/api/setup-script-url`, {
      method: 'POST',
      headers: { 'x-api-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'pve', host }),
    });
    const { url, setupCode } = await issued.json();
    const script = path.join(bin, 'setup.sh');
    fs.writeFileSync(script, await (await fetch(url)).text());
    const env = { PATH: `${bin}:${process.env.PATH}`, PULSE_SETUP_CODE: setupCode, HOME: bin };

    const first = await run('bash', [script], { env });
    expect(first.stdout).toContain('Registered');
    const calls = fs.readFileSync(log, 'utf8');
    expect(calls).toContain('pveum user add pulse-monitor@pam');
    expect(calls).toContain('pveum aclmod / -user pulse-monitor@pam -role PVEAuditor');
    expect(calls).toContain('pveum user token add pulse-monitor@pam pulse-127-0-0-1 --privsep 0 --output-format json');

    const nodes = pulse.deps.monitoring.nodes.list();
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({
      type: 'pve',
      name: 'simnode',
      tokenName: 'pulse-monitor@pam!pulse-127-0-0-1',
      tokenValue: SECRET,
    });
    await pulse.deps.monitoring.pollNow();
    expect(pulse.deps.monitoring.status(nodes[0].uid)?.connected).toBe(true);
    expect(pulse.deps.state.get().nodes.map((n) => n.name)).toContain('n1');

    // The code is spent: a second run fails at registration and says so.
    const second = await run('bash', [script], { env }).catch((err) => err as { code: number; stderr: string });
    expect((second as { code: number }).code).toBe(1);
    expect((second as { stderr: string }).stderr).toMatch(/Registration failed.*Invalid or expired setup code/);
  });
});
