/** What the simulator records of each answered API request (`SimCore.onRequest`). */
import type { Product } from '../schema/apidata.js';

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
