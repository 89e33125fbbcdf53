/**
 * Audit log of security events in SQLite: logins, lockouts, tokens, password changes, recovery,
 * settings changes. Other areas record their own security-relevant events through `record`.
 * Details never carry secrets; callers pass names and ids only.
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';

export type AuditEventName =
  | 'login_success'
  | 'login_failure'
  | 'account_locked'
  | 'lockout_reset'
  | 'logout'
  | 'basic_auth_failure'
  | 'token_created'
  | 'token_revoked'
  | 'tokens_regenerated'
  | 'password_changed'
  | 'quick_setup'
  | 'recovery_token_generated'
  | 'recovery_enabled'
  | 'recovery_disabled'
  | 'csrf_rejected'
  | 'settings_changed'
  | (string & {});

export interface AuditEntry {
  event: AuditEventName;
  username?: string;
  ip?: string;
  success: boolean;
  details?: Record<string, string | number | boolean>;
}

export interface AuditRecord {
  id: number;
  timestamp: string;
  event: string;
  username: string;
  ip: string;
  success: boolean;
  details: Record<string, unknown>;
}

interface Row {
  id: number;
  ts: number;
  event: string;
  username: string;
  ip: string;
  success: number;
  details: string;
}

/** Older entries are pruned beyond this count. */
const KEEP = 10_000;

export class AuditLog {
  readonly #insert;
  readonly #list;
  readonly #prune;
  #inserts = 0;

  constructor(
    db: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.#insert = db.prepare(
      'INSERT INTO audit_log (ts, event, username, ip, success, details) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#list = db.prepare<[number, number], Row>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?');
    this.#prune = db.prepare('DELETE FROM audit_log WHERE id <= (SELECT MAX(id) FROM audit_log) - ?');
  }

  record(entry: AuditEntry): void {
    const details = entry.details ? JSON.stringify(entry.details) : '';
    try {
      this.#insert.run(
        this.clock.now(),
        entry.event,
        entry.username ?? '',
        entry.ip ?? '',
        entry.success ? 1 : 0,
        details,
      );
      if (++this.#inserts % 500 === 0) this.#prune.run(KEEP);
    } catch (err) {
      // The audit log must never take a request down with it.
      this.logger.warn({ err, event: entry.event }, 'could not write audit log entry');
    }
    this.logger.info(
      { audit: entry.event, user: entry.username, ip: entry.ip, success: entry.success, ...entry.details },
      `security: ${entry.event}`,
    );
  }

  list(limit = 100, offset = 0): AuditRecord[] {
    return this.#list.all(limit, offset).map((r) => ({
      id: r.id,
      timestamp: new Date(r.ts).toISOString(),
      event: r.event,
      username: r.username,
      ip: r.ip,
      success: r.success === 1,
      details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {},
    }));
  }
}
