/**
 * /api/alerts: config (GET/PUT /config, GET/POST /), active alerts, history (GET/DELETE), and
 * per-alert actions POST /api/alerts/<id>/acknowledge|unacknowledge|clear, where ids may contain
 * `/` (Docker alerts), plus bulk acknowledge/clear. Wire-contract §5.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConfigError, configForWire } from '../alerts/config.js';
import { parseHistoryQuery, QueryError } from '../alerts/history-query.js';
import { badRequest, notFound } from '../http/errors.js';
import type { Services } from '../services.js';

const ACTIONS = ['acknowledge', 'unacknowledge', 'clear'] as const;
type Action = (typeof ACTIONS)[number];

/** 1–500 printable ASCII characters (wire-contract §5.4). */
export function validAlertId(id: unknown): id is string {
  return typeof id === 'string' && id.length >= 1 && id.length <= 500 && /^[\x20-\x7e]+$/.test(id);
}

/**
 * Splits `/api/alerts/<id>/<action>` taken from the raw URL (so an encoded `%2F` and a literal `/`
 * both end up in the id) and URL-decodes the id. Undefined when the action is unknown.
 */
export function parseActionPath(rawUrl: string): { id: string; action: Action } | { error: string } | undefined {
  const path = rawUrl
    .split('?')[0]
    .replace(/^\/api\/alerts\//, '')
    .replace(/\/+$/, '');
  const cut = path.lastIndexOf('/');
  if (cut <= 0) return undefined;
  const action = path.slice(cut + 1) as Action;
  if (!ACTIONS.includes(action)) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(path.slice(0, cut));
  } catch {
    return { error: 'Invalid alert ID encoding' };
  }
  if (!validAlertId(id)) return { error: 'Invalid alert ID: 1–500 printable ASCII characters' };
  return { id, action };
}

const userOf = (req: FastifyRequest) => req.auth?.username || 'admin';

export function registerAlertRoutes(app: FastifyInstance, deps: Pick<Services, 'alerts' | 'wsHub'>): void {
  const { alerts } = deps;
  // Browsers see an acknowledgement or clear at once (`rawData` right away, wire-contract §2).
  const pushState = () => deps.wsHub.broadcastState();

  const getConfig = async () => configForWire(alerts.getConfig());
  const putConfig = async (req: FastifyRequest) => {
    try {
      alerts.updateConfig(req.body ?? {});
    } catch (err) {
      if (err instanceof ConfigError) throw badRequest(`Invalid alert config: ${err.message}`, { field: err.field });
      throw err;
    }
    return { status: 'success' };
  };

  app.get('/api/alerts/config', { config: { guard: 'authenticated' } }, getConfig);
  app.put('/api/alerts/config', { config: { guard: 'admin' } }, putConfig);
  // The published API: GET /api/alerts/ reads and POST /api/alerts/ updates the same config.
  app.get('/api/alerts', { config: { guard: 'authenticated' } }, getConfig);
  app.post('/api/alerts', { config: { guard: 'admin' } }, putConfig);

  app.get('/api/alerts/active', { config: { guard: 'authenticated' } }, async () => alerts.activeAlerts());

  app.get('/api/alerts/history', { config: { guard: 'authenticated' } }, async (req) => {
    try {
      return alerts.history(parseHistoryQuery((req.query ?? {}) as Record<string, unknown>));
    } catch (err) {
      if (err instanceof QueryError) throw badRequest(err.message);
      throw err;
    }
  });
  app.delete('/api/alerts/history', { config: { guard: 'admin' } }, async () => {
    alerts.clearHistory();
    return { status: 'success', message: 'Alert history cleared' };
  });

  const bulk = (action: 'acknowledge' | 'clear') => async (req: FastifyRequest) => {
    const body = req.body as { alertIds?: unknown; user?: unknown } | undefined;
    if (!body || !Array.isArray(body.alertIds) || body.alertIds.length === 0) {
      throw badRequest('alertIds must be a non-empty list of alert ids');
    }
    if (body.alertIds.length > 1000) throw badRequest('alertIds: at most 1000 ids per request');
    if (body.user !== undefined && typeof body.user !== 'string') throw badRequest('user must be a string');
    const user = (body.user as string | undefined) || userOf(req);
    const results = body.alertIds.map((id: unknown) => {
      if (!validAlertId(id)) return { alertId: String(id), success: false, error: 'invalid alert id' };
      if (action === 'clear') {
        alerts.clear(id);
        return { alertId: id, success: true };
      }
      return alerts.acknowledge(id, user)
        ? { alertId: id, success: true }
        : { alertId: id, success: false, error: `alert not found: ${id}` };
    });
    if (results.some((r) => r.success)) pushState();
    return { results };
  };
  app.post('/api/alerts/bulk/acknowledge', { config: { guard: 'authenticated' } }, bulk('acknowledge'));
  app.post('/api/alerts/bulk/clear', { config: { guard: 'authenticated' } }, bulk('clear'));

  // Ids may contain `/`, so the action is taken from the end of the path.
  app.post('/api/alerts/*', { config: { guard: 'authenticated' } }, async (req) => {
    const parsed = parseActionPath(req.url);
    if (!parsed) throw notFound('Not found');
    if ('error' in parsed) throw badRequest(parsed.error);
    const { id, action } = parsed;
    if (action === 'clear') {
      if (alerts.clear(id)) pushState();
      return { success: true };
    }
    const body = req.body as { user?: unknown } | undefined;
    const user = typeof body?.user === 'string' && body.user ? body.user : userOf(req);
    const done = action === 'acknowledge' ? alerts.acknowledge(id, user) : alerts.unacknowledge(id);
    if (!done) throw notFound(`alert not found: ${id}`);
    pushState();
    return { success: true };
  });
}
