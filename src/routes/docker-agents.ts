/**
 * Docker agent integration (published API "Docker Agent Integration", wire contract §8):
 * agent reports and command acknowledgements, host removal/hiding, the agent version, and the
 * agent's install script and binary when this installation ships them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppDeps } from '../deps.js';
import { DockerError } from '../docker/service.js';
import { HttpError } from '../http/errors.js';
import { PACKAGE_VERSION, PROJECT_ROOT } from '../version.js';

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DockerError) throw new HttpError(err.statusCode, err.message, { code: err.code });
    throw err;
  }
}

const truthy = (v: unknown) => v === 'true' || v === '1' || v === 'yes';

/** `?arch=` spellings → the binary name suffix (§3). */
const ARCH: Record<string, string> = {
  amd64: 'amd64',
  x86_64: 'amd64',
  arm64: 'arm64',
  aarch64: 'arm64',
  armv7: 'armv7',
  armhf: 'armv7',
};

function sendFileOr404(reply: FastifyReply, file: string, type: string, missing: string): FastifyReply {
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    return reply.code(404).type('application/json').send({ error: missing });
  }
  return reply.header('Cache-Control', 'no-cache, no-store, must-revalidate').type(type).send(body);
}

export function registerDockerAgentRoutes(app: FastifyInstance, deps: AppDeps): void {
  const docker = () => deps.docker;

  app.post('/api/agents/docker/report', { config: { guard: 'authenticated' } }, async (req, reply) => {
    const auth = req.auth;
    const caller = auth?.method === 'token' ? { tokenId: auth.tokenId, tokenName: auth.username } : {};
    const out = wrap(() => docker().report(req.body, caller));
    return reply.send(out);
  });

  app.post<{ Params: { id: string } }>(
    '/api/agents/docker/commands/:id/ack',
    { config: { guard: 'authenticated' } },
    async (req) => wrap(() => docker().ack(req.params.id, req.body)),
  );

  app.delete<{ Params: { id: string }; Querystring: Record<string, string> }>(
    '/api/agents/docker/hosts/:id',
    { config: { guard: 'admin' } },
    async (req) =>
      wrap(() => docker().deleteHost(req.params.id, { hide: truthy(req.query.hide), force: truthy(req.query.force) })),
  );

  const hostActions: Array<[string, (id: string) => unknown]> = [
    ['allow-reenroll', (id) => docker().allowReenroll(id)],
    ['unhide', (id) => docker().unhide(id)],
    ['pending-uninstall', (id) => docker().markPendingUninstall(id)],
  ];
  for (const [action, run] of hostActions) {
    app.route<{ Params: { id: string } }>({
      method: ['POST', 'PUT'],
      url: `/api/agents/docker/hosts/:id/${action}`,
      config: { guard: 'admin' },
      handler: async (req) => wrap(() => run(req.params.id)),
    });
  }

  // The agent is versioned with the server; agents compare this to decide whether to update.
  app.get('/api/agent/version', { config: { guard: 'public' } }, async () => ({ version: `v${PACKAGE_VERSION}` }));
  app.get('/api/server/info', { config: { guard: 'public' } }, async () => ({
    isDevelopment: deps.settings.isDevelopment,
    version: `v${PACKAGE_VERSION}`,
  }));

  app.get('/install-docker-agent.sh', { config: { guard: 'public' } }, async (_req, reply) =>
    sendFileOr404(
      reply,
      path.join(PROJECT_ROOT, 'scripts', 'install-docker-agent.sh'),
      'text/x-shellscript; charset=utf-8',
      'Install script not found',
    ),
  );

  app.get<{ Querystring: { arch?: string } }>(
    '/download/pulse-docker-agent',
    { config: { guard: 'public' } },
    async (req, reply) => {
      const arch = ARCH[(req.query.arch ?? '').toLowerCase()];
      const name = arch ? `pulse-docker-agent-linux-${arch}` : 'pulse-docker-agent';
      reply.header('Content-Disposition', `attachment; filename="${name}"`);
      return sendFileOr404(
        reply,
        path.join(PROJECT_ROOT, 'dist', 'agent', name),
        'application/octet-stream',
        'Agent binary not found',
      );
    },
  );
}
