import type { Migration } from './types.js';

/**
 * Configured PVE/PBS/PMG instances. Secrets (password, token value) are SecretBox ciphertexts.
 * `monitor` holds the per-feature flags as JSON; `cluster` what cluster detection found
 * (name, member endpoints with their certificate fingerprints) as JSON.
 */
export const migration020: Migration = {
  version: 20,
  name: 'monitored nodes',
  sql: `
    CREATE TABLE monitored_nodes (
      uid             INTEGER PRIMARY KEY AUTOINCREMENT,
      type            TEXT NOT NULL CHECK (type IN ('pve', 'pbs', 'pmg')),
      name            TEXT NOT NULL,
      host            TEXT NOT NULL,
      user            TEXT,
      password_enc    TEXT,
      token_name      TEXT,
      token_value_enc TEXT,
      fingerprint     TEXT,
      verify_ssl      INTEGER NOT NULL DEFAULT 0,
      monitor         TEXT NOT NULL DEFAULT '{}',
      cluster         TEXT,
      created_at      INTEGER NOT NULL,
      updated_at      INTEGER NOT NULL,
      UNIQUE (type, name)
    );
  `,
};
