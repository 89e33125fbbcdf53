/** /api/health and /api/version: public, cheap, used by load balancers and scripts. */
import type { FastifyInstance } from 'fastify';
import { dbHealth } from '../db/health.js';
import type { AppDeps } from '../deps.js';
import { PACKAGE_VERSION } from '../version.js';

export function registerSystemRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { clock, startedAt, settings } = deps;

  // Degraded (still 200, so a load balancer keeps serving reads) when the database cannot write.
  app.get('/api/health', { config: { guard: 'public' } }, async () => {
    const now = clock.now();
    const database = dbHealth(deps.db, clock).check();
    return {
      status: database.writable ? 'healthy' : 'degraded',
      ...(database.reason ? { reason: database.reason } : {}),
      timestamp: Math.floor(now / 1000),
      uptime: (now - startedAt) / 1000,
      database: { writable: database.writable },
    };
  });

  app.get('/api/version', { config: { guard: 'public' } }, async () => ({
    version: `v${PACKAGE_VERSION}`,
    build: process.env.PULSE_BUILD ?? (settings.isDevelopment ? 'development' : 'release'),
    runtime: 'node',
    nodeVersion: process.version,
    channel: 'stable',
    isDocker: settings.isDocker,
    isDevelopment: settings.isDevelopment,
  }));
}
