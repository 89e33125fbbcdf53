/**
 * Every request Pulse's pollers make, against the strict simulator: Pulse is pointed at every
 * instance of an estate (connection test first, as the UI does, then added), polled until the
 * set of distinct requests stops growing, each node tested again and the diagnostics collected;
 * then every request the simulator received is checked.
 * The test fails on any request a real Proxmox host would refuse (the strictness layer's 501/404
 * for paths the official schema lacks, 400 for parameters it does not accept), on paths the
 * simulator does not serve yet, and on authentication failures. Other errors (a stopped VM's
 * agent, a missing guest) are real hosts' answers that Pulse must handle, not wrong requests.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../sim/http/strict.js';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { api } from '../helpers/http.js';
import { startFastPulse, type TestPulse } from '../helpers/pulse.js';
import { allNodeBodies } from '../helpers/sim.js';

/** A request as a line a reader can act on. */
function describeRecord(r: RequestRecord): string {
  const q = r.query ? `?${r.query}` : '';
  const why = r.errors ? JSON.stringify(r.errors) : (r.message ?? '');
  return `${r.product} ${r.endpoint}: ${r.method} ${r.path}${q} → ${r.status} [${r.refusal ?? 'auth'}] ${why}`;
}

/** Distinct request shapes (numbers and names folded) to tell when polling stops finding new ones. */
function shape(r: RequestRecord): string {
  const keys = r.query ? [...new URLSearchParams(r.query).keys()].sort().join(',') : '';
  return `${r.product} ${r.method} ${r.path.replace(/\/[^/]*\d[^/]*/g, '/#')} ${keys}`;
}

async function walkPollers(estate: string): Promise<{ records: RequestRecord[]; pulse: TestPulse; sim: Simulator }> {
  const sim = await startSimulator({ estate, seed: 42, port: 0 });
  const records: RequestRecord[] = [];
  sim.core.onRequest = (r) => records.push(r);
  const pulse = await startFastPulse();
  const bodies = allNodeBodies(sim);
  for (const body of bodies) {
    const t = await api(pulse.url, 'POST', '/api/config/nodes/test-connection', body);
    expect(t.status, `test-connection ${body.name}: ${JSON.stringify(t.body)}`).toBe(200);
    const r = await api(pulse.url, 'POST', '/api/config/nodes', body);
    expect(r.status, `add ${body.name}: ${JSON.stringify(r.body)}`).toBe(201);
  }
  // Poll until two cycles in a row bring no new kind of request (backups run in the background
  // of the first cycles, slower data on its own cadence); at most 12 cycles.
  let seen = 0;
  let quiet = 0;
  for (let i = 0; i < 12 && quiet < 2; i++) {
    await pulse.deps.monitoring.nextCycle();
    const n = new Set(records.map(shape)).size;
    quiet = n === seen ? quiet + 1 : 0;
    seen = n;
  }
  // What else talks to the instances: the per-node test and the diagnostics page.
  const list = await api(pulse.url, 'GET', '/api/config/nodes');
  for (const n of list.body as Array<{ id: string }>) {
    const t = await api(pulse.url, 'POST', `/api/config/nodes/${n.id}/test`);
    expect(t.status, `test ${n.id}: ${JSON.stringify(t.body)}`).toBe(200);
  }
  expect((await api(pulse.url, 'GET', '/api/diagnostics')).status).toBe(200);
  return { records, pulse, sim };
}

function verdict(records: RequestRecord[]) {
  const wrong = records.filter((r) => r.refusal === 'no-such-path' || r.refusal === 'parameters');
  const unsimulated = records.filter((r) => r.refusal === 'unimplemented');
  return {
    /** Requests a real host refuses. */
    refused: [...new Set(wrong.map(describeRecord))],
    /** Paths real hosts have that the simulator does not serve: the walk cannot judge them. */
    unsimulated: [...new Set(unsimulated.map(describeRecord))],
    /** Authentication failures: a poller that cannot log in polls nothing. */
    unauthenticated: [...new Set(records.filter((r) => r.status === 401).map(describeRecord))],
  };
}

describe('every request the pollers make is one real Proxmox accepts', () => {
  const running: Array<{ pulse: TestPulse; sim: Simulator }> = [];
  afterAll(async () => {
    for (const r of running) {
      await r.pulse.close();
      await r.sim.stop();
    }
  });

  for (const estate of ['demo', 'mixed']) {
    it(`${estate} estate`, async () => {
      const run = await walkPollers(estate);
      running.push(run);
      const { records } = run;
      // The walk reached every product and the detail paths, not just the entry points.
      const products = new Set(records.filter((r) => r.status === 200).map((r) => r.product));
      expect([...products].sort()).toEqual(['pbs', 'pmg', 'pve']);
      expect(records.some((r) => /\/qemu\/\d+\/status\/current$/.test(r.path) && r.status === 200)).toBe(true);
      expect(records.some((r) => /\/statistics\/mail$/.test(r.path) && r.status === 200)).toBe(true);
      expect(records.some((r) => /\/admin\/datastore\/[^/]+\/snapshots$/.test(r.path) && r.status === 200)).toBe(true);
      expect(records.some((r) => /\/postfix\/qshape$/.test(r.path) && r.status === 200)).toBe(true);
      if (estate === 'mixed') {
        expect(records.some((r) => /^\/nodes\/[^/]+\/ceph\/pool$/.test(r.path) && r.status === 200)).toBe(true);
      }

      const v = verdict(records);
      console.info(`${estate}: ${records.length} requests of ${new Set(records.map(shape)).size} kinds checked`);
      expect(v.refused, 'requests real Proxmox refuses').toEqual([]);
      expect(v.unsimulated, 'paths the simulator does not serve yet').toEqual([]);
      expect(v.unauthenticated, 'authentication failures').toEqual([]);
    });
  }
});
