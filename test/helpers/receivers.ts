/**
 * Local endpoints that Pulse delivers to in tests: an HTTP receiver that records every request
 * (and answers as told: a status, a failure, or never), and an SMTP server that keeps every
 * message, with a minimal MIME reader.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  method: string;
  /** The request target as sent, query included. */
  path: string;
  pathname: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Status this receiver answered with (0: left hanging). */
  status: number;
}

/** Decides the reply to a request: a status, or 'hang' to never answer. */
export type Responder = (req: Received) => number | 'hang';

/**
 * An HTTP endpoint on 127.0.0.1 that records every request. It answers `respond`'s status (200 by
 * default); `failFirst(path, n, retryAfterSec?)` makes the next n requests to a path answer 500
 * (with a Retry-After header when given).
 */
export class HttpReceiver {
  readonly requests: Received[] = [];
  respond: Responder = () => 200;
  private readonly failures = new Map<string, { left: number; retryAfterSec?: number }>();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        pathname: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      };
      this.requests.push(r);
      const failing = this.failures.get(url.pathname);
      const answer = failing && failing.left > 0 ? 500 : this.respond(r);
      if (failing && failing.left > 0) failing.left--;
      if (answer === 'hang') return; // never answer; the sender's timeout or stop must cope
      r.status = answer;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (answer >= 300 && failing?.retryAfterSec !== undefined) headers['retry-after'] = String(failing.retryAfterSec);
      res.writeHead(answer, headers);
      res.end(answer < 300 ? '{"ok":true}' : '{"error":"receiver is down (test)"}');
    });
  });
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  failFirst(path: string, n: number, retryAfterSec?: number): void {
    this.failures.set(path, { left: n, retryAfterSec });
  }

  /** Requests to `pathname` (query ignored). */
  all(pathname: string): Received[] {
    return this.requests.filter((r) => r.pathname === pathname);
  }

  /** Requests to `pathname` that were answered with a 2xx. */
  ok(pathname: string): Received[] {
    return this.all(pathname).filter((r) => r.status >= 200 && r.status < 300);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A plain SMTP server (no TLS, no auth) on 127.0.0.1 that keeps each raw message. */
export class MailSink {
  readonly messages: string[] = [];
  private readonly server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData: (stream, _session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        this.messages.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  parsed(): ParsedMail[] {
    return this.messages.map(parseMail);
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export interface MimePart {
  headers: Record<string, string>;
  body: string;
  parts: MimePart[];
}

export interface ParsedMail extends MimePart {
  subject: string;
  /** Decoded text of the first text/plain and text/html parts ('' when absent). */
  text: string;
  html: string;
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut < 0 ? raw : raw.slice(0, cut);
  const body = cut < 0 ? '' : raw.slice(cut).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  // Folded header lines continue with whitespace.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string): string {
  const enc = encoding.toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function parsePart(raw: string): MimePart {
  const { headers, body } = splitHead(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const sections = body.split(`--${boundary}`).slice(1);
    const parts = sections
      .filter((s) => !s.startsWith('--'))
      .map((s) => parsePart(s.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
    return { headers, body: '', parts };
  }
  return { headers, body: decodeBody(body, headers['content-transfer-encoding'] ?? '7bit'), parts: [] };
}

function leaves(p: MimePart): MimePart[] {
  return p.parts.length ? p.parts.flatMap(leaves) : [p];
}

export function parseMail(raw: string): ParsedMail {
  const root = parsePart(raw);
  const find = (mime: string) =>
    leaves(root).find((p) => (p.headers['content-type'] ?? 'text/plain').toLowerCase().startsWith(mime))?.body ?? '';
  return { ...root, subject: root.headers.subject ?? '', text: find('text/plain'), html: find('text/html') };
}
