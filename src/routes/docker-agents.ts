/**
 * Docker agent integration (published API "Docker Agent Integration", wire contract §8):
 * agent reports and command acknowledgements, host removal/hiding and the agent version.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { DockerError } from '../docker/service.js';
import { HttpError } from '../http/errors.js';
import { CLIENT_ERRORS, ErrorReply, NoBody } from '../schemas/common.js';
import {
  AgentVersionReply,
  CommandAckBody,
  CommandAckReply,
  CommandParams,
  DeleteHostQuery,
  DockerHostParams,
  DockerHostReply,
  DockerReportBody,
  DockerReportReply,
  ServerInfoReply,
} from '../schemas/docker.js';
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

  app.post(
    '/api/agents/docker/report',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Accept a Docker agent report (replaces the host); answers with commands for the agent',
        body: DockerReportBody,
        response: { 200: DockerReportReply, ...CLIENT_ERRORS },
      },
      // A refused report keeps the contract's `code` (§8), so the handler shapes the error.
      attachValidation: true,
    },
    async (req, reply) => {
      if (req.validationError) {
        const field = (req.validationError as { field?: string }).field;
        throw new HttpError(400, req.validationError.message, { code: 'invalid_report', ...(field ? { field } : {}) });
      }
      const auth = req.auth;
      const caller = auth?.method === 'token' ? { tokenId: auth.tokenId, tokenName: auth.username } : {};
      const out = wrap(() => docker().report(req.body, caller));
      return reply.send(out);
    },
  );

  app.post<{ Params: Static<typeof CommandParams> }>(
    '/api/agents/docker/commands/:id/ack',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: "The agent's answer to a command; a completed stop removes the host",
        params: CommandParams,
        body: CommandAckBody,
        response: { 200: CommandAckReply, ...CLIENT_ERRORS, 409: ErrorReply },
      },
    },
    async (req) => wrap(() => docker().ack(req.params.id, req.body)),
  );

  app.delete<{ Params: Static<typeof DockerHostParams>; Querystring: Static<typeof DeleteHostQuery> }>(
    '/api/agents/docker/hosts/:id',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Hide a Docker host, queue a stop for its online agent, or remove it',
        params: DockerHostParams,
        querystring: DeleteHostQuery,
        response: { 200: DockerHostReply, ...CLIENT_ERRORS },
      },
    },
    async (req) =>
      wrap(() => docker().deleteHost(req.params.id, { hide: truthy(req.query.hide), force: truthy(req.query.force) })),
  );

  const hostActions: Array<[string, string, (id: string) => unknown]> = [
    ['allow-reenroll', 'Accept reports from a removed host again', (id) => docker().allowReenroll(id)],
    ['unhide', 'Show a hidden Docker host again', (id) => docker().unhide(id)],
    ['pending-uninstall', 'Mark a Docker host as being uninstalled', (id) => docker().markPendingUninstall(id)],
  ];
  for (const [action, summary, run] of hostActions) {
    app.route<{ Params: Static<typeof DockerHostParams> }>({
      method: ['POST', 'PUT'],
      url: `/api/agents/docker/hosts/:id/${action}`,
      config: { guard: 'admin' },
      schema: { summary, params: DockerHostParams, body: NoBody, response: { 200: DockerHostReply, ...CLIENT_ERRORS } },
      handler: async (req) => wrap(() => run(req.params.id)),
    });
  }

  // The agent is versioned with the server; agents compare this to decide whether to update.
  app.get(
    '/api/agent/version',
    {
      config: { guard: 'public' },
      schema: { summary: 'The Docker agent version this server hands out', response: { 200: AgentVersionReply } },
    },
    async () => ({ version: `v${PACKAGE_VERSION}` }),
  );
  app.get(
    '/api/server/info',
    {
      config: { guard: 'public' },
      schema: { summary: 'Server version and build kind, for agents', response: { 200: ServerInfoReply } },
    },
    async () => ({ isDevelopment: deps.settings.isDevelopment, version: `v${PACKAGE_VERSION}` }),
  );
  // The agent's download and install script: agent-downloads.ts.
}
