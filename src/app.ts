/**
 * buildApp(services): the Fastify instance with cross-cutting behaviour (errors, body limits,
 * route guards, static UI) and every route area registered. Tests use it through a real port.
 */
import type http from 'node:http';
import https from 'node:https';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
  LogController,
} from 'fastify';
import { dbHealth } from './db/health.js';
import { toErrorReply } from './http/errors.js';
import type { RouteRecord } from './http/guard.js';
import { RouteMethods } from './http/method-not-allowed.js';
import { registerOpenApi, registerOpenApiRoutes } from './http/openapi.js';
import { assertRouteSchema } from './http/route-schema-rule.js';
import { responseSerializer, schemaErrorFormatter, validatorCompiler } from './http/validation.js';
import { registerWebUi } from './http/web-ui.js';
import { stripQuery } from './logging.js';
import { registerRoutes } from './routes/index.js';
import { registerSecurity } from './security/index.js';
import type { Services } from './services.js';
import { PACKAGE_VERSION } from './version.js';

export interface BuiltApp {
  app: FastifyInstance;
  /** Every registered route with its guard (for the guard test and diagnostics). */
  routes: RouteRecord[];
}

export interface BuildOptions {
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  https?: { cert: Buffer; key: Buffer };
}

export async function buildApp(services: Services, opts: BuildOptions = {}): Promise<BuiltApp> {
  const { settings, logger, db, clock, security, systemSettings } = services;
  const tlsOptions = opts.https;
  // An https.Server is an http.Server to Fastify's handlers; req.protocol reads the socket.
  const serverFactory: FastifyServerFactory<http.Server> | undefined = tlsOptions
    ? (handler) => https.createServer(tlsOptions, handler) as unknown as http.Server
    : undefined;
  const app = Fastify({
    ...(serverFactory ? { serverFactory } : {}),
    // Fastify's logger type is narrower than pino's; the instance is the same pino logger.
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: settings.bodyLimit,
    trustProxy: false,
    // Per-request lines are noise at this volume (the UI polls); errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Pulse's own ids are not needed in logs; keep lines short.
    genReqId: () => '',
    // Validation errors name the field; the error handler below shapes them as {"error", "field"}.
    schemaErrorFormatter,
  });
  app.setSerializerCompiler(responseSerializer(settings.strictResponses));
  app.setValidatorCompiler(validatorCompiler());

  const routes: RouteRecord[] = [];
  const known = new RouteMethods();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) known.add(method, route.url);
    const isApi = route.url.startsWith('/api') || route.url.startsWith('/ws') || route.url === '/simple-stats';
    // HEAD routes are Fastify's automatic twins of GETs and share their schema.
    if (route.url.startsWith('/api') && !methods.every((m) => m === 'HEAD'))
      assertRouteSchema(route as Parameters<typeof assertRouteSchema>[0]);
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
    dbHealth(db, clock).noteError(err);
    if (out.internal) req.log.error({ err, url: stripQuery(req.url), method: req.method }, 'unhandled error');
    else req.log.debug({ status: out.statusCode, url: stripQuery(req.url) }, out.body.error);
    return reply.status(out.statusCode).type('application/json').send(out.body);
  });

  // The gate (headers, rate limits, auth by guard, CSRF) must wrap every route, so it goes first.
  registerSecurity(app, { security, settings, systemSettings });
  await registerOpenApi(app, { version: PACKAGE_VERSION });
  await registerRoutes(app, services);
  registerOpenApiRoutes(app);
  await registerWebUi(app, { settings }, known);
  return { app, routes };
}
