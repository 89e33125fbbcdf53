/**
 * Rate limits per client IP, in sliding windows, by request class (wire contract §4.6, with the
 * published figures where they differ: export/import 5 per minute).
 *
 * `classify` is pure (method + path → class); `SlidingWindowLimiter` keeps the timestamps of
 * recent hits per key and answers "allowed, or retry after N ms".
 */
import type { Clock } from '../clock.js';

export type RateClass = 'auth' | 'recovery' | 'export' | 'config' | 'public' | 'updates' | 'ws' | 'general';

export interface RateRule {
  limit: number;
  windowMs: number;
}

const MINUTE = 60_000;

export const DEFAULT_RATE_RULES: Readonly<Record<RateClass, RateRule>> = {
  auth: { limit: 10, windowMs: MINUTE },
  recovery: { limit: 3, windowMs: 10 * MINUTE },
  export: { limit: 5, windowMs: MINUTE },
  config: { limit: 30, windowMs: MINUTE },
  public: { limit: 1000, windowMs: MINUTE },
  updates: { limit: 20, windowMs: MINUTE },
  ws: { limit: 5, windowMs: MINUTE },
  general: { limit: 500, windowMs: MINUTE },
};

/** Paths that are never limited: the UI reads them constantly. */
const EXEMPT = ['/api/state', '/api/guests/metadata'];

const AUTH_PATHS = [
  '/api/login',
  '/api/logout',
  '/api/security/change-password',
  '/api/security/quick-setup',
  '/api/security/validate-token',
  '/api/security/regenerate-token',
];

/** The class of a request, or undefined when it is not limited at all. */
export function classify(method: string, rawPath: string): RateClass | undefined {
  const path = rawPath.split('?')[0].replace(/\/{2,}/g, '/');
  const isApi = path === '/api' || path.startsWith('/api/');
  const isWs = path.startsWith('/ws') || path.startsWith('/socket.io');
  if (!isApi && !isWs) return undefined;
  if (EXEMPT.some((p) => path.includes(p))) return undefined;
  const get = method === 'GET' || method === 'HEAD';
  if (AUTH_PATHS.some((p) => path.startsWith(p))) return 'auth';
  // Creating or deleting tokens shares the authentication budget; listing them does not.
  if (path.startsWith('/api/security/tokens') && !get) return 'auth';
  if (path.startsWith('/api/security/recovery')) return 'recovery';
  if (/^\/api\/(config\/)?(export|import)(\/|$)/.test(path)) return 'export';
  if (!get && /^\/api\/config\/(nodes|system)(\/|$)/.test(path)) return 'config';
  if (
    (get && (path.startsWith('/api/config/') || path.startsWith('/api/discover') || path === '/api/security/status')) ||
    path.startsWith('/api/health') ||
    path.startsWith('/api/version') ||
    path === '/api/openapi.json' ||
    path === '/api/docs'
  ) {
    return 'public';
  }
  if (path.startsWith('/api/updates')) return 'updates';
  if (isWs) return 'ws';
  return 'general';
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the oldest counted hit leaves the window (ms since epoch). */
  resetAt: number;
  /** Milliseconds until another request would be allowed (0 when allowed). */
  retryAfterMs: number;
}

export class SlidingWindowLimiter {
  readonly #hits = new Map<string, number[]>();
  #calls = 0;

  constructor(private readonly clock: Clock) {}

  hit(key: string, rule: RateRule): RateDecision {
    const now = this.clock.now();
    const since = now - rule.windowMs;
    let list = this.#hits.get(key);
    if (!list) {
      list = [];
      this.#hits.set(key, list);
    }
    // Timestamps are appended in order, so expired ones are at the front.
    let drop = 0;
    while (drop < list.length && list[drop] <= since) drop++;
    if (drop > 0) list.splice(0, drop);
    if (++this.#calls % 5000 === 0) this.#sweep(now, rule.windowMs);

    if (list.length >= rule.limit) {
      const resetAt = list[0] + rule.windowMs;
      return { allowed: false, limit: rule.limit, remaining: 0, resetAt, retryAfterMs: Math.max(resetAt - now, 1) };
    }
    list.push(now);
    return {
      allowed: true,
      limit: rule.limit,
      remaining: rule.limit - list.length,
      resetAt: list[0] + rule.windowMs,
      retryAfterMs: 0,
    };
  }

  /** Forgets keys with no recent hits (the longest window is an upper bound for "recent"). */
  #sweep(now: number, windowMs: number): void {
    const horizon = Math.max(windowMs, 10 * MINUTE);
    for (const [key, list] of this.#hits) {
      if (list.length === 0 || list[list.length - 1] <= now - horizon) this.#hits.delete(key);
    }
  }

  reset(): void {
    this.#hits.clear();
  }
}
