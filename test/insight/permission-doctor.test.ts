/**
 * The permission doctor against the simulator's demo estate, whose standalone PVE 8 token has the
 * PVEAuditor role only: the test-connection result, the settings row and diagnostics name the
 * missing VM.Monitor on /vms and the pveum commands that grant it; the full-privilege cluster
 * token shows nothing missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { grantCommand, missingPvePrivileges } from '../../src/proxmox/privileges.js';
import { apiSession, createAdmin } from '../browser/harness.js';
import { startTestPulse } from '../helpers/pulse.js';

describe('permission doctor (pure)', () => {
  it('picks the privilege by PVE version and groups it into one role per path', () => {
    const problems = missingPvePrivileges({ '/': { 'Sys.Audit': 1, 'VM.Audit': 1, 'Datastore.Audit': 1 } });
    expect(problems.map((p) => p.feature)).toEqual([
      'guest agent data (VM disk usage, IP addresses, OS)',
      'guest memory as the guest sees it (agent file-read of /proc/meminfo)',
    ]);
    expect(grantCommand('pve', { tokenId: 'pulse@pve!mon' }, problems, 9)).toBe(
      "pveum role add PulseExtra-vms --privs 'VM.GuestAgent.Audit,VM.GuestAgent.FileRead' 2>/dev/null || pveum role modify PulseExtra-vms --append 1 --privs 'VM.GuestAgent.Audit,VM.GuestAgent.FileRead'\n" +
        "pveum acl modify /vms --tokens 'pulse@pve!mon' --roles PulseExtra-vms",
    );
    expect(grantCommand('pve', { user: 'pulse@pve' }, problems, 8)).toContain("--privs 'VM.Monitor' 2>/dev/null");
    expect(grantCommand('pve', { user: 'pulse@pve' }, problems, 8)).toContain("--users 'pulse@pve'");
    expect(
      grantCommand('pbs', { tokenId: 'pulse@pbs!t' }, [
        { feature: 'datastores', privilege: 'Datastore.Audit', message: '' },
      ]),
    ).toBe("proxmox-backup-manager acl update /datastore DatastoreAudit --auth-id 'pulse@pbs!t'");
    expect(grantCommand('pve', { tokenId: 'a@pve!b' }, [])).toBeUndefined();
  });
});

describe('permission doctor on the demo estate', () => {
  let sim: Simulator;
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let headers: Record<string, string>;

  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo', seed: 42 });
    pulse = await startTestPulse();
    await createAdmin(pulse.url);
    headers = await apiSession(pulse.url);
  }, 120_000);

  afterAll(async () => {
    await pulse?.close();
    await sim?.stop();
  });

  const body = (name: string) => {
    const p = sim.ready.pve.find((x) => x.name === name)!;
    return { type: 'pve', name, host: p.url, tokenName: p.tokenId, tokenValue: p.tokenSecret, verifySSL: false };
  };

  it('test-connection names the missing privilege, its path and the grant command', async () => {
    const r = await fetch(`${pulse.url}/api/config/nodes/test-config`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body('pve-standalone')),
    });
    expect(r.status).toBe(200);
    const j = (await r.json()) as {
      missingPrivileges?: Array<{ privilege: string; path?: string; feature: string }>;
      grantCommand?: string;
    };
    expect(j.missingPrivileges?.map((p) => p.path)).toEqual(['/vms', '/vms']);
    expect(j.grantCommand).toContain("pveum acl modify /vms --tokens 'root@pam!pulse' --roles PulseExtra-vms");
    // PVE 8: VM.Monitor, not the PVE 9 agent privileges.
    expect(j.grantCommand).toContain("--privs 'VM.Monitor'");
    const full = await (
      await fetch(`${pulse.url}/api/config/nodes/test-config`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body('pve-cluster')),
      })
    ).json();
    expect(full.missingPrivileges).toBeUndefined();
    expect(full.grantCommand).toBeUndefined();
  });

  it('diagnostics and the settings row report it per instance', async () => {
    for (const name of ['pve-standalone', 'pve-cluster']) {
      const add = await fetch(`${pulse.url}/api/config/nodes`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body(name)),
      });
      expect(add.ok).toBe(true);
    }
    const diag = (await (await fetch(`${pulse.url}/api/diagnostics`, { headers })).json()) as {
      nodes: Array<{ name: string; permissions?: { missing: Array<{ privilege: string }>; grantCommand?: string } }>;
    };
    const standalone = diag.nodes.find((n) => n.name === 'pve-standalone')!;
    expect(standalone.permissions?.missing.length).toBe(2);
    expect(standalone.permissions?.grantCommand).toContain("--privs 'VM.Monitor'");
    expect(diag.nodes.find((n) => n.name === 'pve-cluster')?.permissions).toEqual({ missing: [] });
    // The settings row shows the 403s the poller met: wait until a cycle asked the agent.
    for (;;) {
      const nodes = (await (await fetch(`${pulse.url}/api/config/nodes`, { headers })).json()) as Array<{
        name: string;
        grantCommand?: string;
        missingPrivileges?: unknown[];
      }>;
      const row = nodes.find((n) => n.name === 'pve-standalone');
      if (row?.grantCommand) {
        expect(row.grantCommand).toContain('pveum acl modify /vms');
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 60_000);
});
