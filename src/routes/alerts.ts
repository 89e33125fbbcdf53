/**
 * /api/alerts: config (GET/PUT /config, GET/POST /), active alerts, history (GET/DELETE), and
 * per-alert actions POST /api/alerts/<id>/acknowledge|unacknowledge|clear, where ids may contain
 * `/` (Docker alerts), plus bulk acknowledge/clear. Wire-contract §5.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { ConfigError, configForWire } from '../alerts/config.js';
import { parseHistoryQuery, QueryError } from '../alerts/history-query.js';
import { badRequest, notFound } from '../http/errors.js';
import {
  ActiveAlerts,
  AlertActionBody,
  AlertActionParams,
  AlertActionReply,
  AlertConfig,
  AlertConfigUpdate,
  AlertHistory,
  AlertHistoryQuery,
  BulkAlertBody,
  BulkAlertReply,
} from '../schemas/alerts.js';
import { CLIENT_ERRORS, SuccessReply } from '../schemas/common.js';
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

export function registerAlertRoutes(fastify: FastifyInstance, deps: Pick<Services, 'alerts' | 'wsHub'>): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
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
    return { status: 'success' as const };
  };
  const readConfig = {
    config: { guard: 'authenticated' as const },
    schema: { summary: 'The alert configuration', response: { 200: AlertConfig, ...CLIENT_ERRORS } },
  };
  const writeConfig = {
    config: { guard: 'admin' as const },
    schema: {
      summary: 'Change any part of the alert configuration',
      body: AlertConfigUpdate,
      response: { 200: SuccessReply, ...CLIENT_ERRORS },
    },
  };

  app.get('/api/alerts/config', readConfig, getConfig);
  app.put('/api/alerts/config', writeConfig, putConfig);
  // The published API: GET /api/alerts/ reads and POST /api/alerts/ updates the same config.
  app.get('/api/alerts', readConfig, getConfig);
  app.post('/api/alerts', writeConfig, putConfig);

  app.get(
    '/api/alerts/active',
    {
      config: { guard: 'authenticated' },
      schema: { summary: 'Active alerts with their metadata', response: { 200: ActiveAlerts, ...CLIENT_ERRORS } },
    },
    async () => alerts.activeAlerts(),
  );

  app.get(
    '/api/alerts/history',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Alert history, newest first',
        querystring: AlertHistoryQuery,
        response: { 200: AlertHistory, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      try {
        return alerts.history(parseHistoryQuery(req.query));
      } catch (err) {
        if (err instanceof QueryError) throw badRequest(err.message);
        throw err;
      }
    },
  );
  app.delete(
    '/api/alerts/history',
    {
      config: { guard: 'admin' },
      schema: { summary: 'Forget the alert history', response: { 200: SuccessReply, ...CLIENT_ERRORS } },
    },
    async () => {
      alerts.clearHistory();
      return { status: 'success' as const, message: 'Alert history cleared' };
    },
  );

  const bulkSchema = (summary: string) => ({
    config: { guard: 'authenticated' as const },
    schema: { summary, body: BulkAlertBody, response: { 200: BulkAlertReply, ...CLIENT_ERRORS } },
  });
  const bulk =
    (action: 'acknowledge' | 'clear') => async (req: FastifyRequest<{ Body: Static<typeof BulkAlertBody> }>) => {
      const user = req.body.user || userOf(req);
      const results = req.body.alertIds.map((id: unknown) => {
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
  app.post('/api/alerts/bulk/acknowledge', bulkSchema('Acknowledge several alerts'), bulk('acknowledge'));
  app.post('/api/alerts/bulk/clear', bulkSchema('Clear several alerts'), bulk('clear'));

  // Ids may contain `/`, so the action is taken from the end of the path.
  app.post(
    '/api/alerts/*',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Acknowledge, unacknowledge or clear one alert: POST /api/alerts/<id>/<action>',
        params: AlertActionParams,
        body: AlertActionBody,
        response: { 200: AlertActionReply, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const parsed = parseActionPath(req.url);
      if (!parsed) throw notFound('Not found');
      if ('error' in parsed) throw badRequest(parsed.error);
      const { id, action } = parsed;
      if (action === 'clear') {
        if (alerts.clear(id)) pushState();
        return { success: true as const };
      }
      const user = req.body?.user || userOf(req);
      const done = action === 'acknowledge' ? alerts.acknowledge(id, user) : alerts.unacknowledge(id);
      if (!done) throw notFound(`alert not found: ${id}`);
      pushState();
      return { success: true as const };
    },
  );
}
