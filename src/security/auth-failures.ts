/**
 * Failed authentications per client address, on every route. Routes the rate limiter exempts
 * (`/api/state`, the WebSocket) would otherwise allow unlimited token guessing; once an address
 * has too many recent failures, credentials it presents are not checked until the window passes.
 */
import type { Clock } from '../clock.js';

export interface FailureRule {
  limit: number;
  windowMs: number;
}

export const DEFAULT_FAILURE_RULE: FailureRule = { limit: 20, windowMs: 60_000 };

export class AuthFailureCounter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    readonly rule: FailureRule = DEFAULT_FAILURE_RULE,
  ) {}

  #recent(ip: string): number[] {
    const list = this.#failures.get(ip);
    if (!list) return [];
    const since = this.clock.now() - this.rule.windowMs;
    while (list.length > 0 && list[0] <= since) list.shift();
    if (list.length === 0) this.#failures.delete(ip);
    return list;
  }

  /** When the address may try again (ms since epoch), or undefined when it may now. */
  blockedUntil(ip: string): number | undefined {
    const list = this.#recent(ip);
    return list.length >= this.rule.limit ? list[0] + this.rule.windowMs : undefined;
  }

  fail(ip: string): void {
    const list = this.#recent(ip);
    list.push(this.clock.now());
    // A spray of addresses must not grow the map without bound: forget the quiet ones.
    if (list.length === 1 && this.#failures.size >= 10_000) {
      for (const key of [...this.#failures.keys()]) this.#recent(key);
    }
    this.#failures.set(ip, list);
  }
}
