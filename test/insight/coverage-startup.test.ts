/**
 * Backup coverage during start-up against the simulator's demo estate: the PVE storages are
 * listed while the PBS fails its snapshot listings. Until it has listed them, no guest may be
 * called unprotected (no backup-coverage alert that fires and then resolves); once it has, a
 * guest that really has no backup is alerted on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import type { GuestCoverage } from '../../src/backups/coverage.js';
import type { FullAlert } from '../../src/model/state.js';
import { api } from '../helpers/http.js';
import { backupPollers, startFastPulse, type TestPulse } from '../helpers/pulse.js';
import { addNodes, control, pveBody, startSim, tokenNodeBody } from '../helpers/sim.js';

let sim: Simulator;
let pulse: TestPulse;

beforeAll(async () => {
  sim = await startSim('demo');
  pulse = await startFastPulse();
}, 60_000);

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

const coverage = async () => (await api(pulse.url, 'GET', '/api/backups/coverage')).body;
const coverageAlerts = async (path: string) =>
  ((await api(pulse.url, 'GET', path)).body as FullAlert[]).filter((a) => a.type === 'backup-coverage');

describe('backup coverage while the backup listings come in', () => {
  it('judges no guest before the PBS listing arrives, then alerts only the guests really without backup', async () => {
    const pbs = sim.ready.pbs[0];
    // Only the snapshot listings fail: the PBS itself answers its status calls.
    for (const store of pbs.datastores) {
      await control(sim, 'POST', '/faults', {
        target: pbs.name,
        kind: 'http500',
        path: `/admin/datastore/${store}/snapshots`,
      });
    }
    await addNodes(pulse.url, [pveBody(sim, 0), pveBody(sim, 1), tokenNodeBody('pbs', pbs)]);
    const monitoring = pulse.deps.monitoring;
    await monitoring.pollNow();
    const pollers = backupPollers(pulse);
    const pvePollers = pollers.filter((p) => p.instance !== pbs.name);
    expect(pvePollers.length).toBe(2);
    for (const p of pollers) await p.settleBackups();
    await monitoring.pollNow();
    pulse.deps.alerts.evaluateNow();

    // PVE storages listed, the PBS snapshots not: every guest unknown with the reason, none at risk, no alert.
    const state = pulse.deps.state.get();
    expect(state.pveBackups.storageBackups.length).toBeGreaterThan(0);
    expect(state.pbsBackups).toEqual([]);
    const early = await coverage();
    const earlyGuests = early.guests as GuestCoverage[];
    expect(earlyGuests.length).toBeGreaterThan(0);
    for (const g of earlyGuests) {
      expect(g.status).toBe('unknown');
      expect(g.statusReason).toMatch(
        new RegExp(`^backups not listed \\(PBS ${pbs.name}: snapshot listing incomplete: `),
      );
      expect(g.flags).toEqual([]);
    }
    expect(early.summary).toMatchObject({ atRisk: 0, pending: 0, unknown: earlyGuests.length });
    expect(await coverageAlerts('/api/alerts/active')).toEqual([]);

    // The PBS answers again; its next listing run (every 10th cycle) brings the snapshots in.
    await control(sim, 'DELETE', '/faults');
    for (let i = 0; i < 12 && pulse.deps.state.get().backupSources?.[`pbs:${pbs.name}`]?.listedAt === undefined; i++) {
      await monitoring.pollNow();
      for (const p of pollers) await p.settleBackups();
    }
    await monitoring.pollNow();
    expect(pulse.deps.state.get().pbsBackups.length).toBeGreaterThan(0);
    pulse.deps.alerts.evaluateNow();
    const late = (await coverage()).guests as GuestCoverage[];
    for (const g of late) expect(g.status).toBe('judged');
    // Guests whose only backups are on PBS: the ones the early listing would have called unprotected.
    const pbsOnly = late.filter((g) => g.targets.length > 0 && g.targets.every((t) => t.kind === 'pbs'));
    expect(pbsOnly.length).toBeGreaterThan(0);
    for (const g of pbsOnly) expect(g.flags.map((f) => f.reason)).not.toContain('no-backup');

    const unbacked = late.filter((g) => g.flags.some((f) => f.reason === 'no-backup')).map((g) => g.guestId);
    expect(unbacked.length).toBeGreaterThan(0);
    const active = await coverageAlerts('/api/alerts/active');
    const critical = active.filter((a) => a.level === 'critical').map((a) => a.resourceId);
    expect(critical.sort()).toEqual([...unbacked].sort());
    for (const a of active.filter((x) => unbacked.includes(x.resourceId)))
      expect(a.message).toMatch(/no backup on any target/);
    // No coverage alert fired early and resolved once the listing came in.
    const history = await coverageAlerts('/api/alerts/history');
    const resolved = history.filter((a) => !active.some((x) => x.id === a.id));
    expect(resolved).toEqual([]);
    expect(pulse.deps.state.get().recentlyResolved.filter((a) => a.type === 'backup-coverage')).toEqual([]);
  }, 120_000);
});
