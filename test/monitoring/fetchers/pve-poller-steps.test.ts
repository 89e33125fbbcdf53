/**
 * The poller's list of fetchers, end to end: the first cycle asks for everything once, a cycle
 * 10 s later only for what every cycle needs, and the slice carries each fetcher's part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { ManualClock } from '../../../src/clock.js';
import { PvePoller } from '../../../src/collect/pve-poller.js';
import type { ApiCallCounter } from '../../../src/proxmox/client.js';
import { labSpec, pveNodeConfig, testPollerEnv } from './rig.js';

let sim: Simulator;
let poller: PvePoller;
const clock = new ManualClock(Date.UTC(2026, 11, 5, 3, 0, 0));
const counter: ApiCallCounter = { total: 0, failed: 0, paths: [] };

/** Requests of one poll, by path with numbers and names folded (`#`). */
async function pollCounts(): Promise<Record<string, number>> {
  counter.paths = [];
  await poller.poll();
  await poller.settleBackups();
  const out: Record<string, number> = {};
  for (const p of counter.paths) {
    const k = p
      .replace(/\?.*$/, '')
      .replace(/\/nodes\/[^/]+/, '/nodes/#')
      .replace(/\/(qemu|lxc)\/\d+/, '/$1/#')
      .replace(/\/storage\/[^/]+\/content/, '/storage/#/content')
      .replace(/\/disks\/zfs\/[^/]+/, '/disks/zfs/#');
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

beforeAll(async () => {
  sim = await startSimulator({ estate: labSpec(), port: 0 });
  const p = sim.ready.pve[0];
  poller = new PvePoller(pveNodeConfig(p), testPollerEnv(clock, counter));
});
afterAll(async () => {
  await poller?.close();
  await sim?.stop();
});

describe('PvePoller runs its fetchers', () => {
  it('the first cycle asks for every concern once; the slice carries each part', async () => {
    expect(await pollCounts()).toEqual({
      '/cluster/resources': 1,
      '/cluster/status': 1,
      '/nodes': 1,
      '/access/permissions': 1,
      // With the permission check: which privileges a grant names depends on the version.
      '/version': 1,
      '/storage': 1,
      '/nodes/#/status': 2,
      '/nodes/#/qemu/#/status/current': 2,
      '/nodes/#/qemu/#/agent/get-fsinfo': 1,
      '/nodes/#/qemu/#/agent/file-read': 1,
      '/nodes/#/qemu/#/agent/network-get-interfaces': 1,
      '/nodes/#/qemu/#/agent/get-osinfo': 1,
      '/nodes/#/lxc/#/interfaces': 2,
      '/nodes/#/disks/zfs': 2,
      '/nodes/#/disks/zfs/#': 2,
      '/nodes/#/disks/list': 2,
      // Backups, in the background: tasks per node, `local` per node, snapshots per guest.
      '/nodes/#/tasks': 2,
      '/nodes/#/storage/#/content': 2,
      '/nodes/#/qemu/#/snapshot': 3,
      '/nodes/#/lxc/#/snapshot': 3,
    });
    expect(poller.cluster?.clusterName).toBe('lab');
  });

  it('a cycle 10 s later asks only for what every cycle needs', async () => {
    clock.advance(10_000);
    expect(await pollCounts()).toEqual({
      '/cluster/resources': 1,
      '/storage': 1,
      '/nodes/#/status': 2,
      '/nodes/#/qemu/#/status/current': 2,
      '/nodes/#/qemu/#/agent/get-fsinfo': 1,
      '/nodes/#/qemu/#/agent/file-read': 1,
      // The second cycle's background backup fetch.
      '/nodes/#/tasks': 2,
      '/nodes/#/storage/#/content': 2,
      '/nodes/#/qemu/#/snapshot': 3,
      '/nodes/#/lxc/#/snapshot': 3,
    });
    clock.advance(10_000);
    const slice = await poller.poll();
    expect(slice.nodes.map((n) => n.name)).toEqual(['n1', 'n2']);
    expect(slice.vms.map((v) => v.vmid).sort()).toEqual([100, 101, 102]);
    expect(slice.containers.map((v) => v.vmid).sort()).toEqual([200, 201, 202]);
    expect(slice.storage.length).toBeGreaterThan(0);
    expect(slice.physicalDisks.length).toBeGreaterThan(0);
    expect(slice.guestSnapshots.length).toBeGreaterThan(0);
    expect(slice.vms.find((v) => v.vmid === 100)?.osName).toBeTruthy();
    expect(slice.containers.find((v) => v.vmid === 200)?.ipAddresses?.length).toBeGreaterThan(0);
  });
});
