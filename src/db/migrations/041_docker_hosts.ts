import type { Migration } from './types.js';

/**
 * Docker hosts reported by agents (wire contract §1.4), kept across restarts: the host as last
 * reported (JSON, frontend shape), when the report arrived by our clock, and whether the user hid
 * it. Removed hosts are remembered for 24 h so an agent being uninstalled cannot re-enrol.
 */
export const migration041: Migration = {
  version: 41,
  name: 'docker hosts',
  sql: `
    CREATE TABLE docker_hosts (
      id          TEXT PRIMARY KEY,
      host        TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      hidden      INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE docker_removed_hosts (
      id         TEXT PRIMARY KEY,
      removed_at INTEGER NOT NULL
    );
  `,
};
