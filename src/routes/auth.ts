/**
 * POST /api/login and POST /api/logout (wire contract §4.3). Login replies say how many attempts
 * remain, or that the account is locked and until when, so the login page can tell the user.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../http/errors.js';
import { clearLoginCookies, setLoginCookies } from '../security/reply-cookies.js';
import type { Services } from '../services.js';

function stringField(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireObjectBody(req: FastifyRequest): Record<string, unknown> {
  if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    throw badRequest('Request body must be a JSON object');
  }
  return req.body as Record<string, unknown>;
}

export function lockedReply(lockedUntil: number, now: number) {
  const remainingMinutes = Math.max(Math.ceil((lockedUntil - now) / 60_000), 1);
  return {
    error: 'account_locked',
    message: `Too many failed attempts. Account is locked for ${remainingMinutes} more minutes.`,
    lockedUntil: new Date(lockedUntil).toISOString(),
    remainingMinutes,
  };
}

export function registerAuthRoutes(app: FastifyInstance, deps: Pick<Services, 'security'>): void {
  const { security } = deps;

  app.post('/api/login', { config: { guard: 'public' } }, async (req, reply) => {
    const body = requireObjectBody(req);
    const username = stringField(body, 'username') ?? '';
    const password = stringField(body, 'password') ?? '';
    if (username === '' || password === '') throw badRequest('username and password are required');
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
        return { success: true, message: 'Successfully logged in' };
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

  app.post('/api/logout', { config: { guard: 'authenticated' } }, async (req, reply) => {
    security.logout(req.auth?.session, req.clientIp);
    clearLoginCookies(reply, req);
    return { success: true, message: 'Successfully logged out' };
  });
}
