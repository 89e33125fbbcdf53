/**
 * One HTTPS listener: a PVE node, a PBS or a PMG. It can close its listener (fault "down") and
 * reopen on the same port, swap its certificate, and tracks sockets so stop() is immediate.
 */
import type http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { ServerCert } from '../certs.js';
import type { Product } from '../schema/apidata.js';

export type RequestListener = (ep: Endpoint, req: http.IncomingMessage, res: http.ServerResponse) => void;

/** pveproxy's and pmgproxy's `keep_alive` setting: requests answered on one connection. */
const REQUESTS_PER_CONNECTION = 100;

export class Endpoint {
  readonly server: https.Server;
  port = 0;
  listening = false;
  private sockets = new Set<net.Socket>();
  current: ServerCert;

  constructor(
    readonly id: string,
    readonly product: Product,
    readonly instanceName: string,
    readonly node: string | undefined,
    readonly host: string,
    readonly original: ServerCert,
    listener: RequestListener,
  ) {
    this.current = original;
    this.server = https.createServer({ key: original.key, cert: original.cert, keepAliveTimeout: 5000 }, (req, res) => {
      if (this.endsConnectionsAsPveproxy && this.#countRequest(req.socket) >= REQUESTS_PER_CONNECTION)
        res.setHeader('connection', 'close');
      listener(this, req, res);
    });
    this.server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', () => {});
  }

  /** Requests answered per open connection (only counted where the server limits them). */
  readonly #requests = new WeakMap<net.Socket, number>();

  #countRequest(socket: net.Socket): number {
    const n = (this.#requests.get(socket) ?? 0) + 1;
    this.#requests.set(socket, n);
    return n;
  }

  /**
   * Whether this server ends connections as pveproxy and pmgproxy do (PVE::APIServer::AnyEvent,
   * started with keep_alive => 100): after the 100th request on a connection, and after any
   * answer from 400 up (the pipeline's `send`). The answer says `Connection: close` and the
   * connection is closed once it is sent. PBS's proxy is a different server.
   */
  get endsConnectionsAsPveproxy(): boolean {
    return this.product !== 'pbs';
  }

  get url(): string {
    return `https://${this.host}:${this.port}`;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.listening = true;
  }

  /** Stops accepting and drops every open connection: clients see "connection refused". */
  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  async reopen(): Promise<void> {
    if (this.listening) return;
    await this.listen(this.port);
  }

  setCert(cert: ServerCert): void {
    this.current = cert;
    this.server.setSecureContext({ key: cert.key, cert: cert.cert });
    // Existing TLS sessions keep the old certificate: drop them so clients re-handshake.
    for (const s of this.sockets) s.destroy();
  }
}
