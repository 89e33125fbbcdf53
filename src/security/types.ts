/**
 * What the gate tells a handler about the caller, as `req.auth`:
 * - null: nobody authenticated (only possible on public routes, or API-only read access below);
 * - otherwise who and how. Route handlers read `req.auth?.username`, `req.auth?.admin`, and
 *   `req.auth?.method` ('token' requests are exempt from CSRF and carry `tokenId`).
 */
import type { RateClass, RateRule } from './rate-limit.js';
import type { Session } from './session-store.js';

export type AuthMethod =
  /** pulse_session cookie (CSRF-checked on state-changing requests) */
  | 'session'
  /** X-API-Token, Authorization: Bearer, or ?token= where allowed */
  | 'token'
  /** Authorization: Basic with the admin credentials */
  | 'basic'
  /** no authentication configured at all (first run) */
  | 'open'
  /** DISABLE_AUTH */
  | 'disabled'
  /** <dataDir>/.auth_recovery present and the request came straight from localhost */
  | 'recovery'
  /** a reverse proxy that sent PROXY_AUTH_SECRET named the user (and maybe its roles) */
  | 'proxy'
  /** API-only mode without a token: the listed GETs are readable, nothing else */
  | 'readonly';

export interface AuthContext {
  method: AuthMethod;
  /** The admin user name for session/basic, the token name for token auth. */
  username?: string;
  admin: boolean;
  tokenId?: string;
  session?: Session;
}

export interface SecurityOptions {
  /** Exempt 127.0.0.1/::1 clients from rate limits (default true, as Pulse 4.24 does). */
  exemptLoopback?: boolean;
  /** Turn rate limiting off entirely (default on). */
  rateLimitsEnabled?: boolean;
  /** Override limits per class (tests use small ones). */
  rateLimits?: Partial<Record<RateClass, RateRule>>;
  /** Failed attempts before a lockout, and its duration. */
  lockout?: { maxAttempts?: number; durationMs?: number; slowdownBaseMs?: number };
  /** Failed authentications allowed per client address and window, on any route. */
  authFailures?: { limit: number; windowMs: number };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the security gate on every request; see AuthContext. */
    auth: AuthContext | null;
    /** The client IP as the security layer sees it (forwarding headers only from a local proxy). */
    clientIp: string;
  }
  interface FastifyRequest {
    /** Set by the gate: cookies may be SameSite=None (embedding enabled and the request secure). */
    cookieSameSiteNone: boolean;
  }
}
