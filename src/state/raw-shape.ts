/**
 * The two shapes of the state document (wire contract §1).
 *
 * The store holds the FRONTEND shape (GET /api/state, WS `rawData`): times in unix ms, storage
 * with `storage`/`avail` duplicates, guest tags comma-joined. WS `initialState` and the reply to
 * `requestData` carry the RAW shape: the same document with RFC3339 times, tags as arrays, and
 * without the frontend-only duplicates. This module converts frontend → raw; it is pure (the
 * time-zone offset is a parameter) so it can be tested without a clock.
 */
import type { CephCluster, Guest, Node, PulseState, Storage } from '../model/state.js';

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

export const rawCeph = (c: CephCluster, tz: number): Json => convertTimes(c, ['lastUpdated'], tz);

/**
 * The raw shape of `state`. `tzOffsetMinutes` is the offset used for RFC3339 times (Pulse emits
 * local time); pass `localOffsetMinutes(now)` in production, a fixed value in tests.
 */
export function toRawState(state: Readonly<PulseState>, tzOffsetMinutes: number): Json {
  const tz = tzOffsetMinutes;
  return {
    nodes: state.nodes.map((n) => rawNode(n, tz)),
    vms: state.vms.map((g) => rawGuest(g, tz)),
    containers: state.containers.map((g) => rawGuest(g, tz)),
    dockerHosts: state.dockerHosts.map((h) => rawDockerHost(h, tz)),
    storage: state.storage.map(rawStorage),
    cephClusters: state.cephClusters.map((c) => rawCeph(c, tz)),
    physicalDisks: state.physicalDisks,
    pbs: state.pbs,
    pmg: state.pmg,
    pveBackups: state.pveBackups,
    pbsBackups: state.pbsBackups ?? [],
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
