/**
 * /api/updates/* (wire contract §7.5). Checks are real (releases feed, 5-min cache). On a service
 * install (scripts/install.sh) `apply` downloads, verifies and installs through the installer
 * with rollback; elsewhere `plan` gives the manual steps and `apply` is a 400.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import type { Services } from '../services.js';
import { FeedError } from '../updates/feed.js';
import { formatSemver, parseSemver } from '../updates/semver.js';
import { ApplyError, type Channel } from '../updates/service.js';

function q(query: unknown, key: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[key];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

const HISTORY_STATUSES = new Set(['in_progress', 'success', 'failed', 'rolled_back', 'cancelled']);

export function registerUpdateRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'settings' | 'systemSettings' | 'updates'>,
): void {
  const channelOf = (query: unknown): Channel => {
    const c = q(query, 'channel') ?? deps.systemSettings.get().updateChannel ?? 'stable';
    if (c !== 'stable' && c !== 'rc') throw badRequest('channel must be stable or rc');
    return c;
  };

  app.get('/api/updates/check', { config: { guard: 'authenticated' } }, async (req) => {
    const channel = channelOf(req.query);
    try {
      return await deps.updates.check(channel);
    } catch (err) {
      // The feed is someone else's server: its failure is a gateway error, not ours.
      if (err instanceof FeedError) throw new HttpError(502, err.message);
      throw err;
    }
  });

  app.get('/api/updates/status', { config: { guard: 'authenticated' } }, async () => deps.updates.status());

  app.get('/api/updates/plan', { config: { guard: 'authenticated' } }, async (req) => {
    const channel = channelOf(req.query);
    const raw = q(req.query, 'version');
    const parsed = raw === undefined ? undefined : parseSemver(raw);
    if (raw !== undefined && !parsed) throw badRequest('version must look like v4.30.0');
    const version = parsed ? formatSemver(parsed) : 'latest';
    const docker = deps.settings.isDocker;
    const installer = deps.updates.installer;
    if (installer) {
      return {
        version,
        channel,
        canAutoUpdate: true,
        steps: [
          'Download the release tarball and its .sha256',
          'Verify the checksum',
          installer.systemd
            ? 'pulse-update.service runs the installer: install next to the running release, restart, check /api/health'
            : 'The installer installs next to the running release, restarts Pulse and checks /api/health',
          'Roll back to the running release if the new one does not answer within 60 s',
        ],
        instructions: `Pulse updates itself through its installer (${installer.script}); data and settings are kept.`,
        prerequisites: installer.systemd ? ['pulse-update.path enabled (the installer sets it up)'] : [],
        estimatedTime: '1-2 minutes',
        requiresRoot: false,
        rollbackSupport: true,
      };
    }
    const steps = docker
      ? [
          'docker pull <your Pulse image>:<new tag>',
          'docker stop pulse && docker rm pulse',
          'docker run … (same volumes and environment as before)',
        ]
      : [
          'Back up the data directory (pulse.db and .encryption.key) while Pulse is stopped',
          `Fetch the ${version === 'latest' ? 'latest release' : `release ${version}`} tarball (pulse-<version>-linux-<arch>.tar.gz) and its .sha256`,
          'Install it as root with its installer: sudo ./install.sh pulse-<version>-linux-<arch>.tar.gz (docs/INSTALL.md); from a checkout: git pull && npm ci && npm run build, then restart Pulse',
        ];
    return {
      version,
      channel,
      canAutoUpdate: false,
      steps,
      instructions: `Automatic updates are not supported for this installation (${deps.updates.currentVersion}, ${
        docker ? 'Docker' : 'Node.js build'
      }). Update manually: ${steps.join('; ')}.`,
      prerequisites: docker ? ['Docker access on the host'] : ['Node.js 20 or newer', 'shell access to the Pulse host'],
      estimatedTime: '5-10 minutes',
      requiresRoot: !docker,
      rollbackSupport: false,
    };
  });

  app.post('/api/updates/apply', { config: { guard: 'admin' } }, async (req) => {
    if (!deps.updates.installer) {
      throw badRequest(
        'Automatic updates are not supported for this installation: Pulse cannot replace its own files here. ' +
          'See GET /api/updates/plan for the manual steps.',
        { canAutoUpdate: false },
      );
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const url = typeof body.downloadUrl === 'string' ? body.downloadUrl.trim() : '';
    if (!url) throw badRequest('downloadUrl is required');
    try {
      const started = deps.updates.apply(url, req.auth?.username ?? 'user');
      return { status: started.status, message: started.message };
    } catch (err) {
      if (err instanceof ApplyError) throw new HttpError(err.statusCode, err.message);
      throw err;
    }
  });

  app.get('/api/updates/history', { config: { guard: 'authenticated' } }, async (req) => {
    const status = q(req.query, 'status');
    if (status !== undefined && !HISTORY_STATUSES.has(status)) {
      throw badRequest(`status must be one of ${[...HISTORY_STATUSES].join(', ')}`);
    }
    const limitRaw = q(req.query, 'limit');
    const limit = limitRaw === undefined ? 50 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1) throw badRequest('limit must be a positive whole number');
    return deps.updates.history(limit, status);
  });

  app.get('/api/updates/history/entry', { config: { guard: 'authenticated' } }, async (req) => {
    const id = q(req.query, 'id');
    if (!id) throw badRequest('id is required');
    const entry = deps.updates.entry(id);
    if (!entry) throw notFound('Update history entry not found');
    return entry;
  });
}
