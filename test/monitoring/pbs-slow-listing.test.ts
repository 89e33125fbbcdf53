/**
 * A PBS whose snapshot listing hangs still has its status polled: the background listing runs on
 * sockets of its own, so the next cycles' calls do not queue behind it (a large datastore can
 * take many seconds to list on a real PBS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import { ManualClock } from '../../src/clock.js';
import { PbsPoller } from '../../src/collect/pbs-poller.js';
import type { NodeConfig } from '../../src/settings/node-config.js';
import { control, startSim } from '../helpers/sim.js';
import { testPollerEnv } from './fetchers/rig.js';

let sim: Simulator;
let poller: PbsPoller;
const clock = new ManualClock(Date.UTC(2026, 11, 5, 3, 0, 0));

beforeAll(async () => {
  sim = await startSim('demo');
  const pbs = sim.ready.pbs[0];
  const cfg: NodeConfig = {
    uid: 1,
    type: 'pbs',
    name: pbs.name,
    host: pbs.url,
    tokenName: pbs.tokenId,
    tokenValue: pbs.tokenSecret,
    fingerprint: pbs.fingerprint,
    verifySSL: false,
    monitor: {},
  };
  poller = new PbsPoller(cfg, testPollerEnv(clock));
});
afterAll(async () => {
  await poller?.close(); // also gives up the listings that never answer
  await sim?.stop();
});

describe('PBS poller with a snapshot listing that does not answer', () => {
  it('keeps polling the status while every listing hangs', async () => {
    const pbs = sim.ready.pbs[0];
    // Every datastore's listing (four datastore/namespace pairs in the demo estate: more than the
    // poller's four sockets could carry next to its status calls) accepts and never answers.
    for (const d of pbs.datastores)
      await control(sim, 'POST', '/faults', {
        target: pbs.name,
        kind: 'hang',
        path: `/admin/datastore/${d}/snapshots`,
      });
    const first = await poller.poll(); // starts the background listing
    expect(first.healthy).toBe(true);
    let listingDone = false;
    void poller.settleBackups().then(() => {
      listingDone = true;
    });
    for (let i = 0; i < 3; i++) {
      clock.advance(10_000);
      const next = await poller.poll();
      expect(next.healthy).toBe(true);
      expect(next.pbs.status).toBe('online');
      expect(next.pbs.datastores.length).toBe(pbs.datastores.length);
    }
    // The cycles above finished while the listing was still hanging, not after it timed out.
    expect(listingDone).toBe(false);
  });
});
