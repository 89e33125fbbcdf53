/**
 * A minimal HTTPS client for simulator tests: no certificate verification (self-signed), but it
 * reports the peer's fingerprint so tests can check pinning and certificate swaps.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface SimResponse {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
  fingerprint: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  /** Reuse connections (faster); default is a fresh TLS connection per request. */
  agent?: https.Agent;
}

/** A keep-alive agent for bulk calls (the schema walk). */
export function keepAliveAgent(): https.Agent {
  return new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 4 });
}

export function request(url: string, opts: RequestOptions = {}): Promise<SimResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, rejectUnauthorized: false, agent: opts.agent ?? false },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate?.().fingerprint256 ?? '';
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            text,
            json,
            fingerprint,
          });
        });
      },
    );
    req.on('error', reject);
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error('client timeout')));
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

export function pveToken(tokenId: string, secret: string): Record<string, string> {
  return { Authorization: `PVEAPIToken=${tokenId}=${secret}` };
}

export function pbsToken(tokenId: string, secret: string): Record<string, string> {
  return { Authorization: `PBSAPIToken=${tokenId}:${secret}` };
}

/** PMG has no API tokens: log in with the password and return the ticket cookie header. */
export async function pmgTicket(pmg: { url: string; user: string; password: string }): Promise<Record<string, string>> {
  const res = await request(`${pmg.url}/api2/json/access/ticket`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: pmg.user, password: pmg.password }).toString(),
  });
  if (res.status !== 200) throw new Error(`PMG login failed: ${res.status} ${res.statusMessage}`);
  return { cookie: `PMGAuthCookie=${encodeURIComponent(res.json.data.ticket)}` };
}

/** JSON call to the control API (plain HTTP). */
export async function control(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
