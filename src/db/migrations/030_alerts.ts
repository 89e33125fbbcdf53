import type { Migration } from './types.js';

/** Alert configuration, active alerts (with acknowledgements) and alert history. */
export const migration030: Migration = {
  version: 30,
  name: 'alerts',
  sql: `
    -- One row: the alert config as JSON (normalised before it is stored).
    CREATE TABLE alert_config (
      id         INTEGER PRIMARY KEY CHECK (id = 1),
      data       TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
    -- Active alerts: the engine's tracked alert (full alert + notification state) as JSON.
    CREATE TABLE alert_active (
      id         TEXT PRIMARY KEY,
      data       TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
    -- History: the alert snapshot at creation; resolved_at filled in when it resolves.
    CREATE TABLE alert_history (
      seq         INTEGER PRIMARY KEY AUTOINCREMENT,
      alert_id    TEXT NOT NULL,
      resource_id TEXT NOT NULL,
      level       TEXT NOT NULL,
      start_time  INTEGER NOT NULL,
      resolved_at INTEGER,
      data        TEXT NOT NULL
    );
    CREATE INDEX alert_history_start ON alert_history (start_time);
    CREATE INDEX alert_history_alert ON alert_history (alert_id, start_time);
  `,
};
