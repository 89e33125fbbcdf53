import type { Migration } from './types.js';

/**
 * Metric history as slabs (src/history/slab.ts): one row per tier, kind and chunk holding every
 * resource of that kind. `ids` is a JSON array naming the rows of `data`, a little-endian Float32
 * array laid out [row][metric][slot] (NaN where no sample fell). Replaces 025's per-resource
 * chunks, which cost one row per resource and were too slow to write for 10,000 guests.
 */
export const migration026: Migration = {
  version: 26,
  name: 'metric_slabs',
  sql: `
    DROP TABLE IF EXISTS metric_chunks;
    CREATE TABLE metric_slabs (
      tier        INTEGER NOT NULL,
      kind        TEXT    NOT NULL,
      chunk_start INTEGER NOT NULL,
      ids         TEXT    NOT NULL,
      data        BLOB    NOT NULL,
      PRIMARY KEY (tier, kind, chunk_start)
    );
  `,
};
