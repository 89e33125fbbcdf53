/**
 * HTTP client core shared by the PVE, PBS and PMG clients.
 *
 * - One undici Pool per instance endpoint (keep-alive sockets, bounded connections). A Pool, not
 *   an Agent: PVE and PMG close a connection after 100 requests, and after that undici 7's Agent
 *   opened a new connection for every later request (test/sim/connections.test.ts).
 * - TLS is checked in the connector, after the handshake and before any request is written:
 *   with a pinned fingerprint the certificate's SHA-256 must match (whatever the CA says);
 *   otherwise with verifySSL the chain and host name must verify. Either way a refusal carries
 *   the fingerprint the server presented, so the user can pin it.
 * - A connect timeout, and one deadline per call (fetch-text.ts); every failure becomes a typed
 *   ProxmoxError.
 * - Auth: API token header, or a ticket from /access/ticket renewed before it expires.
 */
import { checkServerIdentity, createSecureContext, type TLSSocket } from 'node:tls';
import { buildConnector, Pool } from 'undici';
import { type Clock, systemClock } from '../clock.js';
import { classifyNetworkError, ProxmoxError, parsePermissionMessage } from './errors.js';
import { fetchText, type TextResponse } from './fetch-text.js';

export type ProxmoxProduct = 'pve' | 'pbs' | 'pmg';

export const DEFAULT_PORTS: Record<ProxmoxProduct, number> = { pve: 8006, pbs: 8007, pmg: 8006 };

export interface ProxmoxCredentials {
  /** Full token id `user@realm!name`. */
  tokenId?: string;
  tokenSecret?: string;
  /** `user@realm` for ticket auth. */
  username?: string;
  password?: string;
}

export interface ClientOptions extends ProxmoxCredentials {
  product: ProxmoxProduct;
  /** `https://host:port` (no path). */
  baseUrl: string;
  verifySSL: boolean;
  /** SHA-256 certificate fingerprint to pin (any case, with or without colons). */
  fingerprint?: string;
  /** Default per-request timeout. */
  timeoutMs: number;
  /** Sockets per endpoint (bounds the instance's concurrency). */
  connections?: number;
  clock?: Clock;
  /** Shared tally of API calls (performance figures of the state). */
  counter?: ApiCallCounter;
}

export interface ApiCallCounter {
  total: number;
  failed: number;
  /** When set, every GET request's path+query is appended (tests count the requests of a cycle). */
  paths?: string[];
}

export interface RequestOptions {
  timeoutMs?: number;
  /**
   * Once aborted, requests are no longer sent (they fail at once as timed out). It is checked
   * before each request rather than handed to undici, because one signal is shared by all the
   * requests of a poll cycle (thousands on a large estate) and a listener per request would be
   * added to and removed from it each time. A request already sent ends by its own `timeoutMs`.
   */
  signal?: AbortSignal;
  query?: Record<string, string | number | boolean | undefined>;
}

const COOKIE_NAMES: Record<ProxmoxProduct, string> = {
  pve: 'PVEAuthCookie',
  pbs: 'PBSAuthCookie',
  pmg: 'PMGAuthCookie',
};

/** Tickets live 2 h on all three products; renew well before. */
const TICKET_RENEW_AFTER_MS = 90 * 60 * 1000;

export function normaliseFingerprint(fp: string | undefined): string {
  return (fp ?? '').replace(/[^0-9a-fA-F]/g, '').toLowerCase();
}

export function formatFingerprint(fp: string): string {
  return (
    normaliseFingerprint(fp)
      .toUpperCase()
      .match(/.{1,2}/g)
      ?.join(':') ?? ''
  );
}

/** The Authorization header value for an API token, per product. */
export function tokenHeader(product: ProxmoxProduct, tokenId: string, secret: string): string {
  switch (product) {
    case 'pve':
      return `PVEAPIToken=${tokenId}=${secret}`;
    case 'pbs':
      return `PBSAPIToken=${tokenId}:${secret}`;
    case 'pmg':
      // PMG's API server reads no token header at all; the client never sends one (see constructor).
      throw new Error('PMG has no API tokens; use user@realm and password');
  }
}

interface TlsPolicy {
  verify: boolean;
  pinned: string;
  host: string;
}

function tlsRefusal(policy: TlsPolicy, socket: TLSSocket, servername: string) {
  if (policy.pinned) {
    // The X509Certificate form computes the fingerprint when it is read; getPeerCertificate()
    // builds every field of the legacy object. (On Node 20 the legacy object is empty once the
    // X509 form was read, so a socket is asked for one form only.)
    const fp = socket.getPeerX509Certificate()?.fingerprint256;
    if (normaliseFingerprint(fp) === policy.pinned) return undefined;
    const presented = fp ? formatFingerprint(fp) : undefined;
    return new ProxmoxError(
      'tls',
      `Certificate fingerprint of ${policy.host} does not match the pinned fingerprint` +
        (presented ? ` (server presented ${presented})` : ''),
      { presentedFingerprint: presented },
    );
  }
  if (!policy.verify) return undefined;
  const cert = socket.getPeerCertificate();
  const presented = cert?.fingerprint256 ? formatFingerprint(cert.fingerprint256) : undefined;
  if (!socket.authorized) {
    return new ProxmoxError(
      'tls',
      `Certificate of ${policy.host} is not trusted (${String(socket.authorizationError ?? 'unknown reason')})` +
        (presented ? `; presented fingerprint ${presented} — pin it or disable verifySSL` : ''),
      { presentedFingerprint: presented },
    );
  }
  const idErr = cert ? checkServerIdentity(servername, cert) : undefined;
  if (idErr) {
    return new ProxmoxError('tls', `Certificate of ${policy.host} does not match its name: ${idErr.message}`, {
      presentedFingerprint: presented,
    });
  }
  return undefined;
}

function makePool(origin: string, policy: TlsPolicy, timeoutMs: number, connections: number): Pool {
  // Verification is done by hand below so that a refusal can report the presented fingerprint.
  // No TLS session resumption: a resumed session presents no certificate to check. A connection
  // serves up to 100 requests on PVE and PMG, so a large poll still opens few of them. One TLS
  // context (the system's trusted CAs, Node's default settings) serves all of the pool's
  // connections: without it Node builds a new one for every connection.
  const base = buildConnector({
    rejectUnauthorized: false,
    timeout: timeoutMs,
    maxCachedSessions: 0,
    secureContext: createSecureContext(),
  });
  const connect: buildConnector.connector = (opts, callback) => {
    base(opts, (err, socket) => {
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      const tlsSocket = socket as TLSSocket;
      if (typeof tlsSocket.getPeerCertificate !== 'function') return callback(null, socket);
      const refusal = tlsRefusal(policy, tlsSocket, opts.servername || opts.hostname || policy.host);
      if (refusal) {
        socket.destroy();
        return callback(refusal, null);
      }
      callback(null, socket);
    });
  };
  return new Pool(origin, { connect, connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
}

export class ProxmoxClient {
  readonly product: ProxmoxProduct;
  readonly baseUrl: string;
  readonly host: string;
  readonly #opts: ClientOptions;
  readonly #pool: Pool;
  /** The base URL's path, before `/api2/json` (empty unless Proxmox sits behind a prefix). */
  readonly #pathPrefix: string;
  readonly #clock: Clock;
  #authHeader: Record<string, string> = {};
  #getHeaders: { source: Record<string, string>; value: Record<string, string> } | undefined;
  #ticketAt = 0;
  #login: Promise<void> | undefined;
  #closed = false;

  constructor(opts: ClientOptions) {
    this.#opts = opts;
    this.product = opts.product;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    const url = new URL(this.baseUrl);
    this.host = url.host;
    this.#pathPrefix = url.pathname.replace(/\/+$/, '');
    this.#clock = opts.clock ?? systemClock;
    this.#pool = makePool(
      url.origin,
      { verify: opts.verifySSL, pinned: normaliseFingerprint(opts.fingerprint), host: this.host },
      opts.timeoutMs,
      opts.connections ?? 8,
    );
    if (this.usesToken) {
      this.#authHeader = { authorization: tokenHeader(opts.product, opts.tokenId!, opts.tokenSecret!) };
    } else if (!opts.username || !opts.password) {
      throw new Error(
        opts.product === 'pmg'
          ? 'credentials required: PMG has no API tokens; use user@realm and password'
          : 'credentials required: tokenId+tokenSecret or username+password',
      );
    }
  }

  /** Token auth for PVE and PBS; PMG always logs in for a ticket (its API has no tokens). */
  get usesToken(): boolean {
    return this.#opts.product !== 'pmg' && Boolean(this.#opts.tokenId && this.#opts.tokenSecret);
  }

  /** GET `/api2/json<path>` and return its `data`. */
  async get<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
    if (!this.usesToken) await this.#ensureTicket(opts);
    try {
      return await this.#call<T>('GET', path, opts);
    } catch (err) {
      // An expired or revoked ticket: log in again once and retry.
      if (err instanceof ProxmoxError && err.kind === 'auth' && !this.usesToken) {
        this.#ticketAt = 0;
        await this.#ensureTicket(opts);
        return await this.#call<T>('GET', path, opts);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close().catch(() => undefined);
  }

  /** Destroys sockets without waiting for in-flight requests (used when an endpoint hangs). */
  async destroy(): Promise<void> {
    this.#closed = true;
    await this.#pool.destroy().catch(() => undefined);
  }

  async #ensureTicket(opts: RequestOptions): Promise<void> {
    if (this.#ticketAt !== 0 && this.#clock.now() - this.#ticketAt < TICKET_RENEW_AFTER_MS) return;
    this.#login ??= (async () => {
      const body = new URLSearchParams({ username: this.#opts.username ?? '', password: this.#opts.password ?? '' });
      const data = await this.#call<{ ticket?: string; CSRFPreventionToken?: string }>(
        'POST',
        '/access/ticket',
        opts,
        body.toString(),
      );
      if (!data || typeof data.ticket !== 'string') {
        throw new ProxmoxError('auth', `Login to ${this.host} failed: no ticket in the answer`, {
          path: '/access/ticket',
          status: 401,
        });
      }
      this.#authHeader = {
        cookie: `${COOKIE_NAMES[this.product]}=${encodeURIComponent(data.ticket)}`,
        ...(data.CSRFPreventionToken ? { csrfpreventiontoken: data.CSRFPreventionToken } : {}),
      };
      this.#ticketAt = this.#clock.now();
    })().finally(() => {
      this.#login = undefined;
    });
    await this.#login;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, opts: RequestOptions, form?: string): Promise<T> {
    const counter = this.#opts.counter;
    if (!counter) return this.#send<T>(method, path, opts, form);
    counter.total++;
    if (counter.paths && method === 'GET') {
      const q = opts.query ? new URLSearchParams(opts.query as Record<string, string>).toString() : '';
      counter.paths.push(q ? `${path}?${q}` : path);
    }
    try {
      return await this.#send<T>(method, path, opts, form);
    } catch (err) {
      counter.failed++;
      throw err;
    }
  }

  async #send<T>(method: 'GET' | 'POST', path: string, opts: RequestOptions, form?: string): Promise<T> {
    if (this.#closed) throw new ProxmoxError('reset', `Client for ${this.host} is closed`, { path });
    const timeoutMs = opts.timeoutMs ?? this.#opts.timeoutMs;
    let target = `${this.#pathPrefix}/api2/json${path}`;
    if (opts.query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) if (v !== undefined) q.set(k, String(v));
      const s = q.toString();
      if (s) target += (target.includes('?') ? '&' : '?') + s;
    }
    // GETs share one headers object per auth state (undici does not mutate it).
    let headers = this.#getHeaders;
    if (!headers || headers.source !== this.#authHeader) {
      headers = { source: this.#authHeader, value: { accept: 'application/json', ...this.#authHeader } };
      this.#getHeaders = headers;
    }
    const sendHeaders =
      form === undefined ? headers.value : { ...headers.value, 'content-type': 'application/x-www-form-urlencoded' };
    if (opts.signal?.aborted) throw classifyNetworkError(opts.signal.reason, this.host, path, timeoutMs);
    // One deadline for the whole call (fetchText): undici's body timeout only measures silence, so
    // a host that trickles its reply would otherwise hold the poll long past `timeoutMs`.
    // No `signal` for undici: see RequestOptions.signal.
    let res: TextResponse;
    try {
      res = await fetchText(this.#pool, { method, path: target, headers: sendHeaders, body: form, timeoutMs });
    } catch (err) {
      throw classifyNetworkError(err, this.host, path, timeoutMs);
    }
    const { status, text } = res;
    if (status < 200 || status >= 300) throw this.#httpError(status, res.statusText, text, path);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProxmoxError('invalid-json', `${this.host} answered ${path} with something that is not JSON`, {
        path,
        status,
      });
    }
    if (parsed === null || typeof parsed !== 'object' || !('data' in parsed)) {
      throw new ProxmoxError('invalid-json', `${this.host} answered ${path} without the expected "data" field`, {
        path,
        status,
      });
    }
    return (parsed as { data: T }).data;
  }

  #httpError(status: number, statusText: string, body: string, path: string): ProxmoxError {
    let message = statusText;
    try {
      const j = JSON.parse(body) as { message?: unknown; errors?: unknown };
      if (typeof j?.message === 'string' && j.message.trim()) message = j.message.trim();
      else if (j?.errors && typeof j.errors === 'object') message = `${message} ${JSON.stringify(j.errors)}`.trim();
    } catch {
      if (!message && body.length < 300) message = body.trim();
    }
    if (status === 401) {
      return new ProxmoxError('auth', `Authentication failed on ${this.host}: ${message || 'invalid credentials'}`, {
        status,
        path,
      });
    }
    if (status === 403) {
      const perm = parsePermissionMessage(message);
      return new ProxmoxError(
        'forbidden',
        `Permission denied on ${this.host} for ${path}${perm.privilege ? `: missing ${perm.privilege}` : ''}` +
          (perm.privilegePath ? ` on ${perm.privilegePath}` : '') +
          (!perm.privilege && message ? ` (${message})` : ''),
        { status, path, ...perm },
      );
    }
    return new ProxmoxError(
      'http',
      `${this.host} answered ${path} with HTTP ${status}${message ? `: ${message}` : ''}`,
      {
        status,
        path,
      },
    );
  }
}
