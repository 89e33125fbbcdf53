/** /api/health and /api/version: public, cheap, used by load balancers and scripts. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { PACKAGE_VERSION } from '../version.js';

export function registerSystemRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { clock, startedAt, settings } = deps;

  app.get('/api/health', { config: { guard: 'public' } }, async () => {
    const now = clock.now();
    return {
      status: 'healthy',
      timestamp: Math.floor(now / 1000),
      uptime: (now - startedAt) / 1000,
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
