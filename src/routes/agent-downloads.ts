/**
 * Hands out the Docker agent: `/download/pulse-docker-agent?arch=…` serves the single executable
 * for that arch (404 JSON naming the arches this installation ships otherwise),
 * `/install-docker-agent.sh` the script that fetches it from here and installs a systemd
 * service, and `/api/agents/docker/install-command` the one command the UI shows to copy.
 * Binaries live in dist/agent/ (built by `npm run package:agent`, shipped in the release).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { CLIENT_ERRORS } from '../schemas/common.js';
import { AgentDownloadQuery, AgentUnavailableReply, InstallCommandReply } from '../schemas/docker.js';
import type { Services } from '../services.js';
import { PROJECT_ROOT } from '../version.js';

/** `?arch=` spellings (Go's, uname -m's and Debian's) → the name the binaries carry. */
const ARCH_ALIASES: Record<string, string> = {
  amd64: 'amd64',
  x86_64: 'amd64',
  x64: 'amd64',
  arm64: 'arm64',
  aarch64: 'arm64',
  armv7: 'armv7',
  armv7l: 'armv7',
  armhf: 'armv7',
};

const BINARY = /^pulse-docker-agent-linux-([a-z0-9]+)$/;

export function agentDir(): string {
  return path.join(PROJECT_ROOT, 'dist', 'agent');
}

/** Arches with a binary in dist/agent/, looked up per request so a rebuilt agent is served at once. */
export function availableArches(dir = agentDir()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => BINARY.exec(n)?.[1])
    .filter((a): a is string => a !== undefined)
    .sort();
}

/** The release keeps the script in scripts/, a checkout in agent/. */
function installScriptPath(): string | undefined {
  for (const p of [
    path.join(PROJECT_ROOT, 'scripts', 'install-docker-agent.sh'),
    path.join(PROJECT_ROOT, 'agent', 'install-docker-agent.sh'),
  ]) {
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function baseUrl(deps: Pick<Services, 'settings'>, req: FastifyRequest): string {
  if (deps.settings.publicUrl) return deps.settings.publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.headers.host ?? `127.0.0.1:${deps.settings.port}`}`;
}

const NO_CACHE = 'no-cache, no-store, must-revalidate';

export function registerAgentDownloadRoutes(app: FastifyInstance, deps: Pick<Services, 'settings'>): void {
  app.get<{ Querystring: Static<typeof AgentDownloadQuery> }>(
    '/download/pulse-docker-agent',
    {
      config: { guard: 'public' },
      schema: {
        summary: 'The Docker agent executable for an arch (application/octet-stream)',
        querystring: AgentDownloadQuery,
        response: { 200: { type: 'string', format: 'binary' }, 404: AgentUnavailableReply },
      },
    },
    async (req, reply) => {
      const asked = (req.query.arch ?? '').trim().toLowerCase();
      const arch = ARCH_ALIASES[asked];
      const available = availableArches();
      if (!arch || !available.includes(arch)) {
        return reply.code(404).send({
          error: asked
            ? `No Docker agent for arch "${asked}" in this installation`
            : 'Give the arch: /download/pulse-docker-agent?arch=amd64',
          code: 'agent_arch_not_available',
          availableArches: available,
        });
      }
      const file = path.join(agentDir(), `pulse-docker-agent-linux-${arch}`);
      const size = fs.statSync(file).size;
      // Streamed: the executable is ~100 MB and must not be held in memory per download.
      return reply
        .header('Cache-Control', NO_CACHE)
        .header('Content-Disposition', `attachment; filename="pulse-docker-agent-linux-${arch}"`)
        .header('Content-Length', String(size))
        .type('application/octet-stream')
        .send(fs.createReadStream(file));
    },
  );

  app.get(
    '/install-docker-agent.sh',
    {
      config: { guard: 'public' },
      schema: {
        summary: 'The Docker agent install script (text/x-shellscript)',
        response: { 200: { type: 'string' }, 404: AgentUnavailableReply },
      },
    },
    async (_req, reply) => {
      const file = installScriptPath();
      if (!file) return reply.code(404).send({ error: 'Install script not found', code: 'install_script_not_found' });
      return reply
        .header('Cache-Control', NO_CACHE)
        .type('text/x-shellscript; charset=utf-8')
        .send(fs.readFileSync(file));
    },
  );

  // What the Docker page shows when no agent reports; the token is made separately
  // (POST /api/security/tokens) and put in place of <TOKEN>.
  app.get(
    '/api/agents/docker/install-command',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'The command that installs the Docker agent from this server',
        response: { 200: InstallCommandReply, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const url = baseUrl(deps, req);
      return {
        url,
        scriptUrl: `${url}/install-docker-agent.sh`,
        availableArches: availableArches(),
        command: `curl -fsSL ${url}/install-docker-agent.sh | sudo bash -s -- --url ${url} --token <TOKEN>`,
        uninstallCommand: `curl -fsSL ${url}/install-docker-agent.sh | sudo bash -s -- --uninstall`,
      };
    },
  );
}
