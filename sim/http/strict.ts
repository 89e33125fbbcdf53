/**
 * What real Proxmox refuses, decided from the official schemas alone (no per-route code):
 *
 * - a method + path the product's schema does not have: PVE and PMG (Perl, PVE::APIServer) answer
 *   501 `Method 'GET /x' not implemented`, before authentication; PBS (Rust, proxmox-rest-server)
 *   authenticates first and then answers 404 `Path '/api2/json/x' not found.`;
 * - a path the schema has but the simulator does not serve: the same refusal, but recorded as the
 *   simulator's gap (`unimplemented`), since a real host would answer it;
 * - parameters: verified against the schema's `parameters` (params.ts) → 400.
 *
 * Every request can be reported to `SimCore.onRequest` with its status and, when the strictness
 * layer refused it, why; the poller walk test uses that to list what a real host would refuse.
 */
import type { Product } from '../schema/apidata.js';
import { schemaIndex } from '../schema/apidata.js';
import { ApiError, Router } from './api.js';
import type { Refusal } from './record.js';

export type { Refusal, RequestRecord } from './record.js';

/** A refusal decided by the strictness layer; the pipeline records its reason. */
export class StrictRefusal extends ApiError {
  constructor(
    readonly refusal: Refusal,
    status: number,
    message: string,
    errors?: Record<string, string>,
  ) {
    super(status, message, errors);
  }
}

const indexRouters = new Map<Product, Router<null>>();

/** A matcher over every method + path template of the product's official schema. */
function indexRouter(product: Product): Router<null> {
  let r = indexRouters.get(product);
  if (!r) {
    const routes = schemaIndex(product).map((entry) => {
      const sp = entry.indexOf(' ');
      return { method: entry.slice(0, sp) as 'GET', path: entry.slice(sp + 1), handler: () => null };
    });
    r = new Router<null>({ product, routes });
    indexRouters.set(product, r);
  }
  return r;
}

/** True when the official schema has this method on this concrete path. */
export function inSchema(product: Product, method: string, apiPath: string): boolean {
  return indexRouter(product).match(method, apiPath) !== null;
}

/** The refusal a real host gives for a method + path it does not have. */
export function notInSchema(product: Product, method: string, apiPath: string): StrictRefusal {
  if (product === 'pbs') return new StrictRefusal('no-such-path', 404, `Path '/api2/json${apiPath}' not found.`);
  return new StrictRefusal('no-such-path', 501, `Method '${method} ${apiPath}' not implemented`);
}

/** The refusal for a path real Proxmox has but the simulator does not serve (same wire answer). */
export function notSimulated(product: Product, method: string, apiPath: string): StrictRefusal {
  const wire = notInSchema(product, method, apiPath);
  return new StrictRefusal('unimplemented', wire.status, wire.message);
}
