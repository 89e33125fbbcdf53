/**
 * /api/updates/* (wire contract §7.5). Checks are real (releases feed, 5-min cache). On a service
 * install (scripts/install.sh) `apply` downloads, verifies and installs through the installer
 * with rollback; elsewhere `plan` gives the manual steps and `apply` is a 400.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import { CLIENT_ERRORS, ErrorReply } from '../schemas/common.js';
import {
  UpdateApplyBody,
  UpdateApplyReply,
  UpdateCheckQuery,
  UpdateEntryQuery,
  UpdateHistoryEntry,
  UpdateHistoryQuery,
  UpdateHistoryReply,
  UpdateInfo,
  UpdatePlan,
  UpdatePlanQuery,
  UpdateStatus,
} from '../schemas/updates.js';
import type { Services } from '../services.js';
import { FeedError } from '../updates/feed.js';
import { formatSemver, parseSemver } from '../updates/semver.js';
import { ApplyError, type Channel } from '../updates/service.js';

export function registerUpdateRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'settings' | 'systemSettings' | 'updates'>,
): void {
  const channelOf = (query: { channel?: Channel }): Channel =>
    query.channel ?? deps.systemSettings.get().updateChannel ?? 'stable';

  app.get<{ Querystring: Static<typeof UpdateCheckQuery> }>(
    '/api/updates/check',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Whether a newer release is available on a channel',
        querystring: UpdateCheckQuery,
        response: { 200: UpdateInfo, ...CLIENT_ERRORS, 502: ErrorReply },
      },
    },
    async (req) => {
      const channel = channelOf(req.query);
      try {
        return await deps.updates.check(channel);
      } catch (err) {
        // The feed is someone else's server: its failure is a gateway error, not ours.
        if (err instanceof FeedError) throw new HttpError(502, err.message);
        throw err;
      }
    },
  );

  app.get(
    '/api/updates/status',
    {
      config: { guard: 'authenticated' },
      schema: { summary: 'Progress of the current update, if any', response: { 200: UpdateStatus, ...CLIENT_ERRORS } },
    },
    async () => deps.updates.status(),
  );

  app.get<{ Querystring: Static<typeof UpdatePlanQuery> }>(
    '/api/updates/plan',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'How this installation updates: automatically through its installer, or the manual steps',
        querystring: UpdatePlanQuery,
        response: { 200: UpdatePlan, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const channel = channelOf(req.query);
      const raw = req.query.version?.trim() || undefined;
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
        prerequisites: docker
          ? ['Docker access on the host']
          : ['Node.js 20 or newer', 'shell access to the Pulse host'],
        estimatedTime: '5-10 minutes',
        requiresRoot: !docker,
        rollbackSupport: false,
      };
    },
  );

  app.post<{ Body: Static<typeof UpdateApplyBody> }>(
    '/api/updates/apply',
    {
      config: { guard: 'admin' },
      // Where Pulse cannot update itself, say so whatever the body.
      preValidation: async () => {
        if (!deps.updates.installer) {
          throw badRequest(
            'Automatic updates are not supported for this installation: Pulse cannot replace its own files here. ' +
              'See GET /api/updates/plan for the manual steps.',
            { canAutoUpdate: false },
          );
        }
      },
      schema: {
        summary: 'Download, verify and install a release through the installer (service installs only)',
        body: UpdateApplyBody,
        response: { 200: UpdateApplyReply, ...CLIENT_ERRORS, 409: ErrorReply },
      },
    },
    async (req) => {
      const url = req.body.downloadUrl.trim();
      if (!url) throw badRequest('downloadUrl is required', { field: 'downloadUrl' });
      try {
        const started = deps.updates.apply(url, req.auth?.username ?? 'user');
        return { status: started.status, message: started.message };
      } catch (err) {
        if (err instanceof ApplyError) throw new HttpError(err.statusCode, err.message);
        throw err;
      }
    },
  );

  app.get<{ Querystring: Static<typeof UpdateHistoryQuery> }>(
    '/api/updates/history',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Past update checks and installs, newest first',
        querystring: UpdateHistoryQuery,
        response: { 200: UpdateHistoryReply, ...CLIENT_ERRORS },
      },
    },
    async (req) => deps.updates.history(req.query.limit ?? 50, req.query.status),
  );

  app.get<{ Querystring: Static<typeof UpdateEntryQuery> }>(
    '/api/updates/history/entry',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'One update history entry',
        querystring: UpdateEntryQuery,
        response: { 200: UpdateHistoryEntry, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const entry = deps.updates.entry(req.query.id.trim());
      if (!entry) throw notFound('Update history entry not found');
      return entry;
    },
  );
}
