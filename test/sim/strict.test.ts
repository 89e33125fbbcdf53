/**
 * The strict simulator refuses what real Proxmox refuses, judged by the official schemas:
 * unknown paths and methods (PVE/PMG 501 before authentication, PBS 401 then 404), undeclared,
 * missing or out-of-range parameters (400 with `errors`), and PMG API tokens (401 "No ticket").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../sim/http/strict.js';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { pbsToken, pmgTicket, pveToken, request } from './client.js';

let sim: Simulator;
const records: RequestRecord[] = [];
let pve: Record<string, string>;
let pbs: Record<string, string>;
let pmg: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ estate: 'demo' });
  sim.core.onRequest = (r) => records.push(r);
  pve = pveToken(sim.ready.pve[0].tokenId, sim.ready.pve[0].tokenSecret);
  pbs = pbsToken(sim.ready.pbs[0].tokenId, sim.ready.pbs[0].tokenSecret);
  pmg = await pmgTicket(sim.ready.pmg[0]);
});
afterAll(() => sim.stop());

const pveUrl = () => `${sim.ready.pve[0].url}/api2/json`;
const pbsUrl = () => `${sim.ready.pbs[0].url}/api2/json`;
const pmgUrl = () => `${sim.ready.pmg[0].url}/api2/json`;

/** The record the simulator kept for the last request to `path`. */
function lastRecord(path: string): RequestRecord {
  const r = records.filter((x) => x.path === path).at(-1);
  if (!r) throw new Error(`no record of ${path}`);
  return r;
}

describe('strict simulator: paths and methods', () => {
  it('PVE: a path the schema lacks is 501 "Method … not implemented", even without credentials', async () => {
    for (const headers of [pve, {}]) {
      const r = await request(`${pveUrl()}/cluster/ceph/df`, { headers });
      expect(r.status).toBe(501);
      expect(r.statusMessage).toBe("Method 'GET /cluster/ceph/df' not implemented");
      expect(r.json).toEqual({ data: null, message: "Method 'GET /cluster/ceph/df' not implemented" });
    }
    expect(lastRecord('/cluster/ceph/df')).toMatchObject({ status: 501, refusal: 'no-such-path', product: 'pve' });
  });

  it('PVE: a method the path does not have is refused the same way', async () => {
    const r = await request(`${pveUrl()}/cluster/resources`, { method: 'DELETE', headers: pve });
    expect(r.status).toBe(501);
    expect(r.statusMessage).toBe("Method 'DELETE /cluster/resources' not implemented");
    expect(lastRecord('/cluster/resources')).toMatchObject({ method: 'DELETE', refusal: 'no-such-path' });
  });

  it('a path real PVE has but the simulator does not serve is recorded as the simulator’s gap', async () => {
    const r = await request(`${pveUrl()}/cluster/firewall/options`, { headers: pve });
    expect(r.status).toBe(501);
    expect(lastRecord('/cluster/firewall/options').refusal).toBe('unimplemented');
  });

  it('PBS: authentication first (401), then 404 "Path … not found."', async () => {
    const anon = await request(`${pbsUrl()}/no/such/path`);
    expect(anon.status).toBe(401);
    const r = await request(`${pbsUrl()}/no/such/path`, { headers: pbs });
    expect(r.status).toBe(404);
    expect(r.json.message).toBe("Path '/api2/json/no/such/path' not found.");
    expect(lastRecord('/no/such/path')).toMatchObject({ status: 404, refusal: 'no-such-path', product: 'pbs' });
  });

  it('PMG: unknown path 501; a PMGAPIToken header is not a credential (401 No ticket)', async () => {
    const r = await request(`${pmgUrl()}/nodes/pmg1/postfix/counts`, { headers: pmg });
    expect(r.status).toBe(501);
    expect(r.statusMessage).toBe("Method 'GET /nodes/pmg1/postfix/counts' not implemented");
    const token = await request(`${pmgUrl()}/version`, {
      headers: { Authorization: `PMGAPIToken=root@pam!pulse=${sim.ready.pmg[0].password}` },
    });
    expect(token.status).toBe(401);
    expect(token.statusMessage).toBe('No ticket');
    expect((await request(`${pmgUrl()}/version`, { headers: pmg })).status).toBe(200);
  });
});

describe('strict simulator: parameters (400 with errors per parameter)', () => {
  it('PVE rrddata: an undeclared `ds`, a missing `timeframe`, a value outside the enum', async () => {
    const ds = await request(`${pveUrl()}/nodes/pve1/rrddata?timeframe=hour&ds=memavailable`, { headers: pve });
    expect(ds.status).toBe(400);
    expect(ds.json.data).toBeNull();
    expect(Object.keys(ds.json.errors)).toEqual(['ds']);
    expect(ds.json.errors.ds).toMatch(/not defined in schema/);
    expect(lastRecord('/nodes/pve1/rrddata')).toMatchObject({ status: 400, refusal: 'parameters' });

    const missing = await request(`${pveUrl()}/nodes/pve1/rrddata`, { headers: pve });
    expect(missing.status).toBe(400);
    expect(missing.json.errors).toEqual({ timeframe: 'property is missing and it is not optional' });

    const enumBad = await request(`${pveUrl()}/nodes/pve1/rrddata?timeframe=minute`, { headers: pve });
    expect(enumBad.status).toBe(400);
    expect(enumBad.json.errors.timeframe).toMatch(/enumeration/);

    const ok = await request(`${pveUrl()}/nodes/pve1/rrddata?timeframe=hour&cf=AVERAGE&_dc=12345`, { headers: pve });
    expect(ok.status).toBe(200);
  });

  it('PVE: formats of path parameters (vmid) and enums of query parameters', async () => {
    const vmid = await request(`${pveUrl()}/nodes/pve1/qemu/abc/status/current`, { headers: pve });
    expect(vmid.status).toBe(400);
    expect(Object.keys(vmid.json.errors)).toEqual(['vmid']);
    const type = await request(`${pveUrl()}/cluster/resources?type=guests`, { headers: pve });
    expect(type.status).toBe(400);
    expect(type.json.errors.type).toMatch(/enumeration/);
  });

  it('PBS and PMG verify their parameters the same way', async () => {
    const b = await request(`${pbsUrl()}/admin/datastore/main/status?detail=1`, { headers: pbs });
    expect(b.status).toBe(400);
    expect(Object.keys(b.json.errors)).toEqual(['detail']);
    const m = await request(`${pmgUrl()}/statistics/mail?timeframe=day`, { headers: pmg });
    expect(m.status).toBe(400);
    expect(Object.keys(m.json.errors)).toEqual(['timeframe']);
    const range = await request(`${pmgUrl()}/statistics/mail?day=32`, { headers: pmg });
    expect(range.status).toBe(400);
    expect(range.json.errors.day).toMatch(/maximum/);
  });

  it('permissions are checked before parameters, as on real hosts', async () => {
    const add = await fetch(`${sim.controlUrl}/credentials`, {
      method: 'POST',
      body: JSON.stringify({ target: 'pve-cluster', tokenId: 'none@pve!x', secret: 's', acl: {} }),
    });
    expect(add.status).toBe(200);
    const r = await request(`${pveUrl()}/nodes/pve1/rrddata?ds=cpu`, { headers: pveToken('none@pve!x', 's') });
    expect(r.status).toBe(403);
  });
});
