/**
 * Delivering one job: load the destination, build the payload, respect the per-URL rate limit,
 * send, write the attempt to the history, and tell the queue what happened.
 *
 * Failure classes: network errors, timeouts, 408, 429 and 5xx are retried; other 4xx replies,
 * payloads that cannot be built, refused URLs, deleted or disabled destinations and 5xx SMTP
 * replies go straight to the dead-letter list (retrying would not change the answer).
 */
import type { Clock } from '../clock.js';
import type { NotificationSettings, WebhookConfig } from '../model/notifications.js';
import type { NotificationBatch } from './batch.js';
import { buildEmail } from './email/message.js';
import { SmtpError, sendEmail } from './email/sender.js';
import type { DeliveryHistory } from './history.js';
import { type HttpResult, HttpSendError, sendHttp } from './http-sender.js';
import { maskUrl, scrubSecrets, webhookSecrets } from './mask.js';
import type { Job, Outcome } from './queue.js';
import type { SlidingWindowLimiter } from './rate-limit.js';
import { buildWebhookRequest, PayloadError, type WebhookRequest } from './services/request.js';
import type { NotificationStore, StoredEmail } from './store.js';

export const WEBHOOK_TIMEOUT_MS = 30_000;
export const TEST_WEBHOOK_TIMEOUT_MS = 10_000;

export interface DelivererDeps {
  store: NotificationStore;
  history: DeliveryHistory;
  limiter: SlidingWindowLimiter;
  clock: Clock;
  publicUrl: string;
  allowLoopback: boolean;
  settings: () => NotificationSettings;
}

export interface WebhookAttempt {
  request?: WebhookRequest;
  result?: HttpResult;
  error?: string;
  /** Retrying cannot help. */
  permanent: boolean;
  success: boolean;
}

const isRetryableStatus = (s: number) => s === 408 || s === 429 || s >= 500;

/** Sends a batch to one webhook right now (queue worker and test routes). */
export async function attemptWebhook(
  hook: WebhookConfig,
  batch: NotificationBatch,
  deps: Pick<DelivererDeps, 'clock' | 'publicUrl' | 'allowLoopback'>,
  timeoutMs: number,
  signal?: AbortSignal,
  beforeSend?: (req: WebhookRequest) => number,
): Promise<WebhookAttempt | { deferUntil: number }> {
  let request: WebhookRequest;
  try {
    request = buildWebhookRequest(hook, batch, { now: deps.clock.now(), publicUrl: deps.publicUrl });
  } catch (err) {
    if (err instanceof PayloadError) return { error: err.message, permanent: true, success: false };
    throw err;
  }
  const until = beforeSend?.(request) ?? 0;
  if (until > 0) return { deferUntil: until };
  // Errors and replies end up in the queue, the history, the log and API replies: never a secret.
  const secrets = webhookSecrets({ ...hook, url: request.url });
  const scrub = (s: string) => scrubSecrets(s, secrets);
  try {
    const result = await sendHttp(request, { timeoutMs, allowLoopback: deps.allowLoopback, signal });
    const success = result.status >= 200 && result.status < 300;
    const body = scrub(result.body ?? '');
    return {
      request,
      result: { ...result, body },
      success,
      permanent: !success && !isRetryableStatus(result.status),
      ...(success ? {} : { error: `HTTP ${result.status}${body ? `: ${body.slice(0, 300)}` : ''}` }),
    };
  } catch (err) {
    if (err instanceof HttpSendError) {
      return { request, error: scrub(err.message), permanent: !err.retryable, success: false };
    }
    // Anything else (a refused URL, a socket error) is a failed attempt, described without secrets.
    return { request, error: scrub((err as Error).message ?? String(err)), permanent: false, success: false };
  }
}

export function emailTargets(cfg: StoredEmail): string {
  return (cfg.to.length > 0 ? cfg.to : [cfg.from]).join(', ');
}

export function createDeliverer(deps: DelivererDeps): (job: Job, signal: AbortSignal) => Promise<Outcome> {
  const record = (
    job: Job,
    target: { id: string; name: string; url: string; service: string },
    r: { status: number; success: boolean; error?: string; size: number },
  ) =>
    deps.history.record({
      jobId: job.id,
      batchId: job.batch.id,
      channel: job.channel,
      targetId: target.id,
      targetName: target.name,
      targetUrl: target.url,
      service: target.service,
      event: job.batch.event,
      alertIds: job.batch.alerts.map((a) => a.id),
      timestamp: deps.clock.now(),
      statusCode: r.status,
      success: r.success,
      error: r.error,
      attempt: job.attempts,
      payloadSize: r.size,
    });

  const deliverWebhook = async (job: Job, signal: AbortSignal): Promise<Outcome> => {
    const hook = deps.store.getWebhook(job.targetId);
    const target = hook
      ? { id: hook.id, name: hook.name, url: maskUrl(hook.url, hook.service), service: hook.service }
      : { id: job.targetId, name: job.targetId, url: '', service: '' };
    if (!hook?.enabled) {
      const error = hook ? 'webhook is disabled' : 'webhook was deleted';
      record(job, target, { status: 0, success: false, error, size: 0 });
      return { kind: 'failed', error, status: 0, permanent: true };
    }
    const limit = deps.settings().webhookRateLimitPerMinute;
    const attempt = await attemptWebhook(hook, job.batch, deps, WEBHOOK_TIMEOUT_MS, signal, (req) =>
      deps.limiter.take(req.url, deps.clock.now(), limit),
    );
    if ('deferUntil' in attempt) return { kind: 'defer', until: attempt.deferUntil };
    if (signal.aborted) return { kind: 'failed', error: 'delivery stopped', status: 0, permanent: false };
    const status = attempt.result?.status ?? 0;
    const size = attempt.request ? Buffer.byteLength(attempt.request.body) : 0;
    record(job, target, { status, success: attempt.success, error: attempt.error, size });
    if (attempt.success) return { kind: 'delivered', status };
    const retryAfter = attempt.result?.retryAfterSec;
    return {
      kind: 'failed',
      error: attempt.error ?? 'failed',
      status,
      permanent: attempt.permanent,
      ...(retryAfter !== undefined ? { retryAfterMs: Math.min(retryAfter, 3600) * 1000 } : {}),
    };
  };

  const deliverEmail = async (job: Job): Promise<Outcome> => {
    const cfg = deps.store.getEmail();
    const target = { id: 'email', name: 'email', url: emailTargets(cfg), service: 'email' };
    if (!cfg.enabled || !cfg.server || !cfg.from) {
      const error = !cfg.enabled ? 'email notifications are disabled' : 'email is not configured';
      record(job, target, { status: 0, success: false, error, size: 0 });
      return { kind: 'failed', error, status: 0, permanent: true };
    }
    const content = buildEmail(job.batch, { now: deps.clock.now(), publicUrl: deps.publicUrl });
    const size = Buffer.byteLength(content.html) + Buffer.byteLength(content.text);
    try {
      await sendEmail(cfg, content);
      record(job, target, { status: 250, success: true, size });
      return { kind: 'delivered', status: 250 };
    } catch (err) {
      const e = err instanceof SmtpError ? err : new SmtpError((err as Error).message, false);
      record(job, target, { status: e.responseCode ?? 0, success: false, error: e.message, size });
      return { kind: 'failed', error: e.message, status: e.responseCode ?? 0, permanent: e.permanent };
    }
  };

  return (job, signal) => (job.channel === 'webhook' ? deliverWebhook(job, signal) : deliverEmail(job));
}
