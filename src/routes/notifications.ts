/**
 * /api/notifications/*: email, webhooks, tests, settings, delivery history and the dead-letter
 * list. Reads need any credential; changes (and sends) need an admin. Handlers only shape
 * replies; NotificationService does the work and the semantic checks (URL policy, templates).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { CLIENT_ERRORS, ErrorReply, NoBody, SuccessReply } from '../schemas/common.js';
import {
  DeliveryHistory,
  DeliveryHistoryQuery,
  DeliveryParams,
  EmailConfig,
  EmailConfigBody,
  EmailProviders,
  NotificationSettingsBody,
  NotificationSettingsReply,
  NotificationSummary,
  NotificationTestBody,
  NotificationTestReply,
  QueuedDeliveries,
  Webhook,
  WebhookBody,
  WebhookParams,
  Webhooks,
  WebhookTemplates,
  WebhookTestFailure,
  WebhookTestReply,
} from '../schemas/notifications.js';
import type { Services } from '../services.js';

const R = { guard: 'authenticated' as const };
const W = { guard: 'admin' as const };
const ERRORS = { ...CLIENT_ERRORS, 429: ErrorReply };

export function registerNotificationRoutes(fastify: FastifyInstance, deps: Pick<Services, 'notifications'>): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const svc = deps.notifications;
  const base = '/api/notifications';

  app.get(
    `${base}/`,
    {
      config: R,
      schema: {
        summary: 'Settings, email, webhooks and queue counts in one answer',
        response: { 200: NotificationSummary, ...ERRORS },
      },
    },
    async () => svc.summary(),
  );
  app.post(
    `${base}/`,
    {
      config: W,
      schema: {
        summary: 'Change the delivery pipeline settings',
        body: NotificationSettingsBody,
        response: { 200: NotificationSettingsReply, ...ERRORS },
      },
    },
    async (req) => ({ status: 'success' as const, settings: svc.updateSettings(req.body) }),
  );
  app.get(
    `${base}/history`,
    {
      config: R,
      schema: {
        summary: 'Delivery attempts, newest first',
        querystring: DeliveryHistoryQuery,
        response: { 200: DeliveryHistory, ...ERRORS },
      },
    },
    async (req) => svc.historyList(req.query),
  );
  app.post(
    `${base}/test`,
    {
      config: W,
      schema: {
        summary: 'Send a test notification (email, webhooks, or one saved webhook)',
        body: NotificationTestBody,
        response: { 200: NotificationTestReply, ...ERRORS },
      },
    },
    async (req, reply) => {
      try {
        return await svc.test(req.body);
      } catch (err) {
        if (err instanceof HttpError && err.statusCode === 429)
          reply.header('Retry-After', String(err.extra?.retryAfter ?? 60));
        throw err;
      }
    },
  );

  app.get(
    `${base}/email`,
    {
      config: R,
      schema: {
        summary: 'The email configuration (password never returned)',
        response: { 200: EmailConfig, ...ERRORS },
      },
    },
    async () => svc.getEmail(),
  );
  app.put(
    `${base}/email`,
    {
      config: W,
      schema: {
        summary: 'Replace the email configuration (an empty password keeps the stored one)',
        body: EmailConfigBody,
        response: { 200: SuccessReply, ...ERRORS },
      },
    },
    async (req) => {
      svc.putEmail(req.body);
      return { status: 'success' as const };
    },
  );
  app.get(
    `${base}/email-providers`,
    {
      config: R,
      schema: { summary: 'Known SMTP providers and their settings', response: { 200: EmailProviders, ...ERRORS } },
    },
    async () => [...svc.providers()],
  );

  app.get(
    `${base}/webhooks`,
    { config: R, schema: { summary: 'Configured webhooks', response: { 200: Webhooks, ...ERRORS } } },
    async () => svc.listWebhooks(),
  );
  app.post(
    `${base}/webhooks`,
    {
      config: W,
      schema: { summary: 'Add a webhook', body: WebhookBody, response: { 200: Webhook, ...ERRORS } },
    },
    async (req) => svc.createWebhook(req.body),
  );
  app.post(
    `${base}/webhooks/test`,
    {
      config: W,
      schema: {
        summary: 'Send a test alert to the webhook given in the body',
        body: WebhookBody,
        response: { ...ERRORS, 200: WebhookTestReply, 400: WebhookTestFailure },
      },
    },
    async (req, reply) => {
      const r = await svc.testWebhook(req.body);
      return reply.status(r.success ? 200 : 400).send(r);
    },
  );
  app.put(
    `${base}/webhooks/:id`,
    {
      config: W,
      schema: {
        summary: 'Replace a webhook (masked secrets keep their stored value)',
        params: WebhookParams,
        body: WebhookBody,
        response: { 200: Webhook, ...ERRORS },
      },
    },
    async (req) => svc.updateWebhook(req.params.id, req.body),
  );
  app.delete(
    `${base}/webhooks/:id`,
    {
      config: W,
      schema: {
        summary: 'Delete a webhook and its queued deliveries',
        params: WebhookParams,
        response: { 200: SuccessReply, ...ERRORS },
      },
    },
    async (req) => {
      svc.deleteWebhook(req.params.id);
      return { status: 'success' as const };
    },
  );
  app.get(
    `${base}/webhook-templates`,
    {
      config: R,
      schema: { summary: 'Built-in payload formats per service', response: { 200: WebhookTemplates, ...ERRORS } },
    },
    async () => svc.templates(),
  );
  app.get(
    `${base}/webhook-history`,
    {
      config: R,
      schema: {
        summary: 'Webhook delivery attempts, newest first',
        querystring: DeliveryHistoryQuery,
        response: { 200: DeliveryHistory, ...ERRORS },
      },
    },
    async (req) => svc.historyList({ ...req.query, channel: 'webhook' }),
  );

  app.get(
    `${base}/queue`,
    {
      config: R,
      schema: { summary: 'Deliveries waiting or being sent', response: { 200: QueuedDeliveries, ...ERRORS } },
    },
    async () => svc.queued(),
  );
  app.get(
    `${base}/dead-letter`,
    {
      config: R,
      schema: { summary: 'Deliveries that ran out of attempts', response: { 200: QueuedDeliveries, ...ERRORS } },
    },
    async () => svc.deadLetters(),
  );
  app.post(
    `${base}/dead-letter/:id/retry`,
    {
      config: W,
      schema: {
        summary: 'Queue a dead delivery again',
        params: DeliveryParams,
        body: NoBody,
        response: { 200: SuccessReply, ...ERRORS },
      },
    },
    async (req) => {
      svc.retryDead(req.params.id);
      return { status: 'success' as const };
    },
  );
  app.delete(
    `${base}/dead-letter/:id`,
    {
      config: W,
      schema: { summary: 'Drop a dead delivery', params: DeliveryParams, response: { 200: SuccessReply, ...ERRORS } },
    },
    async (req) => {
      svc.deleteDead(req.params.id);
      return { status: 'success' as const };
    },
  );
}
