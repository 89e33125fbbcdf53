/** GET /metrics: the Prometheus text exposition, outside /api (so not in the OpenAPI document). */
import { Type } from 'typebox';

export const PrometheusExposition = Type.String({
  description: 'Prometheus text format 0.0.4, gzipped when the scraper accepts it',
});
