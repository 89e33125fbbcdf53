/**
 * One timer per instance. A cycle that fails marks the instance (offline slice, error kept for
 * the config API) and backs off; a hung endpoint is bounded by per-request timeouts and a
 * cycle budget, so it never delays the others, which run on their own timers.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import { ProxmoxError } from '../proxmox/errors.js';
import type { FeatureProblem } from '../proxmox/privileges.js';
import type { Slice } from './slices.js';

export interface Poller {
  readonly instance: string;
  readonly activeHost: string;
  readonly problems: Map<string, FeatureProblem>;
  poll(signal?: AbortSignal): Promise<Slice>;
  offlineSlice(authFailures: number, now: number): Slice;
  close(): Promise<void>;
}

export interface RunnerStatus {
  connected: boolean;
  /** ms of the last finished cycle */
  lastPoll?: number;
  lastSuccess?: number;
  /** ms the last cycle took */
  lastDuration?: number;
  failures: number;
  /** Failed cycles since start (never reset; the /metrics error counter). */
  errors: number;
  error?: string;
  errorKind?: string;
  presentedFingerprint?: string;
  cycles: number;
}

export interface RunnerEnv {
  clock: Clock;
  logger: Logger;
  intervalMs(): number;
  timeoutMs(): number;
  publish(slice: Slice): void;
  /** The running cycle is overdue: the published data is `ageMs` old (more than two intervals). */
  onStale?(ageMs: number): void;
}

/** Delay before the next attempt after `failures` failed cycles in a row. */
export function backoffMs(intervalMs: number, failures: number): number {
  if (failures <= 0) return intervalMs;
  return Math.min(intervalMs * 2 ** (failures - 1), intervalMs * 4);
}

export class InstanceRunner {
  readonly poller: Poller;
  readonly #env: RunnerEnv;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #authFailures = 0;
  readonly status: RunnerStatus = { connected: false, failures: 0, errors: 0, cycles: 0 };
  /** Resolvers waiting for the next finished cycle (tests, "test now"). */
  #waiters: Array<() => void> = [];

  constructor(poller: Poller, env: RunnerEnv) {
    this.poller = poller;
    this.#env = env;
  }

  start(): void {
    this.#schedule(0);
  }

  /** Re-plans the next cycle after an interval change (never later than the new interval). */
  reschedule(): void {
    if (this.#stopped || this.#running) return;
    this.#schedule(Math.min(this.#env.intervalMs(), backoffMs(this.#env.intervalMs(), this.status.failures)));
  }

  /** Runs a cycle now (or waits for the running one) and resolves when it finishes. */
  async pollNow(): Promise<void> {
    if (this.#running) {
      await this.#running;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    await this.#run();
  }

  /** Resolves after the next cycle finishes. */
  nextCycle(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.poller.close();
    await this.#running?.catch(() => undefined);
    for (const w of this.#waiters.splice(0)) w();
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, delay);
  }

  #run(): Promise<void> {
    this.#running ??= this.#cycle().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #cycle(): Promise<void> {
    const env = this.#env;
    const started = performance.now();
    const controller = new AbortController();
    // A cycle may not run on forever whatever the endpoint does (thousands of requests that each
    // time out): once the budget is spent, the cycle's remaining requests are not sent (the client
    // checks the signal before each one); those in flight end by their per-request timeouts.
    // Two intervals: past that the data is stale anyway, and a hung host must not hold the next
    // cycle (which picks up its recovery) for longer than that plus one request deadline.
    const budget = setTimeout(() => controller.abort(), Math.max(env.intervalMs() * 2, env.timeoutMs() * 2));
    const s = this.status;
    const stale = this.#watchStaleness(s.lastSuccess);
    try {
      const slice = await this.poller.poll(controller.signal);
      if (this.#stopped) return;
      env.publish(slice);
      s.connected = true;
      s.failures = 0;
      this.#authFailures = 0;
      s.error = undefined;
      s.errorKind = undefined;
      s.presentedFingerprint = undefined;
      s.lastSuccess = env.clock.now();
    } catch (err) {
      if (this.#stopped) return;
      s.connected = false;
      s.failures++;
      s.errors++;
      const pe = err instanceof ProxmoxError ? err : undefined;
      if (pe?.kind === 'auth') this.#authFailures++;
      else this.#authFailures = 0;
      s.error = err instanceof Error ? err.message : String(err);
      s.errorKind = pe?.kind ?? 'error';
      s.presentedFingerprint = pe?.presentedFingerprint;
      env.logger.warn({ instance: this.poller.instance, kind: s.errorKind, failures: s.failures }, s.error);
      env.publish(this.poller.offlineSlice(this.#authFailures, env.clock.now()));
    } finally {
      clearTimeout(budget);
      clearTimeout(stale.timer);
      s.cycles++;
      s.lastPoll = env.clock.now();
      s.lastDuration = Math.round(performance.now() - started);
      for (const w of this.#waiters.splice(0)) w();
    }
    if (this.#stopped) return;
    const interval = env.intervalMs();
    // Only refused credentials back off (retrying them faster helps nobody and may lock the
    // account); a host that timed out or refused the connection is tried again next interval,
    // so its recovery shows on the next cycle.
    const delay =
      this.#authFailures > 0 ? backoffMs(interval, this.#authFailures) : Math.max(0, interval - s.lastDuration);
    this.#schedule(delay);
  }

  /** Reports the data as stale once it is two intervals old while this cycle is still running. */
  #watchStaleness(lastSuccess: number | undefined): { timer?: NodeJS.Timeout } {
    const env = this.#env;
    const out: { timer?: NodeJS.Timeout } = {};
    if (lastSuccess === undefined || !env.onStale) return out;
    const check = () => {
      const age = env.clock.now() - lastSuccess;
      const limit = env.intervalMs() * 2;
      if (age >= limit) env.onStale?.(age);
      // Keep the age current while the cycle hangs on.
      out.timer = setTimeout(check, age >= limit ? env.intervalMs() : limit - age);
      out.timer.unref?.();
    };
    out.timer = setTimeout(check, Math.max(0, lastSuccess + env.intervalMs() * 2 - env.clock.now()));
    out.timer.unref?.();
    return out;
  }
}
