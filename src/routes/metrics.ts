/**
 * GET /metrics: the Prometheus text exposition (src/metrics/). Protected like the API (an API
 * token in X-API-Token or `Authorization: Bearer`) unless the admin turned on the system setting
 * `metricsPublic`; never rate-limited (the limiter only classifies /api and /ws paths), since a
 * scraper calls it every few seconds from one address.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { MetricsExporter } from '../metrics/exporter.js';

export function registerMetricsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const exporter = new MetricsExporter({
    store: deps.state,
    monitoring: () => deps.monitoring,
    wsClients: () => deps.wsHub.size,
  });
  app.get(
    '/metrics',
    {
      config: {
        guard: 'authenticated',
        publicWhen: () => deps.monitoring.settings.get().metricsPublic === true,
      },
    },
    async (_req, reply) => {
      const body = await exporter.render();
      return reply.type(exporter.contentType).header('cache-control', 'no-store').send(body);
    },
  );
}
