import type { Migration } from './types.js';

/** Persisted system settings (§7.2), one JSON value per key. */
export const migration021: Migration = {
  version: 21,
  name: 'system settings',
  sql: `
    CREATE TABLE system_settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
  `,
};
