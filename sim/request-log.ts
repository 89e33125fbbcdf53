/**
 * The GET requests the simulator answered while a log was open (control API `/requests/log`).
 * Benchmarks replay a client's exact requests as their floor; logging them here keeps that
 * bookkeeping out of the process being measured.
 */
import type { SimCore } from './core.js';

class RequestLog {
  #requests: string[] = [];
  #detach: (() => void) | undefined;

  constructor(private readonly sim: SimCore) {}

  get recording(): boolean {
    return this.#detach !== undefined;
  }

  /** Starts a new log: what an earlier one held is dropped. Any other `onRequest` hook still runs. */
  start(): void {
    const sim = this.sim;
    this.stop();
    this.#requests = [];
    const previous = sim.onRequest;
    const requests = this.#requests;
    const hook: NonNullable<SimCore['onRequest']> = (rec) => {
      previous?.(rec);
      if (rec.method === 'GET') requests.push(rec.query ? `${rec.path}?${rec.query}` : rec.path);
    };
    sim.onRequest = hook;
    this.#detach = () => {
      if (sim.onRequest === hook) sim.onRequest = previous;
    };
  }

  stop(): void {
    this.#detach?.();
    this.#detach = undefined;
  }

  /** The logged requests (path below /api2/json, with `?query` when there was one), oldest first. */
  get requests(): readonly string[] {
    return this.#requests;
  }
}

const logs = new WeakMap<SimCore, RequestLog>();

/** The one request log of a simulator. */
export function requestLogOf(sim: SimCore): RequestLog {
  let log = logs.get(sim);
  if (!log) {
    log = new RequestLog(sim);
    logs.set(sim, log);
  }
  return log;
}
