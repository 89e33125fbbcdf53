/**
 * Helpers for notification tests: a local HTTP receiver that records every request and answers
 * as told (status, or hang), alerts to send, and a poll-until helper (no timed assertions).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FullAlert } from '../../src/model/state.js';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Responder = (req: Received) => number | 'hang';

export class Receiver {
  readonly requests: Received[] = [];
  respond: Responder = () => 200;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(r);
      const status = this.respond(r);
      if (status === 'hang') return; // never answer; the sender's timeout or stop must cope
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status < 300 ? '{"ok":true}' : '{"error":"nope"}');
    });
  });
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  on(path: string): Received[] {
    return this.requests.filter((r) => r.path.split('?')[0] === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export async function until<T>(fn: () => T | Promise<T>, what: string, tries = 400): Promise<NonNullable<T>> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function makeAlert(over: Partial<FullAlert> = {}): FullAlert {
  const t = '2026-01-01T00:00:00.000Z';
  return {
    id: 'pve1-node1-100-cpu',
    type: 'cpu',
    level: 'critical',
    resourceId: 'pve1-node1-100',
    resourceName: 'web_01 "prod"',
    node: 'node1',
    instance: 'pve1',
    message: 'VM cpu at 95.5%',
    value: 95.5,
    threshold: 80,
    startTime: t,
    lastSeen: t,
    acknowledged: false,
    metadata: { resourceType: 'VM', clearThreshold: 75 },
    ...over,
  };
}

export async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply bodies field by field
  return { status: res.status, body: json as any, text };
}
