/**
 * Issue 22, the request-gate items: 6 (cross-site requests carrying Basic credentials),
 * 8 (failed authentications count against the address on every route) and 4 (API-token-only
 * mode requires a token for the inventory and the WebSocket).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { ADMIN, ADMIN_PASS, Client, passwordEnv } from '../helpers/session.js';

const TOKEN = '7'.repeat(64);
const basic = `Basic ${Buffer.from(`${ADMIN}:${ADMIN_PASS}`).toString('base64')}`;

describe('item 6: state-changing requests not authenticated by a token header must be same-origin', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { ...passwordEnv, API_TOKENS: TOKEN } });
  });
  afterAll(() => pulse.close());

  // A form can only send text/plain (no preflight); accepted requests use JSON.
  const post = (headers: Record<string, string>) =>
    fetch(`${pulse.url}/api/security/tokens`, {
      method: 'POST',
      headers: { 'content-type': headers.origin === undefined ? 'application/json' : 'text/plain', ...headers },
      body: '{"name":"from-a-form"}',
    });

  it('a cross-site text/plain POST with Basic credentials is refused', async () => {
    const res = await post({ authorization: basic, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'CSRF token validation failed' });
    // Without Origin, the fetch metadata alone gives it away; an opaque origin too.
    expect((await post({ authorization: basic, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ authorization: basic, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await post({ authorization: basic, origin: 'null' })).status).toBe(403);
    const tokens = await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': TOKEN } });
    const names = ((await tokens.json()) as { tokens: { name: string }[] }).tokens.map((t) => t.name);
    expect(names).not.toContain('from-a-form');
  });

  it('same-origin pages and scripts (no Origin) still work with Basic', async () => {
    const host = new URL(pulse.url).host;
    const same = await post({
      authorization: basic,
      origin: `http://${host}`,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/json',
    });
    expect(same.status).toBe(200);
    expect((await post({ authorization: basic })).status).toBe(200);
  });

  it('behind a proxy that rewrites Host, the browser-set Sec-Fetch-Site vouches for our page', async () => {
    const viaProxy = {
      authorization: basic,
      origin: 'https://pulse.example.com',
      'content-type': 'application/json',
    };
    expect((await post({ ...viaProxy, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Without it (an old browser) the mismatch is refused; allowedOrigins is the way out there.
    expect((await post(viaProxy)).status).toBe(403);
  });

  it('an explicit token header is exempt: a foreign page cannot attach one without a preflight', async () => {
    const res = await post({
      'x-api-token': TOKEN,
      origin: 'https://tool.example',
      'content-type': 'application/json',
    });
    expect(res.status).toBe(200);
  });

  it('a session request from a foreign origin is refused even with the right CSRF token', async () => {
    const c = new Client(pulse.url);
    await c.login();
    const res = await c.post('/api/security/tokens', { name: 'x' }, { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    // An origin allowed in the settings is accepted.
    pulse.deps.systemSettings.save({ allowedOrigins: 'https://dash.example' });
    try {
      const ok = await c.post('/api/security/tokens', { name: 'x' }, { headers: { origin: 'https://dash.example' } });
      expect(ok.status).toBe(200);
    } finally {
      pulse.deps.systemSettings.save({ allowedOrigins: '' });
    }
  });
});

describe('item 6: a first-run server (nothing configured) refuses cross-site setup', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse.close());

  it('quick setup from another site is refused; from our page it works', async () => {
    const body = JSON.stringify({ username: 'owner', password: 'a-long-password', apiToken: 'a'.repeat(64) });
    const evil = await fetch(`${pulse.url}/api/security/quick-setup`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body,
    });
    expect(evil.status).toBe(403);
    expect(pulse.deps.security.mode()).toBe('open');
  });
});

describe('item 8: failed authentications count against the address on every route', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({
      env: { API_TOKENS: TOKEN },
      clock,
      security: { exemptLoopback: false, authFailures: { limit: 5, windowMs: 60_000 } },
    });
  });
  afterAll(() => pulse.close());

  const state = (token: string, ip: string) =>
    fetch(`${pulse.url}/api/state`, { headers: { 'x-api-token': token, 'x-forwarded-for': ip } });

  it('token guessing on /api/state (exempt from rate limits) is stopped, per address', async () => {
    for (let i = 0; i < 5; i++) expect((await state(i.toString(16).repeat(64), '203.0.113.9')).status).toBe(401);
    // The address is now refused without its guess being checked, even a right one.
    const blocked = await state(TOKEN, '203.0.113.9');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Wrong Bearer tokens count the same way, on other routes.
    const other = '203.0.113.10';
    for (let i = 0; i < 5; i++) {
      await fetch(`${pulse.url}/api/config/nodes`, {
        headers: { authorization: `Bearer ${'c'.repeat(64)}`, 'x-forwarded-for': other },
      });
    }
    expect((await state(TOKEN, other)).status).toBe(429);
    // Another address is not affected, and the window passes.
    expect((await state(TOKEN, '198.51.100.20')).status).toBe(200);
    clock.advance(60_000);
    expect((await state(TOKEN, '203.0.113.9')).status).toBe(200);
  });
});

describe('item 4: API-token-only mode requires a token', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
  });
  afterAll(() => pulse.close());

  it('the inventory reads answer 401 without a token and 200 with one', async () => {
    for (const p of ['/api/state', '/api/config/nodes', '/api/config/system', '/api/settings']) {
      const res = await fetch(pulse.url + p);
      expect(res.status, p).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="API Token Required"');
      expect((await fetch(pulse.url + p, { headers: { 'x-api-token': TOKEN } })).status, p).toBe(200);
    }
    // Public routes stay public: the UI learns from them that it must ask for a token.
    const status = await fetch(`${pulse.url}/api/security/status`);
    expect(status.status).toBe(200);
    expect((await status.json()).apiTokenConfigured).toBe(true);
  });

  it('the WebSocket needs ?token= too', async () => {
    const wsUrl = pulse.url.replace('http', 'ws');
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${wsUrl}/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(401);
    const first = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${wsUrl}/ws?token=${TOKEN}`);
      ws.on('message', (m) => {
        ws.close();
        resolve(JSON.parse(String(m)).type);
      });
      ws.on('error', reject);
    });
    expect(first).toBeTypeOf('string');
  });
});
