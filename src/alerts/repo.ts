/** SQLite persistence of the alert config, active alerts (with acks) and history (30-day retention). */
import { hash } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { FullAlert } from '../model/state.js';
import type { AlertConfig } from './config.js';
import type { HistoryQuery } from './history-query.js';
import { type LastSeenSource, lastSeenOf, type TrackedAlert } from './memory.js';

export const HISTORY_RETENTION_MS = 30 * 86_400_000;

/**
 * A history entry: the alert as raised, plus what happened to it since (additive fields).
 * `acknowledged`/`ackTime`/`ackUser` are the acknowledgement as it stands (kept after the alert
 * resolves); `notifications` counts the times the alert was handed to the destinations (alone or
 * folded into its node's notification) and when its resolution was.
 */
export type HistoryEntry = FullAlert & {
  resolvedTime?: string;
  status: 'active' | 'acknowledged' | 'resolved';
  /** Seconds from start to resolution (to now while active). */
  durationSeconds: number;
  /**
   * condition (fresh data showed it gone), removed (resource not seen for 10 min), disabled (its
   * check switched off), cleared (by a user), mock (mock mode ended), expired (too old to restore
   * at start).
   */
  resolveReason?: string;
  notifications: { count: number; firstTime?: string; lastTime?: string; resolvedTime?: string };
};

/**
 * What alert_active holds for one alert (see AlertRepo.#stored): fingerprints of the row, not its
 * text — thousands of rows stay active for hours, and a fingerprint is all a comparison needs.
 */
interface StoredRow {
  /** Fingerprint of the row's JSON as written (or read at start). */
  data: string;
  /** Fingerprint of the row's JSON without live figures, computed on demand. */
  stable?: string;
  /**
   * The engine's current object for the alert: the row is its encoding, apart from lastSeen and,
   * with `liveBehind`, from the live figures (moved on since the last full write). Kept current so
   * the repo never holds an alert object the engine has replaced.
   */
  from?: TrackedAlert;
  /** The row holds older live figures than `from` (written on the next full write). */
  liveBehind?: boolean;
  /** The row's lastSeen (encoded in `data`, or set by a lastSeen-only UPDATE); unknown for rows as read at start. */
  lastSeen?: string;
  /** The syncActive call that last found this alert active. */
  pass?: number;
}

export class AlertRepo {
  constructor(private readonly db: Database) {}

  loadConfig(): unknown | undefined {
    const row = this.db.prepare<[], { data: string }>('SELECT data FROM alert_config WHERE id = 1').get();
    return row ? JSON.parse(row.data) : undefined;
  }

  saveConfig(config: AlertConfig, now: number): void {
    this.db
      .prepare(
        `INSERT INTO alert_config (id, data, updated_at) VALUES (1, ?, ?)
         ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      )
      .run(JSON.stringify(config), now);
  }

  loadActive(): TrackedAlert[] {
    const rows = this.db.prepare<[], { data: string }>('SELECT data FROM alert_active').all();
    const out: TrackedAlert[] = [];
    for (const r of rows) {
      try {
        const t = JSON.parse(r.data) as TrackedAlert;
        if (t?.alert?.id) out.push(t);
      } catch {
        // A row we cannot read is dropped rather than blocking start-up.
      }
    }
    return out;
  }

  /**
   * What alert_active holds per alert id, as this repo last wrote (or first read) it: fingerprints
   * of the JSON and of its key without live figures (computed on demand), and the object it was
   * encoded from. The engine never modifies a tracked alert after handing it out (copy-on-write),
   * so an identical object means an identical row and needs no encoding at all. Loaded from the
   * table once.
   */
  #stored?: Map<string, StoredRow>;
  #pass = 0;
  #upsertActive?: Statement<[string, string, number]>;
  #deleteActive?: Statement<[string]>;
  #touchLastSeen?: Statement<[string, number, string]>;
  #readActive?: Statement<[string], { data: string }>;

  /**
   * Makes the stored active set equal to `active`, upserting only rows that changed. With
   * `full: false`, changes of the live figures alone (value, message, lastSeen) do not count, so a
   * steady alert is not rewritten on every poll; the caller writes in full now and then and on stop.
   * `seenFrom` holds the alerts' current lastSeen when the engine keeps it outside the alert objects
   * (memory.ts `lastSeenOf`); rows are written with it.
   */
  syncActive(active: TrackedAlert[], now: number, full = true, seenFrom?: LastSeenSource): void {
    if (!this.#stored) {
      this.#stored = new Map(
        this.db
          .prepare<[], { id: string; data: string }>('SELECT id, data FROM alert_active')
          .all()
          .map((r) => [r.id, { data: fingerprint(r.data) }]),
      );
    }
    const stored = this.#stored;
    this.#upsertActive ??= this.db.prepare(
      `INSERT INTO alert_active (id, data, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
    );
    this.#deleteActive ??= this.db.prepare('DELETE FROM alert_active WHERE id = ?');
    const upsert = this.#upsertActive;
    const del = this.#deleteActive;
    const writes: Array<[string, StoredRow, string]> = [];
    const touched = new Map<string, string[]>();
    // Rows of alerts still active are stamped with this call's number; the others are gone.
    const pass = ++this.#pass;
    let kept = 0;
    for (const t of active) {
      const id = t.alert.id;
      const before = stored.get(id);
      if (before && before.pass !== pass) {
        before.pass = pass;
        kept++;
      }
      // The same object: only lastSeen (kept outside it) can have moved — a live figure, written
      // on full writes by one UPDATE per lastSeen value instead of re-encoding the row.
      if (before?.from === t && !(full && before.liveBehind)) {
        if (!full) continue;
        const seen = seenFrom ? lastSeenOf(seenFrom, t) : t.alert.lastSeen;
        if (before.lastSeen === seen) continue;
        let ids = touched.get(seen);
        if (!ids) {
          ids = [];
          touched.set(seen, ids);
        }
        ids.push(id);
        before.lastSeen = seen;
        continue;
      }
      // The usual steady round: only live figures moved; decided without encoding anything.
      if (!full && before?.from && sameApartFromLiveFigures(before.from, t)) {
        before.from = t;
        before.liveBehind = true;
        continue;
      }
      const seen = seenFrom ? lastSeenOf(seenFrom, t) : t.alert.lastSeen;
      const encoded = seen === t.alert.lastSeen ? t : { ...t, alert: { ...t.alert, lastSeen: seen } };
      const json = JSON.stringify(encoded);
      const data = fingerprint(json);
      // (After a lastSeen-only UPDATE, `data` is of the older lastSeen: `lastSeen` tells.)
      if (before?.data === data && (before.lastSeen === undefined || before.lastSeen === seen)) {
        before.from = t;
        before.liveBehind = false;
        before.lastSeen = seen;
        continue;
      }
      if (!full && before !== undefined) {
        before.stable ??= fingerprint(stableKey(before.from ?? this.#readRow(id)));
        const stable = fingerprint(stableKey(t));
        // Only live figures moved: the row keeps its older figures until the next full write.
        if (before.stable === stable) {
          before.from = t;
          before.liveBehind = true;
          continue;
        }
        writes.push([id, { data, stable, from: t, liveBehind: false, lastSeen: seen, pass }, json]);
        continue;
      }
      writes.push([id, { data, stable: undefined, from: t, liveBehind: false, lastSeen: seen, pass }, json]);
    }
    const gone: string[] = [];
    if (kept < stored.size) for (const [id, row] of stored) if (row.pass !== pass) gone.push(id);
    if (writes.length === 0 && gone.length === 0 && touched.size === 0) return;
    this.#touchLastSeen ??= this.db.prepare(
      `UPDATE alert_active SET data = json_set(data, '$.alert.lastSeen', ?), updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?))`,
    );
    const touch = this.#touchLastSeen;
    this.db.transaction(() => {
      for (const [id, , json] of writes) upsert.run(id, json, now);
      for (const id of gone) del.run(id);
      // The fingerprints of these rows are of their older lastSeen; their `lastSeen` is the row's.
      for (const [seen, ids] of touched) touch.run(seen, now, JSON.stringify(ids));
    })();
    for (const [id, row] of writes) stored.set(id, row);
    for (const id of gone) stored.delete(id);
  }

  /** A row as alert_active holds it (one read at start has only its fingerprint). */
  #readRow(id: string): TrackedAlert {
    this.#readActive ??= this.db.prepare('SELECT data FROM alert_active WHERE id = ?');
    try {
      return JSON.parse(this.#readActive.get(id)?.data ?? '') as TrackedAlert;
    } catch {
      // Unreadable (or gone): compares unequal to any alert, so the row is rewritten.
      return { alert: {} } as TrackedAlert;
    }
  }

  // Prepared once: a busy round writes thousands of history rows.
  #insertHistory?: Statement<[string, string, string, number, string, number, number | null, number | null]>;
  #resolveHistory?: Statement<[number, string | null, string]>;
  #ackHistory?: Statement<[number | null, string | null, string]>;
  #notifiedHistory?: Statement<[number, number, string]>;
  #resolveNotifiedHistory?: Statement<[number, string]>;

  /**
   * A new history row. `told`: the row is handed to the destinations `count` times at `at` in the
   * same round (what as many `notedNotified` calls on it would record, without their updates).
   */
  addHistory(alert: FullAlert, told?: { count: number; at: number }): void {
    this.#insertHistory ??= this.db.prepare(
      `INSERT INTO alert_history (alert_id, resource_id, level, start_time, data, notify_count, notified_first, notified_last)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertHistory.run(
      alert.id,
      alert.resourceId,
      alert.level,
      Date.parse(alert.startTime),
      JSON.stringify(alert),
      told?.count ?? 0,
      told?.at ?? null,
      told?.at ?? null,
    );
  }

  /** Marks the newest open history row of `alertId` resolved. */
  resolveHistory(alertId: string, resolvedAt: number, reason?: string): void {
    this.#resolveHistory ??= this.db.prepare(
      `UPDATE alert_history SET resolved_at = ?, resolve_reason = ?
       WHERE seq = (SELECT seq FROM alert_history WHERE alert_id = ? AND resolved_at IS NULL ORDER BY seq DESC LIMIT 1)`,
    );
    this.#resolveHistory.run(resolvedAt, reason ?? null, alertId);
  }

  /** Records (or, with nulls, withdraws) the acknowledgement on the newest open row of `alertId`. */
  ackHistory(alertId: string, at: number | null, user: string | null): void {
    this.#ackHistory ??= this.db.prepare(
      `UPDATE alert_history SET ack_time = ?, ack_user = ?
       WHERE seq = (SELECT seq FROM alert_history WHERE alert_id = ? AND resolved_at IS NULL ORDER BY seq DESC LIMIT 1)`,
    );
    this.#ackHistory.run(at, user, alertId);
  }

  /** The alert was handed to the destinations (fired, re-notified, escalated, or inside its node's notification). */
  notedNotified(alertId: string, at: number): void {
    this.#notifiedHistory ??= this.db.prepare(
      `UPDATE alert_history SET notify_count = notify_count + 1, notified_first = COALESCE(notified_first, ?), notified_last = ?
       WHERE seq = (SELECT MAX(seq) FROM alert_history WHERE alert_id = ?)`,
    );
    this.#notifiedHistory.run(at, at, alertId);
  }

  /** Its resolution was handed to the destinations. */
  notedResolveNotified(alertId: string, at: number): void {
    this.#resolveNotifiedHistory ??= this.db.prepare(
      `UPDATE alert_history SET resolve_notified = ?
       WHERE seq = (SELECT MAX(seq) FROM alert_history WHERE alert_id = ?)`,
    );
    this.#resolveNotifiedHistory.run(at, alertId);
  }

  /** Runs `work` in one transaction (a round's history writes commit together). */
  inTransaction(work: () => void): void {
    this.db.transaction(work)();
  }

  queryHistory(q: HistoryQuery, now: number): HistoryEntry[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.startTime !== undefined) {
      where.push('start_time >= ?');
      args.push(q.startTime);
    }
    if (q.endTime !== undefined) {
      where.push('start_time <= ?');
      args.push(q.endTime);
    }
    if (q.severity) {
      where.push('level = ?');
      args.push(q.severity);
    }
    if (q.resourceId) {
      where.push('resource_id = ?');
      args.push(q.resourceId);
    }
    let sql =
      'SELECT data, level, start_time, resolved_at, ack_time, ack_user, notified_first, notified_last, notify_count, resolve_notified, resolve_reason FROM alert_history';
    if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
    sql += ' ORDER BY start_time DESC, seq DESC';
    if (q.limit > 0) {
      sql += ' LIMIT ? OFFSET ?';
      args.push(q.limit, q.offset);
    } else if (q.offset > 0) {
      sql += ' LIMIT -1 OFFSET ?';
      args.push(q.offset);
    }
    const time = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
    return this.db
      .prepare<Array<string | number>, HistoryRow>(sql)
      .all(...args)
      .map((r) => {
        const a = JSON.parse(r.data) as HistoryEntry;
        if (r.resolved_at !== null) a.resolvedTime = time(r.resolved_at);
        if (r.ack_time !== null) {
          a.acknowledged = true;
          a.ackTime = time(r.ack_time);
          a.ackUser = r.ack_user ?? undefined;
        }
        a.status = r.resolved_at !== null ? 'resolved' : a.acknowledged ? 'acknowledged' : 'active';
        a.durationSeconds = Math.max(0, Math.floor(((r.resolved_at ?? now) - r.start_time) / 1000));
        if (r.resolve_reason !== null) a.resolveReason = r.resolve_reason;
        const n: HistoryEntry['notifications'] = { count: r.notify_count };
        if (r.notified_first !== null) n.firstTime = time(r.notified_first);
        if (r.notified_last !== null) n.lastTime = time(r.notified_last);
        if (r.resolve_notified !== null) n.resolvedTime = time(r.resolve_notified);
        a.notifications = n;
        return a;
      });
  }

  clearHistory(): number {
    return this.db.prepare('DELETE FROM alert_history').run().changes;
  }

  pruneHistory(now: number): number {
    return this.db.prepare('DELETE FROM alert_history WHERE start_time < ?').run(now - HISTORY_RETENTION_MS).changes;
  }
}

interface HistoryRow {
  data: string;
  level: string;
  start_time: number;
  resolved_at: number | null;
  ack_time: number | null;
  ack_user: string | null;
  notified_first: number | null;
  notified_last: number | null;
  notify_count: number;
  resolve_notified: number | null;
  resolve_reason: string | null;
}

const LIVE_FIGURES = new Set(['value', 'message', 'lastSeen']);

/**
 * True when `a` and `b` encode to the same JSON apart from the alert's live figures: same keys in
 * the same order, equal primitives, nested objects (metadata, escalationTimes) equal as JSON.
 * False means "not sure" — the caller then compares the encodings.
 */
function sameApartFromLiveFigures(a: TrackedAlert, b: TrackedAlert): boolean {
  return (
    sameFields(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>, 'alert') &&
    sameFields(a.alert as unknown as Record<string, unknown>, b.alert as unknown as Record<string, unknown>)
  );
}

function sameFields(x: Record<string, unknown>, y: Record<string, unknown>, nested?: string): boolean {
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  for (let i = 0; i < kx.length; i++) {
    const k = kx[i];
    if (k !== ky[i]) return false;
    if (k === nested || (nested === undefined && LIVE_FIGURES.has(k))) continue;
    const vx = x[k];
    const vy = y[k];
    if (vx === vy) continue;
    if (typeof vx !== 'object' || typeof vy !== 'object' || vx === null || vy === null) return false;
    if (JSON.stringify(vx) !== JSON.stringify(vy)) return false;
  }
  return true;
}

/**
 * A row's JSON stands for itself by its SHA-1 (28 characters instead of ~800): only equality is
 * asked, and an accidental collision of two versions of one alert's row is not a practical risk.
 */
function fingerprint(json: string): string {
  return hash('sha1', json, 'base64');
}

/** A tracked alert without its live figures (as JSON). */
function stableKey(t: TrackedAlert): string {
  const { value: _v, message: _m, lastSeen: _l, ...rest } = t.alert;
  return JSON.stringify({ ...t, alert: rest });
}
