import type { Database } from 'better-sqlite3';

/**
 * A numbered schema change. Numbers are unique and only ever grow; gaps are allowed so that
 * areas can reserve ranges (1–9 core, 10–19 security, 20–29 monitoring and history,
 * 30–39 alerts and notifications, 40+ later areas).
 */
export interface Migration {
  version: number;
  name: string;
  /** SQL run inside the migration's transaction. */
  sql?: string;
  /** For changes SQL alone cannot express. Runs after `sql`, in the same transaction. */
  up?: (db: Database) => void;
  /**
   * `up` is safe to run again: it also runs on databases already past this number (a migration
   * added to an area's range after higher numbers shipped would otherwise never run there).
   */
  idempotent?: boolean;
}
