/**
 * Parsing and validation of agent reports (wire contract §8). Pure: JSON in, a typed report
 * out, or ReportError naming what is wrong. Times in reports are RFC3339 and become unix ms.
 */
import type { DockerContainer, DockerNetwork, DockerPort } from '../model/docker.js';

export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}

export interface DockerReport {
  agent: { id: string; version: string; intervalSeconds: number };
  host: {
    hostname: string;
    name?: string;
    machineId?: string;
    os?: string;
    kernelVersion?: string;
    architecture?: string;
    dockerVersion?: string;
    totalCpu: number;
    totalMemoryBytes: number;
    uptimeSeconds: number;
  };
  containers: DockerContainer[];
  /** unix ms of the agent's clock, when given. */
  timestamp?: number;
}

type Obj = Record<string, unknown>;

const MAX_CONTAINERS = 5000;
const MAX_STRING = 1000;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optStr(o: Obj, key: string, where: string, max = MAX_STRING): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ReportError(`${where}.${key} must be a string`);
  if (v.length > max) throw new ReportError(`${where}.${key} is too long`);
  const t = v.trim();
  return t === '' ? undefined : t;
}

function num(o: Obj, key: string, where: string, { min = 0, int = false } = {}): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ReportError(`${where}.${key} must be a number`);
  if (v < min) throw new ReportError(`${where}.${key} must be at least ${min}`);
  return int ? Math.trunc(v) : v;
}

const ZERO_TIME_MS = Date.UTC(1, 0, 1);

/** RFC3339 → unix ms; unset (missing, empty, Go's zero time) → undefined. Numbers are taken as ms. */
export function parseTime(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v > 0 ? Math.trunc(v) : undefined;
  if (typeof v !== 'string') throw new ReportError(`${where} must be an RFC3339 time`);
  if (v.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw new ReportError(`${where} must be an RFC3339 time`);
  return ms <= ZERO_TIME_MS ? undefined : ms;
}

function parsePorts(raw: unknown, where: string): DockerPort[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new ReportError(`${where} must be a list`);
  return raw.map((p, i) => {
    if (!isObj(p)) throw new ReportError(`${where}[${i}] must be an object`);
    const w = `${where}[${i}]`;
    const out: DockerPort = {
      privatePort: num(p, 'privatePort', w, { int: true }),
      protocol: optStr(p, 'protocol', w) ?? 'tcp',
    };
    const pub = num(p, 'publicPort', w, { int: true });
    if (pub > 0) out.publicPort = pub;
    const ip = optStr(p, 'ip', w);
    if (ip) out.ip = ip;
    return out;
  });
}

function parseNetworks(raw: unknown, where: string): DockerNetwork[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new ReportError(`${where} must be a list`);
  return raw.map((n, i) => {
    if (!isObj(n)) throw new ReportError(`${where}[${i}] must be an object`);
    const w = `${where}[${i}]`;
    const out: DockerNetwork = { name: optStr(n, 'name', w) ?? '' };
    const v4 = optStr(n, 'ipv4', w);
    if (v4) out.ipv4 = v4;
    const v6 = optStr(n, 'ipv6', w);
    if (v6) out.ipv6 = v6;
    return out;
  });
}

function parseLabels(raw: unknown, where: string): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObj(raw)) throw new ReportError(`${where} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw new ReportError(`${where}.${k} must be a string`);
    out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

function parseContainer(raw: unknown, i: number): DockerContainer {
  const w = `containers[${i}]`;
  if (!isObj(raw)) throw new ReportError(`${w} must be an object`);
  const id = optStr(raw, 'id', w);
  if (!id) throw new ReportError(`${w}.id is required`);
  const c: DockerContainer = {
    id,
    name: (optStr(raw, 'name', w) ?? id).replace(/^\//, ''),
    image: optStr(raw, 'image', w) ?? '',
    state: optStr(raw, 'state', w) ?? '',
    status: optStr(raw, 'status', w) ?? '',
    cpuPercent: num(raw, 'cpuPercent', w),
    memoryUsageBytes: num(raw, 'memoryUsageBytes', w, { int: true }),
    memoryLimitBytes: num(raw, 'memoryLimitBytes', w, { int: true }),
    memoryPercent: num(raw, 'memoryPercent', w),
    uptimeSeconds: num(raw, 'uptimeSeconds', w, { int: true }),
    restartCount: num(raw, 'restartCount', w, { int: true }),
    exitCode: num(raw, 'exitCode', w, { min: Number.MIN_SAFE_INTEGER, int: true }),
    createdAt: parseTime(raw.createdAt, `${w}.createdAt`) ?? 0,
  };
  const health = optStr(raw, 'health', w);
  if (health) c.health = health;
  const started = parseTime(raw.startedAt, `${w}.startedAt`);
  if (started !== undefined) c.startedAt = started;
  const finished = parseTime(raw.finishedAt, `${w}.finishedAt`);
  if (finished !== undefined) c.finishedAt = finished;
  const ports = parsePorts(raw.ports, `${w}.ports`);
  if (ports?.length) c.ports = ports;
  const labels = parseLabels(raw.labels, `${w}.labels`);
  if (labels) c.labels = labels;
  const networks = parseNetworks(raw.networks, `${w}.networks`);
  if (networks?.length) c.networks = networks;
  // Newer agents may report these themselves; they are merged with what the server derives.
  if (raw.issues !== undefined && raw.issues !== null) {
    if (!Array.isArray(raw.issues) || !raw.issues.every((x) => typeof x === 'string' && x.length <= MAX_STRING)) {
      throw new ReportError(`${w}.issues must be a list of strings`);
    }
    c.issues = raw.issues.slice(0, 50);
  }
  if (raw.recentExitCodes !== undefined && raw.recentExitCodes !== null) {
    if (!Array.isArray(raw.recentExitCodes) || !raw.recentExitCodes.every((x) => Number.isInteger(x))) {
      throw new ReportError(`${w}.recentExitCodes must be a list of whole numbers`);
    }
    c.recentExitCodes = raw.recentExitCodes as number[];
  }
  return c;
}

export function parseReport(body: unknown): DockerReport {
  if (!isObj(body)) throw new ReportError('report must be a JSON object');
  const agentRaw = body.agent ?? {};
  const hostRaw = body.host;
  if (!isObj(agentRaw)) throw new ReportError('agent must be an object');
  if (!isObj(hostRaw)) throw new ReportError('host is required');
  const hostname = optStr(hostRaw, 'hostname', 'host', 255);
  if (!hostname) throw new ReportError('host.hostname is required');
  const containersRaw = body.containers ?? [];
  if (!Array.isArray(containersRaw)) throw new ReportError('containers must be a list');
  if (containersRaw.length > MAX_CONTAINERS) throw new ReportError(`at most ${MAX_CONTAINERS} containers`);

  const report: DockerReport = {
    agent: {
      id: optStr(agentRaw, 'id', 'agent', 255) ?? '',
      version: optStr(agentRaw, 'version', 'agent', 100) ?? '',
      intervalSeconds: num(agentRaw, 'intervalSeconds', 'agent', { min: Number.MIN_SAFE_INTEGER, int: true }),
    },
    host: {
      hostname,
      totalCpu: num(hostRaw, 'totalCpu', 'host', { int: true }),
      totalMemoryBytes: num(hostRaw, 'totalMemoryBytes', 'host', { int: true }),
      uptimeSeconds: num(hostRaw, 'uptimeSeconds', 'host', { int: true }),
    },
    containers: containersRaw.map(parseContainer),
  };
  for (const key of ['name', 'machineId', 'os', 'kernelVersion', 'architecture', 'dockerVersion'] as const) {
    const v = optStr(hostRaw, key, 'host', 255);
    if (v !== undefined) report.host[key] = v;
  }
  const ts = parseTime(body.timestamp, 'timestamp');
  if (ts !== undefined) report.timestamp = ts;
  return report;
}

/** The host's key (§8): agent id, else machine id, else hostname. */
export function hostKey(r: DockerReport): string {
  return r.agent.id || r.host.machineId || r.host.hostname;
}

const MIN_OFFLINE_MS = 30_000;
const MAX_OFFLINE_MS = 10 * 60_000;
const DEFAULT_INTERVAL_S = 30;

/** How long without a report before a host counts as offline: clamp(interval × 4, 30 s, 10 min). */
export function offlineAfterMs(intervalSeconds: number): number {
  const interval = intervalSeconds > 0 ? intervalSeconds : DEFAULT_INTERVAL_S;
  return Math.min(MAX_OFFLINE_MS, Math.max(MIN_OFFLINE_MS, interval * 4 * 1000));
}
