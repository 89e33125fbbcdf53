/**
 * POST /api/login and POST /api/logout (wire contract §4.3). Login replies say how many attempts
 * remain, or that the account is locked and until when, so the login page can tell the user.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { LoginBody, LoginOk, LoginRefused } from '../schemas/auth.js';
import { CLIENT_ERRORS, NoBody } from '../schemas/common.js';
import { clearLoginCookies, setLoginCookies } from '../security/reply-cookies.js';
import type { Services } from '../services.js';

export function lockedReply(lockedUntil: number, now: number) {
  const remainingMinutes = Math.max(Math.ceil((lockedUntil - now) / 60_000), 1);
  return {
    error: 'account_locked',
    message: `Too many failed attempts. Account is locked for ${remainingMinutes} more minutes.`,
    lockedUntil: new Date(lockedUntil).toISOString(),
    remainingMinutes,
  };
}

export function registerAuthRoutes(fastify: FastifyInstance, deps: Pick<Services, 'security'>): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { security } = deps;

  const schema = {
    summary: 'Sign in with username and password (sets the session and CSRF cookies)',
    body: LoginBody,
    response: {
      200: LoginOk,
      ...CLIENT_ERRORS,
      400: LoginRefused,
      401: LoginRefused,
      403: LoginRefused,
      429: LoginRefused,
    },
  };
  app.post('/api/login', { config: { guard: 'public' }, schema }, async (req, reply) => {
    const { username, password } = req.body;
    if (security.sso.passwordLoginDisabled()) {
      return reply.code(403).send({
        error: 'password_login_disabled',
        message: 'Password sign-in is disabled; sign in with single sign-on.',
      });
    }

    const res = await security.login(username, password, req.clientIp);
    switch (res.kind) {
      case 'ok':
        setLoginCookies(reply, req, res.session);
        return { success: true as const, message: 'Successfully logged in' };
      case 'not_configured':
        return reply.code(400).send({
          error: 'not_configured',
          message: 'Password authentication is not configured. Use quick setup to create the admin account.',
        });
      case 'locked':
        return reply.code(403).send(lockedReply(res.lockedUntil, security.now()));
      case 'throttled': {
        const seconds = Math.max(Math.ceil((res.retryAt - security.now()) / 1000), 1);
        return reply
          .code(429)
          .header('Retry-After', String(seconds))
          .send({
            error: 'rate_limit',
            message: `Too many failed attempts for this user from other addresses. Try again in ${seconds} seconds.`,
          });
      }
      case 'invalid': {
        const maxAttempts = security.lockout.maxAttempts;
        if (res.lockedNow) {
          const minutes = Math.round(security.lockout.lockoutMs / 60_000);
          return reply.code(401).send({
            error: 'invalid_credentials',
            message: `Invalid username or password. Account is now locked for ${minutes} minutes.`,
            locked: true,
            lockoutDuration: `${minutes} minutes`,
            attempts: res.attempts,
            remaining: 0,
            maxAttempts,
          });
        }
        return reply.code(401).send({
          error: 'invalid_credentials',
          message: `Invalid username or password. You have ${res.remaining} attempts remaining.`,
          attempts: res.attempts,
          remaining: res.remaining,
          maxAttempts,
        });
      }
    }
  });

  app.post(
    '/api/logout',
    {
      config: { guard: 'authenticated' },
      schema: { summary: 'Sign out (ends the session)', body: NoBody, response: { 200: LoginOk, ...CLIENT_ERRORS } },
    },
    async (req, reply) => {
      security.logout(req.auth?.session, req.clientIp);
      clearLoginCookies(reply, req);
      return { success: true as const, message: 'Successfully logged out' };
    },
  );
}
