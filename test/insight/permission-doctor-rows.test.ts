/**
 * The permission doctor on the settings rows (/api/config/nodes) against the simulator: each
 * poller's own permission check decides every feature (evidence `permissions` for PVE and PBS,
 * `probe` for PMG), for tokens and users that lack a privilege as for those that lack none; and
 * a PVE grant command is only named once the instance's /version said which privileges it checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import type { FeatureStatus } from '../../src/proxmox/privileges.js';
import { apiSession, createAdmin } from '../helpers/browser.js';
import { startTestPulse } from '../helpers/pulse.js';

interface Row {
  id: string;
  name: string;
  permissions?: { features: FeatureStatus[]; missing: Array<{ feature: string }>; grantCommand?: string };
  missingPrivileges?: Array<{ feature: string; privilege: string; path?: string }>;
  grantCommand?: string;
}

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

const control = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(`${sim.ready.control}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(r.ok).toBe(true);
};

const add = async (body: Record<string, unknown>) => {
  const r = await fetch(`${pulse.url}/api/config/nodes`, { method: 'POST', headers, body: JSON.stringify(body) });
  expect(r.status).toBe(201);
};

/** The row of `name` once its poller's permission check answered (no feature left to `poller`). */
async function checkedRow(name: string): Promise<Row> {
  for (;;) {
    const rows = (await (await fetch(`${pulse.url}/api/config/nodes`, { headers })).json()) as Row[];
    const row = rows.find((r) => r.name === name);
    const features = row?.permissions?.features ?? [];
    if (row && features.length && features.every((f) => f.evidence !== 'poller' && f.evidence !== 'unknown')) {
      return row;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

const pveBody = (name: string) => {
  const p = sim.ready.pve.find((x) => x.name === name)!;
  return { type: 'pve', name, host: p.url, tokenName: p.tokenId, tokenValue: p.tokenSecret, verifySSL: false };
};

describe('permission doctor on the settings rows', () => {
  it('PVE: the auditor token lacks the agent privileges; no grant until /version names PVE 8', async () => {
    // The instance's /version fails: which privilege the agent calls check (8 or 9) is unknown.
    await control('POST', '/faults', { target: 'pve-standalone', kind: 'http500', path: '/version' });
    await add(pveBody('pve-standalone'));
    const blind = await checkedRow('pve-standalone');
    const failing = (r: Row) => r.permissions?.features.filter((f) => !f.works) ?? [];
    expect(blind.permissions?.features.length).toBe(11);
    expect(blind.permissions?.features.every((f) => f.evidence === 'permissions')).toBe(true);
    expect(failing(blind).map((f) => f.feature)).toEqual([
      'guest agent data (VM disk usage, IP addresses, OS)',
      'guest memory as the guest sees it (agent file-read of /proc/meminfo)',
    ]);
    expect(blind.missingPrivileges?.map((p) => p.path)).toEqual(['/vms', '/vms']);
    // Unknown rather than wrong: no command naming PVE 9's VM.GuestAgent.* for a PVE 8 node.
    expect(blind.grantCommand).toBeUndefined();
    expect(blind.permissions?.grantCommand).toBeUndefined();
    expect(JSON.stringify(blind)).not.toContain("'VM.GuestAgent");

    // /version answers again; a new poller (the node re-added) checks with it.
    await control('DELETE', '/faults?target=pve-standalone');
    // No JSON content type on a request without a body.
    const { 'Content-Type': _json, ...bare } = headers;
    const del = await fetch(`${pulse.url}/api/config/nodes/${blind.id}`, { method: 'DELETE', headers: bare });
    expect(del.status).toBe(200);
    await add(pveBody('pve-standalone'));
    let row = await checkedRow('pve-standalone');
    while (!row.grantCommand) {
      await new Promise((r) => setTimeout(r, 300));
      row = await checkedRow('pve-standalone');
    }
    expect(failing(row).map((f) => [f.privilege, f.path, f.evidence])).toEqual([
      ['VM.Monitor', '/vms', 'permissions'],
      ['VM.Monitor', '/vms', 'permissions'],
    ]);
    expect(row.grantCommand).toContain("--privs 'VM.Monitor'");
    expect(row.grantCommand).toContain("pveum acl modify /vms --tokens 'root@pam!pulse' --roles PulseExtra-vms");
    expect(row.grantCommand).not.toContain('GuestAgent');

    // The full-privilege cluster token: every feature works, by its own check.
    await add(pveBody('pve-cluster'));
    const full = await checkedRow('pve-cluster');
    expect(full.permissions?.features.length).toBe(11);
    expect(full.permissions?.features.every((f) => f.works === true && f.evidence === 'permissions')).toBe(true);
    expect(full.missingPrivileges).toBeUndefined();
    expect(full.grantCommand).toBeUndefined();
  }, 90_000);

  it('PBS: a token without Sys.Audit sees its datastore but not the node status, per /access/permissions', async () => {
    const pbs = sim.ready.pbs[0];
    await control('POST', '/credentials', {
      target: pbs.name,
      tokenId: 'pulse@pbs!rows',
      secret: 'rows-secret',
      acl: { '/datastore/main': ['Datastore.Audit'] },
    });
    await add({
      type: 'pbs',
      name: 'pbs-rows',
      host: pbs.url,
      tokenName: 'pulse@pbs!rows',
      tokenValue: 'rows-secret',
      verifySSL: false,
    });
    const row = await checkedRow('pbs-rows');
    expect(row.permissions?.features.map((f) => [f.feature, f.works, f.evidence])).toEqual([
      ['PBS node status (CPU, memory)', false, 'permissions'],
      ['datastore main', true, 'permissions'],
      ['namespace main/prod', true, 'permissions'],
      ['namespace main/prod/db', true, 'permissions'],
    ]);
    expect(row.missingPrivileges?.map((p) => p.privilege)).toEqual(['Sys.Audit']);
    expect(row.grantCommand).toMatch(
      /^proxmox-backup-manager acl update \/system\S* Audit --auth-id 'pulse@pbs!rows'$/,
    );
  }, 60_000);

  it('PMG: a quarantine manager cannot read the mail queues, probed by the poller', async () => {
    const pmg = sim.ready.pmg[0];
    await control('POST', '/credentials', {
      target: pmg.name,
      userid: 'rows@pmg',
      password: 'rows-password-1',
      role: 'qmanager',
    });
    await add({
      type: 'pmg',
      name: 'pmg-rows',
      host: pmg.url,
      user: 'rows@pmg',
      password: 'rows-password-1',
      verifySSL: false,
    });
    const row = await checkedRow('pmg-rows');
    expect(row.permissions?.features.map((f) => [f.feature, f.works, f.evidence])).toEqual([
      ['cluster nodes', true, 'probe'],
      ['mail statistics', true, 'probe'],
      ['mail queues', false, 'probe'],
      ['quarantine', true, 'probe'],
    ]);
    expect(row.missingPrivileges?.map((p) => p.feature)).toEqual(['mail queues']);
    expect(row.grantCommand).toBe('pmgsh set /access/users/rows@pmg --role audit');
  }, 60_000);
});
