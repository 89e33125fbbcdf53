/**
 * Failed-login lockout: 5 failures for a key lock that key for 15 minutes. The security service
 * locks a (username, client address) pair and a client address, never a username on its own:
 * a user-wide lock would let anyone lock the owner out from a few addresses. Across addresses a
 * username is only slowed down (see `slowdownMs`). Memory only, like Pulse 4.24.
 */
import type { Clock } from '../clock.js';

export const MAX_ATTEMPTS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

interface Entry {
  failures: number;
  /** When the first counted failure happened; counts reset after LOCKOUT_MS of quiet. */
  firstAt: number;
  lockedUntil?: number;
}

export interface LockState {
  locked: boolean;
  failures: number;
  lockedUntil?: number;
}

export class LoginLockout {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    readonly maxAttempts = MAX_ATTEMPTS,
    readonly lockoutMs = LOCKOUT_MS,
  ) {}

  #current(key: string): Entry | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    const now = this.clock.now();
    const expired = e.lockedUntil !== undefined ? now >= e.lockedUntil : now - e.firstAt >= this.lockoutMs;
    if (expired) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  state(key: string): LockState {
    const e = this.#current(key);
    if (!e) return { locked: false, failures: 0 };
    return { locked: e.lockedUntil !== undefined, failures: e.failures, lockedUntil: e.lockedUntil };
  }

  /** Records a failure; returns the new state (locked once the limit is reached). */
  fail(key: string): LockState {
    const now = this.clock.now();
    const e = this.#current(key) ?? { failures: 0, firstAt: now };
    if (e.lockedUntil === undefined) {
      e.failures += 1;
      if (e.failures >= this.maxAttempts) e.lockedUntil = now + this.lockoutMs;
    }
    this.#entries.set(key, e);
    this.#sweep();
    return this.state(key);
  }

  reset(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Drops every key for which `match` holds (resetting a user drops all of its pairs). */
  resetWhere(match: (key: string) => boolean): number {
    let n = 0;
    for (const key of [...this.#entries.keys()]) if (match(key) && this.#entries.delete(key)) n++;
    return n;
  }

  /** Drops expired entries now and then so that a spray of IPs cannot grow the map forever. */
  #sweep(): void {
    if (this.#entries.size < 10_000) return;
    for (const key of [...this.#entries.keys()]) this.#current(key);
  }
}

/** Keys used for the dimensions of lockout. */
export const userKey = (username: string) => `user:${username.toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;
export const pairKey = (username: string, ip: string) => `pair:${username.toLowerCase()}|${ip}`;

/**
 * The spacing forced between attempts at one username from unknown addresses once it has
 * `maxAttempts` recent failures across addresses: doubling per further failure, capped.
 */
export function slowdownMs(failures: number, maxAttempts: number, baseMs: number, capMs = 60_000): number {
  if (failures < maxAttempts) return 0;
  return Math.min(baseMs * 2 ** Math.min(failures - maxAttempts, 20), capMs);
}
