/**
 * Encryption in GET /api/backups/coverage on the demo estate: Pulse polls the simulator's PBS
 * (snapshot files with crypt modes and key fingerprints) and PVE (the PBS storage's `encrypted`
 * field) over HTTPS, and reports per target and per guest whether the newest backup is encrypted,
 * matching what the PBS itself lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import type { GuestCoverage } from '../../src/backups/coverage.js';
import { api } from '../helpers/http.js';
import { settleBackups, startFastPulse, type TestPulse } from '../helpers/pulse.js';
import { addNodes, pveBody, startSim, tokenNodeBody } from '../helpers/sim.js';
import { pbsToken, request } from '../sim/client.js';

let sim: Simulator;
let pulse: TestPulse;
/** `datastore/ns/type/id` → key fingerprint (or undefined), from the PBS's own snapshot list. */
const pbsKeys = new Map<string, string | undefined>();

beforeAll(async () => {
  sim = await startSim('demo');
  pulse = await startFastPulse();
  const pbs = sim.ready.pbs[0];
  await addNodes(pulse.url, [pveBody(sim, 0), pveBody(sim, 1), tokenNodeBody('pbs', pbs)]);
  await pulse.deps.monitoring.pollNow();
  await settleBackups(pulse);

  const headers = pbsToken(pbs.tokenId, pbs.tokenSecret);
  for (const store of ['main', 'offsite']) {
    for (const ns of ['', 'prod', 'prod/db']) {
      const r = await request(
        `${pbs.url}/api2/json/admin/datastore/${store}/snapshots${ns ? `?ns=${encodeURIComponent(ns)}` : ''}`,
        { headers },
      );
      if (r.status !== 200) continue;
      for (const s of r.json.data)
        pbsKeys.set(`${store}${ns ? `/${ns}` : ''}/${s['backup-type']}/${s['backup-id']}`, s.fingerprint);
    }
  }
}, 120_000);

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

describe('backup coverage: encryption', () => {
  it('shows newestEncrypted per PBS target as the PBS lists it, and true for some demo guests', async () => {
    const r = await api(pulse.url, 'GET', '/api/backups/coverage');
    expect(r.status).toBe(200);
    const guests: GuestCoverage[] = r.body.guests;
    const pbsName = sim.ready.pbs[0].name;
    let checked = 0;
    for (const g of guests) {
      for (const t of g.targets) {
        if (t.kind !== 'pbs' || !t.target.startsWith(`${pbsName}/`)) continue;
        const group = `${t.target.slice(pbsName.length + 1)}/${g.type === 'qemu' ? 'vm' : 'ct'}/${g.vmid}`;
        expect(pbsKeys.has(group), group).toBe(true);
        expect(t.newestEncrypted, `${g.key} ${group}`).toBe(pbsKeys.get(group) !== undefined);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);

    const encrypted = guests.filter((g) => g.newestEncrypted === true);
    expect(encrypted.length).toBeGreaterThan(0);
    expect(guests.some((g) => g.newestEncrypted === false)).toBe(true);
    // PVE's view of its PBS storage reports the same key for the same guest.
    const viaPve = guests.flatMap((g) =>
      g.targets.filter((t) => t.kind === 'pbs' && !t.target.startsWith(`${pbsName}/`)),
    );
    expect(viaPve.some((t) => t.newestEncrypted === true)).toBe(true);
  });
});
