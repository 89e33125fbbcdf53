/**
 * NotificationService: what /api/notifications/* calls, and the owner of the delivery queue and
 * the Notifier the alert engine uses. Replies never contain secrets: webhook URLs, secret headers
 * and credential custom fields are masked, the SMTP password is always "".
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import { conforming, type SchemaProblem } from '../http/schema-check.js';
import type { Logger } from '../logging.js';
import type {
  DeliveryRecord,
  EmailConfig,
  EmailProvider,
  NotificationSettings,
  QueuedDelivery,
  QueueStats,
  WebhookConfig,
  WebhookTemplateInfo,
} from '../model/notifications.js';
import { DeliveryHistoryQuery } from '../schemas/notifications.js';
import { type NotificationBatch, testAlert } from './batch.js';
import { attemptWebhook, createDeliverer, emailTargets, TEST_WEBHOOK_TIMEOUT_MS } from './delivery.js';
import { buildEmail } from './email/message.js';
import { EMAIL_PROVIDERS } from './email/providers.js';
import { sendEmail } from './email/sender.js';
import { DeliveryHistory } from './history.js';
import { parseEmail, parseSettings, parseWebhook, validateWebhook } from './input.js';
import { maskUrl, maskWebhook, unmaskWebhook } from './mask.js';
import { Notifier } from './notifier.js';
import { DeliveryQueue } from './queue.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { SERVICES, serviceDef } from './services/catalog.js';
import { NotificationStore } from './store.js';

/** Delivery attempts a history request answers when it names no `limit`. */
const DEFAULT_HISTORY_LIMIT = 100;

const refuseField = (p: SchemaProblem) => badRequest(`${p.field} ${p.rule}`, { field: p.field });

export interface NotificationServiceOptions {
  db: Database;
  secrets: SecretBox;
  clock: Clock;
  logger: Logger;
  /** PULSE_PUBLIC_URL, for links in messages (`.Instance`). */
  publicUrl?: string;
  /** PULSE_ALLOW_LOOPBACK_WEBHOOKS */
  allowLoopback: boolean;
}

export interface TestWebhookReply {
  status: number;
  response: string;
  success?: true;
  error?: string;
}

export class NotificationService {
  readonly store: NotificationStore;
  readonly history: DeliveryHistory;
  readonly queue: DeliveryQueue;
  readonly notifier: Notifier;
  private readonly clock: Clock;
  private readonly publicUrl: string;
  private readonly allowLoopback: boolean;
  private lastWebhookId = 0n;
  private readonly testEmailLimiter = new SlidingWindowLimiter();

  constructor(opts: NotificationServiceOptions) {
    this.clock = opts.clock;
    this.publicUrl = opts.publicUrl ?? '';
    this.allowLoopback = opts.allowLoopback;
    this.store = new NotificationStore(opts.db, opts.secrets);
    this.history = new DeliveryHistory(opts.db);
    const settings = () => this.store.getSettings();
    this.queue = new DeliveryQueue({
      db: opts.db,
      clock: opts.clock,
      logger: opts.logger,
      settings,
      deliver: createDeliverer({
        store: this.store,
        history: this.history,
        limiter: new SlidingWindowLimiter(),
        clock: opts.clock,
        publicUrl: this.publicUrl,
        allowLoopback: opts.allowLoopback,
        settings,
      }),
      targetName: (channel, id) => (channel === 'email' ? 'email' : (this.store.getWebhook(id)?.name ?? id)),
    });
    this.notifier = new Notifier({ store: this.store, queue: this.queue, clock: opts.clock, logger: opts.logger });
  }

  /** Resumes queued deliveries (also those interrupted by a crash). */
  start(): void {
    this.queue.start();
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }

  // ---- webhooks ----

  listWebhooks(): WebhookConfig[] {
    return this.store.listWebhooks().map(maskWebhook);
  }

  private newWebhookId(): string {
    // The contract's `webhook-<unixNanos>`, kept unique within this process.
    let id = BigInt(this.clock.now()) * 1_000_000n;
    if (id <= this.lastWebhookId) id = this.lastWebhookId + 1n;
    while (this.store.getWebhook(`webhook-${id}`)) id++; // e.g. created in the same ms before a restart
    this.lastWebhookId = id;
    return `webhook-${id}`;
  }

  private validate(w: WebhookConfig): void {
    validateWebhook(w, { allowLoopback: this.allowLoopback, now: this.clock.now(), publicUrl: this.publicUrl });
  }

  createWebhook(body: unknown): WebhookConfig {
    const requested = (body as { id?: unknown } | null)?.id;
    const id = typeof requested === 'string' && /^[\w.:-]{1,100}$/.test(requested) ? requested : this.newWebhookId();
    if (this.store.getWebhook(id)) throw badRequest(`a webhook with id "${id}" already exists`);
    const w = parseWebhook(body, id);
    this.validate(w);
    this.store.saveWebhook(w, this.clock.now());
    return maskWebhook(w);
  }

  updateWebhook(id: string, body: unknown): WebhookConfig {
    const stored = this.store.getWebhook(id);
    if (!stored) throw notFound('Webhook not found');
    const w = unmaskWebhook(parseWebhook(body, id), stored);
    this.validate(w);
    this.store.saveWebhook(w, this.clock.now());
    return maskWebhook(w);
  }

  deleteWebhook(id: string): void {
    if (!this.store.deleteWebhook(id)) throw notFound('Webhook not found');
    // Its queued and dead deliveries can never be sent now.
    this.queue.dropTarget('webhook', id);
  }

  templates(): WebhookTemplateInfo[] {
    return SERVICES.map(({ json: _json, ...info }) => info);
  }

  private testBatch(): NotificationBatch {
    const now = this.clock.now();
    return { id: `test-${now}`, event: 'test', alerts: [testAlert(now)], createdAt: now };
  }

  /** Sends the test alert to a webhook given in full (or a saved one with masked values). */
  async testWebhook(body: unknown): Promise<TestWebhookReply> {
    const id = typeof (body as { id?: unknown } | null)?.id === 'string' ? (body as { id: string }).id : '';
    const stored = id ? this.store.getWebhook(id) : undefined;
    const w = unmaskWebhook(parseWebhook(body, id || 'test'), stored);
    this.validate(w);
    return this.sendTestTo(w);
  }

  private async sendTestTo(w: WebhookConfig): Promise<TestWebhookReply> {
    const batch = this.testBatch();
    // Test sends to a generic webhook use the generic template (single alert), as Pulse does.
    const template = w.service === 'generic' && !w.template.trim() ? serviceDef('generic').payloadTemplate : w.template;
    const attempt = await attemptWebhook(
      { ...w, template, enabled: true },
      batch,
      { clock: this.clock, publicUrl: this.publicUrl, allowLoopback: this.allowLoopback },
      TEST_WEBHOOK_TIMEOUT_MS,
    );
    if ('deferUntil' in attempt) throw new Error('unreachable: tests are not rate limited');
    this.history.record({
      jobId: null,
      batchId: batch.id,
      channel: 'webhook',
      targetId: w.id,
      targetName: w.name,
      targetUrl: maskUrl(w.url, w.service),
      service: w.service,
      event: 'test',
      alertIds: [batch.alerts[0].id],
      timestamp: this.clock.now(),
      statusCode: attempt.result?.status ?? 0,
      success: attempt.success,
      error: attempt.error,
      attempt: 0,
      payloadSize: attempt.request ? Buffer.byteLength(attempt.request.body) : 0,
    });
    const status = attempt.result?.status ?? 0;
    const response = attempt.result?.body ?? '';
    return attempt.success
      ? { status, response, success: true }
      : { status, response, error: attempt.error ?? 'failed' };
  }

  webhookHistory(limit = 100): DeliveryRecord[] {
    return this.history.list({ channel: 'webhook', limit });
  }

  // ---- email ----

  getEmail(): EmailConfig & { skipTlsVerify: boolean; passwordSet: boolean } {
    const e = this.store.getEmail();
    return { ...e, password: '', passwordSet: e.password !== '' };
  }

  putEmail(body: unknown): void {
    this.store.saveEmail(parseEmail(body, this.store.getEmail()));
  }

  providers(): readonly EmailProvider[] {
    return EMAIL_PROVIDERS;
  }

  // ---- tests, summary, settings, history, queue ----

  /**
   * POST /api/notifications/test: `webhookId` → that webhook now; email with `config` → a
   * synchronous send with that config; `email` alone → the saved config, synchronously;
   * `webhook` → queued to every enabled webhook; otherwise queued to every enabled destination.
   */
  async test(body: unknown): Promise<{ status: 'success'; message: string; queued?: number }> {
    const b = (body ?? {}) as { method?: unknown; type?: unknown; config?: unknown; webhookId?: unknown };
    if (typeof b.webhookId === 'string' && b.webhookId) {
      const w = this.store.getWebhook(b.webhookId);
      if (!w) throw notFound('Webhook not found');
      const r = await this.sendTestTo(w);
      if (!r.success) throw badRequest(`Webhook test failed: ${r.error}`, { status: r.status, response: r.response });
      return { status: 'success', message: `Test notification sent to ${w.name}` };
    }
    const kind = typeof b.method === 'string' ? b.method : typeof b.type === 'string' ? b.type : '';
    if (kind === 'email') {
      // The published API: test email is limited to 10 requests per minute.
      const wait = this.testEmailLimiter.take('test-email', this.clock.now(), 10);
      if (wait > 0) {
        throw new HttpError(429, 'Too many test emails; try again in a minute', {
          retryAfter: Math.ceil((wait - this.clock.now()) / 1000),
        });
      }
      const stored = this.store.getEmail();
      const cfg =
        b.config !== undefined && b.config !== null
          ? parseEmail({ enabled: true, ...(b.config as object) }, stored)
          : stored;
      if (!cfg.server || !cfg.from) throw badRequest('Email is not configured (server and from are required)');
      const batch = this.testBatch();
      const content = buildEmail(batch, { now: this.clock.now(), publicUrl: this.publicUrl });
      try {
        await sendEmail(cfg, content, 15_000);
      } catch (err) {
        throw badRequest(`Failed to send test email: ${(err as Error).message}`);
      }
      this.history.record({
        jobId: null,
        batchId: batch.id,
        channel: 'email',
        targetId: 'email',
        targetName: 'email',
        targetUrl: emailTargets(cfg),
        service: 'email',
        event: 'test',
        alertIds: [batch.alerts[0].id],
        timestamp: this.clock.now(),
        statusCode: 250,
        success: true,
        attempt: 0,
        payloadSize: Buffer.byteLength(content.html) + Buffer.byteLength(content.text),
      });
      return { status: 'success', message: 'Test email sent' };
    }
    const queued = this.notifier.enqueueTest(kind === 'webhook' ? ['webhook'] : ['email', 'webhook']);
    if (queued === 0) throw badRequest('No notification channel is configured and enabled');
    return { status: 'success', message: 'Test notification sent', queued };
  }

  settings(): NotificationSettings {
    return this.store.getSettings();
  }

  updateSettings(body: unknown): NotificationSettings {
    const next = parseSettings(body, this.store.getSettings());
    this.store.saveSettings(next);
    return next;
  }

  stats(): QueueStats {
    return { ...this.queue.stats(), ...this.history.counts() };
  }

  summary() {
    const settings = this.settings();
    return {
      ...settings,
      settings,
      email: this.getEmail(),
      webhooks: this.listWebhooks(),
      queue: this.stats(),
    };
  }

  /**
   * Delivery history, newest first. The route has checked the query against its schema already;
   * the same check here holds any other caller to the same limits.
   */
  historyList(query: unknown): DeliveryRecord[] {
    const q = conforming(DeliveryHistoryQuery, query, refuseField);
    const limit = q.limit === undefined || q.limit === '' ? DEFAULT_HISTORY_LIMIT : q.limit;
    return this.history.list({
      channel: q.channel || undefined,
      // As for alert history, 0 means "all"; SQLite reads a negative LIMIT as no limit.
      limit: limit === 0 ? -1 : limit,
      offset: q.offset || 0,
    });
  }

  deadLetters(): QueuedDelivery[] {
    return this.queue.list('dead');
  }

  queued(): QueuedDelivery[] {
    return this.queue.list('queued');
  }

  retryDead(id: number): void {
    if (!this.queue.retryDead(id)) throw notFound('No dead-letter delivery with that id');
  }

  deleteDead(id: number): void {
    if (!this.queue.deleteDead(id)) throw notFound('No dead-letter delivery with that id');
  }
}
