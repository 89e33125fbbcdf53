/**
 * The simulator's replies have the shapes of the recorded real replies in ../shared/fixtures
 * (a copy kept in test/fixtures/proxmox).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { pmgTicket, pveToken, request } from './client.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const FIXTURES = process.env.PROXMOX_FIXTURES_DIR ?? path.resolve(HERE, '../fixtures/proxmox');
const have = fs.existsSync(FIXTURES);
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')).data;

describe.skipIf(!have)('simulator replies vs recorded fixtures', () => {
  let sim: Simulator;
  let pmgHeaders: Record<string, string>;
  beforeAll(async () => {
    sim = await startSimulator({ estate: 'demo' });
    pmgHeaders = await pmgTicket(sim.ready.pmg[0]);
  });
  afterAll(() => sim.stop());

  const pve = (i: number, p: string) =>
    request(`${sim.ready.pve[i].url}/api2/json${p}`, {
      headers: pveToken(sim.ready.pve[i].tokenId, sim.ready.pve[i].tokenSecret),
    }).then((r) => r.json.data);
  const pmg = (p: string) =>
    request(`${sim.ready.pmg[0].url}/api2/json${p}`, {
      headers: pmgHeaders,
    }).then((r) => r.json.data);
  /** The field set of a complete (middle) row. */
  const fields = (rows: Array<Record<string, unknown>>) =>
    Object.keys(rows.reduce((a, b) => (Object.keys(b).length > Object.keys(a).length ? b : a))).sort();

  it('rrddata field sets match PVE 9 (cluster) and PVE 8 (standalone) recordings', async () => {
    expect(fields(await pve(0, '/nodes/pve1/rrddata?timeframe=hour'))).toEqual(
      fields(fixture('pve-rrd/pve9_node_rrddata.json')),
    );
    expect(fields(await pve(0, '/nodes/pve1/qemu/100/rrddata?timeframe=hour'))).toEqual(
      fields(fixture('pve-rrd/pve9_qemu_rrddata.json')),
    );
    expect(fields(await pve(0, '/nodes/pve1/lxc/103/rrddata?timeframe=hour'))).toEqual(
      fields(fixture('pve-rrd/pve9_lxc_rrddata.json')),
    );
    expect(fields(await pve(1, '/nodes/minipc/rrddata?timeframe=hour'))).toEqual(
      fields(fixture('pve-rrd/pve8_node_rrddata.json')),
    );
    expect(fields(await pve(1, '/nodes/minipc/qemu/100/rrddata?timeframe=hour'))).toEqual(
      fields(fixture('pve-rrd/pve8_guest_rrddata.json')),
    );
  });

  it('Ceph status has the Squid shape (no mgrmap.num_mgrs, no monmap.mons, quorum at the top)', async () => {
    const st = await pve(0, '/cluster/ceph/status');
    const rec = fixture('pve-ceph/ceph-squid-status.json');
    for (const k of Object.keys(rec)) expect(st, k).toHaveProperty(k);
    expect(st.mgrmap).not.toHaveProperty('num_mgrs');
    expect(st.monmap).not.toHaveProperty('mons');
    expect(Object.keys(rec.pgmap).every((k) => k in st.pgmap)).toBe(true);
  });

  it('PMG statistics and queue carry the recorded fields, numbers partly as strings', async () => {
    const mail = await pmg('/statistics/mail');
    for (const k of Object.keys(fixture('pmg/statistics-mail-mixed-types.json'))) expect(mail, k).toHaveProperty(k);
    const types = new Set(Object.values(mail).map((v) => typeof v));
    expect(types).toEqual(new Set(['string', 'number']));
    // /postfix/queue is a directory index on real PMG; counts come from qshape, every figure a string.
    expect(await pmg('/nodes/pmg1/postfix/queue')).toEqual(
      ['deferred', 'active', 'incoming', 'hold'].map((name) => ({ name })),
    );
    const shape = await pmg('/nodes/pmg1/postfix/qshape?queue=deferred');
    const recorded = fixture('pmg/qshape-deferred.json')[0];
    expect(Object.keys(shape[0]).sort()).toEqual(Object.keys(recorded).sort());
    expect(Object.values(shape[0]).every((v) => typeof v === 'string')).toBe(true);
  });
});
