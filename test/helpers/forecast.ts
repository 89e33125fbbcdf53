/**
 * Synthetic storage histories for the storage-full forecast tests: usage curves (linear growth or
 * shrinking, growth with garbage-collection drops), sampled as points for the fit, or
 * replayed into a running Pulse's state every 5 minutes as its pollers would have committed it.
 */
import { syntheticStorage } from '../../bench/state-fixture.js';
import type { ManualClock } from '../../src/clock.js';
import type { UsagePoint } from '../../src/forecast/fit.js';
import type { CephCluster, PbsDatastore, PbsInstance, PulseState, Storage } from '../../src/model/state.js';
import type { TestPulse } from './pulse.js';

export const GiB = 1024 ** 3;
export const DAY = 86_400_000;
/** The poll interval the history tier keeps: one sample every 5 minutes. */
export const STEP = 5 * 60_000;

/** Bytes used `d` days into a history. */
export type UsageCurve = (d: number) => number;

/** Steady growth from `start`; a negative rate shrinks. */
export const linear =
  (start: number, perDay: number): UsageCurve =>
  (d) =>
    start + d * perDay;

/** `curve` less `freed` bytes every `everyDays` days: a nightly cleanup or a PBS garbage collection. */
export const withDrops =
  (curve: UsageCurve, freed: number, everyDays = 1): UsageCurve =>
  (d) =>
    curve(d) - Math.floor(d / everyDays) * freed;

/** `curve` sampled every 5 minutes for `days` days from `from`, both ends included. */
export function samplePoints(curve: UsageCurve, from: number, days: number): UsagePoint[] {
  const out: UsagePoint[] = [];
  for (let t = from; t <= from + days * DAY; t += STEP) out.push({ t, used: curve((t - from) / DAY) });
  return out;
}

/**
 * Replays `days` days of polls into Pulse: every 5 minutes from `from`, the clock is set and the
 * state `build(d, at)` describes is committed, so the history tier and the forecast service's own
 * samples hold the whole curve.
 */
export function replayHistory(
  pulse: TestPulse,
  clock: ManualClock,
  from: number,
  days: number,
  build: (d: number, at: number) => (s: PulseState) => void,
): void {
  for (let at = from; at <= from + days * DAY; at += STEP) {
    clock.set(at);
    pulse.deps.state.commit(build((at - from) / DAY, at));
  }
}

/** A storage of node1 holding `used` of `total` bytes at `at`. */
export function storageUsing(name: string, used: number, at: number, total = 1000 * GiB): Storage {
  return {
    ...syntheticStorage(0, name, { nodes: 1, guestsPerNode: 0, now: at }),
    total,
    used,
    free: total - used,
    avail: total - used,
    usage: (used / total) * 100,
  };
}

/** A PBS datastore holding `used` of `total` bytes. */
export function datastoreUsing(name: string, used: number, total = 4096 * GiB): PbsDatastore {
  return { name, total, used, free: total - used, usage: (used / total) * 100, status: 'available' };
}

/** The PBS server backup1, seen at `at`, with no jobs. */
export function pbsWith(datastores: PbsDatastore[], at: number): PbsInstance {
  return {
    id: 'pbs-backup1',
    name: 'backup1',
    host: 'https://backup1:8007',
    status: 'online',
    version: '4.0.14',
    cpu: 0,
    memory: 0,
    memoryUsed: 0,
    memoryTotal: 0,
    uptime: 1,
    datastores,
    backupJobs: [],
    syncJobs: [],
    verifyJobs: [],
    pruneJobs: [],
    garbageJobs: [],
    connectionHealth: 'healthy',
    lastSeen: new Date(at).toISOString(),
  };
}

/** The Ceph cluster ceph-main of instance pve, three-way replicated, whose pool rbd stores `stored` of 1000 GiB. */
export function cephWithPool(stored: number, at: number): CephCluster {
  const size = 1000 * GiB;
  return {
    id: 'pve-ceph',
    instance: 'pve',
    name: 'ceph-main',
    health: 'HEALTH_OK',
    totalBytes: 3 * size,
    usedBytes: 3 * stored,
    availableBytes: 3 * size - 3 * stored,
    usagePercent: (stored / size) * 100,
    numMons: 3,
    numMgrs: 1,
    numOsds: 3,
    numOsdsUp: 3,
    numOsdsIn: 3,
    numPGs: 128,
    pools: [
      {
        id: 1,
        name: 'rbd',
        storedBytes: stored,
        availableBytes: size - stored,
        objects: 1000,
        percentUsed: stored / size,
      },
    ],
    lastUpdated: at,
  };
}
