/**
 * GET /api/backups/coverage, the policy routes and backup-coverage alerts against the simulator's
 * demo estate (a PVE cluster, a standalone PVE and a PBS), polled over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import type { GuestCoverage } from '../../src/backups/coverage.js';
import type { FullAlert } from '../../src/model/state.js';
import { api } from '../helpers/http.js';
import { settleBackups, startFastPulse, type TestPulse } from '../helpers/pulse.js';
import { addNodes, pveBody, startSim, tokenNodeBody } from '../helpers/sim.js';

let sim: Simulator;
let pulse: TestPulse;

beforeAll(async () => {
  sim = await startSim('demo');
  pulse = await startFastPulse();
  const pbs = sim.ready.pbs[0];
  await addNodes(pulse.url, [pveBody(sim, 0), pveBody(sim, 1), tokenNodeBody('pbs', pbs)]);
  await pulse.deps.monitoring.pollNow();
  await settleBackups(pulse);
}, 120_000);

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

const coverage = async (query = '') => api(pulse.url, 'GET', `/api/backups/coverage${query}`);

describe('backup coverage on the demo estate', () => {
  it('lists every non-template guest once, keyed by instance and VMID, with its targets', async () => {
    const r = await coverage();
    expect(r.status).toBe(200);
    const guests: GuestCoverage[] = r.body.guests;
    const state = pulse.deps.state.get();
    const expected = [...state.vms, ...state.containers]
      .filter((g) => !g.template)
      .map((g) => `${g.instance}:${g.vmid}`);
    expect(guests.map((g) => g.key).sort()).toEqual(expected.sort());
    expect(new Set(guests.map((g) => g.key)).size).toBe(guests.length);
    // Both PVE instances have guests with VMIDs that appear on PBS; each gets only its own groups.
    const instances = new Set(guests.map((g) => g.instance));
    expect(instances.size).toBe(2);
    const withPbs = guests.filter((g) =>
      g.targets.some((t) => t.kind === 'pbs' && t.target.startsWith(`${state.pbs[0].name}/`)),
    );
    expect(withPbs.length).toBeGreaterThan(0);
    for (const g of withPbs) expect(g.restorePoints).toBeGreaterThan(0);
    expect(r.body.summary.guests).toBe(guests.length);
    expect(r.body.summary.atRisk).toBe(guests.filter((g) => g.atRisk).length);
  });

  it('flags the demo guests without backups, with stale backups and, when asked, with unverified ones', async () => {
    const reasons = async (q = '') => {
      const guests = (await coverage(q)).body.guests as GuestCoverage[];
      return (key: string) => guests.find((g) => g.key === key)?.flags.map((f) => f.reason);
    };
    const byDefault = await reasons();
    expect(byDefault('pve-cluster:303')).toEqual(['no-backup']);
    expect(byDefault('pve-cluster:304')).toEqual(['no-backup']);
    expect(byDefault('pve-cluster:204')).toEqual(['stale']);
    expect(byDefault('pve-cluster:202')).toEqual([]);
    const atRisk = (await coverage('?atRisk=true')).body.guests as GuestCoverage[];
    expect(
      atRisk
        .slice(0, 2)
        .map((g) => g.key)
        .sort(),
    ).toEqual(['pve-cluster:303', 'pve-cluster:304']);

    const put = await api(pulse.url, 'PUT', '/api/backups/policy', { tags: { home: { requireVerified: true } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const strict = await reasons();
    expect(strict('pve-cluster:202')).toEqual(['unverified']);
    // Another home guest whose snapshots PBS verified passes the same policy.
    const home = ((await coverage()).body.guests as GuestCoverage[]).filter(
      (g) => g.tags.includes('home') && g.key !== 'pve-cluster:202' && g.targets.some((t) => t.verifiedCount > 0),
    );
    expect(home.length).toBeGreaterThan(0);
    for (const g of home) expect(g.flags.map((f) => f.reason)).not.toContain('unverified');
  });

  it('a stored policy flags guests with reasons, at risk first, and raises backup-coverage alerts', async () => {
    const guests: GuestCoverage[] = (await coverage()).body.guests;
    const victim = guests.find((g) => !g.atRisk && g.targets.length > 0);
    expect(victim).toBeDefined();
    const put = await api(pulse.url, 'PUT', '/api/backups/policy', {
      global: { maxAgeHours: 48, minRestorePoints: 1, requireVerified: false, minTargets: 1 },
      guests: { [victim!.key]: { minRestorePoints: 100_000 } },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect((await api(pulse.url, 'GET', '/api/backups/policy')).body.guests[victim!.key]).toEqual({
      minRestorePoints: 100_000,
    });

    const after = (await coverage()).body.guests as GuestCoverage[];
    const v = after.find((g) => g.key === victim!.key)!;
    expect(v.policySource).toBe('guest');
    expect(v.flags.map((f) => f.reason)).toContain('few-restore-points');
    for (let i = 1; i < after.length; i++)
      expect(after[i - 1].flags.length).toBeGreaterThanOrEqual(after[i].flags.length);
    expect(after.findIndex((g) => !g.atRisk)).toBeGreaterThan(after.findIndex((g) => g.key === victim!.key));

    const filtered = (await coverage('?reason=few-restore-points')).body.guests as GuestCoverage[];
    expect(filtered.map((g) => g.key)).toContain(victim!.key);
    expect(filtered.every((g) => g.flags.some((f) => f.reason === 'few-restore-points'))).toBe(true);

    pulse.deps.alerts.evaluateNow();
    const active: FullAlert[] = (await api(pulse.url, 'GET', '/api/alerts/active')).body;
    const raised = active.filter((a) => a.type === 'backup-coverage').map((a) => a.resourceId);
    expect(raised).toContain(v.guestId);
    expect(raised.sort()).toEqual(
      after
        .filter((g) => g.atRisk)
        .map((g) => g.guestId)
        .sort(),
    );
  });

  it('refuses bad policies and bad filters with a JSON error', async () => {
    const bad = await api(pulse.url, 'PUT', '/api/backups/policy', { guests: { '101': { maxAgeHours: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/guests key '101'/);
    expect((await coverage('?reason=lost')).status).toBe(400);
    expect((await coverage('?atRisk=maybe')).status).toBe(400);
    expect((await coverage('?vmid=101')).status).toBe(400);
  });
});
