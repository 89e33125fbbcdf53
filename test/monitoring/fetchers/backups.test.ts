/**
 * Backups: tasks, backup listings and snapshots on the first two cycles and then every 10th, in
 * the background on the endpoint's own backup client, one run at a time; each cycle gets the
 * latest finished result. Nothing when backups are not monitored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupsFetcher } from '../../../src/collect/pve/backups.js';
import type { PveCycle } from '../../../src/collect/pve/fetcher.js';
import { StorageConfigFetcher } from '../../../src/collect/pve/storage-config.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
let backups: BackupsFetcher;
const storageConfig = new StorageConfigFetcher();
const runs = () => rig.calls(/^\/nodes\/n1\/tasks/);
const snapshotCalls = () => rig.calls(/\/snapshot$/);
const contentCalls = () => rig.calls(/\/storage\/[^/]+\/content/);

/** A cycle through backups; `settle` waits for a run it started. */
async function cycle(settle = true): Promise<PveCycle> {
  const c = await rig.cycle([storageConfig]);
  await backups.fetch(c);
  if (settle) await backups.settle();
  return c;
}

beforeAll(async () => {
  rig = await startRig(labSpec());
  backups = new BackupsFetcher(rig.endpoints, rig.env);
});
afterAll(async () => {
  await rig?.close();
});

describe('backups', () => {
  it('first run: each online node, each backup storage and each guest but templates', async () => {
    const c = await cycle(false);
    expect(c.backups).toBeUndefined(); // the cycle does not wait for the run it started
    await backups.settle();
    expect(rig.calls(/^\/nodes\/n[12]\/tasks/)).toBe(2);
    // `local` (dir, backup content) on each of the two nodes.
    expect(contentCalls()).toBe(2);
    // Six guests; the template has none.
    expect(snapshotCalls()).toBe(6);
    expect(rig.calls(/\/9000\/snapshot$/)).toBe(0);

    // The next cycle gets the finished result (and, being the second, starts another run).
    const next = await cycle();
    expect(next.backups?.tasks.length).toBeGreaterThan(0);
    expect(next.backups?.storageBackups.length).toBeGreaterThan(0);
    expect(runs()).toBe(2);
  });

  it('runs on the 10th, 20th… cycle only, on a client of its own', async () => {
    for (let seq = 3; seq <= 20; seq++) {
      const c = await cycle();
      expect(c.seq).toBe(seq);
      expect(runs(), `after cycle ${seq}`).toBe(seq < 10 ? 2 : seq < 20 ? 3 : 4);
      expect(c.backups?.snapshots.length).toBeGreaterThan(0);
    }
    expect(rig.endpoints.backupClient(rig.endpoints.active.baseUrl)).not.toBe(rig.endpoints.active);
  });

  it('one run at a time: a due cycle during a run starts none', async () => {
    // Cycles 21–29 are not due; 30 is, and its run is still going when 31… is not due anyway:
    // make 30's run hang so that a forced due cycle (seq 40) meets it.
    for (let seq = 21; seq <= 29; seq++) await cycle();
    await rig.fault({ target: 'lab', kind: 'slow', ms: 3000, path: '/nodes/n1/tasks' });
    await cycle(false); // 30: starts a slow run
    const before = runs();
    for (let seq = 31; seq <= 40; seq++) await cycle(false); // 40 is due but 30's run still goes
    await backups.settle();
    await rig.clearFaults();
    expect(runs()).toBe(before);
  });

  it('nothing is asked when backups are not monitored', async () => {
    const before = runs();
    const c = await rig.cycle([storageConfig]);
    c.want.backups = false;
    await backups.fetch(c);
    await backups.settle();
    expect(runs()).toBe(before);
    expect(c.backups).toBeUndefined();
  });
});
