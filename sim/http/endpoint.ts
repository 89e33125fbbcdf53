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
    this.server = https.createServer({ key: original.key, cert: original.cert, keepAliveTimeout: 5000 }, (req, res) =>
      listener(this, req, res),
    );
    // pveproxy and pmgproxy (PVE::APIServer::AnyEvent, started with keep_alive => 100) answer at
    // most 100 requests on one connection, then close it; the pipeline also closes it after any
    // answer from 400 up (closesAfterErrors). PBS's proxy is a different server.
    if (this.closesAfterErrors) this.server.maxRequestsPerSocket = 100;
    this.server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', () => {});
  }

  /** Whether this server closes the connection after an error answer, as pveproxy/pmgproxy do. */
  get closesAfterErrors(): boolean {
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
