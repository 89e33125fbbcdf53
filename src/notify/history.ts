/** Delivery history (one row per attempt), newest first; pruned to 30 days and 5000 rows. */
import type { Database } from 'better-sqlite3';
import type { DeliveryRecord, NotificationEvent } from '../model/notifications.js';

const KEEP_MS = 30 * 24 * 3600_000;
const KEEP_ROWS = 5000;

export interface AttemptRecord {
  jobId: number | null;
  batchId: string;
  channel: 'email' | 'webhook';
  targetId: string;
  targetName: string;
  /** Already masked. */
  targetUrl: string;
  service: string;
  event: NotificationEvent;
  alertIds: string[];
  timestamp: number;
  statusCode: number;
  success: boolean;
  error?: string;
  attempt: number;
  payloadSize: number;
}

interface Row {
  id: number;
  channel: 'email' | 'webhook';
  target_name: string;
  target_url: string;
  service: string;
  event: NotificationEvent;
  alert_ids: string;
  timestamp: number;
  status_code: number;
  success: number;
  error: string | null;
  attempt: number;
  payload_size: number;
}

export class DeliveryHistory {
  private inserts = 0;

  constructor(private readonly db: Database) {}

  record(r: AttemptRecord): void {
    this.db
      .prepare(
        `INSERT INTO notify_history (job_id, batch_id, channel, target_id, target_name, target_url, service, event,
           alert_ids, timestamp, status_code, success, error, attempt, payload_size)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.jobId,
        r.batchId,
        r.channel,
        r.targetId,
        r.targetName,
        r.targetUrl,
        r.service,
        r.event,
        JSON.stringify(r.alertIds),
        r.timestamp,
        r.statusCode,
        r.success ? 1 : 0,
        r.error ?? null,
        r.attempt,
        r.payloadSize,
      );
    if (++this.inserts % 100 === 0) this.prune(r.timestamp);
  }

  prune(now: number): void {
    this.db.prepare('DELETE FROM notify_history WHERE timestamp < ?').run(now - KEEP_MS);
    this.db
      .prepare(
        'DELETE FROM notify_history WHERE id <= (SELECT id FROM notify_history ORDER BY id DESC LIMIT 1 OFFSET ?)',
      )
      .run(KEEP_ROWS);
  }

  list(opts: { channel?: 'email' | 'webhook'; limit: number; offset?: number }): DeliveryRecord[] {
    const where = opts.channel ? 'WHERE channel = ?' : '';
    const params: unknown[] = opts.channel ? [opts.channel] : [];
    const rows = this.db
      .prepare(`SELECT * FROM notify_history ${where} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, opts.limit, opts.offset ?? 0) as Row[];
    return rows.map((r) => {
      const alertIds = JSON.parse(r.alert_ids) as string[];
      return {
        id: r.id,
        channel: r.channel,
        webhookName: r.target_name,
        webhookUrl: r.target_url,
        service: r.service,
        alertId: alertIds[0] ?? '',
        alertIds,
        event: r.event,
        timestamp: new Date(r.timestamp).toISOString(),
        statusCode: r.status_code,
        success: r.success === 1,
        ...(r.error ? { errorMessage: r.error } : {}),
        retryAttempts: r.attempt,
        payloadSize: r.payload_size,
      };
    });
  }

  counts(): { delivered: number; failedAttempts: number } {
    const r = this.db.prepare('SELECT SUM(success) AS ok, SUM(1 - success) AS bad FROM notify_history').get() as {
      ok: number | null;
      bad: number | null;
    };
    return { delivered: r.ok ?? 0, failedAttempts: r.bad ?? 0 };
  }
}
