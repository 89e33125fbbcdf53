/**
 * GET /metrics: the Prometheus text exposition (src/metrics/). Protected like the API (an API
 * token in X-API-Token or `Authorization: Bearer`) unless the admin turned on the system setting
 * `metricsPublic`; never rate-limited (the limiter only classifies /api and /ws paths), since a
 * scraper calls it every few seconds from one address. Gzipped when the scraper accepts it.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { MetricsExporter } from '../metrics/exporter.js';
import { ErrorReply } from '../schemas/common.js';
import { PrometheusExposition } from '../schemas/metrics.js';
import type { Services } from '../services.js';

export function registerMetricsRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'monitoring' | 'state' | 'systemSettings' | 'wsHub'>,
): void {
  // The exporter (and prom-client) is loaded on the first scrape: many installs never scrape, and
  // nothing is counted before then (every process metric is read from its owner when scraped).
  let loaded: Promise<MetricsExporter> | undefined;
  const exporter = () =>
    (loaded ??= import('../metrics/exporter.js').then(
      ({ MetricsExporter }) =>
        new MetricsExporter({ store: deps.state, monitoring: () => deps.monitoring, wsClients: () => deps.wsHub.size }),
    ));
  app.get(
    '/metrics',
    {
      config: {
        guard: 'authenticated',
        publicWhen: () => deps.systemSettings.get().metricsPublic === true,
      },
      schema: {
        summary: 'Prometheus metrics (text/plain)',
        response: { 200: PrometheusExposition, 401: ErrorReply, 403: ErrorReply },
      },
    },
    async (req, reply) => {
      const metrics = await exporter();
      const body = await metrics.body(acceptsGzip(req.headers['accept-encoding']));
      reply.type(metrics.contentType).header('cache-control', 'no-store').header('vary', 'Accept-Encoding');
      if (body.gzipped) reply.header('content-encoding', 'gzip');
      return reply.header('content-length', body.length).send(Readable.from(body.pieces, { objectMode: false }));
    },
  );
}

/** Whether an Accept-Encoding header allows gzip (Prometheus sends `gzip`). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === 'x-gzip') && (q === undefined || Number(q.slice(2)) > 0);
  });
}
