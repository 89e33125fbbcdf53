import type { Migration } from './types.js';

/**
 * Notifications: webhook destinations (URL, headers and custom fields encrypted with the
 * SecretBox), small JSON settings (email, pipeline), the persistent delivery queue and the
 * delivery history.
 */
export const migration035: Migration = {
  version: 35,
  name: 'notifications',
  sql: `
    CREATE TABLE notify_webhooks (
      id                TEXT PRIMARY KEY,
      position          INTEGER NOT NULL,
      name              TEXT NOT NULL,
      service           TEXT NOT NULL,
      method            TEXT NOT NULL,
      enabled           INTEGER NOT NULL,
      template          TEXT NOT NULL DEFAULT '',
      url_enc           TEXT NOT NULL,
      headers_enc       TEXT,
      custom_fields_enc TEXT,
      created_at        INTEGER NOT NULL,
      updated_at        INTEGER NOT NULL
    );
    -- 'email' (password inside as enc:v1:…) and 'settings', as JSON.
    CREATE TABLE notify_config (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    -- One row per (batch × destination). Rows leave the table when delivered; dead ones stay
    -- until retried or deleted. 'sending' rows found at start-up go back to 'pending'.
    CREATE TABLE notify_jobs (
      id              INTEGER PRIMARY KEY AUTOINCREMENT,
      batch_id        TEXT NOT NULL,
      channel         TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
      target_id       TEXT NOT NULL,
      batch           TEXT NOT NULL,
      status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'dead')),
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      created_at      INTEGER NOT NULL,
      updated_at      INTEGER NOT NULL,
      last_error      TEXT,
      last_status     INTEGER
    );
    CREATE INDEX notify_jobs_due ON notify_jobs (status, next_attempt_at);
    CREATE TABLE notify_history (
      id           INTEGER PRIMARY KEY AUTOINCREMENT,
      job_id       INTEGER,
      batch_id     TEXT NOT NULL,
      channel      TEXT NOT NULL,
      target_id    TEXT NOT NULL,
      target_name  TEXT NOT NULL,
      target_url   TEXT NOT NULL,
      service      TEXT NOT NULL,
      event        TEXT NOT NULL,
      alert_ids    TEXT NOT NULL,
      timestamp    INTEGER NOT NULL,
      status_code  INTEGER NOT NULL,
      success      INTEGER NOT NULL,
      error        TEXT,
      attempt      INTEGER NOT NULL,
      payload_size INTEGER NOT NULL
    );
    CREATE INDEX notify_history_time ON notify_history (timestamp);
  `,
};
