/**
 * Privileges: tokens and users get 403 "Permission check failed (path, priv)" exactly where the
 * official schema's permission object requires a privilege they lack; list endpoints filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { methodDef } from '../../sim/schema/apidata.js';
import { control, pbsToken, pmgTicket, pveToken, request } from './client.js';
import { walkCalls } from './walk.js';

describe('simulator: privileges', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo' });
  });
  afterAll(() => sim.stop());

  const pveUrl = () => sim.ready.pve[0].url;
  async function addToken(target: string, tokenId: string, acl: Record<string, string[]>, role?: string) {
    const res = await control(sim.controlUrl, 'POST', '/credentials', {
      target,
      tokenId,
      secret: `secret-${tokenId}`,
      acl,
      role,
    });
    expect(res.status).toBe(200);
    return `secret-${tokenId}`;
  }
  const pveGet = (tokenId: string, path: string) =>
    request(`${pveUrl()}/api2/json${path}`, { headers: pveToken(tokenId, `secret-${tokenId}`) });

  it('a token without Sys.Audit gets 403 on node status and cluster status, with the path and privilege named', async () => {
    await addToken('pve-cluster', 'mon@pve!nosys', { '/': ['VM.Audit', 'Datastore.Audit'] });
    const node = await pveGet('mon@pve!nosys', '/nodes/pve1/status');
    expect(node.status).toBe(403);
    expect(node.statusMessage).toBe('Permission check failed (/nodes/pve1, Sys.Audit)');
    expect(node.json).toEqual({ data: null, message: 'Permission check failed (/nodes/pve1, Sys.Audit)\n' });
    expect((await pveGet('mon@pve!nosys', '/cluster/status')).status).toBe(403);
    expect((await pveGet('mon@pve!nosys', '/nodes/pve1/disks/list')).status).toBe(403);
    // …but VM.Audit paths work, and /cluster/resources hides nodes instead of failing.
    expect((await pveGet('mon@pve!nosys', '/nodes/pve1/qemu/100/status/current')).status).toBe(200);
    const res = (await pveGet('mon@pve!nosys', '/cluster/resources')).json.data;
    expect(res.some((r: { type: string }) => r.type === 'node')).toBe(false);
    expect(res.some((r: { type: string }) => r.type === 'qemu')).toBe(true);
  });

  it('a token without VM.Audit gets 403 on guest status and empty guest lists', async () => {
    await addToken('pve-cluster', 'mon@pve!novm', { '/': ['Sys.Audit', 'Datastore.Audit'] });
    const cur = await pveGet('mon@pve!novm', '/nodes/pve1/qemu/100/status/current');
    expect(cur.status).toBe(403);
    expect(cur.json.message).toBe('Permission check failed (/vms/100, VM.Audit)\n');
    expect((await pveGet('mon@pve!novm', '/nodes/pve1/qemu')).json.data).toEqual([]);
    expect((await pveGet('mon@pve!novm', '/nodes/pve1/status')).status).toBe(200);
  });

  it('a token without Datastore.Audit sees no storage and gets 403 on storage status/content', async () => {
    await addToken('pve-cluster', 'mon@pve!nods', { '/': ['Sys.Audit', 'VM.Audit'] });
    expect((await pveGet('mon@pve!nods', '/storage')).json.data).toEqual([]);
    expect((await pveGet('mon@pve!nods', '/nodes/pve1/storage')).json.data).toEqual([]);
    const st = await pveGet('mon@pve!nods', '/nodes/pve1/storage/local/status');
    expect(st.status).toBe(403);
    expect(st.json.message).toBe('Permission check failed (/storage/local, Datastore.Audit|Datastore.AllocateSpace)\n');
  });

  it('ACLs on sub-paths propagate down only', async () => {
    await addToken('pve-cluster', 'mon@pve!one', { '/vms/100': ['VM.Audit'] });
    expect((await pveGet('mon@pve!one', '/nodes/pve1/qemu')).json.data.map((g: { vmid: number }) => g.vmid)).toEqual([
      100,
    ]);
    expect((await pveGet('mon@pve!one', '/nodes/pve1/qemu/101/status/current')).status).toBe(403);
  });

  it('/access/permissions reports the effective privileges per path', async () => {
    await addToken('pve-cluster', 'mon@pve!perm', { '/': ['Sys.Audit'], '/vms': ['VM.Audit'] });
    const perms = (await pveGet('mon@pve!perm', '/access/permissions')).json.data;
    expect(perms).toEqual({ '/': { 'Sys.Audit': 1 }, '/vms': { 'Sys.Audit': 1, 'VM.Audit': 1 } });
    const full = await request(`${pveUrl()}/api2/json/access/permissions?path=/`, {
      headers: pveToken(sim.ready.pve[0].tokenId, sim.ready.pve[0].tokenSecret),
    });
    expect(full.json.data['/']).toMatchObject({ 'Sys.Audit': 1, 'VM.Audit': 1, 'Datastore.Audit': 1, 'Sys.Modify': 1 });
  });

  it('apt/update needs Sys.Modify (an auditor gets 403)', async () => {
    await addToken('pve-cluster', 'mon@pve!audit', { '/': ['Sys.Audit', 'VM.Audit', 'Datastore.Audit'] });
    const r = await pveGet('mon@pve!audit', '/nodes/pve1/apt/update');
    expect(r.status).toBe(403);
    expect(r.json.message).toContain('Sys.Modify');
  });

  it('with no privileges, 403 comes exactly on the paths whose schema requires a privilege', async () => {
    await addToken('pve-cluster', 'nobody@pve!none', {});
    const auth = pveToken('nobody@pve!none', 'secret-nobody@pve!none');
    const ep = sim.core.endpoint('pve-cluster/pve1')!;
    const full = pveToken(sim.ready.pve[0].tokenId, sim.ready.pve[0].tokenSecret);
    const calls = await walkCalls(sim.core, ep, full, 2);
    let forbidden = 0;
    for (const call of calls) {
      const res = await request(`${ep.url}/api2/json${call.path}`, { headers: auth });
      const perms = methodDef('pve', call.template, 'GET')?.permissions ?? { check: ['perm', '/', ['Sys.Audit']] };
      // PVE: `user: all` wins over a `check` (RPCEnvironment::check_api_permission).
      const needsPrivilege = perms.check !== undefined && perms.user !== 'all';
      if (needsPrivilege) forbidden++;
      expect(res.status === 403, `${call.path} → ${res.status}`).toBe(needsPrivilege);
    }
    expect(forbidden).toBeGreaterThan(20);
  });

  it('PBS: Datastore.Audit sees all groups, Datastore.Backup only its own, nothing → 403', async () => {
    const pbs = sim.ready.pbs[0];
    const get = (tokenId: string, path: string) =>
      request(`${pbs.url}/api2/json${path}`, { headers: pbsToken(tokenId, `secret-${tokenId}`) });
    await addToken('pbs-main', 'pulse@pbs!none', {});
    await addToken('pbs-main', 'root@pam!pulse2', { '/datastore/main': ['Datastore.Backup'] });
    const denied = await get('pulse@pbs!none', '/admin/datastore/main/snapshots');
    expect(denied.status).toBe(403);
    expect(denied.json.message).toBe('permission check failed\n');
    expect((await get('pulse@pbs!none', '/admin/datastore')).json.data).toEqual([]);
    const all = (
      await request(`${pbs.url}/api2/json/admin/datastore/main/groups`, {
        headers: pbsToken(pbs.tokenId, pbs.tokenSecret),
      })
    ).json.data;
    const owned = (await get('root@pam!pulse2', '/admin/datastore/main/groups')).json.data;
    expect(all.length).toBeGreaterThan(owned.length);
    expect(owned.every((g: { owner: string }) => g.owner === 'root@pam!pulse2')).toBe(true);
  });

  it('PMG: roles decide (audit may read statistics, helpdesk may not)', async () => {
    const pmg = sim.ready.pmg[0];
    // PMG has no API tokens: the control API refuses to add one; users log in for a ticket.
    const token = await control(sim.controlUrl, 'POST', '/credentials', {
      target: 'pmg-main',
      tokenId: 'auditor@pmg!ro',
      secret: 's',
    });
    expect(token.status).toBe(400);
    expect(token.json.error).toMatch(/PMG has no API tokens/);
    for (const [userid, role] of [
      ['auditor@pmg', 'audit'],
      ['help@pmg', 'helpdesk'],
    ]) {
      const r = await control(sim.controlUrl, 'POST', '/credentials', {
        target: 'pmg-main',
        userid,
        password: `pw-${userid}`,
        role,
      });
      expect(r.status).toBe(200);
    }
    const get = async (userid: string, path: string) =>
      request(`${pmg.url}/api2/json${path}`, {
        headers: await pmgTicket({ url: pmg.url, user: userid, password: `pw-${userid}` }),
      });
    expect((await get('auditor@pmg', '/statistics/mail')).status).toBe(200);
    expect((await get('help@pmg', '/statistics/mail')).status).toBe(403);
  });
});
