/**
 * Ceph: while Ceph-backed storage exists, /cluster/ceph/status and one node's pool list each
 * cycle; a failed cycle keeps the last cluster; without Ceph storage there is none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CephFetcher } from '../../../src/collect/pve/ceph.js';
import { StorageConfigFetcher } from '../../../src/collect/pve/storage-config.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
const ceph = new CephFetcher();
const storageConfig = new StorageConfigFetcher();
const statusCalls = () => rig.calls(/^\/cluster\/ceph\/status$/);
const poolCalls = (node: string) => rig.calls(new RegExp(`^/nodes/${node}/ceph/pool$`));
const cycle = () => rig.cycle([storageConfig]);

beforeAll(async () => {
  rig = await startRig(
    labSpec({
      storages: [
        { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup' },
        { storage: 'ceph-vm', type: 'rbd', content: 'images,rootdir', shared: true, totalGiB: 3000 },
      ],
      ceph: { health: 'HEALTH_OK' },
    }),
  );
});
afterAll(async () => {
  await rig?.close();
});

describe('Ceph', () => {
  it("each cycle: the cluster's status and the first node's pool list", async () => {
    const c = await cycle();
    await ceph.fetch(c);
    expect([statusCalls(), poolCalls(c.onlineNodes[0]), poolCalls(c.onlineNodes[1])]).toEqual([1, 1, 0]);
    expect(c.cephClusters).toHaveLength(1);
    expect(c.cephClusters[0].health).toBe('HEALTH_OK');
    expect(c.cephClusters[0].pools?.length).toBeGreaterThan(0);
    await ceph.fetch(await cycle());
    expect(statusCalls()).toBe(2);
  });

  it('a node that cannot list pools hands over to the next; a failed status keeps the last cluster', async () => {
    const c = await cycle();
    const [first, second] = c.onlineNodes;
    await rig.fault({ target: 'lab', kind: 'http500', path: `/nodes/${first}/ceph/pool` });
    await ceph.fetch(c);
    expect([poolCalls(first), poolCalls(second)]).toEqual([3, 1]);
    expect(c.cephClusters[0].pools?.length).toBeGreaterThan(0);
    await rig.clearFaults();

    await rig.fault({ target: 'lab', kind: 'http500', path: '/cluster/ceph/status' });
    const failed = await cycle();
    await ceph.fetch(failed);
    await rig.clearFaults();
    expect(failed.cephClusters).toBe(c.cephClusters);
  });

  it('none without Ceph storage or when storage is not monitored', async () => {
    const before = statusCalls();
    const off = await cycle();
    off.want.storage = false;
    await ceph.fetch(off);
    expect(off.cephClusters).toEqual([]);
    const none = await rig.cycle();
    none.storage = none.storage.filter((s) => s.storage !== 'ceph-vm');
    await ceph.fetch(none);
    expect(none.cephClusters).toEqual([]);
    expect(statusCalls()).toBe(before);
  });
});
