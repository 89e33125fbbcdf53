/**
 * Every /api route describes itself: a response schema for its success status (2xx, or 3xx for a redirect), its path
 * parameters, and a body for methods that take one. app.ts refuses to register an /api route that
 * does not, the same way it refuses one without a guard, so the OpenAPI document stays complete.
 */
interface RouteSchemaView {
  method: string | string[];
  url: string;
  schema?: {
    params?: unknown;
    body?: unknown;
    response?: Record<string | number, unknown>;
  };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** What the route's schema lacks, or an empty list when it is complete. */
export function schemaGaps(route: RouteSchemaView): string[] {
  const gaps: string[] = [];
  const schema = route.schema;
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const statuses = Object.keys(schema?.response ?? {});
  if (!statuses.some((s) => /^([23]\d\d|[23]XX|default)$/.test(s)))
    gaps.push('a response schema for its success status (2xx, or 3xx for a redirect)');
  if (/[:*]/.test(route.url) && !schema?.params) gaps.push('a schema for its path parameters');
  if (methods.some((m) => BODY_METHODS.has(m)) && !schema?.body) gaps.push('a schema for its request body');
  return gaps;
}

export function assertRouteSchema(route: RouteSchemaView): void {
  const gaps = schemaGaps(route);
  if (gaps.length === 0) return;
  const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
  throw new Error(`route ${methods} ${route.url} lacks ${gaps.join(', ')}`);
}
