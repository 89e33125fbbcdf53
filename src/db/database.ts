/**
 * The one SQLite database (`<dataDir>/pulse.db`), opened in WAL mode, with numbered migrations
 * tracked by `PRAGMA user_version`.
 *
 * It holds credentials and secrets, so the data directory is made private (0700, its files 0600)
 * whatever the umask, existing installs included; and commits are synced to disk
 * (`synchronous = FULL`) so that an acknowledged configuration change survives a power loss.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { migrations as allMigrations } from './migrations/index.js';
import type { Migration } from './migrations/types.js';

export type { Database };

export const DB_FILE_NAME = 'pulse.db';

export class DatabaseFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseFileError';
  }
}

export function openDatabase(dataDir: string, migrations: readonly Migration[] = allMigrations): Database {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  restrictDataDir(dataDir);
  const file = path.join(dataDir, DB_FILE_NAME);
  refuseEmptyDatabase(file);
  if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'wx', 0o600));
  // SQLite gives the -wal and -shm files the database file's mode, so this comes first.
  fs.chmodSync(file, 0o600);
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  // FULL syncs the WAL on every commit: NORMAL could lose the last commits on power loss.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // SQLite's own default page cache (2 MiB) instead of the 16 MiB better-sqlite3 is built with:
  // history keeps the slabs it writes in memory, so a larger cache mostly holds pages written
  // once (resident memory, docs/BENCHMARKS.md), and the OS's file cache serves the rare re-read.
  db.pragma('cache_size = -2000');
  migrate(db, migrations);
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.chmodSync(file + suffix, 0o600);
  }
  return db;
}

/**
 * A database file that exists but is empty is a damaged install (a failed copy, a full disk at
 * creation), not a fresh one: opening it would silently start over without any configuration.
 */
function refuseEmptyDatabase(file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return; // no file: a fresh install
  }
  const walSize = fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0;
  if (size === 0 && walSize === 0) {
    throw new DatabaseFileError(
      `${file} is empty (0 bytes). Refusing to start as a fresh install over it: restore it from a backup, or delete it to start from scratch.`,
    );
  }
}

/**
 * Data directory 0700 and the files directly in it 0600. A shared directory (sticky bit, like
 * /tmp) or one owned by someone else is left alone: tightening it would break other users.
 */
export function restrictDataDir(dataDir: string): void {
  const st = fs.statSync(dataDir);
  const ownsIt = typeof process.getuid !== 'function' || st.uid === process.getuid();
  if (!ownsIt || (st.mode & 0o1000) !== 0) return;
  if ((st.mode & 0o777) !== 0o700) fs.chmodSync(dataDir, 0o700);
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const p = path.join(dataDir, entry.name);
    if ((fs.statSync(p).mode & 0o777) !== 0o600) fs.chmodSync(p, 0o600);
  }
}

export function migrate(db: Database, migrations: readonly Migration[]): void {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].version === sorted[i - 1].version) {
      throw new Error(`duplicate migration number ${sorted[i].version}`);
    }
  }
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of sorted) {
    if (m.version <= current) {
      if (m.idempotent && m.up) db.transaction(() => m.up?.(db))();
      continue;
    }
    db.transaction(() => {
      if (m.sql) db.exec(m.sql);
      m.up?.(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
