import type { Database } from 'better-sqlite3';
import type { Migration } from './types.js';

const COLUMNS: Array<[string, string]> = [
  ['ack_time', 'INTEGER'],
  ['ack_user', 'TEXT'],
  ['notified_first', 'INTEGER'],
  ['notified_last', 'INTEGER'],
  ['notify_count', 'INTEGER NOT NULL DEFAULT 0'],
  ['resolve_notified', 'INTEGER'],
  ['resolve_reason', 'TEXT'],
];

/**
 * Alert history keeps what happened to an alert after it was raised (issue 18): who
 * acknowledged it and when, when destinations were told (first, last, how often, and its
 * resolution) and why it resolved. Additive: existing rows read as never acknowledged or told.
 * Its number is below migrations that shipped before it, so it is idempotent and also runs on
 * databases already past 31.
 */
export const migration031: Migration = {
  version: 31,
  name: 'alert_history_facts',
  idempotent: true,
  up(db: Database) {
    const have = new Set(
      (db.prepare('PRAGMA table_info(alert_history)').all() as Array<{ name: string }>).map((c) => c.name),
    );
    for (const [name, type] of COLUMNS) {
      if (!have.has(name)) db.exec(`ALTER TABLE alert_history ADD COLUMN ${name} ${type}`);
    }
  },
};
