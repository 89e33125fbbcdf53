/** Storage configuration: /storage each cycle while storage or backups are monitored. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageConfigFetcher } from '../../../src/collect/pve/storage-config.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
const fetcher = new StorageConfigFetcher();
const calls = () => rig.calls(/^\/storage$/);

beforeAll(async () => {
  rig = await startRig(labSpec());
});
afterAll(async () => {
  await rig?.close();
});

describe('storage configuration', () => {
  it('is read every cycle', async () => {
    for (let i = 1; i <= 2; i++) {
      const c = await rig.cycle();
      await fetcher.fetch(c);
      expect(calls()).toBe(i);
      expect(c.storageConfig?.map((s) => [s.storage, s.type]).sort()).toEqual([
        ['local', 'dir'],
        ['local-zfs', 'zfspool'],
      ]);
    }
  });

  it('a failure leaves it undefined for the cycle', async () => {
    await rig.fault({ target: 'lab', kind: 'http500', path: '/storage' });
    const c = await rig.cycle();
    await fetcher.fetch(c);
    await rig.clearFaults();
    expect(calls()).toBe(3);
    expect(c.storageConfig).toBeUndefined();
  });

  it('is not asked for when neither storage nor backups are monitored', async () => {
    const c = await rig.cycle();
    c.want.storage = false;
    c.want.backups = false;
    await fetcher.fetch(c);
    expect(calls()).toBe(3);
    expect(c.storageConfig).toBeUndefined();
    c.want.backups = true;
    await fetcher.fetch(c);
    expect(calls()).toBe(4);
  });
});
