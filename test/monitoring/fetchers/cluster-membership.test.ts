/**
 * Cluster membership: /cluster/status and /nodes every 5 minutes, a change handed on once, the
 * members' Online/LastSeen refreshed from cluster resources in every cycle, failures harmless.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterMembershipFetcher } from '../../../src/collect/pve/cluster-membership.js';
import { FIVE_MIN } from '../../../src/collect/pve/fetcher.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
let membership: ClusterMembershipFetcher;
const statusCalls = () => rig.calls(/^\/cluster\/status$/);
const nodeListCalls = () => rig.calls(/^\/nodes$/);

beforeAll(async () => {
  rig = await startRig(labSpec());
  membership = new ClusterMembershipFetcher(rig.cfg.host, undefined, rig.clock, (c) => rig.clusterChanges.push(c));
});
afterAll(async () => {
  await rig?.close();
});

describe('cluster membership', () => {
  it('detects the cluster, its members and their fingerprints, and hands the change on once', async () => {
    await membership.fetch(await rig.cycle());
    expect(statusCalls()).toBe(1);
    expect(nodeListCalls()).toBe(1);
    const c = membership.cluster!;
    expect(c.isCluster).toBe(true);
    expect(c.clusterName).toBe('lab');
    expect(c.nodeNames).toEqual(['n1', 'n2']);
    expect(c.endpoints.map((e) => [e.NodeName, e.Online, Boolean(e.Fingerprint)])).toEqual([
      ['n1', true, true],
      ['n2', true, true],
    ]);
    expect(rig.clusterChanges).toHaveLength(1);
  });

  it('asks again only after 5 minutes; an unchanged membership is not handed on', async () => {
    rig.clock.advance(FIVE_MIN - 10_000);
    await membership.fetch(await rig.cycle());
    expect(statusCalls()).toBe(1);
    rig.clock.advance(10_000);
    await membership.fetch(await rig.cycle());
    expect(statusCalls()).toBe(2);
    expect(nodeListCalls()).toBe(2);
    expect(rig.clusterChanges).toHaveLength(1);
  });

  it("refreshes the members' Online and LastSeen from cluster resources between checks", async () => {
    const seenBefore = membership.cluster!.endpoints.find((e) => e.NodeName === 'n2')!.LastSeen;
    await rig.fault({ target: 'lab/n2', kind: 'down' });
    rig.clock.advance(10_000);
    await membership.fetch(await rig.cycle());
    await rig.clearFaults();
    expect(statusCalls()).toBe(2);
    const n1 = membership.cluster!.endpoints.find((e) => e.NodeName === 'n1')!;
    const n2 = membership.cluster!.endpoints.find((e) => e.NodeName === 'n2')!;
    expect(n1).toMatchObject({ Online: true, LastSeen: new Date(rig.clock.now()).toISOString() });
    expect(n2).toMatchObject({ Online: false, LastSeen: seenBefore });
  });

  it('a failed check keeps the membership and waits its 5 minutes; user endpoints survive checks', async () => {
    membership.addEndpoint('https://10.9.9.9:8006');
    rig.clock.advance(FIVE_MIN);
    await rig.fault({ target: 'lab', kind: 'http500', path: '/cluster/status' });
    await membership.fetch(await rig.cycle());
    await rig.clearFaults();
    expect(statusCalls()).toBe(3);
    expect(membership.cluster?.clusterName).toBe('lab');
    rig.clock.advance(10_000);
    await membership.fetch(await rig.cycle());
    expect(statusCalls()).toBe(3);

    rig.clock.advance(FIVE_MIN);
    await membership.fetch(await rig.cycle());
    expect(statusCalls()).toBe(4);
    expect(membership.cluster?.extraEndpoints).toEqual([{ host: 'https://10.9.9.9:8006' }]);
  });
});
