/**
 * The permission doctor against the simulator's demo estate, whose standalone PVE 8 token has the
 * PVEAuditor role only: the test-connection result, the settings row and diagnostics name the
 * missing VM.Monitor on /vms and the pveum commands that grant it; the full-privilege cluster
 * token shows nothing missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import {
  type FeatureStatus,
  grantCommand,
  granted,
  missingPvePrivileges,
  pbsFeatureStatus,
  permissionReport,
  pveFeatureStatus,
} from '../../src/proxmox/privileges.js';
import { apiSession, createAdmin } from '../helpers/browser.js';
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

  it('reads /access/permissions: exact paths count, ancestors only when they propagate', () => {
    expect(granted({ '/vms/100': { 'VM.Audit': 0 } }, '/vms/100', ['VM.Audit'])).toBe(true);
    expect(granted({ '/vms': { 'VM.Audit': 0 } }, '/vms/100', ['VM.Audit'])).toBe(false);
    expect(granted({ '/': { 'VM.Audit': 1 } }, '/vms/100', ['VM.Audit'])).toBe(true);
    // PBS answers with booleans.
    expect(granted({ '/datastore': { 'Datastore.Audit': true } }, '/datastore/main/prod', ['Datastore.Audit'])).toBe(
      true,
    );
    expect(granted({ '/datastore/main': { 'Datastore.Audit': true } }, '/datastore/other', ['Datastore.Audit'])).toBe(
      false,
    );
    expect(granted({ '/vmsx': { 'VM.Audit': 1 } }, '/vms', ['VM.Audit'])).toBe(false);
  });

  it('lists every PVE feature with the privilege and path its API calls check', () => {
    // Sys.Audit on /nodes only: node status, SMART disks and backup tasks work; cluster, ZFS do not.
    const f = pveFeatureStatus({ '/nodes': { 'Sys.Audit': 1 }, '/storage': { 'Datastore.Audit': 1 } });
    const row = (name: string) => f.find((x) => x.feature === name) as FeatureStatus;
    expect(f.map((x) => x.feature)).toEqual([
      'cluster detection',
      'node status (memory, load, versions)',
      'physical disks (SMART)',
      'ZFS pool health',
      'Ceph cluster health',
      'backup tasks',
      'VMs and containers',
      'guest snapshots',
      'storage and backups',
      'guest agent data (VM disk usage, IP addresses, OS)',
      'guest memory as the guest sees it (agent file-read of /proc/meminfo)',
    ]);
    expect(row('physical disks (SMART)')).toEqual({
      feature: 'physical disks (SMART)',
      works: true,
      privilege: 'Sys.Audit',
      path: '/nodes',
      evidence: 'permissions',
    });
    expect([row('node status (memory, load, versions)').works, row('backup tasks').works]).toEqual([true, true]);
    expect(row('ZFS pool health')).toMatchObject({ works: false, privilege: 'Sys.Audit', path: '/' });
    expect(row('cluster detection')).toMatchObject({ works: false, path: '/' });
    // Ceph's calls accept Datastore.Audit on / as well as Sys.Audit.
    expect(row('Ceph cluster health')).toMatchObject({ works: false, privilege: 'Sys.Audit', path: '/' });
    const ceph = pveFeatureStatus({ '/': { 'Datastore.Audit': 1 } }).find((x) => x.feature === 'Ceph cluster health');
    expect(ceph?.works).toBe(true);
    expect(row('storage and backups').works).toBe(true);
    expect(row('VMs and containers')).toMatchObject({ works: false, privilege: 'VM.Audit', path: '/vms' });
    const cmd = grantCommand('pve', { tokenId: 'p@pve!t' }, missingPvePrivileges({ '/nodes': { 'Sys.Audit': 1 } }), 9);
    expect(cmd).toContain("pveum role add PulseExtraRoot --privs 'Sys.Audit'");
    expect(cmd).toContain("pveum acl modify / --tokens 'p@pve!t' --roles PulseExtraRoot");
    expect(cmd).toContain("--privs 'VM.Audit,VM.GuestAgent.Audit,VM.GuestAgent.FileRead'");
    expect(cmd).not.toContain('/nodes');
  });

  it('PBS: one entry per datastore and namespace; the grant names exactly the paths missing', () => {
    const perms = { '/datastore/main': { 'Datastore.Audit': true }, '/system': { 'Sys.Audit': true } };
    const f = pbsFeatureStatus(perms, [
      { store: 'main', namespaces: ['prod', 'prod/db'] },
      { store: 'offsite', namespaces: [] },
    ]);
    expect(f.map((x) => [x.feature, x.works, x.path])).toEqual([
      ['PBS node status (CPU, memory)', true, '/system/status'],
      ['datastore main', true, '/datastore/main'],
      ['namespace main/prod', true, '/datastore/main/prod'],
      ['namespace main/prod/db', true, '/datastore/main/prod/db'],
      ['datastore offsite', false, '/datastore/offsite'],
    ]);
    const report = permissionReport('pbs', { tokenId: 'pulse@pbs!mon' }, f, []);
    expect(report.missing.map((m) => m.feature)).toEqual(['datastore offsite']);
    expect(report.grantCommand).toBe(
      "proxmox-backup-manager acl update /datastore/offsite DatastoreAudit --auth-id 'pulse@pbs!mon'",
    );
    // No datastore visible at all: the one entry says why.
    expect(pbsFeatureStatus({}, []).map((x) => [x.feature, x.works, x.path])).toEqual([
      ['PBS node status (CPU, memory)', false, '/system/status'],
      ['datastores', false, '/datastore'],
    ]);
  });

  it('a 403 actually met marks its feature as not working, whatever else was checked', () => {
    const f = pveFeatureStatus({ '/': { 'Sys.Audit': 1, 'VM.Audit': 1, 'Datastore.Audit': 1, 'VM.Monitor': 1 } });
    const report = permissionReport(
      'pve',
      { tokenId: 't@pve!x' },
      f,
      [
        [
          {
            feature: 'physical disks (SMART)',
            privilege: 'Sys.Audit',
            path: '/nodes/pve1',
            message: 'Missing privilege Sys.Audit on /nodes/pve1',
          },
        ],
      ],
      { pveMajor: 8 },
    );
    const smart = report.features.find((x) => x.feature === 'physical disks (SMART)');
    expect(smart).toEqual({
      feature: 'physical disks (SMART)',
      works: false,
      privilege: 'Sys.Audit',
      path: '/nodes',
      evidence: 'denied',
    });
    expect(report.features.filter((x) => !x.works).length).toBe(1);
    // Without checks, the catalogue: undenied features count as working where the poller checked.
    const row = permissionReport('pmg', { user: 'pulse@pmg' }, undefined, [], { otherwise: 'poller' });
    expect(row.features.map((x) => [x.feature, x.works, x.evidence])).toEqual([
      ['cluster nodes', true, 'poller'],
      ['mail statistics', true, 'poller'],
      ['mail queues', true, 'poller'],
      ['quarantine', true, 'poller'],
    ]);
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
    // Every feature is listed, each with its evidence: /access/permissions decided all of them.
    const all = (j as { permissions?: { features: FeatureStatus[] } }).permissions?.features ?? [];
    expect(all.length).toBe(11);
    expect(all.every((f) => f.evidence === 'permissions')).toBe(true);
    expect(all.filter((f) => !f.works).map((f) => f.feature)).toEqual([
      'guest agent data (VM disk usage, IP addresses, OS)',
      'guest memory as the guest sees it (agent file-read of /proc/meminfo)',
    ]);
    expect(all.find((f) => f.feature === 'physical disks (SMART)')).toMatchObject({ works: true, path: '/nodes' });
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
    const cluster = diag.nodes.find((n) => n.name === 'pve-cluster')?.permissions as
      | { missing: unknown[]; features: FeatureStatus[]; grantCommand?: string }
      | undefined;
    expect(cluster?.missing).toEqual([]);
    expect(cluster?.grantCommand).toBeUndefined();
    expect(cluster?.features.length).toBe(11);
    expect(cluster?.features.every((f) => f.works)).toBe(true);
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
        const features = (row as { permissions?: { features: FeatureStatus[] } }).permissions?.features ?? [];
        expect(features.length).toBe(11);
        expect(features.filter((f) => f.works === false).map((f) => f.path)).toEqual(['/vms', '/vms']);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 60_000);

  it('PBS per datastore and PMG per role, from a token and a user that lack some of it', async () => {
    const pbs = sim.ready.pbs[0];
    const pmg = sim.ready.pmg[0];
    const control = (body: unknown) =>
      fetch(`${sim.ready.control}/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (
        await control({
          target: pbs.name,
          tokenId: 'pulse@pbs!narrow',
          secret: 'narrow-secret',
          acl: { '/datastore/main': ['Datastore.Audit'], '/system': ['Sys.Audit'] },
        })
      ).ok,
    ).toBe(true);
    expect(
      (await control({ target: pmg.name, userid: 'qm@pmg', password: 'qm-password-1', role: 'qmanager' })).ok,
    ).toBe(true);
    const test = async (b: unknown) => {
      const r = await fetch(`${pulse.url}/api/config/nodes/test-config`, {
        method: 'POST',
        headers,
        body: JSON.stringify(b),
      });
      expect(r.status).toBe(200);
      return (await r.json()) as { permissions: { features: FeatureStatus[]; grantCommand?: string } };
    };
    const b = await test({
      type: 'pbs',
      name: 'pbs-narrow',
      host: pbs.url,
      tokenName: 'pulse@pbs!narrow',
      tokenValue: 'narrow-secret',
      verifySSL: false,
    });
    // The token sees only main: offsite is not listed by PBS, so it is not named either.
    expect(b.permissions.features.map((f) => [f.feature, f.works])).toEqual([
      ['PBS node status (CPU, memory)', true],
      ['datastore main', true],
      ['namespace main/prod', true],
      ['namespace main/prod/db', true],
    ]);
    const m = await test({
      type: 'pmg',
      name: 'pmg-qm',
      host: pmg.url,
      user: 'qm@pmg',
      password: 'qm-password-1',
      verifySSL: false,
    });
    expect(m.permissions.features.map((f) => [f.feature, f.works, f.evidence])).toEqual([
      ['cluster nodes', true, 'probe'],
      ['mail statistics', true, 'probe'],
      ['mail queues', false, 'probe'],
      ['quarantine', true, 'probe'],
    ]);
    expect(m.permissions.grantCommand).toBe('pmgsh set /access/users/qm@pmg --role audit');
  });
});
