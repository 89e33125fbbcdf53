/**
 * Can the database still write? `/api/health` asks here. A small probe write answers it (at most
 * every few seconds while healthy), and any request that failed on a storage error (full disk,
 * I/O error, read-only file) marks the database degraded until a probe succeeds again.
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';

const STORAGE_ERRORS = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/;
const HEALTHY_PROBE_MS = 10_000;
/** How long a storage error seen on a request keeps health degraded after it happened. */
const REQUEST_FAILURE_MS = 60_000;

export interface DbHealthReport {
  writable: boolean;
  /** Why writes fail, in words (never a path's secret or a query's values). */
  reason?: string;
}

export function isStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORAGE_ERRORS.test(code);
}

function describe(err: unknown): string {
  const code = String((err as { code?: unknown }).code ?? 'SQLITE_ERROR');
  if (code.startsWith('SQLITE_FULL')) return 'the database cannot write: the disk is full';
  if (code.startsWith('SQLITE_READONLY')) return 'the database cannot write: it is read-only';
  if (code.startsWith('SQLITE_IOERR')) return 'the database cannot write: an I/O error occurred';
  return `the database cannot write (${code})`;
}

export class DbHealth {
  #lastOkAt = Number.NEGATIVE_INFINITY;
  #failure: string | undefined;
  #requestFailure: { reason: string; at: number } | undefined;
  readonly #probe;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.#probe = db.prepare(
      "INSERT INTO meta (key, value) VALUES ('health_probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
  }

  /** A storage error seen elsewhere (a failed request) marks the database degraded now. */
  noteError(err: unknown): void {
    if (isStorageError(err)) this.#requestFailure = { reason: describe(err), at: this.clock.now() };
  }

  check(): DbHealthReport {
    const now = this.clock.now();
    if (this.#failure !== undefined || now - this.#lastOkAt >= HEALTHY_PROBE_MS) {
      try {
        this.#probe.run(String(now));
        this.#lastOkAt = now;
        this.#failure = undefined;
      } catch (err) {
        this.#failure = isStorageError(err) ? describe(err) : 'the database cannot write';
      }
    }
    if (this.#failure !== undefined) return { writable: false, reason: this.#failure };
    // A small probe can succeed where a real write failed (WAL space reused), so a recent failed
    // request still counts.
    const req = this.#requestFailure;
    if (req !== undefined && now - req.at < REQUEST_FAILURE_MS) return { writable: false, reason: req.reason };
    return { writable: true };
  }
}

const registry = new WeakMap<Database, DbHealth>();

/** The one health tracker of a database handle (the error handler and the route share it). */
export function dbHealth(db: Database, clock: Clock): DbHealth {
  let h = registry.get(db);
  if (!h) {
    h = new DbHealth(db, clock);
    registry.set(db, h);
  }
  return h;
}
