/**
 * The request gate, registered once on the root instance so it covers every route (including
 * routes other areas add later, the WebSocket upgrade and unknown paths):
 *
 *   1. security headers;
 *   2. rate limit by class and client IP (429 + Retry-After);
 *   3. authentication by the route's declared guard (public / authenticated / admin), in the
 *      contract's order: DISABLE_AUTH → recovery file + localhost → nothing configured (open) →
 *      token / session / Basic, with API-only mode's read access for the listed GETs;
 *   4. CSRF for state-changing requests authenticated by a session.
 *
 * Handlers learn the caller from `req.auth` (see types.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Guard } from '../http/guard.js';
import { isHttps, isLoopback, peerInfo } from './client-ip.js';
import { securityHeaders } from './headers.js';
import { classify } from './rate-limit.js';
import { setCsrfCookie } from './reply-cookies.js';
import { presentedCredentials } from './request-credentials.js';
import type { SecurityService } from './security-service.js';
import type { AuthContext } from './types.js';

/** GETs that stay readable without a token in API-only mode (wire contract §4.1 step 6). */
const API_ONLY_READABLE = new Set([
  '/api/state',
  '/api/config/nodes',
  '/api/config/system',
  '/api/settings',
  '/api/discover',
  '/api/security/status',
  '/api/version',
  '/api/health',
  '/api/updates/check',
  '/api/system/diagnostics',
  '/api/guests/metadata',
  '/ws',
]);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function normalisePath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  let p = (q === -1 ? rawUrl : rawUrl.slice(0, q)).replace(/\/{2,}/g, '/');
  if (p.length > 1 && p.endsWith('/')) p = p.replace(/\/+$/, '');
  return p || '/';
}

export function isApiOnlyReadable(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return API_ONLY_READABLE.has(path) || path.startsWith('/api/guests/metadata/');
}

function isApiPath(path: string): boolean {
  return (
    path === '/api' ||
    path.startsWith('/api/') ||
    path === '/ws' ||
    path.startsWith('/ws/') ||
    path.startsWith('/socket.io') ||
    path === '/simple-stats'
  );
}

/**
 * The guard of the matched route; unmatched API paths are treated as authenticated. An
 * `authenticated` route may declare `publicWhen` to be opened by a setting at request time (/metrics).
 */
function guardOf(req: FastifyRequest, path: string): Guard {
  const config = req.routeOptions?.config as { guard?: Guard; publicWhen?: () => boolean } | undefined;
  const declared = config?.guard;
  // Only `authenticated` can be opened this way: an admin route never becomes public by a setting.
  if (declared) return declared === 'authenticated' && config?.publicWhen?.() === true ? 'public' : declared;
  return isApiPath(path) ? 'authenticated' : 'public';
}

function sendJson(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  const req = reply.request;
  if (req.headers.upgrade) {
    // A refused WebSocket upgrade: the socket is not an HTTP connection the server will reuse or
    // close, and the websocket plugin's own cleanup hook does not run when we answer first.
    reply.header('Connection', 'close');
    reply.raw.once('finish', () => req.raw.socket.destroy());
  }
  return reply.code(status).type('application/json').send(body);
}

export function registerSecurityGate(app: FastifyInstance, security: SecurityService): void {
  app.decorateRequest('auth', null);
  app.decorateRequest('clientIp', '');

  app.addHook('onRequest', async (req, reply) => {
    const peer = peerInfo(req.socket.remoteAddress, req.headers);
    req.clientIp = peer.client;
    reply.headers(securityHeaders(isHttps(req.protocol, peer.peer, req.headers)));
    const path = normalisePath(req.url);

    // 2. Rate limits.
    const cls = classify(req.method, path);
    if (cls && security.options.rateLimitsEnabled && !(security.options.exemptLoopback && isLoopback(peer.client))) {
      const d = security.limiter.hit(`${cls}:${peer.client}`, security.rateRule(cls));
      // Every limited reply says where the client stands, so scripts can slow down before a 429.
      reply
        .header('X-RateLimit-Limit', String(d.limit))
        .header('X-RateLimit-Remaining', String(d.remaining))
        .header('X-RateLimit-Reset', new Date(d.resetAt).toISOString());
      if (!d.allowed) {
        const message = 'Rate limit exceeded. Please try again later.';
        reply.header('Retry-After', String(Math.ceil(d.retryAfterMs / 1000)));
        req.log.warn({ ip: peer.client, rateClass: cls, url: path }, 'rate limit exceeded');
        return sendJson(reply, 429, path === '/api/login' ? { error: 'rate_limit', message } : { error: message });
      }
    }

    // 3. Authentication. CORS preflights carry no credentials by design and expose nothing.
    const guard = req.method === 'OPTIONS' ? 'public' : guardOf(req, path);
    const mode = security.mode();
    const creds = presentedCredentials(path, req.url, req.headers);

    if (mode === 'disabled') {
      reply.header('X-Auth-Disabled', 'true');
      // A token that is supplied must still be valid when tokens exist.
      if (creds.token !== undefined && security.tokens.hasTokens()) {
        const rec = security.tokens.verify(creds.token);
        if (!rec && guard !== 'public') return sendJson(reply, 401, { error: 'Invalid API token' });
      }
      req.auth = { method: 'disabled', admin: true };
      return;
    }
    if (peer.directLocal && security.recoveryMode()) {
      reply.header('X-Auth-Recovery', 'true');
      req.auth = { method: 'recovery', admin: true };
      return;
    }

    let auth: AuthContext | null = null;
    if (path === '/api/security/recovery' && security.consumeRecoveryToken(headerValue(req, 'x-recovery-token'))) {
      auth = { method: 'recovery', admin: true };
    } else {
      const outcome = await security.authenticate(creds, peer.client);
      if (outcome.kind === 'ok') auth = outcome.auth;
      else if (guard !== 'public' && mode !== 'open') {
        if (outcome.kind === 'locked') {
          const minutes = Math.ceil((outcome.lockedUntil - security.now()) / 60_000);
          return sendJson(reply, 403, {
            error: 'Account temporarily locked',
            message: `Too many failed attempts. Try again in ${Math.max(minutes, 1)} minutes.`,
            lockedUntil: new Date(outcome.lockedUntil).toISOString(),
          });
        }
        if (outcome.kind === 'invalid') return deny(reply, mode, outcome.reason);
      }
    }

    if (auth === null) {
      if (mode === 'open') auth = { method: 'open', admin: true };
      else if (guard !== 'public') {
        if (mode === 'api-only' && isApiOnlyReadable(req.method, path)) auth = { method: 'readonly', admin: false };
        else return deny(reply, mode, 'Authentication required');
      }
    }
    if (guard === 'admin' && auth && !auth.admin && auth.method !== 'readonly') {
      return sendJson(reply, 403, { error: 'Admin privileges required' });
    }
    req.auth = auth;

    // 4. CSRF: a session cookie is sent by the browser on its own, so state-changing requests
    // made with one must prove they come from our page by echoing the pulse_csrf token.
    if (auth?.method === 'session' && auth.session && !SAFE_METHODS.has(req.method)) {
      if (!security.sessions.checkCsrf(auth.session, headerValue(req, 'x-csrf-token'))) {
        const fresh = security.sessions.rotateCsrf(auth.session);
        setCsrfCookie(reply, req, fresh);
        reply.header('X-CSRF-Token', fresh);
        security.audit.record({
          event: 'csrf_rejected',
          username: auth.username,
          ip: peer.client,
          success: false,
          details: { method: req.method, path },
        });
        return sendJson(reply, 403, { error: 'CSRF token validation failed', csrfToken: fresh });
      }
    }
  });
}

function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function deny(reply: FastifyReply, mode: string, error: string): FastifyReply {
  if (mode === 'api-only') reply.header('WWW-Authenticate', 'Bearer realm="API Token Required"');
  return sendJson(reply, 401, { error });
}
