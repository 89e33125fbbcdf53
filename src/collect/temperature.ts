/**
 * Node temperatures over SSH: `ssh root@<node> sensors -j` (wire contract §9), parsed by
 * normalise/sensors.ts.
 *
 * The PVE poller asks `read()` for each online node on every cycle and gets the last reading at
 * once: SSH runs in the background, at most once per node per refresh period (30 s by default)
 * and at most `concurrency` sessions at a time, each bounded by a 5 s timeout. So a 200-node
 * cluster polled every 10 s costs about 7 SSH sessions a second, and a node without SSH only
 * lacks a temperature; a cycle never waits for SSH.
 *
 * The feature is off (no connection is ever attempted) while no private key exists: by default
 * `<data dir>/.ssh/id_ed25519` or `id_rsa`, or PULSE_SENSORS_SSH_KEY. Host keys are trusted on
 * first use and pinned (temperature-known-hosts.ts); a changed key is refused and logged.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type { Temperature } from '../model/state.js';
import { parseSensors } from './normalise/sensors.js';
import { KnownHosts, keyFingerprint } from './temperature-known-hosts.js';

/** ssh2, loaded on the first probe: most installs never add an SSH key, and it is a few MB resident. */
let ssh2: typeof import('ssh2') | undefined;

export const SENSORS_COMMAND = 'sensors -j';
/** Wire contract §9: temperature calls time out after 5 s. */
export const SENSORS_TIMEOUT_MS = 5000;
/** Largest `sensors -j` output accepted (a big server prints a few tens of KiB). */
const MAX_OUTPUT = 1 << 20;

export type ProbeFailure =
  | 'no-key'
  | 'refused'
  | 'unreachable'
  | 'auth-failed'
  | 'host-key-changed'
  | 'timeout'
  | 'sensors-missing'
  | 'command-failed'
  | 'error';

export interface SshTarget {
  host: string;
  port: number;
}

export type ProbeResult =
  | { ok: true; target: SshTarget; temperature: Temperature }
  | { ok: false; target: SshTarget; failure: ProbeFailure; message: string };

export interface TemperatureOptions {
  dataDir: string;
  /** Explicit private key file; otherwise <dataDir>/.ssh/id_ed25519, then id_rsa. */
  keyPath?: string;
  user?: string;
  port?: number;
  /** Per-node SSH destinations: keys are `<instance>/<node>`, a node name, or an address. */
  hosts?: Record<string, { host: string; port?: number }>;
  refreshMs?: number;
  timeoutMs?: number;
  concurrency?: number;
  clock: Clock;
  logger: Logger;
  knownHosts?: KnownHosts;
}

/** What the poller knows about a node: its instance, name and best address. */
export interface TemperatureRequest {
  instance: string;
  node: string;
  /** The cluster member's IP, or the configured host's name for a standalone node. */
  address?: string;
}

/** What the PVE poller needs (kept narrow so the poller does not depend on SSH). */
export interface TemperatureSource {
  read(req: TemperatureRequest): Temperature | undefined;
}

interface Entry {
  /** When the last attempt started (ms). */
  at: number;
  running: boolean;
  temperature?: Temperature;
  okAt?: number;
  failure?: ProbeFailure;
}

interface LoadedKey {
  file: string;
  data: Buffer;
}

/** Maps ssh2/socket errors to what an operator needs to know. */
function classify(err: Error & { code?: string; level?: string }): ProbeFailure {
  if (err.level === 'client-authentication') return 'auth-failed';
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (err.code === 'ETIMEDOUT' || /timed out/i.test(err.message)) return 'timeout';
  if (['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].includes(err.code ?? ''))
    return 'unreachable';
  return 'error';
}

export class TemperatureCollector implements TemperatureSource {
  readonly #opt: Required<Omit<TemperatureOptions, 'keyPath' | 'knownHosts'>> & { keyPath?: string };
  readonly knownHosts: KnownHosts;
  readonly #entries = new Map<string, Entry>();
  readonly #queue: Array<{ key: string; target: SshTarget }> = [];
  /** Ends a running probe (shutdown). */
  readonly #aborts = new Set<() => void>();
  readonly #idle: Array<() => void> = [];
  #running = 0;
  #closed = false;
  #key: { checkedAt: number; key?: LoadedKey } | undefined;
  /** Failure kinds already logged per node, so a dead node does not log every 30 s. */
  readonly #logged = new Map<string, ProbeFailure>();

  constructor(opts: TemperatureOptions) {
    this.#opt = {
      dataDir: opts.dataDir,
      keyPath: opts.keyPath,
      user: opts.user ?? 'root',
      port: opts.port ?? 22,
      hosts: opts.hosts ?? {},
      refreshMs: opts.refreshMs ?? 30_000,
      timeoutMs: opts.timeoutMs ?? SENSORS_TIMEOUT_MS,
      concurrency: Math.max(1, opts.concurrency ?? 8),
      clock: opts.clock,
      logger: opts.logger,
    };
    this.knownHosts = opts.knownHosts ?? KnownHosts.inDataDir(opts.dataDir);
  }

  /** Candidate key files, in order. */
  keyFiles(): string[] {
    if (this.#opt.keyPath) return [this.#opt.keyPath];
    const dir = path.join(this.#opt.dataDir, '.ssh');
    return [path.join(dir, 'id_ed25519'), path.join(dir, 'id_rsa')];
  }

  /** The private key, looked up again at most once per refresh period (it may appear later). */
  #loadKey(): LoadedKey | undefined {
    const now = this.#opt.clock.now();
    if (this.#key && now - this.#key.checkedAt < Math.min(this.#opt.refreshMs, 60_000)) return this.#key.key;
    let key: LoadedKey | undefined;
    for (const file of this.keyFiles()) {
      try {
        key = { file, data: fs.readFileSync(file) };
        break;
      } catch {
        // next candidate
      }
    }
    this.#key = { checkedAt: now, key };
    return key;
  }

  /** True when a key file exists, i.e. temperatures are being collected. */
  get enabled(): boolean {
    return this.#loadKey() !== undefined;
  }

  /** Where to SSH for a node: a configured mapping, else its address, else its name. */
  target(req: TemperatureRequest): SshTarget {
    const hosts = this.#opt.hosts;
    const mapped =
      hosts[`${req.instance}/${req.node}`] ?? hosts[req.node] ?? (req.address ? hosts[req.address] : undefined);
    if (mapped) return { host: mapped.host, port: mapped.port ?? this.#opt.port };
    return { host: req.address || req.node, port: this.#opt.port };
  }

  /**
   * The node's latest temperature (undefined when none is known or the last good reading is
   * too old), scheduling a background refresh when one is due. Never waits.
   */
  read(req: TemperatureRequest): Temperature | undefined {
    if (this.#closed || !this.#loadKey()) return undefined;
    const key = `${req.instance}/${req.node}`;
    const now = this.#opt.clock.now();
    let e = this.#entries.get(key);
    if (!e) {
      e = { at: -Infinity, running: false };
      this.#entries.set(key, e);
    }
    if (!e.running && now - e.at >= this.#opt.refreshMs) {
      e.running = true;
      e.at = now;
      this.#queue.push({ key, target: this.target(req) });
      this.#pump();
    }
    // A failed refresh keeps the last reading for a few periods, then it is gone.
    const staleMs = 3 * this.#opt.refreshMs;
    if (e.temperature && e.okAt !== undefined && now - e.okAt <= staleMs) return e.temperature;
    return undefined;
  }

  /** The last failure of a node's refresh (diagnostics). */
  failure(instance: string, node: string): ProbeFailure | undefined {
    return this.#entries.get(`${instance}/${node}`)?.failure;
  }

  #pump(): void {
    while (this.#running < this.#opt.concurrency && this.#queue.length && !this.#closed) {
      const job = this.#queue.shift()!;
      this.#running++;
      void this.probe(job.target)
        .then((r) => this.#store(job.key, r))
        .catch((err) => this.#opt.logger.debug({ err, node: job.key }, 'temperature refresh failed'))
        .finally(() => {
          this.#running--;
          const e = this.#entries.get(job.key);
          if (e) e.running = false;
          this.#pump();
          if (this.#running === 0 && this.#queue.length === 0) for (const f of this.#idle.splice(0)) f();
        });
    }
  }

  #store(key: string, r: ProbeResult): void {
    const e = this.#entries.get(key);
    if (!e) return;
    const log = this.#opt.logger;
    if (r.ok) {
      e.failure = undefined;
      if (r.temperature.available) {
        e.temperature = r.temperature;
        e.okAt = this.#opt.clock.now();
      } else e.temperature = undefined;
      if (this.#logged.delete(key)) log.info({ node: key }, 'node temperatures readable again over SSH');
      return;
    }
    e.failure = r.failure;
    if (this.#logged.get(key) === r.failure) return;
    this.#logged.set(key, r.failure);
    const fields = { node: key, host: r.target.host, port: r.target.port, failure: r.failure };
    // A changed host key may mean an impostor: say so loudly; the rest is routine.
    if (r.failure === 'host-key-changed') log.error(fields, r.message);
    else log.warn(fields, `node temperatures unavailable: ${r.message}`);
  }

  /** Resolves once no refresh is queued or running (tests, shutdown). */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Runs `sensors -j` on one host now (the verify route; the background refresh). */
  probe(target: SshTarget): Promise<ProbeResult> {
    const key = this.#loadKey();
    const fail = (failure: ProbeFailure, message: string): ProbeResult => ({ ok: false, target, failure, message });
    if (!key) {
      return Promise.resolve(
        fail('no-key', `no SSH private key (looked for ${this.keyFiles().join(', ')}; set PULSE_SENSORS_SSH_KEY)`),
      );
    }
    try {
      ssh2 ??= createRequire(import.meta.url)('ssh2') as typeof import('ssh2');
    } catch (err) {
      return Promise.resolve(fail('error', `the SSH library (ssh2) could not be loaded: ${(err as Error).message}`));
    }
    const { Client, utils } = ssh2;
    const parsed = utils.parseKey(key.data);
    if (parsed instanceof Error) {
      return Promise.resolve(fail('no-key', `SSH key ${key.file} is unusable: ${parsed.message}`));
    }
    const where = `${this.#opt.user}@${target.host}:${target.port}`;
    return new Promise<ProbeResult>((resolve) => {
      const client = new Client();
      let done = false;
      let hostKeyProblem: string | undefined;
      let stdout = '';
      let stderr = '';
      const finish = (r: ProbeResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#aborts.delete(abort);
        client.end();
        client.destroy();
        resolve(r);
      };
      const timer = setTimeout(
        () => finish(fail('timeout', `no answer from ${where} within ${this.#opt.timeoutMs / 1000} s`)),
        this.#opt.timeoutMs,
      );
      const abort = () => finish(fail('error', 'Pulse is shutting down'));
      this.#aborts.add(abort);
      client.on('error', (err: Error & { code?: string; level?: string }) => {
        if (hostKeyProblem) return finish(fail('host-key-changed', hostKeyProblem));
        const kind = classify(err);
        const text: Record<ProbeFailure, string> = {
          'no-key': err.message,
          refused: `connection refused by ${target.host}:${target.port} (is sshd running?)`,
          unreachable: `cannot reach ${target.host}:${target.port} (${err.code ?? err.message})`,
          'auth-failed': `${where} rejected the key ${key.file} (add its public key to /root/.ssh/authorized_keys on the node)`,
          'host-key-changed': err.message,
          timeout: `no answer from ${where} within ${this.#opt.timeoutMs / 1000} s`,
          'sensors-missing': err.message,
          'command-failed': err.message,
          error: `SSH to ${where} failed: ${err.message}`,
        };
        finish(fail(kind, text[kind]));
      });
      client.on('ready', () => {
        client.exec(SENSORS_COMMAND, (err, stream) => {
          if (err) return finish(fail('command-failed', `${where} refused to run ${SENSORS_COMMAND}: ${err.message}`));
          stream.on('data', (d: Buffer) => {
            if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
          });
          stream.stderr.on('data', (d: Buffer) => {
            if (stderr.length < 4096) stderr += d.toString('utf8');
          });
          let code: number | undefined;
          stream.on('exit', (c: number | null) => {
            code = c ?? undefined;
          });
          stream.on('close', () => {
            if (code === undefined)
              return finish(fail('error', `${where} closed the session before ${SENSORS_COMMAND} finished`));
            if (code === 127 || /command not found|No such file/i.test(stderr))
              return finish(
                fail('sensors-missing', `sensors is not installed on ${target.host} (apt install lm-sensors)`),
              );
            if (code !== 0)
              return finish(
                fail('command-failed', `${SENSORS_COMMAND} exited with ${code} on ${target.host}: ${stderr.trim()}`),
              );
            finish({ ok: true, target, temperature: parseSensors(stdout, this.#opt.clock.now()) });
          });
        });
      });
      try {
        client.connect({
          host: target.host,
          port: target.port,
          username: this.#opt.user,
          privateKey: key.data,
          readyTimeout: this.#opt.timeoutMs,
          keepaliveInterval: 0,
          hostVerifier: (blob: Buffer) => {
            const verdict = this.knownHosts.check(target.host, target.port, blob);
            if (verdict !== 'changed') return true;
            hostKeyProblem =
              `SSH host key of ${target.host}:${target.port} changed (now ${keyFingerprint(blob)}); refusing to connect. ` +
              `If the node was reinstalled, remove its line from ${this.knownHosts.file}`;
            return false;
          },
        });
      } catch (err) {
        finish(fail('error', `SSH to ${where} failed: ${(err as Error).message}`));
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#queue.length = 0;
    for (const abort of [...this.#aborts]) abort();
    await this.idle();
  }
}
