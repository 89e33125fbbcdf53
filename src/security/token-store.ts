/**
 * API tokens: those created through the API (SQLite, SHA3-256 hashed) and those from the
 * environment (API_TOKENS merged with the legacy API_TOKEN). The raw value of a created token is
 * returned once and never stored. Environment tokens may be given raw or as their SHA3-256 hex;
 * a 64-hex value is accepted both ways, so a generated token pasted into API_TOKENS works.
 * Revoking an environment token through the API records its hash so it stays revoked.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { generateApiToken, safeEqual, sha3Hex, tokenHints } from './secrets.js';

export interface TokenRecord {
  id: string;
  name: string;
  prefix: string;
  suffix: string;
  /** RFC3339 */
  createdAt: string;
  /** RFC3339, or null when never used. */
  lastUsedAt: string | null;
}

interface StoredToken {
  id: string;
  name: string;
  /** SHA3-256 hex of the raw token. */
  hash: string;
  /** For environment tokens given as 64 hex: the value may itself be the SHA3-256 of the token. */
  hexValue?: string;
  prefix: string;
  suffix: string;
  createdAt: number;
  lastUsedAt?: number;
  fromEnv: boolean;
}

interface Row {
  id: string;
  name: string;
  hash: string;
  prefix: string;
  suffix: string;
  created_at: number;
  last_used_at: number | null;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** lastUsedAt is written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const ENV_TOKEN_NAME = 'Environment token';

export class TokenStore {
  #db: StoredToken[] = [];
  #env: StoredToken[] = [];
  readonly #revokedEnv = new Set<string>();
  readonly #stmts;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    envTokens: readonly string[],
  ) {
    this.#stmts = {
      all: db.prepare<[], Row>('SELECT * FROM api_tokens'),
      insert: db.prepare(
        'INSERT INTO api_tokens (id, name, hash, prefix, suffix, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
      ),
      delete: db.prepare('DELETE FROM api_tokens WHERE id = ?'),
      deleteAll: db.prepare('DELETE FROM api_tokens'),
      touch: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
      revokedEnv: db.prepare<[], { hash: string }>('SELECT hash FROM revoked_env_tokens'),
      revokeEnv: db.prepare('INSERT OR IGNORE INTO revoked_env_tokens (hash, revoked_at) VALUES (?, ?)'),
    };
    for (const r of this.#stmts.revokedEnv.all()) this.#revokedEnv.add(r.hash);
    this.#db = this.#stmts.all.all().map((r) => ({
      id: r.id,
      name: r.name,
      hash: r.hash,
      prefix: r.prefix,
      suffix: r.suffix,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at ?? undefined,
      fromEnv: false,
    }));
    const startedAt = clock.now();
    this.#env = envTokens.map((value) => {
      const isHex = HEX64.test(value);
      const hash = sha3Hex(value);
      return {
        id: `env-${hash.slice(0, 12)}`,
        name: ENV_TOKEN_NAME,
        hash,
        hexValue: isHex ? value : undefined,
        ...tokenHints(value),
        createdAt: startedAt,
        fromEnv: true,
      };
    });
  }

  #active(): StoredToken[] {
    const env = this.#env.filter((t) => !this.#revokedEnv.has(t.hash));
    return [...this.#db, ...env];
  }

  /** True when at least one usable token exists (API-token mode is possible). */
  hasTokens(): boolean {
    return this.#active().length > 0;
  }

  list(): TokenRecord[] {
    return this.#active()
      .sort((a, b) => b.createdAt - a.createdAt)
      .map(toRecord);
  }

  /** The newest token's hint `prefix...suffix`, or '' without tokens. */
  hint(): string {
    const newest = this.#active().sort((a, b) => b.createdAt - a.createdAt)[0];
    return newest ? `${newest.prefix}...${newest.suffix}` : '';
  }

  create(name: string): { token: string; record: TokenRecord } {
    const token = generateApiToken();
    return { token, record: this.#insert(token, name) };
  }

  /** Adds a token whose raw value the client chose (quick setup). */
  adopt(rawToken: string, name: string): TokenRecord {
    return this.#insert(rawToken, name);
  }

  #insert(raw: string, name: string): TokenRecord {
    const t: StoredToken = {
      id: randomUUID(),
      name,
      hash: sha3Hex(raw),
      ...tokenHints(raw),
      createdAt: this.clock.now(),
      fromEnv: false,
    };
    this.#stmts.insert.run(t.id, t.name, t.hash, t.prefix, t.suffix, t.createdAt);
    this.#db.push(t);
    return toRecord(t);
  }

  /** Revokes one token by id; false when no such (active) token exists. */
  revoke(id: string): TokenRecord | undefined {
    const t = this.#active().find((x) => x.id === id);
    if (!t) return undefined;
    if (t.fromEnv) {
      this.#stmts.revokeEnv.run(t.hash, this.clock.now());
      this.#revokedEnv.add(t.hash);
    } else {
      this.#stmts.delete.run(t.id);
      this.#db = this.#db.filter((x) => x.id !== id);
    }
    return toRecord(t);
  }

  /** Replaces every token (created and environment) with one new token. */
  replaceAll(name: string, rawToken: string = generateApiToken()): { token: string; record: TokenRecord } {
    const active = this.#active();
    const record = this.db.transaction(() => {
      this.#stmts.deleteAll.run();
      for (const t of active) if (t.fromEnv) this.#stmts.revokeEnv.run(t.hash, this.clock.now());
      this.#db = [];
      for (const t of active) if (t.fromEnv) this.#revokedEnv.add(t.hash);
      return this.#insert(rawToken, name);
    })();
    return { token: rawToken, record };
  }

  /**
   * The token record matching a presented raw value, or undefined. Every token is compared (no
   * early exit) with a timing-safe comparison.
   */
  verify(raw: string | undefined): TokenRecord | undefined {
    if (!raw) return undefined;
    const hash = sha3Hex(raw);
    let match: StoredToken | undefined;
    for (const t of this.#active()) {
      const byHash = safeEqual(hash, t.hash);
      const byRawHex = t.hexValue !== undefined && safeEqual(hash, t.hexValue);
      if ((byHash || byRawHex) && !match) match = t;
    }
    if (!match) return undefined;
    this.#touch(match);
    return toRecord(match);
  }

  #touch(t: StoredToken): void {
    const now = this.clock.now();
    if (t.lastUsedAt !== undefined && now - t.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
    t.lastUsedAt = now;
    if (!t.fromEnv) this.#stmts.touch.run(now, t.id);
  }
}

function toRecord(t: StoredToken): TokenRecord {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    suffix: t.suffix,
    createdAt: new Date(t.createdAt).toISOString(),
    lastUsedAt: t.lastUsedAt === undefined ? null : new Date(t.lastUsedAt).toISOString(),
  };
}
