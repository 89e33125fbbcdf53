import type { Migration } from './types.js';

/**
 * Metric history tiers (src/history). One row holds one chunk of one resource's series in one
 * tier: `data` is a Float32 array laid out metric-major ([metric][slot], little-endian), NaN where
 * no sample fell. Chunks instead of one row per point keep a 10,000-guest estate at a few hundred
 * thousand rows rather than tens of millions.
 */
export const migration025: Migration = {
  version: 25,
  name: 'metric_history',
  sql: `
    CREATE TABLE metric_chunks (
      tier        INTEGER NOT NULL,
      kind        TEXT    NOT NULL,
      resource    TEXT    NOT NULL,
      chunk_start INTEGER NOT NULL,
      data        BLOB    NOT NULL,
      PRIMARY KEY (tier, chunk_start, kind, resource)
    ) WITHOUT ROWID;
  `,
};
