import type { Migration } from './types.js';

/**
 * Security state: the admin credentials set through the API, login sessions, API tokens,
 * revoked environment tokens, single-use recovery tokens and the audit log.
 * Every secret is stored as a hash only (bcrypt for the password, SHA-256/SHA3-256 for the rest).
 */
export const migration010: Migration = {
  version: 10,
  name: 'security',
  sql: `
    -- One row at most: credentials set by quick setup or change-password. They win over
    -- PULSE_AUTH_USER/PULSE_AUTH_PASS until those env values change (env_fingerprint).
    CREATE TABLE auth_credentials (
      id              INTEGER PRIMARY KEY CHECK (id = 1),
      username        TEXT NOT NULL,
      password_hash   TEXT NOT NULL,
      env_fingerprint TEXT NOT NULL,
      updated_at      INTEGER NOT NULL
    );
    -- Login sessions by SHA-256 of the cookie value; the CSRF token is bound to its session.
    CREATE TABLE auth_sessions (
      id_hash         TEXT PRIMARY KEY,
      username        TEXT NOT NULL,
      csrf_hash       TEXT NOT NULL,
      created_at      INTEGER NOT NULL,
      expires_at      INTEGER NOT NULL,
      ip              TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX auth_sessions_expires ON auth_sessions (expires_at);
    -- API tokens by SHA3-256 of the raw value (the raw value is shown once and never stored).
    CREATE TABLE api_tokens (
      id            TEXT PRIMARY KEY,
      name          TEXT NOT NULL,
      hash          TEXT NOT NULL UNIQUE,
      prefix        TEXT NOT NULL,
      suffix        TEXT NOT NULL,
      created_at    INTEGER NOT NULL,
      last_used_at  INTEGER
    );
    -- Tokens from API_TOKENS/API_TOKEN that were revoked through the API (by SHA3-256 hash).
    CREATE TABLE revoked_env_tokens (
      hash        TEXT PRIMARY KEY,
      revoked_at  INTEGER NOT NULL
    );
    -- Single-use recovery tokens (X-Recovery-Token), by SHA3-256 hash.
    CREATE TABLE recovery_tokens (
      hash        TEXT PRIMARY KEY,
      expires_at  INTEGER NOT NULL
    );
    CREATE TABLE audit_log (
      id        INTEGER PRIMARY KEY AUTOINCREMENT,
      ts        INTEGER NOT NULL,
      event     TEXT NOT NULL,
      username  TEXT NOT NULL DEFAULT '',
      ip        TEXT NOT NULL DEFAULT '',
      success   INTEGER NOT NULL,
      details   TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_ts ON audit_log (ts);
  `,
};
