/**
 * Network discovery (wire contract §7.10): scans a subnet for Proxmox VE, Backup Server and Mail
 * Gateway APIs with bounded concurrency and short timeouts, keeps the last result, and rescans
 * every 5 minutes in the background only when discovery is enabled.
 */
import type { Clock } from '../clock.js';
import { mapLimit } from '../collect/limit.js';
import type { PulseEvents } from '../events.js';
import type { Logger } from '../logging.js';
import type { DiscoveredServer } from '../model/operations.js';
import { classify, type Product } from './classify.js';
import { probeAddress } from './probe.js';
import { expandCidr, localSubnets, SubnetError } from './subnet.js';

export const DEFAULT_DISCOVERY_PORTS: Record<Product, number[]> = { pve: [8006], pbs: [8007], pmg: [8006] };
export const BACKGROUND_INTERVAL_MS = 5 * 60_000;
/** Go's zero time in unix seconds: what 4.24 reported as `updated` before the first scan. */
const NEVER = -62135596800;

export interface DiscoveryDeps {
  clock: Clock;
  logger: Logger;
  events: PulseEvents;
  ports: Record<Product, number[]>;
  /** The configured subnet (env, then system settings); undefined or "auto" = the host's networks. */
  subnet: () => string | undefined;
  /** Whether background scans run (read at each tick, so a settings change applies). */
  enabled: () => boolean;
  timeoutMs?: number;
  concurrency?: number;
  /** Delay of the first background scan after start (default 5 s). */
  firstScanDelayMs?: number;
}

export interface DiscoveryResult {
  servers: DiscoveredServer[];
  errors: string[];
  cached: boolean;
  scanning: boolean;
  /** unix seconds of the last completed scan */
  updated: number;
  /** seconds since then */
  age: number;
  subnet?: string;
}

export class DiscoveryService {
  readonly #deps: DiscoveryDeps;
  #servers: DiscoveredServer[] = [];
  #errors: string[] = [];
  #updatedMs: number | undefined;
  #subnet: string | undefined;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #firstTimer: NodeJS.Timeout | undefined;

  constructor(deps: DiscoveryDeps) {
    this.#deps = deps;
  }

  result(): DiscoveryResult {
    const now = this.#deps.clock.now();
    const out: DiscoveryResult = {
      servers: this.#servers,
      errors: this.#errors,
      cached: true,
      scanning: this.#running !== undefined,
      updated: this.#updatedMs === undefined ? NEVER : Math.floor(this.#updatedMs / 1000),
      age: this.#updatedMs === undefined ? 0 : Math.max(0, Math.floor((now - this.#updatedMs) / 1000)),
    };
    if (this.#subnet) out.subnet = this.#subnet;
    return out;
  }

  get hasResult(): boolean {
    return this.#updatedMs !== undefined;
  }

  /** Validates the subnet(s) now (throws SubnetError), then scans in the background. */
  startScan(subnet?: string): void {
    const targets = this.#targets(subnet);
    if (this.#running) return;
    this.#running = this.#scan(targets.subnet, targets.ips)
      .catch((err) => {
        this.#errors = [`scan failed: ${(err as Error).message}`];
        this.#deps.logger.warn({ err }, 'discovery: scan failed');
      })
      .finally(() => {
        this.#running = undefined;
      });
  }

  /** Resolves when no scan is running. */
  async whenIdle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  start(): void {
    const tick = () => {
      if (!this.#deps.enabled()) return;
      try {
        this.startScan();
      } catch (err) {
        this.#deps.logger.warn({ err: (err as Error).message }, 'discovery: cannot scan');
      }
    };
    // The first scan shortly after start-up, then every 5 minutes.
    const first = setTimeout(tick, this.#deps.firstScanDelayMs ?? 5_000);
    first.unref();
    this.#timer = setInterval(tick, BACKGROUND_INTERVAL_MS);
    this.#timer.unref();
    this.#firstTimer = first;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#firstTimer);
    clearInterval(this.#timer);
    await this.whenIdle();
  }

  #targets(subnet?: string): { subnet: string; ips: string[] } {
    const configured = subnet ?? this.#deps.subnet();
    const subnets = !configured || configured === 'auto' ? localSubnets() : [configured];
    if (subnets.length === 0) throw new SubnetError('no private IPv4 network found on this host: give a subnet');
    const ips = new Set<string>();
    for (const s of subnets) for (const ip of expandCidr(s)) ips.add(ip);
    return { subnet: subnets.join(','), ips: [...ips] };
  }

  async #scan(subnet: string, ips: string[]): Promise<void> {
    const { ports } = this.#deps;
    const uniquePorts = [...new Set([...ports.pve, ...ports.pbs, ...ports.pmg])];
    const jobs = ips.flatMap((ip) => uniquePorts.map((port) => ({ ip, port })));
    const timeoutMs = this.#deps.timeoutMs ?? 1500;
    this.#deps.logger.info({ subnet, probes: jobs.length }, 'discovery: scanning');
    const errors: string[] = [];
    const found = await mapLimit(jobs, this.#deps.concurrency ?? 32, async ({ ip, port }) => {
      try {
        const ev = await probeAddress(ip, port, timeoutMs);
        if (!ev) return undefined;
        const c = classify(port, ports, ev);
        if (!c) return undefined;
        const server: DiscoveredServer = {
          ip,
          host: ip,
          name: c.hostname ?? ip,
          port,
          type: c.type,
          version: c.version,
        };
        if (c.hostname) server.hostname = c.hostname;
        if (c.release) server.release = c.release;
        return server;
      } catch (err) {
        errors.push(`${ip}:${port}: ${(err as Error).message}`);
        return undefined;
      }
    });
    this.#servers = found.filter((s): s is DiscoveredServer => s !== undefined);
    this.#errors = errors;
    this.#subnet = subnet;
    this.#updatedMs = this.#deps.clock.now();
    this.#deps.events.emit('discoveryUpdate', {
      servers: this.#servers,
      errors: this.#errors,
      timestamp: Math.floor(this.#updatedMs / 1000),
    });
  }
}
