import type { Migration } from './types.js';

/**
 * Per-guest metadata (wire contract §7.3): a custom console URL, a description and tags, keyed by
 * the guest id as /api/state shows it. `tags` is JSON (an array), or NULL when never given.
 */
export const migration040: Migration = {
  version: 40,
  name: 'guest metadata',
  sql: `
    CREATE TABLE guest_metadata (
      id          TEXT PRIMARY KEY,
      custom_url  TEXT NOT NULL DEFAULT '',
      description TEXT NOT NULL DEFAULT '',
      tags        TEXT,
      updated_at  INTEGER NOT NULL
    );
  `,
};
