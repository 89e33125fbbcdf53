import type { Migration } from './types.js';

/**
 * Setup codes for node auto-registration (stored as SHA3-256 hashes, single use, bound to a node
 * type and host), the update-check history, the legacy UI settings (`/api/settings`) and the
 * mock-mode switch with its fleet configuration.
 */
export const migration045: Migration = {
  version: 45,
  name: 'setup codes, update history, ui settings, mock mode',
  sql: `
    CREATE TABLE setup_codes (
      hash        TEXT PRIMARY KEY,
      node_type   TEXT NOT NULL,
      host        TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      expires_at  INTEGER NOT NULL,
      used_at     INTEGER
    );
    CREATE TABLE update_history (
      event_id     TEXT PRIMARY KEY,
      ts           INTEGER NOT NULL,
      action       TEXT NOT NULL,
      channel      TEXT NOT NULL,
      version_from TEXT NOT NULL,
      version_to   TEXT NOT NULL,
      status       TEXT NOT NULL,
      duration_ms  INTEGER NOT NULL,
      initiated_by TEXT NOT NULL,
      initiated_via TEXT NOT NULL,
      error        TEXT,
      notes        TEXT
    );
    CREATE INDEX update_history_ts ON update_history (ts DESC);
    CREATE TABLE ui_settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    CREATE TABLE mock_mode (
      id      INTEGER PRIMARY KEY CHECK (id = 1),
      enabled INTEGER NOT NULL,
      config  TEXT NOT NULL
    );
  `,
};
