/**
 * Node onboarding (wire contract §7.9, published API "Auto-Registration"):
 * - POST /api/setup-script-url: a one-time setup code (5 min, single use, bound to type and host)
 *   and the URL/command of the setup script. The URL carries no secret; the code is typed in when
 *   the script asks for it, or given as PULSE_SETUP_CODE.
 * - GET /api/setup-script: the bash script (public: it holds no secret unless the caller put a
 *   code into the URL itself as `auth_token`/`setup_code`).
 * - POST /api/auto-register: adds or updates the node. Always needs a valid setup code or an API
 *   token (Pulse 4.24 accepted anything while no API token existed).
 * - POST /api/test-notification: a sample `node_auto_registered` WS message.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, HttpError, unauthorized } from '../http/errors.js';
import type { NodeAutoRegistered } from '../model/operations.js';
import { CLIENT_ERRORS, ErrorReply, NoBody, OptionalBody } from '../schemas/common.js';
import {
  AutoRegisterBody,
  AutoRegisterReply,
  SetupScriptQuery,
  SetupScriptUrlBody,
  SetupScriptUrlReply,
  ShellScript,
  TestNotificationReply,
} from '../schemas/setup.js';
import type { Services } from '../services.js';
import { NodeValidationError, normaliseHost, parseType } from '../settings/node-config.js';
import { parseAutoRegisterBody, registerNode } from '../setup/auto-register.js';
import { renderSetupScript, type SetupNodeType, setupScriptFileName } from '../setup/script.js';
import { normaliseSetupCode } from '../setup/setup-codes.js';

/** Failed code attempts allowed per client IP and window before further attempts get 429. */
const MAX_CODE_FAILURES = 10;
const FAILURE_WINDOW_MS = 5 * 60_000;

function validation<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof NodeValidationError) throw badRequest(err.message, { field: err.field });
    throw err;
  }
}

/** The base URL the node should call back: PULSE_PUBLIC_URL, else how this request reached us. */
function pulseBaseUrl(deps: Pick<Services, 'settings'>, req: FastifyRequest): string {
  if (deps.settings.publicUrl) return deps.settings.publicUrl.replace(/\/+$/, '');
  const host = req.headers.host ?? `127.0.0.1:${deps.settings.port}`;
  return `${req.protocol}://${host}`;
}

/** A query value that is not blank, trimmed. */
function nonBlank(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && !u.username && !u.password;
  } catch {
    return false;
  }
}

const ERRORS = { ...CLIENT_ERRORS, 429: ErrorReply };

export function registerSetupScriptRoutes(
  fastify: FastifyInstance,
  deps: Pick<Services, 'clock' | 'discovery' | 'events' | 'monitoring' | 'security' | 'settings' | 'setupCodes'>,
): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const codes = deps.setupCodes;
  const failures = new Map<string, number[]>();

  const recentFailures = (ip: string): number => {
    const now = deps.clock.now();
    const list = (failures.get(ip) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    if (list.length) failures.set(ip, list);
    else failures.delete(ip);
    return list.length;
  };

  app.post(
    '/api/setup-script-url',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'A one-time setup code and the setup script URL and command',
        body: OptionalBody(SetupScriptUrlBody),
        response: { 200: SetupScriptUrlReply, ...ERRORS },
      },
    },
    async (req) => {
      const body = req.body ?? {};
      const type = validation(() => parseType(body.type)) as SetupNodeType;
      const rawHost = typeof body.host === 'string' ? body.host.trim() : '';
      const host = rawHost ? validation(() => normaliseHost(rawHost, type)) : '';
      const backupPerms = body.backupPerms === true && type === 'pve';
      const issued = codes.issue(type, host);
      const base = pulseBaseUrl(deps, req);
      const params = new URLSearchParams({ type });
      if (host) params.set('host', host);
      params.set('pulse_url', base);
      if (backupPerms) params.set('backup_perms', 'true');
      const url = `${base}/api/setup-script?${params.toString()}`;
      deps.security.audit.record({
        event: 'setup_code_issued',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
        details: { type, host },
      });
      return {
        url,
        command: `curl -sSL "${url}" | bash`,
        setupCode: issued.code,
        expires: Math.floor(issued.expiresAt / 1000),
      };
    },
  );

  app.get(
    '/api/setup-script',
    {
      config: { guard: 'public' },
      schema: {
        summary: 'The bash setup script for a node (text/plain)',
        querystring: SetupScriptQuery,
        response: { 200: ShellScript, ...ERRORS },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const type = validation(() => parseType(nonBlank(q.type))) as SetupNodeType;
      const rawHost = nonBlank(q.host);
      const host = rawHost ? validation(() => normaliseHost(rawHost, type)) : '';
      const pulseUrl = nonBlank(q.pulse_url) ?? pulseBaseUrl(deps, req);
      if (!isHttpUrl(pulseUrl)) throw badRequest('pulse_url must be an http(s) URL');
      const rawCode = nonBlank(q.auth_token) ?? nonBlank(q.setup_code);
      const setupCode = rawCode === undefined ? undefined : normaliseSetupCode(rawCode);
      if (rawCode !== undefined && setupCode === undefined) throw badRequest('auth_token is not a setup code');
      const backup = nonBlank(q.backup_perms);
      const script = renderSetupScript({
        type,
        host,
        pulseUrl: pulseUrl.replace(/\/+$/, ''),
        backupPerms: type === 'pve' && (backup === 'true' || backup === '1'),
        setupCode,
      });
      return reply
        .type('text/plain; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${setupScriptFileName(type)}"`)
        .header('Cache-Control', 'no-store')
        .send(script);
    },
  );

  app.post(
    '/api/auto-register',
    {
      config: { guard: 'public' },
      schema: {
        summary: 'Add or update a node from its setup script (needs a setup code or an API token)',
        body: OptionalBody(AutoRegisterBody),
        response: { 200: AutoRegisterReply, ...ERRORS },
      },
    },
    async (req) => {
      const viaToken = req.auth?.method === 'token';
      const body = req.body ?? undefined;
      const headerCode = req.headers['x-setup-token'];
      const presentedCode =
        (typeof body?.setupCode === 'string' && body.setupCode) ||
        (typeof body?.authToken === 'string' && body.authToken) ||
        (typeof headerCode === 'string' && headerCode) ||
        undefined;
      if (!viaToken && !presentedCode) throw unauthorized('A setup code or an API token is required');
      if (!viaToken && recentFailures(req.clientIp) >= MAX_CODE_FAILURES) {
        throw new HttpError(429, 'Too many invalid setup codes; try again in a few minutes');
      }
      const { input } = validation(() => parseAutoRegisterBody(body));
      if (!viaToken) {
        const res = codes.consume(presentedCode, input.type, input.host);
        if (!res.ok) {
          failures.set(req.clientIp, [...(failures.get(req.clientIp) ?? []), deps.clock.now()]);
          deps.security.audit.record({
            event: 'node_auto_register',
            ip: req.clientIp,
            success: false,
            details: { type: input.type, host: input.host, reason: res.reason },
          });
          throw unauthorized(
            res.reason === 'mismatch'
              ? 'Setup code was issued for another node type or host'
              : 'Invalid or expired setup code',
          );
        }
      }
      const outcome = await registerNode(deps.monitoring, input);
      deps.security.audit.record({
        event: 'node_auto_register',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
        details: {
          type: input.type,
          host: input.host,
          action: outcome.action,
          via: viaToken ? 'api_token' : 'setup_code',
        },
      });
      const event: NodeAutoRegistered = {
        type: outcome.node.type,
        host: outcome.node.host,
        name: outcome.node.name,
        tokenId: outcome.node.tokenName ?? '',
        hasToken: Boolean(outcome.node.tokenValue),
        verifySSL: outcome.node.verifySSL,
        status: 'registered',
      };
      deps.events.emit('nodeAutoRegistered', event);
      // The UI's discovery list marks configured servers; tell it to refresh (as 4.24 does).
      const found = deps.discovery.result();
      deps.events.emit('discoveryUpdate', {
        servers: found.servers,
        errors: found.errors,
        timestamp: Math.floor(deps.clock.now() / 1000),
        immediate: true,
      });
      const verb =
        outcome.action === 'updated'
          ? 'updated'
          : outcome.action === 'merged'
            ? 'added as a cluster endpoint'
            : 'registered';
      return {
        status: 'success' as const,
        message: `Node ${outcome.node.name} ${verb} successfully`,
        nodeId: input.host,
        action: outcome.action,
      };
    },
  );

  app.post(
    '/api/test-notification',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Broadcast a sample node_auto_registered message to the UI',
        body: NoBody,
        response: { 200: TestNotificationReply, ...ERRORS },
      },
    },
    async () => {
      deps.events.emit('nodeAutoRegistered', {
        type: 'pve',
        host: 'https://test-node.invalid:8006',
        name: 'Test Node',
        tokenId: 'pulse-monitor@pam!pulse-test',
        hasToken: true,
        verifySSL: false,
        status: 'connected',
      });
      return { status: 'notification sent' };
    },
  );
}
