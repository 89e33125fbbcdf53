/**
 * Builds one report (wire contract §8) from the Docker Engine API: host facts from /info, every
 * container from /containers/json?all=true plus its inspect (health, restart count, exit code,
 * times) and, when running, a one-shot stats sample (CPU, memory, network and block I/O).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { DockerClient } from './docker.js';

interface DockerInfo {
  Name?: string;
  OperatingSystem?: string;
  KernelVersion?: string;
  Architecture?: string;
  ServerVersion?: string;
  NCPU?: number;
  MemTotal?: number;
}

interface ListedContainer {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
  Created?: number;
  Labels?: Record<string, string> | null;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type?: string }> | null;
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string }> | null };
}

interface Inspect {
  Created?: string;
  RestartCount?: number;
  State?: {
    Status?: string;
    ExitCode?: number;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status?: string };
  };
}

interface Stats {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
}

export interface ReportContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  health?: string;
  cpuPercent: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
  memoryPercent: number;
  uptimeSeconds: number;
  restartCount: number;
  exitCode: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  ports?: Array<{ privatePort: number; publicPort?: number; protocol: string; ip?: string }>;
  labels?: Record<string, string>;
  networks?: Array<{ name: string; ipv4?: string; ipv6?: string }>;
  recentExitCodes?: number[];
  networkRxBytes: number;
  networkTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

export interface Report {
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
  containers: ReportContainer[];
  timestamp: string;
}

const STATS_CONCURRENCY = 4;
const EXIT_CODES_KEPT = 10;

const isSet = (t: string | undefined): t is string => !!t && !t.startsWith('0001-01-01');

function readMachineId(): string | undefined {
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = fs.readFileSync(f, 'utf8').trim();
      if (id) return id;
    } catch {
      // not on this system; try the next one
    }
  }
  return undefined;
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Keeps what must survive between reports: the previous CPU counters (one-shot stats carry no
 * previous sample) and recent exit codes. Entries of containers that are gone are dropped each
 * report, so the memory held is proportional to the containers that exist.
 */
export class Collector {
  readonly #cpu = new Map<string, { container: number; system: number }>();
  readonly #exits = new Map<string, { finishedAt: string; codes: number[] }>();
  readonly #machineId = readMachineId();

  constructor(
    private readonly docker: DockerClient,
    private readonly opts: { hostname: string; agentId: string; version: string; intervalSeconds: number },
  ) {}

  async collect(now = Date.now()): Promise<Report> {
    const info = await this.docker.get<DockerInfo>('/info');
    const listed = await this.docker.get<ListedContainer[]>('/containers/json?all=true');
    const containers = await mapLimited(listed, STATS_CONCURRENCY, (c) => this.#container(c, now));
    const seen = new Set(listed.map((c) => c.Id));
    for (const id of this.#cpu.keys()) if (!seen.has(id)) this.#cpu.delete(id);
    for (const id of this.#exits.keys()) if (!seen.has(id)) this.#exits.delete(id);
    const host: Report['host'] = {
      hostname: this.opts.hostname,
      totalCpu: info.NCPU ?? os.cpus().length,
      totalMemoryBytes: info.MemTotal ?? os.totalmem(),
      uptimeSeconds: Math.round(os.uptime()),
    };
    if (info.Name && info.Name !== this.opts.hostname) host.name = info.Name;
    if (this.#machineId) host.machineId = this.#machineId;
    if (info.OperatingSystem) host.os = info.OperatingSystem;
    if (info.KernelVersion) host.kernelVersion = info.KernelVersion;
    if (info.Architecture) host.architecture = info.Architecture;
    if (info.ServerVersion) host.dockerVersion = info.ServerVersion;
    return {
      agent: { id: this.opts.agentId, version: this.opts.version, intervalSeconds: this.opts.intervalSeconds },
      host,
      containers,
      timestamp: new Date(now).toISOString(),
    };
  }

  async #container(c: ListedContainer, now: number): Promise<ReportContainer> {
    const id = encodeURIComponent(c.Id);
    let inspect: Inspect = {};
    try {
      inspect = await this.docker.get<Inspect>(`/containers/${id}/json`);
    } catch {
      // Removed between the list and the inspect: report what the list said.
    }
    const state = inspect.State?.Status ?? c.State ?? '';
    const out: ReportContainer = {
      id: c.Id,
      name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
      image: c.Image ?? '',
      state,
      status: c.Status ?? '',
      cpuPercent: 0,
      memoryUsageBytes: 0,
      memoryLimitBytes: 0,
      memoryPercent: 0,
      uptimeSeconds: 0,
      restartCount: inspect.RestartCount ?? 0,
      exitCode: inspect.State?.ExitCode ?? 0,
      createdAt: inspect.Created ?? new Date((c.Created ?? 0) * 1000).toISOString(),
      networkRxBytes: 0,
      networkTxBytes: 0,
      blockReadBytes: 0,
      blockWriteBytes: 0,
    };
    const health = inspect.State?.Health?.Status;
    if (health) out.health = health;
    const started = inspect.State?.StartedAt;
    const finished = inspect.State?.FinishedAt;
    if (isSet(started)) {
      out.startedAt = started;
      if (state === 'running') out.uptimeSeconds = Math.max(0, Math.round((now - Date.parse(started)) / 1000));
    }
    if (isSet(finished)) {
      out.finishedAt = finished;
      // Each finished run is counted once, keyed by when it finished.
      const prev = this.#exits.get(c.Id);
      if (!prev || prev.finishedAt !== finished) {
        const codes = [...(prev?.codes ?? []), out.exitCode].slice(-EXIT_CODES_KEPT);
        this.#exits.set(c.Id, { finishedAt: finished, codes });
      }
    }
    const exits = this.#exits.get(c.Id);
    if (exits) out.recentExitCodes = exits.codes;
    if (c.Ports?.length) {
      out.ports = c.Ports.map((p) => {
        const port: NonNullable<ReportContainer['ports']>[number] = {
          privatePort: p.PrivatePort,
          protocol: p.Type ?? 'tcp',
        };
        if (p.PublicPort) port.publicPort = p.PublicPort;
        if (p.IP) port.ip = p.IP;
        return port;
      });
    }
    if (c.Labels && Object.keys(c.Labels).length) out.labels = c.Labels;
    const nets = c.NetworkSettings?.Networks;
    if (nets && Object.keys(nets).length) {
      out.networks = Object.entries(nets).map(([name, n]) => {
        const net: NonNullable<ReportContainer['networks']>[number] = { name };
        if (n.IPAddress) net.ipv4 = n.IPAddress;
        if (n.GlobalIPv6Address) net.ipv6 = n.GlobalIPv6Address;
        return net;
      });
    }
    if (state === 'running') await this.#stats(c.Id, out);
    else this.#cpu.delete(c.Id);
    return out;
  }

  async #stats(rawId: string, out: ReportContainer): Promise<void> {
    let s: Stats;
    try {
      s = await this.docker.get<Stats>(`/containers/${encodeURIComponent(rawId)}/stats?stream=false&one-shot=true`);
    } catch {
      return; // stopped between the list and the sample
    }
    const total = s.cpu_stats?.cpu_usage?.total_usage ?? 0;
    const system = s.cpu_stats?.system_cpu_usage ?? 0;
    const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
    const prev = this.#cpu.get(rawId);
    if (prev && system > prev.system && total >= prev.container) {
      out.cpuPercent = Math.round(((total - prev.container) / (system - prev.system)) * cpus * 100 * 100) / 100;
    }
    this.#cpu.set(rawId, { container: total, system });
    const mem = s.memory_stats ?? {};
    // Page cache is reclaimable, so it is not counted, as `docker stats` does not count it.
    const cache = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? mem.stats?.cache ?? 0;
    const usage = Math.max(0, (mem.usage ?? 0) - cache);
    out.memoryUsageBytes = usage;
    out.memoryLimitBytes = mem.limit ?? 0;
    out.memoryPercent = mem.limit ? Math.round((usage / mem.limit) * 100 * 100) / 100 : 0;
    for (const n of Object.values(s.networks ?? {})) {
      out.networkRxBytes += n.rx_bytes ?? 0;
      out.networkTxBytes += n.tx_bytes ?? 0;
    }
    for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
      const op = (e.op ?? '').toLowerCase();
      if (op === 'read') out.blockReadBytes += e.value ?? 0;
      else if (op === 'write') out.blockWriteBytes += e.value ?? 0;
    }
  }
}
