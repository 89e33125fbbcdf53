/**
 * One small HTTP helper on node:http/https for both the Docker Engine API (unix socket or TCP)
 * and Pulse. Bodies are capped and every request has a deadline, so neither a stuck daemon nor a
 * misbehaving server can make the agent hang or grow without bound.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpResult {
  status: number;
  body: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** Connect through this unix socket instead of the URL's host. */
  socketPath?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
  insecure?: boolean;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function request(req: HttpRequest): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(req.url);
    const lib = u.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r = lib.request(
      {
        method: req.method,
        hostname: req.socketPath ? undefined : u.hostname,
        port: req.socketPath ? undefined : u.port || undefined,
        path: `${u.pathname}${u.search}`,
        socketPath: req.socketPath,
        headers,
        rejectUnauthorized: !req.insecure,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > req.maxBytes) {
            r.destroy(new HttpError(`response larger than ${req.maxBytes} bytes`, 'ETOOBIG'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.setTimeout(req.timeoutMs, () => r.destroy(new HttpError(`no answer within ${req.timeoutMs} ms`, 'ETIMEDOUT')));
    r.on('error', (err: NodeJS.ErrnoException) =>
      reject(err instanceof HttpError ? err : new HttpError(err.message, err.code)),
    );
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}
