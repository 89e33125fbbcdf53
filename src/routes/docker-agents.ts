/**
 * Docker agent integration (published API "Docker Agent Integration", wire contract §8):
 * agent reports and command acknowledgements, host removal/hiding and the agent version.
 */
import type { FastifyInstance } from 'fastify';
import { DockerError } from '../docker/service.js';
import { HttpError } from '../http/errors.js';
import type { Services } from '../services.js';
import { PACKAGE_VERSION } from '../version.js';

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DockerError) throw new HttpError(err.statusCode, err.message, { code: err.code });
    throw err;
  }
}

const truthy = (v: unknown) => v === 'true' || v === '1' || v === 'yes';

export function registerDockerAgentRoutes(app: FastifyInstance, deps: Pick<Services, 'docker' | 'settings'>): void {
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
  // The agent's download and install script: agent-downloads.ts.
}
