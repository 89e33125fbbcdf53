/**
 * The two shapes of the state document (wire contract §1).
 *
 * The store holds the FRONTEND shape (GET /api/state, WS `rawData`): times in unix ms, storage
 * with `storage`/`avail` duplicates, guest tags comma-joined. WS `initialState` and the reply to
 * `requestData` carry the RAW shape: the same document with RFC3339 times, tags as arrays, and
 * without the frontend-only duplicates. This module converts frontend → raw; it is pure (the
 * time-zone offset is a parameter) so it can be tested without a clock.
 */
import type {
  BackupTask,
  CephCluster,
  Guest,
  GuestSnapshot,
  Node,
  PbsBackup,
  PbsInstance,
  PulseState,
  Storage,
  StorageBackup,
} from '../model/state.js';
import type { ToWire } from './delta.js';

/** Go's zero time, which Pulse emits for "unset" even on optional keys. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Formats unix ms as RFC3339 in the given offset (minutes east of UTC), with fractional seconds
 * only when present (Go's RFC3339Nano trims trailing zeros). 0, negative or non-finite → zero time.
 */
export function toRfc3339(ms: number, offsetMinutes: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return ZERO_TIME;
  const local = new Date(ms + offsetMinutes * 60_000);
  let out =
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const frac = local.getUTCMilliseconds();
  if (frac > 0) out += `.${pad(frac, 3).replace(/0+$/, '')}`;
  if (offsetMinutes === 0) return `${out}Z`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `${out}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The host's offset (minutes east of UTC) at instant `ms`; the impure default for callers. */
export function localOffsetMinutes(ms: number): number {
  return -new Date(ms).getTimezoneOffset();
}

type Json = Record<string, unknown>;

/** Converts the named unix-ms keys of `obj` (when numbers) to RFC3339, in a shallow copy. */
function convertTimes<T extends object>(obj: T, keys: readonly string[], tz: number): Json {
  const out: Json = { ...(obj as Json) };
  for (const k of keys) {
    const v = out[k];
    if (typeof v === 'number') out[k] = toRfc3339(v, tz);
  }
  return out;
}

export function rawNode(n: Node, tz: number): Json {
  const out = convertTimes(n, ['lastSeen'], tz);
  // Frontend-only extras (§1.2).
  delete out.node;
  delete out.mem;
  delete out.maxmem;
  delete out.maxdisk;
  return out;
}

export function rawGuest(g: Guest, tz: number): Json {
  const out = convertTimes(g, ['lastSeen', 'lastBackup'], tz);
  delete out.mem;
  delete out.maxmem;
  if (typeof g.tags === 'string') {
    const tags = g.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (tags.length > 0) out.tags = tags;
    else delete out.tags;
  }
  return out;
}

export function rawStorage(s: Storage): Json {
  const out: Json = { ...(s as unknown as Json) };
  delete out.storage;
  delete out.avail;
  return out;
}

const DOCKER_HOST_TIMES = ['lastSeen', 'tokenLastUsedAt'] as const;
const DOCKER_CONTAINER_TIMES = ['createdAt', 'startedAt', 'finishedAt'] as const;
const DOCKER_COMMAND_TIMES = [
  'createdAt',
  'updatedAt',
  'dispatchedAt',
  'acknowledgedAt',
  'completedAt',
  'failedAt',
  'expiresAt',
] as const;

/** Docker hosts are typed loosely in the model; convert the contract's ⓜ fields where present. */
export function rawDockerHost(h: unknown, tz: number): unknown {
  if (h === null || typeof h !== 'object') return h;
  const out = convertTimes(h, DOCKER_HOST_TIMES, tz);
  if (Array.isArray(out.containers)) {
    out.containers = out.containers.map((c: unknown) =>
      c !== null && typeof c === 'object' ? convertTimes(c, DOCKER_CONTAINER_TIMES, tz) : c,
    );
  }
  if (out.command !== null && typeof out.command === 'object') {
    out.command = convertTimes(out.command, DOCKER_COMMAND_TIMES, tz);
  }
  return out;
}

/** `pools` is part of the published Ceph shape: always present, `[]` when none were read. */
export const rawCeph = (c: CephCluster, tz: number): Json => ({
  ...convertTimes(c, ['lastUpdated'], tz),
  pools: c.pools ?? [],
});

/** Offset (minutes east of UTC) for an instant: Go formats each time in the zone rules of its own date. */
export type TzOf = (ms: number) => number;

const PBS_JOB_LISTS = ['backupJobs', 'syncJobs', 'verifyJobs', 'pruneJobs', 'garbageJobs'] as const;

/** One conversion per list kind, from the store's object to its wire form. */
export interface WireConverters {
  backupTask(t: BackupTask): Json;
  storageBackup(b: StorageBackup): Json;
  guestSnapshot(s: GuestSnapshot): Json;
  pbsBackup(b: PbsBackup): Json;
  /** PBS job times (`lastRun`, `nextRun`: unix seconds from PBS) as RFC3339. */
  pbsInstance(p: PbsInstance): Json;
  /**
   * Ceph in the frontend shape: `lastUpdated` in unix seconds as the published API's example shows
   * (`"lastUpdated": 1760219854`; the published API wins over §1's ms), `pools` always present.
   */
  cephFrontend(c: CephCluster): Json;
}

/**
 * The wire form of the lists whose objects are the same in both shapes (§1: backups, PBS) and of
 * Ceph in the frontend shape. The store keeps Proxmox's unix seconds (alert checks compute ages
 * from them); the wire carries RFC3339 (§0: "raw times are RFC3339"; §10: Pulse's UI calls
 * `new Date(x)` on them, so seconds showed every backup in January 1970). `ctime` stays unix
 * seconds (§0), and Pulse's UI pairs it with `backupTime` to drop PBS backups it sees twice.
 *
 * Every conversion is afresh and remembers nothing: its result depends only on the source
 * object (each instant in the offset of that instant), so readers that compare versions compare
 * the store's objects and convert only what they send (the /ws deltas, src/state/delta.ts), and
 * the serialiser converts a list only when the list changed. Converted copies kept for each of
 * tens of thousands of backups held megabytes of live heap on a large estate.
 */
export class WireTimes implements WireConverters {
  constructor(readonly tzOf: TzOf) {}

  /** Unix seconds → RFC3339 in the local offset of that instant (0 → Go's zero time). */
  seconds(sec: number): string {
    const ms = sec * 1000;
    return toRfc3339(ms, Number.isFinite(ms) && ms > 0 ? this.tzOf(ms) : 0);
  }

  readonly backupTask = (x: BackupTask): Json => ({
    ...x,
    startTime: this.seconds(x.startTime),
    endTime: this.seconds(x.endTime),
  });
  readonly storageBackup = (x: StorageBackup): Json => ({ ...x, time: this.seconds(x.time) });
  readonly guestSnapshot = (x: GuestSnapshot): Json => ({ ...x, time: this.seconds(x.time) });
  readonly pbsBackup = (x: PbsBackup): Json => ({ ...x, backupTime: this.seconds(x.backupTime) });
  readonly pbsInstance = (x: PbsInstance): Json => {
    const out: Json = { ...x };
    for (const key of PBS_JOB_LISTS) {
      const jobs = x[key];
      if (!Array.isArray(jobs)) continue;
      out[key] = jobs.map((j) => {
        const job: Json = { ...j };
        if (typeof j.lastRun === 'number') job.lastRun = this.seconds(j.lastRun);
        if (typeof j.nextRun === 'number') job.nextRun = this.seconds(j.nextRun);
        return job;
      });
    }
    return out;
  };
  readonly cephFrontend = (x: CephCluster): Json => ({
    ...x,
    pools: x.pools ?? [],
    lastUpdated: Math.floor(x.lastUpdated / 1000),
  });

  /** The four backup lists as the wire carries them (also /api/backups*). */
  backups(state: Pick<PulseState, 'pveBackups' | 'pbsBackups'>) {
    return { ...this.pveBackups(state), pbsBackups: (state.pbsBackups ?? []).map(this.pbsBackup) };
  }

  /** The PVE backup lists alone (GET /api/backups/pve). */
  pveBackups(state: Pick<PulseState, 'pveBackups'>) {
    const b = state.pveBackups;
    return {
      backupTasks: (b?.backupTasks ?? []).map(this.backupTask),
      storageBackups: (b?.storageBackups ?? []).map(this.storageBackup),
      guestSnapshots: (b?.guestSnapshots ?? []).map(this.guestSnapshot),
    };
  }
}

/**
 * The collections of the frontend document whose elements the wire carries converted, by their
 * path in the document (the paths of src/state/delta.ts COLLECTIONS); every other list goes out
 * as the store holds it. The /ws deltas rely on each conversion depending on its source's JSON
 * alone: the keys converted are never held as `undefined` (absent or set, as the model types
 * them), since a key set to `undefined` would keep its place where an absent one is appended.
 */
export function frontendWireLists(wire: WireConverters): Readonly<Record<string, ToWire>> {
  return {
    cephClusters: wire.cephFrontend as ToWire,
    pbs: wire.pbsInstance as ToWire,
    'pveBackups.backupTasks': wire.backupTask as ToWire,
    'pveBackups.storageBackups': wire.storageBackup as ToWire,
    'pveBackups.guestSnapshots': wire.guestSnapshot as ToWire,
    pbsBackups: wire.pbsBackup as ToWire,
  };
}

/**
 * The frontend document as it goes on the wire (GET /api/state, WS rawData): the store's state
 * with the lists of `frontendWireLists` converted. The serialiser builds the same bytes list by
 * list; tests hold it to this.
 */
export function toFrontendWire(state: Readonly<PulseState>, wire: WireConverters): Json {
  const to = frontendWireLists(wire);
  const map = (path: string, list: readonly unknown[] | undefined) => (list ?? []).map((o) => to[path](o as never));
  const b = state.pveBackups;
  return {
    ...state,
    cephClusters: map('cephClusters', state.cephClusters),
    pbs: map('pbs', state.pbs),
    pveBackups: {
      backupTasks: map('pveBackups.backupTasks', b?.backupTasks),
      storageBackups: map('pveBackups.storageBackups', b?.storageBackups),
      guestSnapshots: map('pveBackups.guestSnapshots', b?.guestSnapshots),
    },
    pbsBackups: map('pbsBackups', state.pbsBackups),
  };
}

/**
 * The raw shape of `state`. `tzOffsetMinutes` is the offset used for RFC3339 times (Pulse emits
 * local time); pass `localOffsetMinutes(now)` in production, a fixed value in tests.
 */
export function toRawState(
  state: Readonly<PulseState>,
  tzOffsetMinutes: number,
  wire = new WireTimes(() => tzOffsetMinutes),
): Json {
  const tz = tzOffsetMinutes;
  const backups = wire.backups(state);
  return {
    nodes: state.nodes.map((n) => rawNode(n, tz)),
    vms: state.vms.map((g) => rawGuest(g, tz)),
    containers: state.containers.map((g) => rawGuest(g, tz)),
    dockerHosts: state.dockerHosts.map((h) => rawDockerHost(h, tz)),
    storage: state.storage.map(rawStorage),
    cephClusters: state.cephClusters.map((c) => rawCeph(c, tz)),
    physicalDisks: state.physicalDisks,
    pbs: state.pbs.map(wire.pbsInstance),
    pmg: state.pmg,
    pveBackups: {
      backupTasks: backups.backupTasks,
      storageBackups: backups.storageBackups,
      guestSnapshots: backups.guestSnapshots,
    },
    pbsBackups: backups.pbsBackups,
    // Never filled (§1: `[]` in the raw shape).
    metrics: [],
    performance: state.performance,
    stats: state.stats,
    activeAlerts: state.activeAlerts,
    recentlyResolved: state.recentlyResolved ?? [],
    connectionHealth: state.connectionHealth,
    lastUpdate: toRfc3339(state.lastUpdate, tz),
  };
}
