/**
 * /api/updates/* (wire contract §7.5). Checks are real (releases feed, 5-min cache); this Node
 * build has no self-installer, so `plan` says so with manual steps and `apply` is a 400 rather
 * than a fake "started".
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import { FeedError } from '../updates/feed.js';
import { formatSemver, parseSemver } from '../updates/semver.js';
import type { Channel } from '../updates/service.js';

function q(query: unknown, key: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[key];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

const HISTORY_STATUSES = new Set(['in_progress', 'success', 'failed', 'rolled_back', 'cancelled']);

export function registerUpdateRoutes(app: FastifyInstance, deps: AppDeps): void {
  const channelOf = (query: unknown): Channel => {
    const c = q(query, 'channel') ?? deps.monitoring.settings.get().updateChannel ?? 'stable';
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
    const steps = docker
      ? [
          'docker pull <your Pulse image>:<new tag>',
          'docker stop pulse && docker rm pulse',
          'docker run … (same volumes and environment as before)',
        ]
      : [
          'Back up the data directory (pulse.db and .encryption.key) while Pulse is stopped',
          `Fetch the ${version === 'latest' ? 'latest release' : `release ${version}`} of this Node build and run "npm ci && npm run build" in its directory`,
          'Restart the Pulse service (for example: sudo systemctl restart pulse)',
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

  app.post('/api/updates/apply', { config: { guard: 'admin' } }, async () => {
    throw badRequest(
      'Automatic updates are not supported for this installation: Pulse cannot replace its own files here. ' +
        'See GET /api/updates/plan for the manual steps.',
      { canAutoUpdate: false },
    );
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
