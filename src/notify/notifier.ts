/**
 * The entry point for the alert engine:
 *
 *   deps.notifier.enqueue([{ kind: 'fired', alert, grouped: [...] }, { kind: 'resolved', alert }]);
 *
 * One call is one batch per kind: one email plus one request per enabled webhook, the grouped
 * alerts listed in the message; resolutions are a separate batch (a resolve message, and a
 * PagerDuty `resolve` with the alert id as dedup_key). `channels` on an escalation limits it to
 * email or webhooks. enqueue() only writes jobs to the persistent queue and returns at once;
 * delivery, retries and rate limits happen in the background (queue.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type { AlertNotification } from '../model/state.js';
import { batchesFrom, type Channel, type NotificationBatch, testAlert } from './batch.js';
import type { DeliveryQueue } from './queue.js';
import type { NotificationStore } from './store.js';

export class Notifier {
  constructor(
    private readonly deps: { store: NotificationStore; queue: DeliveryQueue; clock: Clock; logger: Logger },
  ) {}

  enqueue(events: AlertNotification[]): void {
    if (events.length === 0) return;
    try {
      const settings = this.deps.store.getSettings();
      if (!settings.enabled) return;
      const now = this.deps.clock.now();
      for (const { batch, channels } of batchesFrom(events, now, randomUUID)) {
        if (batch.event === 'resolved' && !settings.notifyOnResolve) continue;
        this.queueBatch(batch, channels);
      }
    } catch (err) {
      // The alert engine must never fail because notifications did.
      this.deps.logger.error({ err }, 'could not queue notifications');
    }
  }

  /** Queues a test notification to every configured destination; returns how many were queued. */
  enqueueTest(channels: Channel[] = ['email', 'webhook']): number {
    const now = this.deps.clock.now();
    const batch: NotificationBatch = { id: randomUUID(), event: 'test', alerts: [testAlert(now)], createdAt: now };
    return this.queueBatch(batch, channels);
  }

  private queueBatch(batch: NotificationBatch, channels: Channel[]): number {
    const jobs: Array<{ channel: Channel; targetId: string; batch: NotificationBatch }> = [];
    if (channels.includes('email')) {
      const email = this.deps.store.getEmail();
      if (email.enabled && email.server && email.from) jobs.push({ channel: 'email', targetId: 'email', batch });
    }
    if (channels.includes('webhook')) {
      for (const w of this.deps.store.listWebhooks()) {
        if (w.enabled) jobs.push({ channel: 'webhook', targetId: w.id, batch });
      }
    }
    if (jobs.length > 0) this.deps.queue.add(jobs);
    return jobs.length;
  }
}
