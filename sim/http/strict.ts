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

/** Why the strictness layer refused a request. */
export type Refusal =
  /** The official schema has no such method + path: a real host refuses it too. */
  | 'no-such-path'
  /** The official schema's parameters reject the request: a real host refuses it too. */
  | 'parameters'
  /** The schema has it but the simulator does not serve it: a gap of the simulator, not of the client. */
  | 'unimplemented';

export interface RequestRecord {
  product: Product;
  /** Endpoint id: `<pve instance>/<node>`, or the PBS/PMG name. */
  endpoint: string;
  method: string;
  /** API path below /api2/json, without the query. */
  path: string;
  /** The query string as sent (no leading `?`), '' when none. */
  query: string;
  status: number;
  refusal?: Refusal;
  /** The error message for 4xx/5xx replies. */
  message?: string;
  /** Per-parameter errors of a 400. */
  errors?: Record<string, string>;
}

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
