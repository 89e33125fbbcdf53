/**
 * Guests with a PBS backup are not copied on every commit (issues #19/#20, live heap): the PVE
 * poller builds each guest's lastBackup with the PBS times of the last commit, so the state holds
 * the poller's own guest objects; a new PBS backup still shows on the next commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { ManualClock } from '../../src/clock.js';
import { PvePoller } from '../../src/collect/pve-poller.js';
import { type PbsSlice, type PveSlice, SliceStore } from '../../src/collect/slices.js';
import type { PbsBackup } from '../../src/model/state.js';
import { StateStore } from '../../src/state/store.js';
import { labSpec, pveNodeConfig, testPollerEnv } from './fetchers/rig.js';

let sim: Simulator;
let poller: PvePoller;
// An hour ahead of the wall clock: the simulator dates its own backups by the wall clock, never
// later than now, so the PBS backups given below are always the newest.
const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
const store = new StateStore(clock);
const slices = new SliceStore(store);
const now = () => Math.floor(clock.now() / 1000);

/** A PBS instance holding backups of VM 100 ('app', the only VM 100) at the given times. */
const pbsSlice = (times: number[]): PbsSlice => ({
  kind: 'pbs',
  instance: 'backup',
  healthy: true,
  pbs: {} as never,
  backups: times.map(
    (t) =>
      ({
        id: `vm-100-${t}`,
        instance: 'backup',
        datastore: 'main',
        namespace: '',
        backupType: 'vm',
        vmid: '100',
        backupTime: t,
        size: 1,
        protected: false,
        verified: true,
      }) as PbsBackup,
  ),
});

/** A PVE poll 10 s after the last one, published and committed. */
async function pollAndCommit(): Promise<PveSlice> {
  clock.advance(10_000);
  const slice = await poller.poll();
  await poller.settleBackups();
  slices.set(1, slice);
  slices.flush();
  return slice;
}

const expectOwnGuests = (slice: PveSlice) => {
  const state = store.get();
  expect(state.vms.length).toBe(slice.vms.length);
  expect(state.containers.length).toBe(slice.containers.length);
  for (const [i, g] of state.vms.entries()) expect(g, g.id).toBe(slice.vms[i]);
  for (const [i, g] of state.containers.entries()) expect(g, g.id).toBe(slice.containers[i]);
};
const vm100 = () => store.get().vms.find((g) => g.vmid === 100);

beforeAll(async () => {
  sim = await startSimulator({ estate: labSpec(), port: 0 });
  const p = sim.ready.pve[0];
  poller = new PvePoller(pveNodeConfig(p), testPollerEnv(clock), () => slices.pbsBackupTimes());
});
afterAll(async () => {
  await poller?.close();
  await sim?.stop();
});

describe('PBS backup times on the poller’s own guests', () => {
  it('after the first commit, steady polls commit the slice’s guest objects, carrying the PBS time', async () => {
    const pbsTime = now();
    slices.set(2, pbsSlice([pbsTime - 86_400, pbsTime]));
    await pollAndCommit();
    expect(vm100()?.lastBackup).toBe(pbsTime * 1000);
    for (let i = 0; i < 3; i++) {
      const slice = await pollAndCommit();
      expectOwnGuests(slice);
      expect(slice.vms.find((g) => g.vmid === 100)?.lastBackup).toBe(pbsTime * 1000);
    }
  });

  it('a new PBS backup shows on the next commit, then on the poller’s own guests again', async () => {
    const before = vm100();
    const newer = now() + 60;
    slices.set(2, pbsSlice([newer - 86_400, newer - 3600, newer]));
    slices.flush();
    expect(vm100()).toMatchObject({ id: before?.id, cpu: before?.cpu, lastBackup: newer * 1000 });
    const slice = await pollAndCommit();
    expectOwnGuests(slice);
    expect(vm100()?.lastBackup).toBe(newer * 1000);
  });
});
