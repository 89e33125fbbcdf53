/**
 * Cluster resources: one /cluster/resources per cycle split into nodes, guests and storage; on a
 * network failure it fails over to another endpoint, and when none answers the cycle fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxmoxError } from '../../../src/proxmox/errors.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig(labSpec());
});
afterAll(async () => {
  await rig?.close();
});

describe('cluster resources', () => {
  it('one call per cycle, split into nodes, guests and storage; answered cycles are counted', async () => {
    const before = rig.calls(/^\/cluster\/resources/);
    const c = await rig.cycle();
    expect(rig.calls(/^\/cluster\/resources/)).toBe(before + 1);
    expect(c.nodes.map((n) => n.node).sort()).toEqual(['n1', 'n2']);
    expect(c.onlineNodes.sort()).toEqual(['n1', 'n2']);
    expect([...c.online].sort()).toEqual(['n1', 'n2']);
    expect(c.guests.map((g) => g.vmid).sort((a, b) => Number(a) - Number(b))).toEqual([
      100, 101, 102, 200, 201, 202, 9000,
    ]);
    expect(new Set(c.storage.map((s) => s.storage))).toEqual(new Set(['local', 'local-zfs']));
    expect(c.now).toBe(rig.clock.now());
    expect(c.seq).toBe(1);
    expect((await rig.cycle()).seq).toBe(2);
  });

  it('an HTTP error fails the cycle without failing over, and is not counted as answered', async () => {
    await rig.fault({ target: 'lab', kind: 'http500', path: '/cluster/resources' });
    await expect(rig.cycle()).rejects.toMatchObject({ kind: 'http' });
    await rig.clearFaults();
    expect(rig.endpoints.active).toBe(rig.endpoints.primary);
    expect((await rig.cycle()).seq).toBe(3);
  });

  it('fails over to a member when the active endpoint is down; fails when none answers', async () => {
    const member = rig.sim.ready.pve[0].nodes[1];
    rig.setCluster({
      isCluster: true,
      endpoints: [],
      extraEndpoints: [{ host: member.url, fingerprint: member.fingerprint }],
    });
    await rig.fault({ target: 'lab/n1', kind: 'down' });
    const c = await rig.cycle();
    expect(rig.endpoints.active.baseUrl).toBe(member.url);
    expect(c.api.client.baseUrl).toBe(member.url);
    expect(c.nodes.find((n) => n.node === 'n1')?.status).not.toBe('online');
    expect(c.onlineNodes).toEqual(['n2']);

    await rig.fault({ target: 'lab/n2', kind: 'down' });
    const err = await rig.cycle().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxmoxError);
    expect((err as ProxmoxError).isNetwork).toBe(true);
    await rig.clearFaults();
  });
});
