import type { Migration } from './types.js';

/** Core tables: key/value metadata and named secrets. */
export const migration001: Migration = {
  version: 1,
  name: 'core',
  sql: `
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    -- Named secrets, each value encrypted with the SecretBox (enc:v1:...).
    CREATE TABLE secrets (
      name       TEXT PRIMARY KEY,
      value      TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `,
};
