/**
 * The request gate, registered once on the root instance so it covers every route (including
 * routes other areas add later, the WebSocket upgrade and unknown paths):
 *
 *   1. security headers;
 *   2. rate limit by class and client IP (429 + Retry-After);
 *   3. authentication by the route's declared guard (public / authenticated / admin), in the
 *      contract's order: DISABLE_AUTH → recovery file + localhost → nothing configured (open) →
 *      token / session / Basic. Failed attempts count against the client address on every route.
 *      API-only mode needs a token for everything but public routes (Pulse 4.24 let the
 *      inventory be read without one; see docs/SECURITY.md);
 *   4. CSRF for state-changing requests: a cross-site Origin is refused unless a token header
 *      authenticated the request, and a session alone must echo its CSRF token.
 *
 * Handlers learn the caller from `req.auth` (see types.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Guard } from '../http/guard.js';
import { isHttps, isLoopback, peerInfo } from './client-ip.js';
import { crossSiteRefusal } from './csrf.js';
import { securityHeaders } from './headers.js';
import { classify } from './rate-limit.js';
import { presentedCredentials } from './request-credentials.js';
import type { SecurityService } from './security-service.js';
import type { AuthContext } from './types.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function normalisePath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  let p = (q === -1 ? rawUrl : rawUrl.slice(0, q)).replace(/\/{2,}/g, '/');
  if (p.length > 1 && p.endsWith('/')) p = p.replace(/\/+$/, '');
  return p || '/';
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
  app.decorateRequest('cookieSameSiteNone', false);

  app.addHook('onRequest', async (req, reply) => {
    const peer = peerInfo(req.socket.remoteAddress, req.headers);
    req.clientIp = peer.client;
    const secure = isHttps(req.protocol, peer.peer, req.headers);
    req.cookieSameSiteNone = secure && security.browser.allowEmbedding();
    reply.headers(securityHeaders(secure));
    const path = normalisePath(req.url);
    const limitsApply =
      security.options.rateLimitsEnabled && !(security.options.exemptLoopback && isLoopback(peer.client));

    // 2. Rate limits.
    const cls = classify(req.method, path);
    if (cls && limitsApply) {
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
    const proxied = security.proxyAuth(req.headers);
    if (proxied) {
      reply.header('X-Authenticated-User', proxied.username).header('X-Auth-Method', 'proxy');
      auth = proxied;
    }
    // Session ids are 256-bit random and not worth guessing, while a browser keeps sending an
    // expired one for a while: only tokens and passwords count as guesses.
    const presented = creds.token !== undefined || creds.basic !== undefined;
    // An address that failed too often is not given another guess, whatever the route.
    const blockedUntil = presented && limitsApply ? security.authFailures.blockedUntil(peer.client) : undefined;
    if (blockedUntil !== undefined && mode !== 'open') {
      reply.header('Retry-After', String(Math.max(Math.ceil((blockedUntil - security.now()) / 1000), 1)));
      req.log.warn({ ip: peer.client, url: path }, 'too many failed authentications');
      return sendJson(reply, 429, { error: 'Too many failed authentication attempts. Please try again later.' });
    }
    if (auth !== null) {
      // Authenticated by the proxy: other credentials on the request are not consulted.
    } else if (
      path === '/api/security/recovery' &&
      security.consumeRecoveryToken(headerValue(req, 'x-recovery-token'))
    ) {
      auth = { method: 'recovery', admin: true };
    } else {
      const outcome = await security.authenticate(creds, peer.client);
      if (outcome.kind === 'invalid' && mode !== 'open') security.authFailures.fail(peer.client);
      if (outcome.kind === 'ok') auth = outcome.auth;
      else if (outcome.kind === 'throttled' && guard !== 'public' && mode !== 'open') {
        reply.header('Retry-After', String(Math.max(Math.ceil((outcome.retryAt - security.now()) / 1000), 1)));
        return sendJson(reply, 429, { error: 'Too many failed attempts for this user. Please try again later.' });
      } else if (guard !== 'public' && mode !== 'open') {
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
      else if (guard !== 'public') return deny(reply, mode, 'Authentication required');
    }
    if (guard === 'admin' && auth && !auth.admin && auth.method !== 'readonly') {
      return sendJson(reply, 403, { error: 'Admin privileges required' });
    }
    req.auth = auth;

    // 4. CSRF. Browsers attach cookies and cached Basic credentials to cross-site requests on
    // their own, but cannot attach a token header without a CORS preflight we never grant.
    if (SAFE_METHODS.has(req.method) || auth?.method === 'token') return;
    const refusal = crossSiteRefusal(req.headers, () => security.browser.allowedOrigins());
    if (refusal !== undefined) {
      return csrfRefused(reply, security, { username: auth?.username, ip: peer.client, path, why: refusal });
    }
    // §4.5: the session's token is required when the session cookie is the only credential.
    const explicit = headerValue(req, 'authorization') !== undefined || headerValue(req, 'x-api-token') !== undefined;
    if (auth?.method === 'session' && auth.session && !explicit) {
      if (!security.sessions.checkCsrf(auth.session, headerValue(req, 'x-csrf-token'))) {
        // No new token here: rotating on a refusal would let a forged request break the real page.
        return csrfRefused(reply, security, { username: auth.username, ip: peer.client, path, why: 'bad token' });
      }
    }
  });
}

function csrfRefused(
  reply: FastifyReply,
  security: SecurityService,
  ctx: { username?: string; ip: string; path: string; why: string },
): FastifyReply {
  security.audit.record({
    event: 'csrf_rejected',
    username: ctx.username,
    ip: ctx.ip,
    success: false,
    details: { method: reply.request.method, path: ctx.path, reason: ctx.why },
  });
  return sendJson(reply, 403, { error: 'CSRF token validation failed' });
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
