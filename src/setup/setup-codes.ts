/**
 * One-time setup codes for node auto-registration: 6 characters from an alphabet without look-alike
 * characters (no 0/O, 1/I), valid for 5 minutes, single use, bound to the node type and host they
 * were issued for. Only the SHA3-256 hash is stored, so a database copy does not reveal live codes.
 */
import { randomInt } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { sha3Hex } from '../security/secrets.js';

export const SETUP_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const SETUP_CODE_LENGTH = 6;
export const SETUP_CODE_TTL_MS = 5 * 60_000;

/** A fresh random code (uniform over the alphabet: randomInt has no modulo bias). */
export function generateSetupCode(): string {
  let out = '';
  for (let i = 0; i < SETUP_CODE_LENGTH; i++) out += SETUP_CODE_ALPHABET[randomInt(SETUP_CODE_ALPHABET.length)];
  return out;
}

/** Codes are typed by people: accept lower case and surrounding blanks, nothing else. */
export function normaliseSetupCode(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const code = raw.trim().toUpperCase();
  if (code.length !== SETUP_CODE_LENGTH) return undefined;
  for (const ch of code) if (!SETUP_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}

export interface IssuedCode {
  code: string;
  /** ms since epoch */
  expiresAt: number;
}

export type ConsumeResult = { ok: true } | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'mismatch' };

export class SetupCodes {
  readonly #db: Database;
  readonly #clock: Clock;

  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  issue(nodeType: string, host: string): IssuedCode {
    const now = this.#clock.now();
    // Expired rows are useless; drop them whenever a new code is made.
    this.#db.prepare('DELETE FROM setup_codes WHERE expires_at < ?').run(now - SETUP_CODE_TTL_MS);
    for (;;) {
      const code = generateSetupCode();
      const expiresAt = now + SETUP_CODE_TTL_MS;
      const res = this.#db
        .prepare(
          'INSERT OR IGNORE INTO setup_codes (hash, node_type, host, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(sha3Hex(code), nodeType, host, now, expiresAt);
      if (res.changes === 1) return { code, expiresAt };
    }
  }

  /**
   * Whether a code may still authorise the setup script's follow-up calls (the contract lets it
   * act as `X-Setup-Token` for verify-temperature-ssh): known, unexpired and unused, or used
   * less than `graceMs` ago. Read-only: nothing is burnt.
   */
  isValidToken(rawCode: unknown, graceMs = SETUP_CODE_TTL_MS): boolean {
    const code = normaliseSetupCode(rawCode);
    if (!code) return false;
    const now = this.#clock.now();
    const row = this.#db.prepare('SELECT expires_at, used_at FROM setup_codes WHERE hash = ?').get(sha3Hex(code)) as
      | { expires_at: number; used_at: number | null }
      | undefined;
    if (!row) return false;
    return row.used_at === null ? row.expires_at >= now : now - row.used_at <= graceMs;
  }

  /**
   * Checks and burns a code in one transaction, so two concurrent registrations cannot both use
   * it. `host` is compared only when the code was issued for a specific host.
   */
  consume(rawCode: unknown, nodeType: string, host: string): ConsumeResult {
    const code = normaliseSetupCode(rawCode);
    if (!code) return { ok: false, reason: 'unknown' };
    const now = this.#clock.now();
    return this.#db.transaction((): ConsumeResult => {
      const row = this.#db
        .prepare('SELECT node_type, host, expires_at, used_at FROM setup_codes WHERE hash = ?')
        .get(sha3Hex(code)) as
        | { node_type: string; host: string; expires_at: number; used_at: number | null }
        | undefined;
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.used_at !== null) return { ok: false, reason: 'used' };
      if (row.expires_at < now) return { ok: false, reason: 'expired' };
      if (row.node_type !== nodeType || (row.host !== '' && row.host !== host))
        return { ok: false, reason: 'mismatch' };
      this.#db.prepare('UPDATE setup_codes SET used_at = ? WHERE hash = ?').run(now, sha3Hex(code));
      return { ok: true };
    })();
  }
}
