/**
 * The request pipeline every simulated server shares:
 * faults (hang, slow, 500) → /api2/json routing against the official schema (strict.ts: what the
 * schema lacks is refused as real Proxmox refuses it) → authentication (ticket or token, CSRF on
 * writes) → schema permissions → parameter verification → handler → `{"data": …}` envelope,
 * with output faults (invalid JSON, truncated body) applied last.
 */
import type http from 'node:http';
import { gzipSync } from 'node:zlib';
import { authenticate, checkPermissions, type Identity, PermissionDenied } from '../auth.js';
import type { SimCore } from '../core.js';
import type { Fault } from '../faults.js';
import { methodDef } from '../schema/apidata.js';
import { ApiError, Envelope, RawJson } from './api.js';
import type { Endpoint } from './endpoint.js';
import { verifyParameters } from './params.js';
import { routerFor } from './routers.js';
import { inSchema, notInSchema, notSimulated, type RequestRecord, StrictRefusal } from './strict.js';

const PREFIX = '/api2/json';
const MAX_BODY = 1 << 20;

export async function handleRequest(sim: SimCore, ep: Endpoint, req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'https://sim.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  if (!url.pathname.startsWith(PREFIX)) {
    res.writeHead(404, {
      'content-type': 'text/plain',
      ...(ep.endsConnectionsAsPveproxy ? { connection: 'close' } : {}),
    });
    res.end('not found');
    return;
  }
  const apiPath = url.pathname.slice(PREFIX.length).replace(/\/+$/, '') || '/';
  const faults = sim.faults.active(sim.faultTargets(ep), apiPath);
  if (faults.some((f) => f.kind === 'hang')) {
    sim.holdHung(res);
    return;
  }
  const slow = faults.find((f) => f.kind === 'slow');
  if (slow) await sim.sleep(slow.ms ?? 1000);

  let status = 200;
  let body: Record<string, unknown> | RawJson;
  let refusal: StrictRefusal | undefined;
  try {
    if (faults.some((f) => f.kind === 'http500')) throw new ApiError(500, 'Internal Server Error (simulated fault)');
    const rawBody = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    const args = { ...Object.fromEntries(url.searchParams), ...parseBody(req.headers['content-type'], rawBody) };
    const result = await dispatch(sim, ep, method, apiPath, args, req.headers);
    if (method !== 'GET') sim.bump();
    body =
      result instanceof Envelope
        ? { data: result.data, ...result.extra }
        : result instanceof RawJson
          ? result
          : { data: result ?? null };
  } catch (e) {
    if (e instanceof ApiError) {
      status = e.status;
      // Real hosts end die() messages with a newline; the 501/404 of an unknown path has none.
      const refusedPath = e instanceof StrictRefusal && e.refusal !== 'parameters';
      body = errorBody(refusedPath ? e.message : `${e.message}\n`, e.errors);
      res.statusMessage = statusText(e.message);
      if (e instanceof StrictRefusal) refusal = e;
    } else if (e instanceof PermissionDenied) {
      status = 403;
      const msg = ep.product === 'pbs' ? 'permission check failed' : e.message;
      body = errorBody(`${msg}\n`);
      res.statusMessage = statusText(msg);
    } else {
      status = 500;
      const msg = e instanceof Error ? e.message : String(e);
      body = errorBody(`${msg}\n`);
      res.statusMessage = statusText(msg);
    }
  }
  if (sim.onRequest) {
    const rec: RequestRecord = {
      product: ep.product,
      endpoint: ep.id,
      method,
      path: apiPath,
      query: url.search.slice(1),
      status,
    };
    if (status >= 400 && !(body instanceof RawJson)) rec.message = String(body.message ?? '').trim();
    if (refusal) {
      rec.refusal = refusal.refusal;
      if (refusal.errors) rec.errors = refusal.errors;
    }
    sim.onRequest(rec);
  }
  const acceptGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  send(res, status, body, faults, acceptGzip, status >= 400 && ep.endsConnectionsAsPveproxy);
}

function errorBody(message: string, errors?: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { data: null, message };
  if (errors) out.errors = errors;
  return out;
}

/** Status-line text: Proxmox puts the error message there; it must be a single printable line. */
function statusText(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, ' ').slice(0, 200);
}

/** Bodies above this size are gzip-compressed for clients that accept it, as pveproxy does. */
const GZIP_MIN = 64 * 1024;

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  faults: Fault[],
  acceptGzip: boolean,
  close: boolean,
) {
  const headers: Record<string, string> = {
    'content-type': 'application/json;charset=UTF-8',
    'cache-control': 'max-age=0',
    pragma: 'no-cache',
    server: 'pve-api-daemon/3.0',
  };
  if (close) headers.connection = 'close';
  if (faults.some((f) => f.kind === 'badjson')) {
    const text = '{"data": [{"id": "node/pve1", "status": online, <html>simulated invalid JSON';
    res.writeHead(200, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
    return;
  }
  const buf = body instanceof RawJson ? body.body() : Buffer.from(JSON.stringify(body));
  if (faults.some((f) => f.kind === 'truncated')) {
    // Promise the whole body, send half, then cut the connection.
    res.writeHead(200, { ...headers, 'content-length': String(buf.length) });
    res.write(buf.subarray(0, Math.max(1, Math.floor(buf.length / 2))), () => {
      res.socket?.destroy();
    });
    return;
  }
  if (acceptGzip && buf.length >= GZIP_MIN) {
    const gz = body instanceof RawJson ? body.gzip() : gzipSync(buf, { level: 1 });
    res.writeHead(status, {
      ...headers,
      'content-encoding': 'gzip',
      vary: 'Accept-Encoding',
      'content-length': String(gz.length),
    });
    res.end(gz);
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
  res.end(buf);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'request entity too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(contentType: string | undefined, raw: string): Record<string, string> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ApiError(400, 'unable to parse JSON body');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ApiError(400, 'JSON body must be an object');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (v === null || v === undefined) continue;
      out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return out;
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

async function dispatch(
  sim: SimCore,
  ep: Endpoint,
  method: string,
  apiPath: string,
  args: Record<string, string>,
  headers: http.IncomingHttpHeaders,
): Promise<unknown> {
  const router = routerFor(ep.product);
  const match = router.match(method, apiPath);
  const def = match ? methodDef(ep.product, match.route.path, method) : undefined;
  const known = match && def ? true : inSchema(ep.product, method, apiPath);
  // PVE and PMG look the handler up before authenticating (an unknown path is 501 even without
  // credentials); PBS authenticates first and then answers 404.
  if (!known && ep.product !== 'pbs') throw notInSchema(ep.product, method, apiPath);
  const permissions = def?.permissions;
  const inst = sim.instanceOf(ep);
  let identity: Identity | undefined;
  if (!def || permissions?.user !== 'world') {
    const auth = authenticate(ep.product, headers, inst.credentials, sim.tickets(ep));
    if (!auth.ok) {
      throw new ApiError(401, ep.product === 'pbs' ? `authentication failed - ${auth.reason}` : auth.reason);
    }
    identity = auth.identity;
    if (identity.viaTicket && method !== 'GET') {
      const csrf = headers.csrfpreventiontoken;
      if (!sim.tickets(ep).verifyCsrf(typeof csrf === 'string' ? csrf : undefined, identity.userid)) {
        throw new ApiError(401, 'Permission denied - invalid csrf token');
      }
    }
  }
  if (!known) throw notInSchema(ep.product, method, apiPath);
  // A route the official schema lacks is never served, whatever the route table says.
  if (!match || !def) throw notSimulated(ep.product, method, apiPath);
  const allArgs = { ...args, ...match.params };
  // Real Proxmox checks permissions on the merged parameters before the handler verifies them.
  if (identity) checkPermissions(ep.product, permissions, identity.cred, allArgs);
  const errors = verifyParameters(def.parameters, allArgs);
  if (errors) throw new StrictRefusal('parameters', 400, 'Parameter verification failed.', errors);
  if (ep.product === 'pve' && match.params.node !== undefined) await sim.proxyCheck(ep, match.params.node);
  return match.route.handler({
    instance: inst as never,
    localNode: ep.node,
    params: match.params,
    args: allArgs,
    identity,
    now: sim.clock.now(),
    method,
    sim,
    endpoint: ep,
  });
}
