/** GET /api/diagnostics: live probes of every configured instance plus process facts. */
import type { FastifyInstance } from 'fastify';
import { collectDiagnostics } from '../diagnostics/diagnostics.js';
import { CLIENT_ERRORS } from '../schemas/common.js';
import { DiagnosticsReport } from '../schemas/diagnostics.js';
import type { Services } from '../services.js';
import { PACKAGE_VERSION } from '../version.js';

export function registerDiagnosticsRoutes(
  app: FastifyInstance,
  deps: Pick<
    Services,
    'alerts' | 'clock' | 'discovery' | 'mockMode' | 'monitoring' | 'startedAt' | 'state' | 'updates' | 'wsHub'
  >,
): void {
  app.get(
    '/api/diagnostics',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Live probes of every configured instance, plus process and service facts',
        response: { 200: DiagnosticsReport, ...CLIENT_ERRORS },
      },
    },
    async () => {
      const report = await collectDiagnostics({
        monitoring: deps.monitoring,
        clock: deps.clock,
        startedAt: deps.startedAt,
        version: `v${PACKAGE_VERSION}`,
      });
      const discovery = deps.discovery.result();
      report.services = {
        websocketClients: deps.wsHub.size,
        stateVersion: deps.state.version,
        apiCalls: { total: deps.monitoring.apiCalls.total, failed: deps.monitoring.apiCalls.failed },
        mockMode: deps.mockMode.enabled,
        discovery: { scanning: discovery.scanning, updated: discovery.updated, servers: discovery.servers.length },
        updates: deps.updates.status(),
        activeAlerts: deps.alerts.activeAlerts().length,
      };
      return report;
    },
  );
}
