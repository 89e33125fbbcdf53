/**
 * /api/security/*: status, quick setup, password change, API tokens, lockout reset, recovery,
 * apply-restart and the audit log (wire contract §4, published API "Security Configuration").
 *
 * Credentials set here are stored in SQLite and take effect at once; nothing is written to .env
 * and no restart is needed.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, forbidden, HttpError, notFound, unauthorized } from '../http/errors.js';
import { isHttps, isPrivateIp, peerInfo } from '../security/client-ip.js';
import { MIN_PASSWORD_LENGTH } from '../security/passwords.js';
import { setLoginCookies } from '../security/reply-cookies.js';
import { deploymentType, securityStatus } from '../security/status.js';
import type { Services } from '../services.js';
import { lockedReply, requireObjectBody } from './auth.js';

const SIGNED_IN = new Set(['session', 'token', 'basic', 'recovery', 'disabled']);

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${name} must be a string`);
  return v;
}

function optionalBool(body: Record<string, unknown>, name: string): boolean {
  const v = body[name];
  return v === true || v === 'true';
}

function isSignedIn(req: FastifyRequest): boolean {
  return req.auth !== null && SIGNED_IN.has(req.auth.method) && req.auth.admin;
}

export function registerSecurityRoutes(app: FastifyInstance, deps: Pick<Services, 'security' | 'settings'>): void {
  const { security, settings } = deps;

  app.get('/api/security/status', { config: { guard: 'public' } }, async (req) => {
    const peer = peerInfo(req.socket.remoteAddress, req.headers);
    return securityStatus(
      security,
      { clientIp: req.clientIp, https: isHttps(req.protocol, peer.peer, req.headers), auth: req.auth },
      isPrivateIp(req.clientIp),
    );
  });

  // Public so the first-run page can call it; once any credential exists the caller must be
  // signed in (Pulse 4.24 honoured `force` without authentication, which let anyone take over).
  app.post('/api/security/quick-setup', { config: { guard: 'public' } }, async (req, reply) => {
    const body = requireObjectBody(req);
    const force = optionalBool(body, 'force');
    if (security.mode() === 'disabled') {
      throw new HttpError(409, 'Authentication is disabled by DISABLE_AUTH; remove it to configure security');
    }
    if (security.credentials.hasPassword() && !force) {
      return {
        success: true,
        skipped: true,
        message: 'Authentication is already configured. Use Settings → Security to change it.',
      };
    }
    if (security.requiresAuth() && !isSignedIn(req)) {
      throw unauthorized('Authentication required to change existing security settings');
    }

    const username = (optionalString(body, 'username') ?? '').trim();
    const password = optionalString(body, 'password') ?? '';
    const apiToken = optionalString(body, 'apiToken')?.trim() || undefined;
    if (!username) throw badRequest('username is required');
    if (username.length > 64 || /[:\s]/.test(username)) {
      throw badRequest('username must be at most 64 characters, without spaces or colons');
    }
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw badRequest(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    if (apiToken !== undefined && (apiToken.length < 16 || apiToken.length > 256 || /\s/.test(apiToken))) {
      throw badRequest('apiToken must be 16 to 256 characters without spaces');
    }

    const res = await security.quickSetup(
      { username, password, apiToken, generateApiToken: optionalBool(body, 'generateApiToken') },
      req.clientIp,
    );
    setLoginCookies(reply, req, res.session);
    return {
      success: true,
      method: settings.isDocker ? 'docker' : 'manual',
      deploymentType: deploymentType(settings),
      requiresManualRestart: false,
      message: 'Security configured. Credentials are active now; no restart is needed.',
      note: 'Credentials are stored hashed in the Pulse database in the data directory, not in .env.',
      ...(res.tokenGenerated ? { apiToken: res.token } : {}),
    };
  });

  app.post('/api/security/change-password', { config: { guard: 'admin' } }, async (req, reply) => {
    const body = requireObjectBody(req);
    const current = optionalString(body, 'currentPassword') ?? '';
    const next = optionalString(body, 'newPassword') ?? '';
    if (next.length < MIN_PASSWORD_LENGTH) {
      throw badRequest('invalid_password', {
        message: `New password must be at least ${MIN_PASSWORD_LENGTH} characters`,
      });
    }
    if (current === '') throw unauthorized('Current password required');
    const res = await security.changePassword(current, next, { ip: req.clientIp, keep: req.auth?.session });
    switch (res.kind) {
      case 'ok':
        return {
          success: true,
          message: 'Password changed successfully. Other sessions have been signed out.',
          requiresRestart: false,
        };
      case 'not_configured':
        throw badRequest('No password is set; use quick setup to create the admin account');
      case 'too_short':
        throw badRequest('invalid_password', {
          message: `New password must be at least ${MIN_PASSWORD_LENGTH} characters`,
        });
      case 'wrong_current':
        throw unauthorized('Current password is incorrect');
      case 'locked':
        return reply.code(403).send(lockedReply(res.lockedUntil, security.now()));
    }
  });

  app.post('/api/security/reset-lockout', { config: { guard: 'admin' } }, async (req) => {
    const body = requireObjectBody(req);
    const identifier = (optionalString(body, 'identifier') ?? '').trim();
    if (!identifier) throw badRequest('identifier is required (a username or an IP address)');
    security.resetLockout(identifier);
    security.audit.record({
      event: 'lockout_reset',
      username: req.auth?.username,
      ip: req.clientIp,
      success: true,
      details: { identifier },
    });
    return { success: true, message: `Lockout reset for ${identifier}` };
  });

  // ---- API tokens -------------------------------------------------------------------------

  app.get('/api/security/tokens', { config: { guard: 'admin' } }, async () => ({ tokens: security.tokens.list() }));

  app.post('/api/security/tokens', { config: { guard: 'admin' } }, async (req) => {
    const body = req.body === undefined || req.body === null ? {} : requireObjectBody(req);
    const name = (optionalString(body, 'name') ?? '').trim() || 'API token';
    if (name.length > 128) throw badRequest('name must be at most 128 characters');
    const created = security.tokens.create(name);
    security.audit.record({
      event: 'token_created',
      username: req.auth?.username,
      ip: req.clientIp,
      success: true,
      details: { tokenId: created.record.id, name },
    });
    return created;
  });

  app.delete<{ Params: { id: string } }>(
    '/api/security/tokens/:id',
    { config: { guard: 'admin' } },
    async (req, reply) => {
      const revoked = security.tokens.revoke(req.params.id);
      if (!revoked) throw notFound('Token not found');
      security.audit.record({
        event: 'token_revoked',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
        details: { tokenId: revoked.id, name: revoked.name },
      });
      return reply.code(204).send();
    },
  );

  // Legacy: replaces every token with one. Always needs an admin (4.24 let it through without
  // credentials when no password was set, i.e. to anyone in API-only mode).
  app.post('/api/security/regenerate-token', { config: { guard: 'admin' } }, async (req) => {
    const { token, record } = security.tokens.replaceAll('Regenerated token');
    security.audit.record({
      event: 'tokens_regenerated',
      username: req.auth?.username,
      ip: req.clientIp,
      success: true,
      details: { tokenId: record.id },
    });
    return {
      success: true,
      token,
      deploymentType: deploymentType(settings),
      requiresRestart: false,
      message: 'All previous API tokens were revoked. Save this token now; it is shown only once.',
    };
  });

  // Lets a login page check a token the user typed; rate-limited with the authentication class.
  app.post('/api/security/validate-token', { config: { guard: 'public' } }, async (req) => {
    const body = requireObjectBody(req);
    const token = (optionalString(body, 'token') ?? '').trim();
    if (!token) throw badRequest('token is required');
    const valid = security.tokens.verify(token) !== undefined;
    return { valid, message: valid ? 'Token is valid' : 'Token is invalid' };
  });

  // ---- recovery and restart -----------------------------------------------------------------

  const requireLocal = (req: FastifyRequest) => {
    const local = peerInfo(req.socket.remoteAddress, req.headers).directLocal;
    if (!local && req.auth?.method !== 'recovery') {
      throw forbidden('Recovery is only available from localhost or with a valid recovery token');
    }
    return local;
  };

  app.get('/api/security/recovery', { config: { guard: 'authenticated' } }, async (req) => {
    requireLocal(req);
    const on = security.recoveryMode();
    return {
      recovery_mode: on,
      message: on ? 'Recovery mode is active: requests from localhost bypass authentication.' : 'Recovery mode is off.',
    };
  });

  app.post('/api/security/recovery', { config: { guard: 'authenticated' } }, async (req) => {
    const local = requireLocal(req);
    const body = requireObjectBody(req);
    const action = optionalString(body, 'action');
    const audit = (event: string, details?: Record<string, string | number>) =>
      security.audit.record({ event, username: req.auth?.username, ip: req.clientIp, success: true, details });
    switch (action) {
      case 'generate_token': {
        if (!local) throw forbidden('Recovery tokens can only be generated from localhost');
        const raw = body.duration ?? 15;
        const minutes = typeof raw === 'number' ? raw : Number(raw);
        if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
          throw badRequest('duration must be a whole number of minutes between 1 and 60');
        }
        const token = security.generateRecoveryToken(minutes);
        audit('recovery_token_generated', { minutes });
        return {
          success: true,
          token,
          expires_in_minutes: minutes,
          message: `Recovery token generated; it works once, in X-Recovery-Token, for ${minutes} minutes.`,
        };
      }
      case 'disable_auth':
        security.setRecoveryMode(true);
        audit('recovery_enabled');
        return {
          success: true,
          message: 'Recovery mode enabled: requests from localhost bypass authentication until it is disabled.',
        };
      case 'enable_auth':
        security.setRecoveryMode(false);
        audit('recovery_disabled');
        return { success: true, message: 'Recovery mode disabled: authentication is required again.' };
      default:
        throw badRequest('action must be one of generate_token, disable_auth, enable_auth');
    }
  });

  app.post('/api/security/apply-restart', { config: { guard: 'authenticated' } }, async () => ({
    success: true,
    message: 'Security settings are applied immediately; no restart is needed.',
  }));

  // ---- audit log ------------------------------------------------------------------------------

  app.get<{ Querystring: { limit?: string; offset?: string } }>(
    '/api/security/audit',
    { config: { guard: 'admin' } },
    async (req) => {
      const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
      const offset = req.query.offset === undefined ? 0 : Number(req.query.offset);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit must be 1–1000');
      if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset must be 0 or more');
      return { events: security.audit.list(limit, offset) };
    },
  );
}
