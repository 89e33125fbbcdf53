/**
 * The PVE setup script's guest-agent role, run with bash against a `pveum` stand-in that knows
 * the privilege names of PVE 8 (VM.Monitor) or PVE 9 (VM.GuestAgent.*) and refuses the others,
 * as pveum does. The script stops before registering (no setup code), so no Pulse is needed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSetupScript } from './script.js';

const run = promisify(execFile);
const dirs: string[] = [];

async function runWith(known: string[], roleExists: boolean): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-setup-'));
  dirs.push(dir);
  const log = path.join(dir, 'calls.log');
  const stub = (name: string, body: string) =>
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  stub('id', 'echo 0');
  stub('hostname', 'echo pve1');
  // `role add|modify NAME -privs LIST` fails on a privilege this version does not have.
  stub(
    'pveum',
    `echo "$*" >> "${log}"
case "$*" in
  "role list"*) ${roleExists ? `echo '[{"roleid":"PulseMonitor","privs":"VM.GuestAgent.Audit"}]'` : "echo '[]'"} ;;
  "user list"*) echo '[]' ;;
  "token add"*) echo '{"value":"x"}' ;;
  "role "*)
    for p in $(echo "$5" | tr ',' ' '); do
      case " ${known.join(' ')} " in *" $p "*) ;; *) echo "invalid privilege '$p'" >&2; exit 255 ;; esac
    done ;;
esac`,
  );
  const script = path.join(dir, 'setup.sh');
  fs.writeFileSync(
    script,
    renderSetupScript({ type: 'pve', host: 'https://pve1:8006', pulseUrl: 'http://127.0.0.1:9', backupPerms: false }),
  );
  // Without a setup code the script creates the account and stops before registering (exit 1).
  const res = await run('bash', [script], { env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir } }).catch(
    (e: { stderr: string }) => e,
  );
  expect((res as { stderr: string }).stderr).toContain('No setup code given');
  return fs.readFileSync(log, 'utf8').trim().split('\n');
}

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('setup script: guest-agent privileges', () => {
  it('PVE 9: a role with VM.GuestAgent.Audit and VM.GuestAgent.FileRead', async () => {
    const calls = await runWith(['VM.GuestAgent.Audit', 'VM.GuestAgent.FileRead', 'VM.GuestAgent.Unrestricted'], false);
    expect(calls).toContain('role add PulseMonitor -privs VM.GuestAgent.Audit,VM.GuestAgent.FileRead');
    expect(calls.some((c) => c.includes('VM.Monitor'))).toBe(false);
    expect(calls).toContain('aclmod / -user pulse-monitor@pam -role PulseMonitor');
  });

  it('PVE 8: falls back to VM.Monitor', async () => {
    const calls = await runWith(['VM.Monitor'], false);
    expect(calls).toContain('role add PulseMonitor -privs VM.Monitor');
    expect(calls).toContain('aclmod / -user pulse-monitor@pam -role PulseMonitor');
  });

  it('a role left by an earlier run is updated, so it gains FileRead', async () => {
    const calls = await runWith(['VM.GuestAgent.Audit', 'VM.GuestAgent.FileRead'], true);
    expect(calls).toContain('role modify PulseMonitor -privs VM.GuestAgent.Audit,VM.GuestAgent.FileRead');
    expect(calls.some((c) => c.startsWith('role add'))).toBe(false);
  });
});
