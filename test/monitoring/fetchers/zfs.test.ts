/**
 * ZFS pools: on the online nodes with ZFS storage, the pool list and each backing pool's detail,
 * at most once a minute (or once an interval when that is longer); the last pools in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../../src/collect/pve/fetcher.js';
import { StorageConfigFetcher } from '../../../src/collect/pve/storage-config.js';
import { ZfsFetcher } from '../../../src/collect/pve/zfs.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
let interval = 10_000;
const zfs = new ZfsFetcher(() => interval);
const storageConfig = new StorageConfigFetcher();
const lists = (node: string) => rig.calls(new RegExp(`^/nodes/${node}/disks/zfs$`));
const details = (node: string) => rig.calls(new RegExp(`^/nodes/${node}/disks/zfs/[^/]+$`));
const cycle = () => rig.cycle([storageConfig]);

beforeAll(async () => {
  // ZFS on n1 only.
  rig = await startRig(
    labSpec({
      storages: [
        { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup' },
        { storage: 'local-zfs', type: 'zfspool', content: 'images,rootdir', nodes: ['n1'] },
      ],
    }),
  );
});
afterAll(async () => {
  await rig?.close();
});

describe('ZFS pools', () => {
  it('asks only nodes with ZFS storage, once a minute', async () => {
    const c = await cycle();
    await zfs.fetch(c);
    expect([lists('n1'), details('n1'), lists('n2')]).toEqual([1, 1, 0]);
    const pool = [...(c.zfsPools.get('n1')?.values() ?? [])][0];
    expect(pool?.name).toBe('rpool');
    expect(pool?.devices?.length).toBeGreaterThan(0);

    rig.clock.advance(MINUTE - 1);
    const next = await cycle();
    await zfs.fetch(next);
    expect(lists('n1')).toBe(1);
    expect(next.zfsPools).toBe(c.zfsPools);
    rig.clock.advance(1);
    await zfs.fetch(await cycle());
    expect(lists('n1')).toBe(2);
  });

  it('a polling interval longer than a minute sets the cadence', async () => {
    interval = 2 * MINUTE;
    rig.clock.advance(MINUTE);
    await zfs.fetch(await cycle());
    expect(lists('n1')).toBe(2);
    rig.clock.advance(MINUTE);
    await zfs.fetch(await cycle());
    expect(lists('n1')).toBe(3);
    interval = 10_000;
  });

  it('a failing node has no pools that run; nothing is asked when storage is not monitored', async () => {
    rig.clock.advance(MINUTE);
    await rig.fault({ target: 'lab', kind: 'http500', path: '/nodes/n1/disks/zfs' });
    const c = await cycle();
    await zfs.fetch(c);
    await rig.clearFaults();
    expect(lists('n1')).toBe(4);
    expect(c.zfsPools.get('n1')?.size).toBe(0);

    rig.clock.advance(MINUTE);
    const off = await cycle();
    off.want.storage = false;
    await zfs.fetch(off);
    expect(lists('n1')).toBe(4);
    expect(off.zfsPools).toBe(c.zfsPools);
  });
});
