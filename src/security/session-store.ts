/**
 * Login sessions in SQLite, so they survive a restart. The cookie carries a random 64-hex id; the
 * table holds only its SHA-256, so a copy of the database cannot be replayed as a cookie. Each
 * session has a CSRF token (also stored hashed) that state-changing requests must echo.
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { SESSION_TTL_MS } from './cookies.js';
import { csrfTokenVariants } from './csrf.js';
import { generateCsrfToken, generateSessionId, safeEqual, sha256Hex } from './secrets.js';

export interface Session {
  idHash: string;
  username: string;
  createdAt: number;
  expiresAt: number;
}

export interface NewSession {
  /** Raw cookie values: shown to the client once, never stored. */
  sessionId: string;
  csrfToken: string;
  session: Session;
}

interface Row {
  id_hash: string;
  username: string;
  csrf_hash: string;
  created_at: number;
  expires_at: number;
}

const SESSION_ID_RE = /^[0-9a-f]{64}$/;

export class SessionStore {
  readonly #insert;
  readonly #get;
  readonly #delete;
  readonly #deleteAll;
  readonly #deleteOthers;
  readonly #purge;
  readonly #setCsrf;
  readonly #count;
  readonly #fromIp;

  constructor(
    db: Database,
    private readonly clock: Clock,
    readonly ttlMs = SESSION_TTL_MS,
  ) {
    this.#insert = db.prepare(
      'INSERT INTO auth_sessions (id_hash, username, csrf_hash, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#get = db.prepare<[string], Row>('SELECT * FROM auth_sessions WHERE id_hash = ?');
    this.#delete = db.prepare('DELETE FROM auth_sessions WHERE id_hash = ?');
    this.#deleteAll = db.prepare('DELETE FROM auth_sessions');
    this.#deleteOthers = db.prepare('DELETE FROM auth_sessions WHERE id_hash <> ?');
    this.#purge = db.prepare('DELETE FROM auth_sessions WHERE expires_at <= ?');
    this.#setCsrf = db.prepare('UPDATE auth_sessions SET csrf_hash = ? WHERE id_hash = ?');
    this.#fromIp = db.prepare<[string, string, number], { n: number }>(
      'SELECT COUNT(*) AS n FROM auth_sessions WHERE username = ? COLLATE NOCASE AND ip = ? AND expires_at > ?',
    );
    this.#count = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM auth_sessions WHERE expires_at > ?');
  }

  create(username: string, ip: string): NewSession {
    const now = this.clock.now();
    this.#purge.run(now);
    const sessionId = generateSessionId();
    const csrfToken = generateCsrfToken();
    const session = { idHash: sha256Hex(sessionId), username, createdAt: now, expiresAt: now + this.ttlMs };
    this.#insert.run(session.idHash, username, sha256Hex(csrfToken), now, session.expiresAt, ip);
    return { sessionId, csrfToken, session };
  }

  /** The live session for a cookie value, or undefined (unknown, malformed or expired). */
  get(sessionId: string | undefined): Session | undefined {
    if (!sessionId || !SESSION_ID_RE.test(sessionId)) return undefined;
    const row = this.#get.get(sha256Hex(sessionId));
    if (!row) return undefined;
    if (row.expires_at <= this.clock.now()) {
      this.#delete.run(row.id_hash);
      return undefined;
    }
    return { idHash: row.id_hash, username: row.username, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  /** True when the presented token (with or without its base64 padding) is the session's. */
  checkCsrf(session: Session, presented: string | undefined): boolean {
    if (!presented) return false;
    const row = this.#get.get(session.idHash);
    if (row === undefined) return false;
    return csrfTokenVariants(presented).some((v) => safeEqual(sha256Hex(v), row.csrf_hash));
  }

  /**
   * Issues a fresh CSRF token for a session, on request only: a refused request never rotates
   * it, or one forged request from another site would break the real page's next write.
   */
  rotateCsrf(session: Session): string {
    const token = generateCsrfToken();
    this.#setCsrf.run(sha256Hex(token), session.idHash);
    return token;
  }

  revoke(session: Session): void {
    this.#delete.run(session.idHash);
  }

  /** Revokes every session except `keep` (after a password change). */
  revokeAll(keep?: Session): number {
    return (keep ? this.#deleteOthers.run(keep.idHash) : this.#deleteAll.run()).changes;
  }

  /** True when `username` has a live session created from `ip` (a known address of the owner). */
  hasLiveSessionFrom(username: string, ip: string): boolean {
    return (this.#fromIp.get(username, ip, this.clock.now())?.n ?? 0) > 0;
  }

  activeCount(): number {
    return this.#count.get(this.clock.now())?.n ?? 0;
  }
}
