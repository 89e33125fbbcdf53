/**
 * The persistent delivery queue. Each (batch × destination) is a row in `notify_jobs`; a
 * delivered job leaves the table, a job that ran out of attempts (or failed for good) stays as
 * `dead` until the user retries or deletes it.
 *
 * Workers: one lane per destination (one job in flight per webhook / for email), several lanes
 * at once, so a slow or failing destination only ever delays itself. Retries back off
 * exponentially; a rate-limited job is deferred without spending an attempt. Scheduling reads
 * the injected Clock; timers only wake the loop (tests with a ManualClock call `wake()`).
 * On start, jobs left `sending` by a crash go back to `pending` (delivery is at least once).
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type { NotificationSettings, QueuedDelivery, QueueStats } from '../model/notifications.js';
import type { Channel, NotificationBatch } from './batch.js';

export interface Job {
  id: number;
  channel: Channel;
  targetId: string;
  batch: NotificationBatch;
  /** Attempts made before this one. */
  attempts: number;
  createdAt: number;
}

export type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'failed'; error: string; status: number; permanent: boolean; retryAfterMs?: number }
  /** Not an attempt: wait (rate limit) and try again at `until`. */
  | { kind: 'defer'; until: number };

interface JobRow {
  id: number;
  batch_id: string;
  channel: Channel;
  target_id: string;
  batch: string;
  status: 'pending' | 'sending' | 'dead';
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  last_error: string | null;
  last_status: number | null;
}

/** Longest wait between attempts. */
export const MAX_BACKOFF_MS = 15 * 60_000;
/** Dead jobs older than this are dropped at start. */
export const DEAD_RETENTION_MS = 30 * 24 * 3600_000;
/** Longest sleep of the timer, so a clock jump is noticed. */
const MAX_TIMER_MS = 30_000;

export function backoffMs(attempts: number, baseSeconds: number): number {
  return Math.min(baseSeconds * 1000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

export interface DeliveryQueueOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  deliver: (job: Job, signal: AbortSignal) => Promise<Outcome>;
  settings: () => NotificationSettings;
  /** Lanes in flight at once (default 16). */
  maxConcurrent?: number;
  /** Describes a target for listings (webhook name). */
  targetName?: (channel: Channel, targetId: string) => string;
}

export class DeliveryQueue {
  private timer: NodeJS.Timeout | undefined;
  private wakePending = false;
  private stopped = true;
  private readonly busyLanes = new Set<string>();
  private readonly inflight = new Map<Promise<void>, AbortController>();
  private readonly maxConcurrent: number;

  constructor(private readonly opts: DeliveryQueueOptions) {
    this.maxConcurrent = opts.maxConcurrent ?? 16;
  }

  start(): void {
    this.opts.db.prepare("UPDATE notify_jobs SET status = 'pending' WHERE status = 'sending'").run();
    // Dead letters nobody retried within a month are only noise.
    this.opts.db
      .prepare("DELETE FROM notify_jobs WHERE status = 'dead' AND updated_at < ?")
      .run(this.opts.clock.now() - DEAD_RETENTION_MS);
    this.stopped = false;
    this.wake();
  }

  /** Stops the loop, aborts requests in flight and puts their jobs back to pending. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const ac of this.inflight.values()) ac.abort();
    const settled = Promise.allSettled([...this.inflight.keys()]);
    let giveUp: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((r) => (giveUp = setTimeout(r, 3000)))]);
    clearTimeout(giveUp);
    this.opts.db.prepare("UPDATE notify_jobs SET status = 'pending' WHERE status = 'sending'").run();
  }

  add(items: Array<{ channel: Channel; targetId: string; batch: NotificationBatch }>): number[] {
    const now = this.opts.clock.now();
    const insert = this.opts.db.prepare(
      `INSERT INTO notify_jobs (batch_id, channel, target_id, batch, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    );
    const ids = this.opts.db.transaction(() =>
      items.map((it) =>
        Number(
          insert.run(it.batch.id, it.channel, it.targetId, JSON.stringify(it.batch), now, now, now).lastInsertRowid,
        ),
      ),
    )();
    this.wake();
    return ids;
  }

  /** Runs the scheduling loop soon (after the current tick). */
  wake(): void {
    if (this.stopped || this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.tick();
    });
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.opts.clock.now();
    // Only the oldest pending job of each destination may go: a later message (e.g. a resolve)
    // must never overtake an earlier one that is waiting for its retry.
    const due = this.opts.db
      .prepare(
        `SELECT j.* FROM notify_jobs j
         JOIN (SELECT MIN(id) AS head FROM notify_jobs WHERE status = 'pending' GROUP BY channel, target_id) h
           ON j.id = h.head
         WHERE j.next_attempt_at <= ? ORDER BY j.next_attempt_at, j.id LIMIT 500`,
      )
      .all(now) as JobRow[];
    for (const row of due) {
      if (this.inflight.size >= this.maxConcurrent) break;
      const lane = `${row.channel}:${row.target_id}`;
      if (this.busyLanes.has(lane)) continue;
      this.run(row, lane);
    }
    this.scheduleNext(now);
  }

  private scheduleNext(now: number): void {
    if (this.inflight.size >= this.maxConcurrent) return; // a completion wakes us
    const lanes = this.opts.db
      .prepare(
        `SELECT j.channel, j.target_id, j.next_attempt_at AS next FROM notify_jobs j
         JOIN (SELECT MIN(id) AS head FROM notify_jobs WHERE status = 'pending' GROUP BY channel, target_id) h
           ON j.id = h.head`,
      )
      .all() as Array<{ channel: string; target_id: string; next: number }>;
    let next = Number.POSITIVE_INFINITY;
    for (const l of lanes) if (!this.busyLanes.has(`${l.channel}:${l.target_id}`)) next = Math.min(next, l.next);
    if (!Number.isFinite(next)) return;
    const delay = Math.min(Math.max(next - now, 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref?.();
  }

  private run(row: JobRow, lane: string): void {
    const now = this.opts.clock.now();
    this.opts.db.prepare("UPDATE notify_jobs SET status = 'sending', updated_at = ? WHERE id = ?").run(now, row.id);
    this.busyLanes.add(lane);
    const job: Job = {
      id: row.id,
      channel: row.channel,
      targetId: row.target_id,
      batch: JSON.parse(row.batch) as NotificationBatch,
      attempts: row.attempts,
      createdAt: row.created_at,
    };
    const ac = new AbortController();
    const p: Promise<void> = (async () => {
      let outcome: Outcome;
      try {
        outcome = await this.opts.deliver(job, ac.signal);
      } catch (err) {
        outcome = { kind: 'failed', error: (err as Error).message ?? String(err), status: 0, permanent: false };
      }
      if (this.stopped) return; // stop() puts the job back to pending
      this.finish(job, outcome);
    })()
      .catch((err) => this.opts.logger.warn({ err }, 'notification delivery bookkeeping failed'))
      .finally(() => {
        this.inflight.delete(p);
        this.busyLanes.delete(lane);
        this.wake();
      });
    this.inflight.set(p, ac);
  }

  private finish(job: Job, outcome: Outcome): void {
    const db = this.opts.db;
    const now = this.opts.clock.now();
    if (outcome.kind === 'delivered') {
      db.prepare('DELETE FROM notify_jobs WHERE id = ?').run(job.id);
      return;
    }
    if (outcome.kind === 'defer') {
      db.prepare("UPDATE notify_jobs SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?").run(
        outcome.until,
        now,
        job.id,
      );
      return;
    }
    const settings = this.opts.settings();
    const attempts = job.attempts + 1;
    const dead = outcome.permanent || attempts >= settings.maxAttempts;
    const next = now + Math.max(backoffMs(attempts, settings.retryBaseSeconds), outcome.retryAfterMs ?? 0);
    db.prepare(
      `UPDATE notify_jobs SET status = ?, attempts = ?, next_attempt_at = ?, updated_at = ?, last_error = ?, last_status = ?
       WHERE id = ?`,
    ).run(dead ? 'dead' : 'pending', attempts, dead ? now : next, now, outcome.error, outcome.status, job.id);
    if (dead) {
      this.opts.logger.warn(
        { jobId: job.id, channel: job.channel, target: job.targetId, attempts, error: outcome.error },
        'notification moved to the dead-letter list',
      );
    }
  }

  private toQueued(r: JobRow, targetName: string): QueuedDelivery {
    const batch = JSON.parse(r.batch) as NotificationBatch;
    return {
      id: r.id,
      channel: r.channel,
      targetId: r.target_id,
      targetName,
      event: batch.event,
      alertIds: batch.alerts.map((a) => a.id),
      status: r.status,
      attempts: r.attempts,
      createdAt: new Date(r.created_at).toISOString(),
      nextAttemptAt: new Date(r.next_attempt_at).toISOString(),
      ...(r.last_error ? { lastError: r.last_error } : {}),
      ...(r.last_status ? { lastStatusCode: r.last_status } : {}),
    };
  }

  list(status: 'dead' | 'queued'): QueuedDelivery[] {
    const where = status === 'dead' ? "status = 'dead'" : "status IN ('pending', 'sending')";
    const rows = this.opts.db
      .prepare(`SELECT * FROM notify_jobs WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 1000`)
      .all() as JobRow[];
    // One name lookup (a decrypt) per destination, not per row.
    const names = new Map<string, string>();
    return rows.map((r) => {
      const key = `${r.channel}:${r.target_id}`;
      if (!names.has(key)) names.set(key, this.opts.targetName?.(r.channel, r.target_id) ?? r.target_id);
      return this.toQueued(r, names.get(key) as string);
    });
  }

  /** Puts a dead job back in the queue with fresh attempts. False when no such dead job. */
  retryDead(id: number): boolean {
    const now = this.opts.clock.now();
    const changed = this.opts.db
      .prepare(
        "UPDATE notify_jobs SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'",
      )
      .run(now, now, id).changes;
    if (changed > 0) this.wake();
    return changed > 0;
  }

  /** Drops the jobs of a destination that no longer exists (not the one in flight). */
  dropTarget(channel: Channel, targetId: string): number {
    return this.opts.db
      .prepare("DELETE FROM notify_jobs WHERE channel = ? AND target_id = ? AND status != 'sending'")
      .run(channel, targetId).changes;
  }

  deleteDead(id: number): boolean {
    return this.opts.db.prepare("DELETE FROM notify_jobs WHERE id = ? AND status = 'dead'").run(id).changes > 0;
  }

  stats(): Pick<QueueStats, 'pending' | 'sending' | 'dead'> {
    const rows = this.opts.db.prepare('SELECT status, COUNT(*) AS n FROM notify_jobs GROUP BY status').all() as Array<{
      status: string;
      n: number;
    }>;
    const count = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    return { pending: count('pending'), sending: count('sending'), dead: count('dead') };
  }
}
