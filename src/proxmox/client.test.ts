/**
 * The client core against a real local HTTPS server: auth headers, ticket login and renewal,
 * TLS pinning and verification (with the presented fingerprint), and every error kind.
 */
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { ProxmoxClient, tokenHeader } from './client.js';
import { ProxmoxError } from './errors.js';

interface Seen {
  authorization?: string;
  cookie?: string;
  url?: string;
}

let server: https.Server;
let base: string;
let fingerprint: string;
const seen: Seen[] = [];
let logins = 0;
let validTicket = 'PVE:mon@pve:TICKET1';

beforeAll(async () => {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'pve.test' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
  });
  fingerprint = new crypto.X509Certificate(pems.cert).fingerprint256;
  server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    seen.push({ authorization: req.headers.authorization, cookie: req.headers.cookie, url: req.url });
    const send = (status: number, body: string, reason?: string) => {
      res.statusCode = status;
      if (reason) res.statusMessage = reason;
      res.setHeader('content-type', 'application/json');
      res.end(body);
    };
    const url = req.url ?? '';
    if (url === '/api2/json/access/ticket' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const p = new URLSearchParams(body);
        if (p.get('username') === 'mon@pve' && p.get('password') === 'pw') {
          logins++;
          validTicket = `PVE:mon@pve:TICKET${logins}`;
          send(
            200,
            JSON.stringify({ data: { ticket: validTicket, CSRFPreventionToken: 'csrf', username: 'mon@pve' } }),
          );
        } else send(401, '{"data":null}', 'authentication failure');
      });
      return;
    }
    if (req.headers.cookie && !req.headers.cookie.includes(encodeURIComponent(validTicket))) {
      return send(401, '{"data":null,"message":"invalid ticket\\n"}', 'invalid ticket');
    }
    if (url.startsWith('/api2/json/version')) return send(200, '{"data":{"version":"9.0.10","release":"9.0"}}');
    if (url.startsWith('/api2/json/denied')) {
      return send(
        403,
        '{"data":null,"message":"Permission check failed (/vms/100, VM.Audit)\\n"}',
        'Permission check failed (/vms/100, VM.Audit)',
      );
    }
    if (url.startsWith('/api2/json/garbage')) return send(200, '<html>not json');
    if (url.startsWith('/api2/json/noenvelope')) return send(200, '{"foo":1}');
    if (url.startsWith('/api2/json/broken')) return send(500, '{"data":null}', 'Internal Server Error');
    if (url.startsWith('/api2/json/hang')) return; // never answers
    if (url.startsWith('/api2/json/chunked')) {
      // A long answer in many writes, a multi-byte character split across two of them.
      const text = Buffer.from(JSON.stringify({ data: { name: `${'x'.repeat(100_000)}ü€`, n: 1 } }));
      const cut = text.indexOf(Buffer.from('€')) + 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < cut; i += 4096) res.write(text.subarray(i, Math.min(i + 4096, cut)));
      setTimeout(() => res.end(text.subarray(cut)), 20);
      return;
    }
    if (url.startsWith('/api2/json/bom')) return send(200, '\ufeff{"data":{"bom":true}}');
    if (url.startsWith('/prefix/api2/json/version')) return send(200, '{"data":{"version":"behind a prefix"}}');
    send(404, '{"data":null}', 'Not Found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const token = { tokenId: 'mon@pve!pulse', tokenSecret: 'abc-123' };

async function expectError(p: Promise<unknown>): Promise<ProxmoxError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ProxmoxError);
    return err as ProxmoxError;
  }
  throw new Error('expected a ProxmoxError');
}

describe('ProxmoxClient', () => {
  it('formats API token headers per product', () => {
    expect(tokenHeader('pve', 'u@pam!t', 's')).toBe('PVEAPIToken=u@pam!t=s');
    expect(tokenHeader('pbs', 'u@pbs!t', 's')).toBe('PBSAPIToken=u@pbs!t:s');
    // PMG has no API tokens: there is no header to format.
    expect(() => tokenHeader('pmg', 'u@pmg!t', 's')).toThrow(/PMG has no API tokens/);
  });

  it('PMG never sends a token: a token alone is refused, with a password it logs in for a ticket', async () => {
    expect(
      () => new ProxmoxClient({ product: 'pmg', baseUrl: base, verifySSL: false, timeoutMs: 2000, ...token }),
    ).toThrow(/PMG has no API tokens; use user@realm and password/);
    const c = new ProxmoxClient({
      product: 'pmg',
      baseUrl: base,
      verifySSL: false,
      fingerprint,
      timeoutMs: 2000,
      ...token,
      username: 'mon@pve',
      password: 'pw',
    });
    seen.length = 0;
    expect(c.usesToken).toBe(false);
    await expect(c.get('/version')).resolves.toMatchObject({ version: '9.0.10' });
    expect(seen.map((s) => s.url)).toEqual(['/api2/json/access/ticket', '/api2/json/version']);
    expect(seen.every((s) => s.authorization === undefined)).toBe(true);
    expect(seen[1].cookie).toMatch(/^PMGAuthCookie=/);
    await c.close();
  });

  it('sends the token and returns `data` when the pinned fingerprint matches', async () => {
    const c = new ProxmoxClient({
      product: 'pve',
      baseUrl: base,
      verifySSL: false,
      fingerprint: fingerprint.toLowerCase(),
      timeoutMs: 3000,
      ...token,
    });
    expect(await c.get('/version')).toEqual({ version: '9.0.10', release: '9.0' });
    expect(seen.at(-1)?.authorization).toBe('PVEAPIToken=mon@pve!pulse=abc-123');
    await c.close();
  });

  it('refuses a certificate that does not match the pin, naming the presented fingerprint', async () => {
    const wrong = 'AA:'.repeat(31) + 'AA';
    const c = new ProxmoxClient({
      product: 'pve',
      baseUrl: base,
      verifySSL: false,
      fingerprint: wrong,
      timeoutMs: 3000,
      ...token,
    });
    const err = await expectError(c.get('/version'));
    expect(err.kind).toBe('tls');
    expect(err.presentedFingerprint).toBe(fingerprint);
    expect(err.message).toContain(fingerprint);
    await c.close();
  });

  it('with verifySSL refuses a self-signed certificate and reports its fingerprint', async () => {
    const c = new ProxmoxClient({ product: 'pve', baseUrl: base, verifySSL: true, timeoutMs: 3000, ...token });
    const err = await expectError(c.get('/version'));
    expect(err.kind).toBe('tls');
    expect(err.presentedFingerprint).toBe(fingerprint);
    await c.close();
  });

  it('maps HTTP failures to typed errors', async () => {
    const c = new ProxmoxClient({ product: 'pve', baseUrl: base, verifySSL: false, timeoutMs: 3000, ...token });
    const denied = await expectError(c.get('/denied'));
    expect(denied).toMatchObject({ kind: 'forbidden', status: 403, privilege: 'VM.Audit', privilegePath: '/vms/100' });
    expect((await expectError(c.get('/garbage'))).kind).toBe('invalid-json');
    expect((await expectError(c.get('/noenvelope'))).kind).toBe('invalid-json');
    expect(await expectError(c.get('/broken'))).toMatchObject({ kind: 'http', status: 500 });
    await c.close();
  });

  it('times out a request that never answers', async () => {
    const c = new ProxmoxClient({ product: 'pve', baseUrl: base, verifySSL: false, timeoutMs: 300, ...token });
    const err = await expectError(c.get('/hang'));
    expect(err.kind).toBe('timeout');
    await c.destroy();
  });

  it('gathers an answer written in many pieces, with a character split between two of them', async () => {
    const c = new ProxmoxClient({ product: 'pve', baseUrl: base, verifySSL: false, timeoutMs: 3000, ...token });
    const data = await c.get<{ name: string; n: number }>('/chunked');
    expect(data.name).toBe(`${'x'.repeat(100_000)}ü€`);
    expect(data.n).toBe(1);
    // A UTF-8 byte-order mark before the JSON is not part of it.
    expect(await c.get('/bom')).toEqual({ bom: true });
    await c.close();
  });

  it('keeps a path in the base URL before /api2/json', async () => {
    const c = new ProxmoxClient({
      product: 'pve',
      baseUrl: `${base}/prefix/`,
      verifySSL: false,
      timeoutMs: 3000,
      ...token,
    });
    expect(await c.get('/version')).toEqual({ version: 'behind a prefix' });
    await c.close();
  });

  it('a call waiting for a socket that another holds fails at its own deadline, not when the socket frees', async () => {
    const c = new ProxmoxClient({
      product: 'pve',
      baseUrl: base,
      verifySSL: false,
      timeoutMs: 3000,
      connections: 1,
      ...token,
    });
    const settled: string[] = [];
    const held = expectError(c.get('/hang', { timeoutMs: 1500 })).then((e) => {
      settled.push('held');
      return e;
    });
    const queued = expectError(c.get('/version', { timeoutMs: 300 })).then((e) => {
      settled.push('queued');
      return e;
    });
    expect((await queued).kind).toBe('timeout');
    expect((await held).kind).toBe('timeout');
    // The queued call's deadline counts from the call: it fails first, without waiting for the socket.
    expect(settled).toEqual(['queued', 'held']);
    await c.destroy();
  });

  it('sends nothing once the signal is aborted, and fails as timed out', async () => {
    const c = new ProxmoxClient({ product: 'pve', baseUrl: base, verifySSL: false, timeoutMs: 5000, ...token });
    const ac = new AbortController();
    expect(await c.get('/version', { signal: ac.signal })).toMatchObject({ version: '9.0.10' });
    const before = seen.length;
    ac.abort();
    const err = await expectError(c.get('/version', { signal: ac.signal }));
    expect(err.kind).toBe('timeout');
    const timedOut = AbortSignal.abort(new DOMException('budget spent', 'TimeoutError'));
    expect((await expectError(c.get('/version', { signal: timedOut }))).kind).toBe('timeout');
    expect(seen.length).toBe(before);
    await c.close();
  });

  it('reports refused connections and unresolvable names', async () => {
    const probe = https.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const c = new ProxmoxClient({
      product: 'pve',
      baseUrl: `https://127.0.0.1:${port}`,
      verifySSL: false,
      timeoutMs: 2000,
      ...token,
    });
    expect((await expectError(c.get('/version'))).kind).toBe('refused');
    await c.close();
    const d = new ProxmoxClient({
      product: 'pve',
      baseUrl: 'https://no-such-host.invalid:8006',
      verifySSL: false,
      timeoutMs: 5000,
      ...token,
    });
    expect((await expectError(d.get('/version'))).kind).toBe('dns');
    await d.close();
  });

  it('logs in with a password, renews the ticket before it expires, and re-logs in after a 401', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const c = new ProxmoxClient({
      product: 'pve',
      baseUrl: base,
      verifySSL: false,
      timeoutMs: 3000,
      username: 'mon@pve',
      password: 'pw',
      clock,
    });
    const before = logins;
    await c.get('/version');
    expect(logins).toBe(before + 1);
    expect(seen.at(-1)?.cookie).toContain('PVEAuthCookie=');
    await c.get('/version');
    expect(logins).toBe(before + 1);
    clock.advance(95 * 60_000); // past the renewal point (tickets live 2 h)
    await c.get('/version');
    expect(logins).toBe(before + 2);
    validTicket = 'revoked-by-server';
    await c.get('/version'); // 401 → login again → retry
    expect(logins).toBe(before + 3);
    await c.close();
  });

  it('a wrong password is an auth error', async () => {
    const c = new ProxmoxClient({
      product: 'pve',
      baseUrl: base,
      verifySSL: false,
      timeoutMs: 3000,
      username: 'mon@pve',
      password: 'nope',
    });
    expect(await expectError(c.get('/version'))).toMatchObject({ kind: 'auth', status: 401 });
    await c.close();
  });
});
