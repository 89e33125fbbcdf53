/**
 * The admin credentials (username + bcrypt hash). Two sources:
 * - PULSE_AUTH_USER / PULSE_AUTH_PASS from the environment (the password plain or a bcrypt hash);
 * - credentials set through quick setup or change-password, persisted in SQLite (not in .env).
 *
 * Persisted credentials win, so a password changed in the UI survives a restart, until the
 * environment values themselves change: the row remembers a fingerprint of the env values it
 * replaced, and new env values (an admin editing the service file to regain access) win again.
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { hashPassword, isBcryptHash } from './passwords.js';
import { sha256Hex } from './secrets.js';

export interface Credentials {
  username: string;
  passwordHash: string;
  source: 'env' | 'database';
  /** When the persisted credentials last changed (ms), undefined for env credentials. */
  updatedAt?: number;
}

interface Row {
  username: string;
  password_hash: string;
  env_fingerprint: string;
  updated_at: number;
}

export class CredentialStore {
  #current: Credentials | undefined;
  readonly #envFingerprint: string;
  readonly #stmts;

  private constructor(
    db: Database,
    private readonly clock: Clock,
    envFingerprint: string,
  ) {
    this.#envFingerprint = envFingerprint;
    this.#stmts = {
      get: db.prepare<[], Row>('SELECT * FROM auth_credentials WHERE id = 1'),
      upsert: db.prepare(
        'INSERT INTO auth_credentials (id, username, password_hash, env_fingerprint, updated_at) VALUES (1, ?, ?, ?, ?) ' +
          'ON CONFLICT(id) DO UPDATE SET username = excluded.username, password_hash = excluded.password_hash, ' +
          'env_fingerprint = excluded.env_fingerprint, updated_at = excluded.updated_at',
      ),
      delete: db.prepare('DELETE FROM auth_credentials'),
    };
  }

  static async open(
    db: Database,
    clock: Clock,
    env: { authUser?: string; authPass?: string; bcryptCost: number },
  ): Promise<CredentialStore> {
    const fingerprint = env.authUser && env.authPass ? sha256Hex(`${env.authUser}\0${env.authPass}`) : '';
    const store = new CredentialStore(db, clock, fingerprint);
    const row = store.#stmts.get.get();
    if (row && row.env_fingerprint === fingerprint && isBcryptHash(row.password_hash)) {
      store.#current = {
        username: row.username,
        passwordHash: row.password_hash,
        source: 'database',
        updatedAt: row.updated_at,
      };
    } else if (env.authUser && env.authPass) {
      if (row) store.#stmts.delete.run();
      const hash = isBcryptHash(env.authPass) ? env.authPass : await hashPassword(env.authPass, env.bcryptCost);
      store.#current = { username: env.authUser, passwordHash: hash, source: 'env' };
    }
    return store;
  }

  get(): Credentials | undefined {
    return this.#current;
  }

  hasPassword(): boolean {
    return this.#current !== undefined;
  }

  /** Persists new credentials (hash already computed) and applies them at once. */
  set(username: string, passwordHash: string): Credentials {
    const now = this.clock.now();
    this.#stmts.upsert.run(username, passwordHash, this.#envFingerprint, now);
    this.#current = { username, passwordHash, source: 'database', updatedAt: now };
    return this.#current;
  }
}
