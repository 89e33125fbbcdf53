/** GET /api/diagnostics: live probes of every configured instance plus process facts. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { collectDiagnostics } from '../diagnostics/diagnostics.js';
import { PACKAGE_VERSION } from '../version.js';

export function registerDiagnosticsRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/api/diagnostics', { config: { guard: 'authenticated' } }, async () =>
    collectDiagnostics({
      monitoring: deps.monitoring,
      clock: deps.clock,
      startedAt: deps.startedAt,
      version: `v${PACKAGE_VERSION}`,
    }),
  );
}
