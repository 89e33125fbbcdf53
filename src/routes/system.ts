/** /api/health and /api/version: public, cheap, used by load balancers and scripts. */
import type { FastifyInstance } from 'fastify';
import { dbHealth } from '../db/health.js';
import { HealthReply, VersionReply } from '../schemas/system.js';
import { deploymentType } from '../security/status.js';
import type { Services } from '../services.js';
import { BUILD_TIME, buildKind, PACKAGE_VERSION } from '../version.js';

export function registerSystemRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'clock' | 'db' | 'settings' | 'startedAt' | 'systemSettings' | 'updates'>,
): void {
  const { clock, startedAt, settings } = deps;

  // Degraded (still 200, so a load balancer keeps serving reads) when the database cannot write.
  app.get(
    '/api/health',
    {
      config: { guard: 'public' },
      schema: { summary: 'Liveness and database health', response: { 200: HealthReply } },
    },
    async () => {
      const now = clock.now();
      const database = dbHealth(deps.db, clock).check();
      return {
        status: database.writable ? 'healthy' : 'degraded',
        ...(database.reason ? { reason: database.reason } : {}),
        timestamp: Math.floor(now / 1000),
        uptime: (now - startedAt) / 1000,
        database: { writable: database.writable },
      };
    },
  );

  // The contract's fields (§3), plus nodeVersion; goVersion carries the runtime's version so
  // scripts that print it still get a value. updateAvailable comes from the last update check
  // (never a network call here: this route is public and cheap).
  app.get(
    '/api/version',
    {
      config: { guard: 'public' },
      schema: { summary: 'Version, build and update availability', response: { 200: VersionReply } },
    },
    async () => {
      const build = buildKind(settings);
      const channel = deps.systemSettings.get().updateChannel ?? 'stable';
      const known = deps.updates.lastKnown(channel);
      return {
        version: `v${PACKAGE_VERSION}`,
        buildTime: BUILD_TIME,
        build,
        goVersion: process.version,
        runtime: 'node',
        nodeVersion: process.version,
        channel,
        isDocker: settings.isDocker,
        isDevelopment: build === 'development',
        deploymentType: deploymentType(settings),
        updateAvailable: known?.available ?? false,
        ...(known?.available ? { latestVersion: known.latestVersion } : {}),
      };
    },
  );
}
