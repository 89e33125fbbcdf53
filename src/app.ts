/**
 * buildApp(deps): the Fastify instance with cross-cutting behaviour (errors, body limits,
 * route guards, static UI) and every route area registered. Tests use it through a real port.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { dbHealth } from './db/health.js';
import type { AppDeps } from './deps.js';
import { toErrorReply } from './http/errors.js';
import type { RouteRecord } from './http/guard.js';
import { registerWebUi } from './http/web-ui.js';
import { stripQuery } from './logging.js';
import { registerRoutes } from './routes/index.js';
import { registerSecurity } from './security/index.js';

export interface BuiltApp {
  app: FastifyInstance;
  /** Every registered route with its guard (for the guard test and diagnostics). */
  routes: RouteRecord[];
}

export async function buildApp(deps: AppDeps): Promise<BuiltApp> {
  const app = Fastify({
    // Fastify's logger type is narrower than pino's; the instance is the same pino logger.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.settings.bodyLimit,
    trustProxy: false,
    // Per-request lines are noise at this volume (the UI polls); errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Pulse's own ids are not needed in logs; keep lines short.
    genReqId: () => '',
  });

  const routes: RouteRecord[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const isApi = route.url.startsWith('/api') || route.url.startsWith('/ws') || route.url === '/simple-stats';
    const guard = route.config?.guard;
    if (guard === undefined) {
      if (isApi) throw new Error(`route ${methods.join(',')} ${route.url} declares no guard`);
      return;
    }
    for (const method of methods) {
      if (method === 'HEAD' && !isApi) continue;
      routes.push({ method, url: route.url, guard });
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const out = toErrorReply(err);
    // A write that failed for lack of storage turns /api/health degraded.
    dbHealth(deps.db, deps.clock).noteError(err);
    if (out.internal) req.log.error({ err, url: stripQuery(req.url), method: req.method }, 'unhandled error');
    else req.log.debug({ status: out.statusCode, url: stripQuery(req.url) }, out.body.error);
    return reply.status(out.statusCode).type('application/json').send(out.body);
  });

  // The gate (headers, rate limits, auth by guard, CSRF) must wrap every route, so it goes first.
  registerSecurity(app, deps);
  await registerRoutes(app, deps);
  await registerWebUi(app, deps);
  return { app, routes };
}
