/**
 * The security service: one object the gate and the security routes talk to. It owns the
 * credential, session and token stores, the lockout and rate limiter, the audit log and the
 * recovery switch, and turns presented credentials into an AuthContext.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type { Settings } from '../settings/env.js';
import { AuditLog } from './audit-log.js';
import { AuthFailureCounter, DEFAULT_FAILURE_RULE } from './auth-failures.js';
import { CredentialStore } from './credential-store.js';
import { ipKey, LOCKOUT_MS, LoginLockout, MAX_ATTEMPTS, pairKey, slowdownMs, userKey } from './lockout.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { DEFAULT_RATE_RULES, type RateClass, type RateRule, SlidingWindowLimiter } from './rate-limit.js';
import { generateApiToken, safeEqual, sha3Hex, sha256Hex } from './secrets.js';
import { type NewSession, type Session, SessionStore } from './session-store.js';
import { TokenStore } from './token-store.js';
import type { AuthContext, SecurityOptions } from './types.js';

export type SecurityMode = 'disabled' | 'open' | 'password' | 'api-only' | 'proxy' | 'oidc';

export const RECOVERY_FILE = '.auth_recovery';

/** How long a verified Basic credential is remembered (in memory, as a hash). */
const BASIC_CACHE_MS = 5 * 60_000;

/** Credentials found on a request, before they are checked. */
function firstHeader(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

export interface PresentedCredentials {
  token?: string;
  sessionId?: string;
  basic?: { username: string; password: string };
}

export type AuthOutcome =
  | { kind: 'none' }
  | { kind: 'ok'; auth: AuthContext }
  | { kind: 'invalid'; reason: string }
  | { kind: 'locked'; lockedUntil: number }
  | { kind: 'throttled'; retryAt: number };

export type LoginOutcome =
  | { kind: 'ok'; session: NewSession }
  | { kind: 'not_configured' }
  | { kind: 'locked'; lockedUntil: number }
  | { kind: 'throttled'; retryAt: number }
  | { kind: 'invalid'; attempts: number; remaining: number; lockedNow: boolean };

export interface QuickSetupInput {
  username: string;
  password: string;
  apiToken?: string;
  generateApiToken?: boolean;
}

export interface SecurityServiceDeps {
  db: Database;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  options?: SecurityOptions;
}

export class SecurityService {
  readonly audit: AuditLog;
  readonly sessions: SessionStore;
  readonly tokens: TokenStore;
  readonly lockout: LoginLockout;
  /** Failures per username across addresses: counted for the slowdown, never a lock. */
  readonly userFailures: LoginLockout;
  readonly limiter: SlidingWindowLimiter;
  readonly authFailures: AuthFailureCounter;
  /**
   * What the browser-facing checks need from system settings; registerSecurity wires it to the
   * live settings (extra allowed origins, and whether embedding in other sites is enabled).
   */
  browser: { allowedOrigins(): string[]; allowEmbedding(): boolean } = {
    allowedOrigins: () => [],
    allowEmbedding: () => false,
  };
  /** Single sign-on state the gate needs; the OIDC routes wire it to the stored OIDC settings. */
  sso: {
    oidcEnabled(): boolean;
    passwordLoginDisabled(): boolean;
    oidcInfo(): { issuerUrl: string; clientId: string; logoutUrl: string };
  } = {
    oidcEnabled: () => false,
    passwordLoginDisabled: () => false,
    oidcInfo: () => ({ issuerUrl: '', clientId: '', logoutUrl: '' }),
  };
  readonly options: Required<Pick<SecurityOptions, 'exemptLoopback' | 'rateLimitsEnabled'>>;
  readonly #rules: Record<RateClass, RateRule>;
  readonly #basicCache = new Map<string, number>();
  /** Per username: the earliest time the next attempt from an unknown address is evaluated. */
  readonly #userNextAttempt = new Map<string, number>();
  /** `user|ip` pairs that logged in successfully (the owner's addresses skip the slowdown). */
  readonly #knownAddresses = new Map<string, number>();
  readonly #slowdownBaseMs: number;
  readonly #recoveryTokens;
  readonly #recoveryInsert;
  readonly #recoveryDelete;

  private constructor(
    private readonly deps: SecurityServiceDeps,
    readonly credentials: CredentialStore,
  ) {
    const { db, clock, logger, settings, options = {} } = deps;
    this.audit = new AuditLog(db, clock, logger);
    this.sessions = new SessionStore(db, clock);
    this.tokens = new TokenStore(db, clock, settings.apiTokens);
    this.lockout = new LoginLockout(
      clock,
      options.lockout?.maxAttempts ?? MAX_ATTEMPTS,
      options.lockout?.durationMs ?? LOCKOUT_MS,
    );
    this.userFailures = new LoginLockout(clock, Number.POSITIVE_INFINITY, this.lockout.lockoutMs);
    this.#slowdownBaseMs = options.lockout?.slowdownBaseMs ?? 1000;
    this.limiter = new SlidingWindowLimiter(clock);
    this.authFailures = new AuthFailureCounter(clock, options.authFailures ?? DEFAULT_FAILURE_RULE);
    this.options = {
      exemptLoopback: options.exemptLoopback ?? true,
      rateLimitsEnabled: options.rateLimitsEnabled ?? true,
    };
    this.#rules = { ...DEFAULT_RATE_RULES, ...options.rateLimits };
    this.#recoveryTokens = db.prepare<[string, number], { hash: string }>(
      'SELECT hash FROM recovery_tokens WHERE hash = ? AND expires_at > ?',
    );
    this.#recoveryInsert = db.prepare('INSERT INTO recovery_tokens (hash, expires_at) VALUES (?, ?)');
    this.#recoveryDelete = db.prepare('DELETE FROM recovery_tokens WHERE hash = ? OR expires_at <= ?');
  }

  static async create(deps: SecurityServiceDeps): Promise<SecurityService> {
    const credentials = await CredentialStore.open(deps.db, deps.clock, deps.settings);
    return new SecurityService(deps, credentials);
  }

  now(): number {
    return this.deps.clock.now();
  }

  get settings(): Settings {
    return this.deps.settings;
  }

  mode(): SecurityMode {
    if (this.deps.settings.disableAuth) return 'disabled';
    if (this.credentials.hasPassword()) return 'password';
    // A proxy in front authenticates browsers, so token-less reads of API-only mode do not apply.
    if (this.deps.settings.proxyAuth) return 'proxy';
    if (this.sso.oidcEnabled()) return 'oidc';
    if (this.tokens.hasTokens()) return 'api-only';
    return 'open';
  }

  /** True when any credential is configured, i.e. the gate is not open. */
  requiresAuth(): boolean {
    const m = this.mode();
    return m === 'password' || m === 'api-only' || m === 'proxy' || m === 'oidc';
  }

  /**
   * Proxy authentication (§4.1 step 3): the request carries PROXY_AUTH_SECRET in X-Proxy-Secret,
   * compared in constant time. Returns undefined when the secret is absent or wrong, so the
   * user and role headers of an ordinary client are never trusted.
   */
  proxyAuth(headers: Record<string, string | string[] | undefined>): AuthContext | undefined {
    const cfg = this.deps.settings.proxyAuth;
    if (!cfg) return undefined;
    const presented = firstHeader(headers['x-proxy-secret']);
    if (presented === undefined || !safeEqual(presented, cfg.secret)) return undefined;
    let username = 'proxy';
    if (cfg.userHeader) {
      const named = firstHeader(headers[cfg.userHeader])?.trim();
      if (!named) return undefined;
      username = named;
    }
    let admin = true;
    if (cfg.roleHeader) {
      const roles = (firstHeader(headers[cfg.roleHeader]) ?? '').split(cfg.roleSeparator).map((r) => r.trim());
      admin = roles.includes(cfg.adminRole);
    }
    return { method: 'proxy', username, admin };
  }

  rateRule(cls: RateClass): RateRule {
    return this.#rules[cls];
  }

  // ---- recovery -------------------------------------------------------------------------

  recoveryFile(): string {
    return path.join(this.deps.settings.dataDir, RECOVERY_FILE);
  }

  recoveryMode(): boolean {
    return fs.existsSync(this.recoveryFile());
  }

  setRecoveryMode(on: boolean): void {
    if (on)
      fs.writeFileSync(this.recoveryFile(), `recovery enabled ${new Date(this.deps.clock.now()).toISOString()}\n`);
    else fs.rmSync(this.recoveryFile(), { force: true });
  }

  generateRecoveryToken(minutes: number): string {
    const token = generateApiToken();
    this.#recoveryInsert.run(sha3Hex(token), this.deps.clock.now() + minutes * 60_000);
    return token;
  }

  /** Checks and consumes a single-use recovery token. */
  consumeRecoveryToken(token: string | undefined): boolean {
    if (!token) return false;
    const now = this.deps.clock.now();
    const hash = sha3Hex(token);
    const row = this.#recoveryTokens.get(hash, now);
    this.#recoveryDelete.run(hash, now);
    return row !== undefined && safeEqual(row.hash, hash);
  }

  // ---- authentication -------------------------------------------------------------------

  /**
   * Checks presented credentials in the order of the contract's gate: token, then session, then
   * Basic. An invalid token is an error even when a valid session is also present (a script
   * should learn its token is wrong). Basic failures count toward lockout.
   */
  async authenticate(creds: PresentedCredentials, ip: string): Promise<AuthOutcome> {
    if (creds.token !== undefined) {
      const rec = this.tokens.verify(creds.token);
      if (!rec) return { kind: 'invalid', reason: 'Invalid API token' };
      return { kind: 'ok', auth: { method: 'token', username: rec.name, tokenId: rec.id, admin: true } };
    }
    if (creds.sessionId !== undefined) {
      const session = this.sessions.get(creds.sessionId);
      if (session) {
        return { kind: 'ok', auth: { method: 'session', username: session.username, admin: true, session } };
      }
    }
    if (creds.basic && this.credentials.hasPassword() && !this.sso.passwordLoginDisabled()) {
      const current = this.credentials.get()!;
      // Scripts using Basic send it on every request; remember a recent success so each call
      // does not cost a bcrypt round (the key depends on the stored hash, so a change voids it).
      const cacheKey = sha256Hex(`${current.passwordHash}\0${creds.basic.username}\0${creds.basic.password}`);
      const cachedUntil = this.#basicCache.get(cacheKey);
      if (cachedUntil !== undefined && cachedUntil > this.now() && !this.lockState(current.username, ip).locked) {
        return { kind: 'ok', auth: { method: 'basic', username: current.username, admin: true } };
      }
      const res = await this.#checkPassword(creds.basic.username, creds.basic.password, ip, 'basic');
      if (res.kind === 'ok') {
        if (this.#basicCache.size > 100) this.#basicCache.clear();
        this.#basicCache.set(cacheKey, this.now() + BASIC_CACHE_MS);
        return { kind: 'ok', auth: { method: 'basic', username: res.username, admin: true } };
      }
      if (res.kind === 'locked') return { kind: 'locked', lockedUntil: res.lockedUntil };
      if (res.kind === 'throttled') return res;
      return { kind: 'invalid', reason: 'Invalid credentials' };
    }
    return { kind: 'none' };
  }

  lockState(username: string, ip: string): { locked: boolean; lockedUntil?: number } {
    const u = this.lockout.state(pairKey(username, ip));
    const i = this.lockout.state(ipKey(ip));
    const until = Math.max(u.lockedUntil ?? 0, i.lockedUntil ?? 0);
    return until > 0 ? { locked: true, lockedUntil: until } : { locked: false };
  }

  async #checkPassword(
    username: string,
    password: string,
    ip: string,
    via: 'login' | 'basic' | 'change-password',
  ): Promise<
    | { kind: 'ok'; username: string }
    | { kind: 'locked'; lockedUntil: number }
    | { kind: 'throttled'; retryAt: number }
    | { kind: 'invalid'; attempts: number; remaining: number; lockedNow: boolean }
  > {
    const lock = this.lockState(username, ip);
    if (lock.locked) return { kind: 'locked', lockedUntil: lock.lockedUntil! };
    const retryAt = this.#throttled(username, ip);
    if (retryAt !== undefined) return { kind: 'throttled', retryAt };
    const creds = this.credentials.get();
    const cost = this.deps.settings.bcryptCost;
    // Always run bcrypt, also for an unknown user, so timing does not reveal valid user names.
    const nameOk = creds !== undefined && safeEqual(username, creds.username);
    const passOk = await verifyPassword(password, creds?.passwordHash, cost);
    if (nameOk && passOk) {
      this.lockout.reset(pairKey(username, ip));
      this.lockout.reset(ipKey(ip));
      this.#rememberAddress(username, ip);
      return { kind: 'ok', username: creds.username };
    }
    this.userFailures.fail(userKey(username));
    const u = this.lockout.fail(pairKey(username, ip));
    const i = this.lockout.fail(ipKey(ip));
    const attempts = Math.max(u.failures, i.failures);
    const lockedNow = u.locked || i.locked;
    const event = via === 'basic' ? 'basic_auth_failure' : 'login_failure';
    this.audit.record({ event, username, ip, success: false, details: { via, attempts } });
    if (lockedNow) {
      this.audit.record({ event: 'account_locked', username, ip, success: false, details: { via } });
    }
    return { kind: 'invalid', attempts, remaining: Math.max(this.lockout.maxAttempts - attempts, 0), lockedNow };
  }

  /**
   * Once a username has many recent failures across addresses, attempts from addresses it never
   * signed in from are spaced out (answered "try again at …" without checking the password).
   * The owner's known addresses are not slowed, so a spray from elsewhere cannot lock them out.
   */
  #throttled(username: string, ip: string): number | undefined {
    const failures = this.userFailures.state(userKey(username)).failures;
    const gap = slowdownMs(failures, this.lockout.maxAttempts, this.#slowdownBaseMs);
    if (gap === 0 || this.#isKnownAddress(username, ip)) return undefined;
    const key = username.toLowerCase();
    const now = this.now();
    const next = this.#userNextAttempt.get(key) ?? 0;
    if (now < next) return next;
    if (this.#userNextAttempt.size > 10_000) this.#userNextAttempt.clear();
    this.#userNextAttempt.set(key, now + gap);
    return undefined;
  }

  #isKnownAddress(username: string, ip: string): boolean {
    const at = this.#knownAddresses.get(`${username.toLowerCase()}|${ip}`);
    if (at !== undefined && this.now() - at < 30 * 24 * 3600_000) return true;
    return this.sessions.hasLiveSessionFrom(username, ip);
  }

  #rememberAddress(username: string, ip: string): void {
    if (this.#knownAddresses.size > 1000) this.#knownAddresses.clear();
    this.#knownAddresses.set(`${username.toLowerCase()}|${ip}`, this.now());
  }

  /** Clears lockout and slowdown state for a username or an address (admin action). */
  resetLockout(identifier: string): void {
    const lower = identifier.toLowerCase();
    this.lockout.resetWhere(
      (k) => k === ipKey(identifier) || k.startsWith(`pair:${lower}|`) || k.endsWith(`|${identifier}`),
    );
    this.userFailures.reset(userKey(identifier));
    this.#userNextAttempt.delete(lower);
  }

  async login(username: string, password: string, ip: string): Promise<LoginOutcome> {
    if (!this.credentials.hasPassword()) return { kind: 'not_configured' };
    const res = await this.#checkPassword(username, password, ip, 'login');
    if (res.kind !== 'ok') return res;
    const session = this.sessions.create(res.username, ip);
    this.audit.record({ event: 'login_success', username: res.username, ip, success: true });
    return { kind: 'ok', session };
  }

  logout(session: Session | undefined, ip: string): void {
    if (session) this.sessions.revoke(session);
    this.audit.record({ event: 'logout', username: session?.username, ip, success: true });
  }

  // ---- password management --------------------------------------------------------------

  /**
   * Changes the admin password after checking the current one. Other sessions are revoked; the
   * caller's own session (if any) stays valid.
   */
  async changePassword(
    current: string,
    next: string,
    ctx: { ip: string; keep?: Session },
  ): Promise<
    | { kind: 'ok' }
    | { kind: 'not_configured' }
    | { kind: 'wrong_current' }
    | { kind: 'locked'; lockedUntil: number }
    | { kind: 'too_short' }
  > {
    const creds = this.credentials.get();
    if (!creds) return { kind: 'not_configured' };
    if (next.length < MIN_PASSWORD_LENGTH) return { kind: 'too_short' };
    const res = await this.#checkPassword(creds.username, current, ctx.ip, 'change-password');
    if (res.kind === 'locked') return res;
    if (res.kind === 'throttled') return { kind: 'locked', lockedUntil: res.retryAt };
    if (res.kind === 'invalid') return { kind: 'wrong_current' };
    const hash = await hashPassword(next, this.deps.settings.bcryptCost);
    this.credentials.set(creds.username, hash);
    const revoked = this.sessions.revokeAll(ctx.keep);
    this.audit.record({
      event: 'password_changed',
      username: creds.username,
      ip: ctx.ip,
      success: true,
      details: { sessionsRevoked: revoked },
    });
    return { kind: 'ok' };
  }

  /**
   * First-run setup: sets the admin credentials and, when asked, makes the given (or a new)
   * token the only API token. Authorisation (who may call this when auth already exists) is the
   * route's job.
   */
  async quickSetup(
    input: QuickSetupInput,
    ip: string,
  ): Promise<{ token?: string; tokenGenerated: boolean; session: NewSession }> {
    const hash = await hashPassword(input.password, this.deps.settings.bcryptCost);
    this.credentials.set(input.username, hash);
    let token: string | undefined;
    if (input.apiToken) {
      this.tokens.replaceAll('Primary token', input.apiToken);
      token = input.apiToken;
    } else if (input.generateApiToken) {
      token = this.tokens.replaceAll('Primary token').token;
    }
    // Sessions made under the old credentials end; the caller gets a fresh one.
    this.sessions.revokeAll();
    const session = this.sessions.create(input.username, ip);
    this.audit.record({
      event: 'quick_setup',
      username: input.username,
      ip,
      success: true,
      details: { tokenChange: token !== undefined ? 'replaced' : 'none' },
    });
    return { token, tokenGenerated: !input.apiToken && token !== undefined, session };
  }
}
