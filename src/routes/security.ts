/**
 * /api/security/*: status, quick setup, password change, API tokens, lockout reset, recovery,
 * apply-restart and the audit log (wire contract §4, published API "Security Configuration").
 *
 * Credentials set here are stored in SQLite and take effect at once; nothing is written to .env
 * and no restart is needed.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { badRequest, forbidden, HttpError, notFound, unauthorized } from '../http/errors.js';
import { CLIENT_ERRORS, ErrorReply, NoBody, OptionalBody } from '../schemas/common.js';
import {
  AuditEvents,
  AuditQuery,
  ChangePasswordBody,
  ChangePasswordReply,
  CreatedToken,
  CreateTokenBody,
  QuickSetupBody,
  QuickSetupReply,
  RecoveryBody,
  RecoveryReply,
  RecoveryStatus,
  RegeneratedToken,
  ResetLockoutBody,
  SecurityOk,
  SecurityStatus,
  TokenList,
  TokenParams,
  ValidateTokenBody,
  ValidateTokenReply,
} from '../schemas/security.js';
import { isHttps, isPrivateIp, peerInfo } from '../security/client-ip.js';
import { MIN_PASSWORD_LENGTH } from '../security/passwords.js';
import { setLoginCookies } from '../security/reply-cookies.js';
import { deploymentType, securityStatus } from '../security/status.js';
import type { Services } from '../services.js';
import { lockedReply } from './auth.js';

const SIGNED_IN = new Set(['session', 'token', 'basic', 'recovery', 'disabled']);

function isSignedIn(req: FastifyRequest): boolean {
  return req.auth !== null && SIGNED_IN.has(req.auth.method) && req.auth.admin;
}

const ERRORS = { ...CLIENT_ERRORS, 409: ErrorReply, 429: ErrorReply };

export function registerSecurityRoutes(fastify: FastifyInstance, deps: Pick<Services, 'security' | 'settings'>): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { security, settings } = deps;

  app.get(
    '/api/security/status',
    {
      config: { guard: 'public' },
      schema: { summary: 'How this server authenticates, and who the caller is', response: { 200: SecurityStatus } },
    },
    async (req) => {
      const peer = peerInfo(req.socket.remoteAddress, req.headers);
      return securityStatus(
        security,
        { clientIp: req.clientIp, https: isHttps(req.protocol, peer.peer, req.headers), auth: req.auth },
        isPrivateIp(req.clientIp),
      );
    },
  );

  // Public so the first-run page can call it; once any credential exists the caller must be
  // signed in (Pulse 4.24 honoured `force` without authentication, which let anyone take over).
  app.post(
    '/api/security/quick-setup',
    {
      config: { guard: 'public' },
      schema: {
        summary: 'Create the admin account (first run, or `force` when signed in)',
        body: QuickSetupBody,
        response: { 200: QuickSetupReply, ...ERRORS },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const force = body.force === true;
      if (security.mode() === 'disabled') {
        throw new HttpError(409, 'Authentication is disabled by DISABLE_AUTH; remove it to configure security');
      }
      if (security.credentials.hasPassword() && !force) {
        return {
          success: true as const,
          skipped: true,
          message: 'Authentication is already configured. Use Settings → Security to change it.',
        };
      }
      if (security.requiresAuth() && !isSignedIn(req)) {
        throw unauthorized('Authentication required to change existing security settings');
      }

      const username = (body.username ?? '').trim();
      const password = body.password ?? '';
      const apiToken = body.apiToken?.trim() || undefined;
      if (!username) throw badRequest('username is required', { field: 'username' });
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw badRequest(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
      }
      if (apiToken !== undefined && (apiToken.length < 16 || apiToken.length > 256 || /\s/.test(apiToken))) {
        throw badRequest('apiToken must be 16 to 256 characters without spaces');
      }

      const res = await security.quickSetup(
        { username, password, apiToken, generateApiToken: body.generateApiToken === true },
        req.clientIp,
      );
      setLoginCookies(reply, req, res.session);
      return {
        success: true as const,
        method: settings.isDocker ? 'docker' : 'manual',
        deploymentType: deploymentType(settings),
        requiresManualRestart: false,
        message: 'Security configured. Credentials are active now; no restart is needed.',
        note: 'Credentials are stored hashed in the Pulse database in the data directory, not in .env.',
        ...(res.tokenGenerated ? { apiToken: res.token } : {}),
      };
    },
  );

  app.post(
    '/api/security/change-password',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Change the admin password (other sessions are signed out)',
        body: ChangePasswordBody,
        response: { 200: ChangePasswordReply, ...ERRORS },
      },
    },
    async (req, reply) => {
      const current = req.body.currentPassword ?? '';
      const next = req.body.newPassword ?? '';
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
            success: true as const,
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
    },
  );

  app.post(
    '/api/security/reset-lockout',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Lift the lockout of a username or an IP address',
        body: ResetLockoutBody,
        response: { 200: SecurityOk, ...ERRORS },
      },
    },
    async (req) => {
      const identifier = req.body.identifier.trim();
      if (!identifier)
        throw badRequest('identifier is required (a username or an IP address)', { field: 'identifier' });
      security.resetLockout(identifier);
      security.audit.record({
        event: 'lockout_reset',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
        details: { identifier },
      });
      return { success: true as const, message: `Lockout reset for ${identifier}` };
    },
  );

  // ---- API tokens -------------------------------------------------------------------------

  app.get(
    '/api/security/tokens',
    {
      config: { guard: 'admin' },
      schema: { summary: 'API tokens (hints only, never the token)', response: { 200: TokenList, ...ERRORS } },
    },
    async () => ({ tokens: security.tokens.list() }),
  );

  app.post(
    '/api/security/tokens',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Create an API token (its value is shown once)',
        body: OptionalBody(CreateTokenBody),
        response: { 200: CreatedToken, ...ERRORS },
      },
    },
    async (req) => {
      const raw = req.body?.name ?? '';
      if (typeof raw !== 'string') throw badRequest('body.name must be string', { field: 'name' });
      const name = raw.trim() || 'API token';
      if (name.length > 128) throw badRequest('body.name must NOT have more than 128 characters', { field: 'name' });
      const created = security.tokens.create(name);
      security.audit.record({
        event: 'token_created',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
        details: { tokenId: created.record.id, name },
      });
      return created;
    },
  );

  app.delete(
    '/api/security/tokens/:id',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Revoke an API token',
        params: TokenParams,
        response: { 204: Type.Null({ description: 'Revoked' }), ...ERRORS },
      },
    },
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
      return reply.code(204).send(null);
    },
  );

  // Legacy: replaces every token with one. Always needs an admin (4.24 let it through without
  // credentials when no password was set, i.e. to anyone in API-only mode).
  app.post(
    '/api/security/regenerate-token',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Replace every API token with one new token (legacy)',
        body: NoBody,
        response: { 200: RegeneratedToken, ...ERRORS },
      },
    },
    async (req) => {
      const { token, record } = security.tokens.replaceAll('Regenerated token');
      security.audit.record({
        event: 'tokens_regenerated',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
        details: { tokenId: record.id },
      });
      return {
        success: true as const,
        token,
        deploymentType: deploymentType(settings),
        requiresRestart: false,
        message: 'All previous API tokens were revoked. Save this token now; it is shown only once.',
      };
    },
  );

  // Lets a login page check a token the user typed; rate-limited with the authentication class.
  app.post(
    '/api/security/validate-token',
    {
      config: { guard: 'public' },
      schema: {
        summary: 'Check an API token',
        body: ValidateTokenBody,
        response: { 200: ValidateTokenReply, ...ERRORS },
      },
    },
    async (req) => {
      const token = req.body.token.trim();
      if (!token) throw badRequest('token is required', { field: 'token' });
      const valid = security.tokens.verify(token) !== undefined;
      return { valid, message: valid ? 'Token is valid' : 'Token is invalid' };
    },
  );

  // ---- recovery and restart -----------------------------------------------------------------

  const requireLocal = (req: FastifyRequest) => {
    const local = peerInfo(req.socket.remoteAddress, req.headers).directLocal;
    if (!local && req.auth?.method !== 'recovery') {
      throw forbidden('Recovery is only available from localhost or with a valid recovery token');
    }
    return local;
  };

  app.get(
    '/api/security/recovery',
    {
      config: { guard: 'authenticated' },
      schema: { summary: 'Whether recovery mode is on (localhost only)', response: { 200: RecoveryStatus, ...ERRORS } },
    },
    async (req) => {
      requireLocal(req);
      const on = security.recoveryMode();
      return {
        recovery_mode: on,
        message: on
          ? 'Recovery mode is active: requests from localhost bypass authentication.'
          : 'Recovery mode is off.',
      };
    },
  );

  app.post(
    '/api/security/recovery',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Recovery: a one-time token, or turn authentication off/on for localhost',
        body: RecoveryBody,
        response: { 200: RecoveryReply, ...ERRORS },
      },
    },
    async (req) => {
      const local = requireLocal(req);
      const { action, duration: minutes = 15 } = req.body;
      const audit = (event: string, details?: Record<string, string | number>) =>
        security.audit.record({ event, username: req.auth?.username, ip: req.clientIp, success: true, details });
      switch (action) {
        case 'generate_token': {
          if (!local) throw forbidden('Recovery tokens can only be generated from localhost');
          const token = security.generateRecoveryToken(minutes);
          audit('recovery_token_generated', { minutes });
          return {
            success: true as const,
            token,
            expires_in_minutes: minutes,
            message: `Recovery token generated; it works once, in X-Recovery-Token, for ${minutes} minutes.`,
          };
        }
        case 'disable_auth':
          security.setRecoveryMode(true);
          audit('recovery_enabled');
          return {
            success: true as const,
            message: 'Recovery mode enabled: requests from localhost bypass authentication until it is disabled.',
          };
        case 'enable_auth':
          security.setRecoveryMode(false);
          audit('recovery_disabled');
          return { success: true as const, message: 'Recovery mode disabled: authentication is required again.' };
      }
    },
  );

  app.post(
    '/api/security/apply-restart',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Kept for old clients: settings apply at once',
        body: NoBody,
        response: { 200: SecurityOk, ...ERRORS },
      },
    },
    async () => ({
      success: true as const,
      message: 'Security settings are applied immediately; no restart is needed.',
    }),
  );

  // ---- audit log ------------------------------------------------------------------------------

  app.get(
    '/api/security/audit',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'The security audit log, newest first',
        querystring: AuditQuery,
        response: { 200: AuditEvents, ...ERRORS },
      },
    },
    async (req) => ({ events: security.audit.list(req.query.limit ?? 100, req.query.offset ?? 0) }),
  );
}
