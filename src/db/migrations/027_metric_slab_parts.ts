import type { Migration } from './types.js';

/**
 * Metric slabs stored in parts of at most a few hundred resources (src/history/slab-repo.ts), so
 * that writing a 10,000-guest slab is a series of small writes spread over event-loop turns
 * rather than one multi-megabyte write that stalls every request. Replaces 026's table (history
 * written before this migration is dropped).
 */
export const migration027: Migration = {
  version: 27,
  name: 'metric_slab_parts',
  sql: `
    DROP TABLE IF EXISTS metric_slabs;
    CREATE TABLE metric_slabs (
      tier        INTEGER NOT NULL,
      kind        TEXT    NOT NULL,
      chunk_start INTEGER NOT NULL,
      part        INTEGER NOT NULL,
      ids         TEXT    NOT NULL,
      data        BLOB    NOT NULL,
      PRIMARY KEY (tier, kind, chunk_start, part)
    );
  `,
};
