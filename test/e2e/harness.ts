/**
 * Helpers for the end-to-end tests: a local HTTP receiver that records every request (and can be
 * told to fail), an in-process SMTP server that keeps every message, a minimal MIME reader, a
 * /ws client, and `waitFor` (polls a condition until a deadline; never a fixed sleep).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import WebSocket from 'ws';

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Status this receiver answered with. */
  status: number;
}

/**
 * Records requests; `failFirst(path, n, retryAfterSec?)` makes the next n requests to a path
 * answer 500 (with a Retry-After header when given).
 */
export class HttpReceiver {
  readonly requests: Received[] = [];
  private readonly failures = new Map<string, { left: number; retryAfterSec?: number }>();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const failing = this.failures.get(url.pathname);
      const status = failing && failing.left > 0 ? 500 : 200;
      if (failing && failing.left > 0) failing.left--;
      this.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (status !== 200 && failing?.retryAfterSec !== undefined)
        headers['retry-after'] = String(failing.retryAfterSec);
      res.writeHead(status, headers);
      res.end(status === 200 ? '{"ok":true}' : '{"error":"receiver is down (test)"}');
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

  /** Requests to `path` that were answered 200. */
  ok(path: string): Received[] {
    return this.requests.filter((r) => r.path === path && r.status === 200);
  }

  all(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
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

export interface WsEnvelope {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: messages are read field by field
  data: any;
}

/** Opens /ws and records every message. */
export async function openWs(httpUrl: string): Promise<{ messages: WsEnvelope[]; close(): void }> {
  const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/ws`);
  const messages: WsEnvelope[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as WsEnvelope));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { messages, close: () => ws.close() };
}

/**
 * Polls `fn` until it returns something truthy; fails after `ms` with `what` and, when given,
 * a description of what was seen last (so a timeout says why).
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what: string,
  ms = 20_000,
  seen?: () => unknown,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) {
      const extra = seen ? `; last seen: ${JSON.stringify(seen()).slice(0, 2000)}` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${extra}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** JSON over HTTP against Pulse or the simulator's control API. */
export async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text };
}

/** The simulator's control API; throws on an error reply. */
export async function control(controlUrl: string, method: string, path: string, body?: unknown) {
  const r = await call(controlUrl, method, path, body);
  if (r.status >= 300) throw new Error(`simulator control ${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

/**
 * Guests' CPU wanders up to ~97 % in the simulator: holds every running guest of `instance` at
 * 5 % so only what a test pushes can cross a CPU threshold.
 */
export async function holdGuestCpuLow(controlUrl: string, instance: string): Promise<void> {
  const guests = (await control(controlUrl, 'GET', `/guests/${instance}`)) as Array<{ vmid: number; status: string }>;
  for (const g of guests.filter((x) => x.status === 'running')) {
    await control(controlUrl, 'PUT', `/guests/${instance}/${g.vmid}/metrics`, { cpu: 0.05 });
  }
}

/** Registers a simulated PVE instance in Pulse over the API (token auth, pinned fingerprint). */
export async function addPveInstance(
  pulseUrl: string,
  p: { name: string; url: string; tokenId: string; tokenSecret: string; fingerprint: string },
): Promise<void> {
  const r = await call(pulseUrl, 'POST', '/api/config/nodes', {
    type: 'pve',
    name: p.name,
    host: p.url,
    tokenName: p.tokenId,
    tokenValue: p.tokenSecret,
    fingerprint: p.fingerprint,
  });
  if (r.status !== 201) throw new Error(`adding ${p.name}: ${r.status} ${r.text}`);
}

/**
 * The alert config of the end-to-end tests: guest CPU at its default pair (80/75), node checks on,
 * everything else the demo estate would alert on switched off (guest memory and disk, storage and
 * ZFS, the given physical disks — one has FAILED health —, backup and snapshot age); no grace
 * period (timeThresholds reset 0 to the default 5 s, per the contract, so metricTimeThresholds
 * carries the 0) and a one-second grouping window.
 */
export function e2eAlertConfig(physicalDiskIds: string[]): Record<string, unknown> {
  return {
    enabled: true,
    guestDefaults: { cpu: { trigger: 80, clear: 75 }, memory: { trigger: -1 }, disk: { trigger: -1 } },
    disableAllStorage: true,
    overrides: Object.fromEntries(physicalDiskIds.map((id) => [id, { disabled: true }])),
    backupAge: { enabled: false },
    snapshotAge: { enabled: false },
    // The demo has guests without backups and a filling disk on purpose (docs/INSIGHT.md).
    backupCoverage: { enabled: false },
    storageForecast: { enabled: false },
    metricTimeThresholds: { guest: { default: 0 }, node: { default: 0 } },
    schedule: { grouping: { enabled: true, window: 1 } },
  };
}
