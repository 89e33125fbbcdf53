/**
 * OIDC single sign-on routes (wire contract §4.10):
 * - GET/PUT /api/security/oidc (admin): the configuration, client secret masked (clientSecretSet);
 * - GET|POST /api/oidc/login (public): starts the code flow — GET redirects (the login button is
 *   a plain link), POST answers `{authorizationUrl}`; both bind the state to this browser by cookie;
 * - GET /api/oidc/callback (public): finishes it, mints a normal session and redirects to the
 *   return path with `?oidc=success`, or to the login page with `?oidc_error=<reason>`.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../http/errors.js';
import { CLIENT_ERRORS, OptionalBody } from '../schemas/common.js';
import {
  OidcCallbackQuery,
  OidcConfig,
  OidcConfigBody,
  OidcLoginBody,
  OidcLoginFailure,
  OidcLoginQuery,
  OidcLoginReply,
  Redirect,
} from '../schemas/oidc.js';
import { OIDC_CALLBACK_PATH, OIDC_STATE_COOKIE, OidcError } from '../security/oidc.js';
import { cookieOptions, setLoginCookies } from '../security/reply-cookies.js';
import type { Services } from '../services.js';

export { OIDC_CALLBACK_PATH };

function stateCookie(req: FastifyRequest, value: string, maxAge: number): string {
  const o = cookieOptions(req);
  // Lax lets the cookie ride along the provider's top-level redirect back to the callback.
  return `${OIDC_STATE_COOKIE}=${value}; Path=/api/oidc; HttpOnly; Max-Age=${maxAge}; SameSite=Lax${o.secure ? '; Secure' : ''}`;
}

function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function withParam(pathname: string, key: string, value: string): string {
  const u = new URL(pathname, 'http://pulse.invalid');
  u.searchParams.set(key, value);
  return `${u.pathname}${u.search}${u.hash}`;
}

export function registerOidcRoutes(fastify: FastifyInstance, deps: Pick<Services, 'oidc' | 'security'>): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { oidc } = deps;
  deps.security.sso = {
    oidcEnabled: () => oidc.enabled(),
    passwordLoginDisabled: () => oidc.passwordLoginDisabled(),
    oidcInfo: () => oidc.settings(),
  };

  app.get(
    '/api/security/oidc',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'The OIDC configuration (client secret masked)',
        response: { 200: OidcConfig, ...CLIENT_ERRORS },
      },
    },
    async () => oidc.view(),
  );

  app.put(
    '/api/security/oidc',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Change the OIDC configuration',
        body: OidcConfigBody,
        response: { 200: OidcConfig, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      try {
        const view = oidc.update(req.body);
        deps.security.audit.record({
          event: 'oidc_config_changed',
          username: req.auth?.username,
          ip: req.clientIp,
          success: true,
          details: { enabled: view.enabled, issuerUrl: view.issuerUrl },
        });
        return view;
      } catch (err) {
        if (err instanceof OidcError) throw badRequest(err.message);
        throw err;
      }
    },
  );

  const begin = async (
    req: FastifyRequest,
    reply: FastifyReply,
    returnTo: unknown,
  ): Promise<{ authorizationUrl?: string; error?: string; message?: string }> => {
    try {
      const { authorizationUrl, state } = await oidc.begin(returnTo);
      reply.header('set-cookie', stateCookie(req, state, 600));
      return { authorizationUrl };
    } catch (err) {
      if (!(err instanceof OidcError)) throw err;
      req.log.warn({ reason: err.reason, err: err.message }, 'OIDC sign-in could not start');
      return { error: err.reason, message: err.message };
    }
  };

  app.post(
    '/api/oidc/login',
    {
      config: { guard: 'public' },
      schema: {
        summary: 'Start single sign-on: the provider URL to send the browser to',
        body: OptionalBody(OidcLoginBody),
        response: { 200: OidcLoginReply, ...CLIENT_ERRORS, 404: OidcLoginFailure, 502: OidcLoginFailure },
      },
    },
    async (req, reply) => {
      const res = await begin(req, reply, req.body?.returnTo);
      if (res.authorizationUrl === undefined)
        return reply
          .code(res.error === 'oidc_disabled' ? 404 : 502)
          .send({ error: res.error ?? 'failed', message: res.message });
      return { authorizationUrl: res.authorizationUrl };
    },
  );

  app.get(
    '/api/oidc/login',
    {
      config: { guard: 'public' },
      schema: {
        summary: 'Start single sign-on by redirecting to the provider',
        querystring: OidcLoginQuery,
        response: { 302: Redirect },
      },
    },
    async (req, reply) => {
      const res = await begin(req, reply, req.query.returnTo);
      if (res.authorizationUrl === undefined)
        return reply.redirect(withParam('/', 'oidc_error', res.error ?? 'failed'));
      return reply.redirect(res.authorizationUrl);
    },
  );

  app.get(
    OIDC_CALLBACK_PATH,
    {
      config: { guard: 'public' },
      schema: {
        summary: 'Where the provider sends the browser back; redirects with ?oidc=success or ?oidc_error=<reason>',
        querystring: OidcCallbackQuery,
        response: { 302: Redirect },
      },
    },
    async (req, reply) => {
      const q = req.url.indexOf('?');
      const query = q === -1 ? '' : req.url.slice(q + 1);
      // The state cookie is single-use whatever the outcome.
      reply.header('set-cookie', stateCookie(req, '', 0));
      try {
        const who = await oidc.finish(query, readCookie(req, OIDC_STATE_COOKIE));
        const session = deps.security.sessions.create(who.username, req.clientIp);
        deps.security.audit.record({
          event: 'login_success',
          username: who.username,
          ip: req.clientIp,
          success: true,
          details: { via: 'oidc' },
        });
        setLoginCookies(reply, req, session);
        return reply.redirect(withParam(who.returnTo, 'oidc', 'success'));
      } catch (err) {
        if (!(err instanceof OidcError)) throw err;
        deps.security.audit.record({
          event: 'login_failure',
          ip: req.clientIp,
          success: false,
          details: { via: 'oidc', reason: err.reason },
        });
        req.log.warn({ reason: err.reason, err: err.message }, 'OIDC sign-in refused');
        return reply.redirect(withParam('/', 'oidc_error', err.reason));
      }
    },
  );
}
