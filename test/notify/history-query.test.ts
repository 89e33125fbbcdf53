/**
 * The delivery-history query called without a request (NotificationService.historyList): the
 * limits are the route schema's, read from it here, so the service and the route cannot part.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { KEY_BYTES, SecretBox } from '../../src/crypto/secret-box.js';
import { openDatabase } from '../../src/db/database.js';
import { HttpError } from '../../src/http/errors.js';
import { createLogger } from '../../src/logging.js';
import { NotificationService } from '../../src/notify/service.js';
import { DeliveryHistoryQuery } from '../../src/schemas/notifications.js';

type Bounds = { anyOf: Array<{ type?: string; maximum?: number }> };
const maximum = (field: 'limit' | 'offset') =>
  (DeliveryHistoryQuery.properties[field] as unknown as Bounds).anyOf.find((s) => s.type === 'integer')
    ?.maximum as number;

function refusal(fn: () => unknown): { status: number; message: string; field: unknown } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    const e = err as HttpError;
    return { status: e.statusCode, message: e.message, field: e.extra?.field };
  }
  throw new Error('the query was accepted');
}

describe('NotificationService.historyList', () => {
  const NOW = Date.UTC(2026, 0, 1);
  let db: Database;
  let svc: NotificationService;
  beforeAll(() => {
    db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-history-')));
    svc = new NotificationService({
      db,
      secrets: new SecretBox(crypto.randomBytes(KEY_BYTES)),
      clock: new ManualClock(NOW),
      logger: createLogger({ level: 'silent' }),
      allowLoopback: false,
    });
    for (const [i, channel] of (['webhook', 'email', 'webhook'] as const).entries()) {
      svc.history.record({
        jobId: null,
        batchId: `b${i}`,
        channel,
        targetId: `t${i}`,
        targetName: `target ${i}`,
        targetUrl: 'https://hooks.example/***',
        service: 'generic',
        event: 'alert',
        alertIds: [`a${i}`],
        timestamp: NOW + i,
        statusCode: 200,
        success: true,
        attempt: 1,
        payloadSize: 10,
      });
    }
  });
  afterAll(() => db.close());

  it('accepts the schema’s bounds; "" and a missing value take the defaults; 0 means all', () => {
    expect(svc.historyList({})).toHaveLength(3);
    expect(svc.historyList({ limit: '', offset: '', channel: '' })).toHaveLength(3);
    expect(svc.historyList({ limit: 0 })).toHaveLength(3);
    expect(svc.historyList({ limit: 1 }).map((r) => r.webhookName)).toEqual(['target 2']);
    expect(svc.historyList({ limit: maximum('limit'), offset: 1 })).toHaveLength(2);
    expect(svc.historyList({ offset: maximum('offset') })).toEqual([]);
    expect(svc.historyList({ channel: 'email' }).map((r) => r.channel)).toEqual(['email']);
  });

  it('refuses what the route schema refuses, with a 400 naming the field', () => {
    for (const field of ['limit', 'offset'] as const) {
      const max = maximum(field);
      expect(refusal(() => svc.historyList({ [field]: max + 1 }))).toEqual({
        status: 400,
        message: `${field} must be <= ${max}`,
        field,
      });
      expect(refusal(() => svc.historyList({ [field]: -1 })).message).toBe(`${field} must be >= 0`);
    }
    expect(refusal(() => svc.historyList({ limit: '5' })).message).toBe('limit must be integer');
    expect(refusal(() => svc.historyList({ channel: 'sms' })).message).toBe('channel must be one of: email, webhook');
  });
});
