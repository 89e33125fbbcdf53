import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { control, pbsToken, pveToken, request } from './client.js';

describe('simulator: authentication', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo' });
  });
  afterAll(() => sim.stop());

  const pve = () => sim.ready.pve[0];
  const api = (path: string) => `${pve().url}/api2/json${path}`;

  async function formLogin(url: string, username: string, password: string) {
    return request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    });
  }

  it('POST /access/ticket with a form body returns ticket and CSRF token; the cookie authenticates', async () => {
    const res = await formLogin(api('/access/ticket'), pve().user, pve().password);
    expect(res.status).toBe(200);
    const { ticket, CSRFPreventionToken, username, clustername } = res.json.data;
    expect(username).toBe('root@pam');
    expect(clustername).toBe('pve-cluster');
    expect(ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::/);
    expect(CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:/);
    const nodes = await request(api('/nodes'), { headers: { cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}` } });
    expect(nodes.status).toBe(200);
    // A cluster shares its auth key: the ticket works on every member.
    const other = await request(`${pve().nodes[2].url}/api2/json/nodes`, {
      headers: { cookie: `PVEAuthCookie=${ticket}` },
    });
    expect(other.status).toBe(200);
    // …but not on another instance.
    const standalone = await request(`${sim.ready.pve[1].url}/api2/json/nodes`, {
      headers: { cookie: `PVEAuthCookie=${ticket}` },
    });
    expect(standalone.status).toBe(401);
  });

  it('accepts a JSON body and a username without realm plus realm', async () => {
    const res = await request(api('/access/ticket'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root', realm: 'pam', password: pve().password }),
    });
    expect(res.status).toBe(200);
    expect(res.json.data.username).toBe('root@pam');
  });

  it('wrong password → 401 authentication failure', async () => {
    const res = await formLogin(api('/access/ticket'), pve().user, 'wrong');
    expect(res.status).toBe(401);
    expect(res.json.data).toBeNull();
  });

  it('writes with a ticket need the CSRFPreventionToken header; tokens do not', async () => {
    const { ticket, CSRFPreventionToken } = (await formLogin(api('/access/ticket'), pve().user, pve().password)).json
      .data;
    const cookie = `PVEAuthCookie=${ticket}`;
    const path = api('/nodes/pve1/qemu/105/status/start');
    const noCsrf = await request(path, { method: 'POST', headers: { cookie } });
    expect(noCsrf.status).toBe(401);
    const ok = await request(path, { method: 'POST', headers: { cookie, CSRFPreventionToken } });
    expect(ok.status).toBe(200);
    expect(ok.json.data).toMatch(/^UPID:pve1:.*:qmstart:105:root@pam:$/);
    const viaToken = await request(api('/nodes/pve1/qemu/105/status/stop'), {
      method: 'POST',
      headers: pveToken(pve().tokenId, pve().tokenSecret),
    });
    expect(viaToken.status).toBe(200);
  });

  it('tickets expire after two hours of simulated time, and can be renewed before that', async () => {
    const { ticket } = (await formLogin(api('/access/ticket'), pve().user, pve().password)).json.data;
    const cookie = { cookie: `PVEAuthCookie=${ticket}` };
    await control(sim.controlUrl, 'POST', '/clock/advance', { seconds: 3600 });
    const renewed = await formLogin(api('/access/ticket'), pve().user, ticket);
    expect(renewed.status).toBe(200);
    await control(sim.controlUrl, 'POST', '/clock/advance', { seconds: 3700 });
    expect((await request(api('/nodes'), { headers: cookie })).status).toBe(401);
    expect(
      (await request(api('/nodes'), { headers: { cookie: `PVEAuthCookie=${renewed.json.data.ticket}` } })).status,
    ).toBe(200);
  });

  it('expire-tickets invalidates existing tickets at once', async () => {
    const { ticket } = (await formLogin(api('/access/ticket'), pve().user, pve().password)).json.data;
    await control(sim.controlUrl, 'POST', '/auth/expire-tickets', { target: 'pve-cluster' });
    expect((await request(api('/nodes'), { headers: { cookie: `PVEAuthCookie=${ticket}` } })).status).toBe(401);
  });

  it('PBS and PMG use their own cookie names and token header forms', async () => {
    const pbs = sim.ready.pbs[0];
    const pmg = sim.ready.pmg[0];
    const pbsLogin = await formLogin(`${pbs.url}/api2/json/access/ticket`, pbs.user, pbs.password);
    expect(pbsLogin.json.data.ticket).toMatch(/^PBS:root@pam:/);
    const pmgLogin = await formLogin(`${pmg.url}/api2/json/access/ticket`, pmg.user, pmg.password);
    expect(pmgLogin.json.data.ticket).toMatch(/^PMG:root@pam:/);
    // The PVE-style token header is refused by PBS (it wants "user@realm!name:secret").
    const wrongForm = await request(`${pbs.url}/api2/json/version`, {
      headers: pveToken(pbs.tokenId, pbs.tokenSecret),
    });
    expect(wrongForm.status).toBe(401);
    expect(
      (await request(`${pbs.url}/api2/json/version`, { headers: pbsToken(pbs.tokenId, pbs.tokenSecret) })).status,
    ).toBe(200);
    // PMG has no API tokens: a token header is not even looked at, so the request has no ticket.
    const pmgTokenTry = await request(`${pmg.url}/api2/json/version`, {
      headers: { Authorization: `PMGAPIToken=${pmg.user}!pulse=00000000-0000-0000-0000-000000000000` },
    });
    expect(pmgTokenTry.status).toBe(401);
    expect(pmgTokenTry.statusMessage).toBe('No ticket');
    expect(
      (
        await request(`${pbs.url}/api2/json/version`, {
          headers: { cookie: `PBSAuthCookie=${pbsLogin.json.data.ticket}` },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await request(`${pmg.url}/api2/json/version`, {
          headers: { cookie: `PMGAuthCookie=${pmgLogin.json.data.ticket}` },
        })
      ).status,
    ).toBe(200);
  });
});
