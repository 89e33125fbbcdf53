/**
 * /api/notifications/*: email, webhooks, tests, settings, delivery history and the dead-letter
 * list. Reads need any credential; changes (and sends) need an admin. Handlers only validate
 * ids and shape replies; NotificationService does the work.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, HttpError } from '../http/errors.js';
import type { Services } from '../services.js';

const R = { config: { guard: 'authenticated' as const } };
const W = { config: { guard: 'admin' as const } };

function jobId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw badRequest('id must be a number');
  return Number(raw);
}

export function registerNotificationRoutes(app: FastifyInstance, deps: Pick<Services, 'notifications'>): void {
  const svc = deps.notifications;
  const base = '/api/notifications';

  app.get(`${base}/`, R, async () => svc.summary());
  app.post(`${base}/`, W, async (req) => ({ status: 'success', settings: svc.updateSettings(req.body) }));
  app.get(`${base}/history`, R, async (req) => svc.historyList(req.query as Record<string, unknown>));
  app.post(`${base}/test`, W, async (req, reply) => {
    try {
      return await svc.test(req.body);
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 429)
        reply.header('Retry-After', String(err.extra?.retryAfter ?? 60));
      throw err;
    }
  });

  app.get(`${base}/email`, R, async () => svc.getEmail());
  app.put(`${base}/email`, W, async (req) => {
    svc.putEmail(req.body);
    return { status: 'success' };
  });
  app.get(`${base}/email-providers`, R, async () => svc.providers());

  app.get(`${base}/webhooks`, R, async () => svc.listWebhooks());
  app.post(`${base}/webhooks`, W, async (req) => svc.createWebhook(req.body));
  app.post(`${base}/webhooks/test`, W, async (req, reply) => {
    const r = await svc.testWebhook(req.body);
    return reply.status(r.success ? 200 : 400).send(r);
  });
  app.put<{ Params: { id: string } }>(`${base}/webhooks/:id`, W, async (req) =>
    svc.updateWebhook(req.params.id, req.body),
  );
  app.delete<{ Params: { id: string } }>(`${base}/webhooks/:id`, W, async (req) => {
    svc.deleteWebhook(req.params.id);
    return { status: 'success' };
  });
  app.get(`${base}/webhook-templates`, R, async () => svc.templates());
  app.get<{ Querystring: { limit?: string } }>(`${base}/webhook-history`, R, async (req) =>
    svc.historyList({ ...(req.query as Record<string, unknown>), channel: 'webhook' }),
  );

  app.get(`${base}/queue`, R, async () => svc.queued());
  app.get(`${base}/dead-letter`, R, async () => svc.deadLetters());
  app.post<{ Params: { id: string } }>(`${base}/dead-letter/:id/retry`, W, async (req) => {
    svc.retryDead(jobId(req.params.id));
    return { status: 'success' };
  });
  app.delete<{ Params: { id: string } }>(`${base}/dead-letter/:id`, W, async (req) => {
    svc.deleteDead(jobId(req.params.id));
    return { status: 'success' };
  });
}
