import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { ADMIN, ADMIN_PASS, Client, passwordEnv } from '../helpers/session.js';

const TOKEN = '9'.repeat(64);
const REMOTE = { 'x-forwarded-for': '203.0.113.50' };

describe('CSRF', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { ...passwordEnv, API_TOKENS: TOKEN } });
  });
  afterAll(() => pulse.close());

  it('a session POST needs X-CSRF-Token; a refusal leaves the page token valid', async () => {
    const c = new Client(pulse.url);
    await c.login();
    const first = c.cookie('pulse_csrf')!;
    const refused = await c.req('POST', '/api/security/tokens', { body: { name: 'x' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('CSRF token validation failed');
    expect(refused.headers.getSetCookie()).toEqual([]);
    const forged = await c.req('POST', '/api/security/tokens', {
      body: { name: 'x' },
      headers: { 'x-csrf-token': `${'B'.repeat(43)}=` },
    });
    expect(forged.status).toBe(403);
    expect(c.cookie('pulse_csrf')).toBe(first);
    const ok = await c.post('/api/security/tokens', { name: 'x' });
    expect(ok.status).toBe(200);
  });

  it('the token is accepted without its base64 padding, as Pulse 4.24 UI sends it', async () => {
    const c = new Client(pulse.url);
    await c.login();
    const token = c.cookie('pulse_csrf')!;
    expect(token.endsWith('=')).toBe(true);
    const bare = token.split('=')[0];
    const res = await c.req('POST', '/api/security/tokens', {
      body: { name: 'bare' },
      headers: { 'x-csrf-token': bare },
    });
    expect(res.status).toBe(200);
    // Only padding may be missing: a truncated token is still refused.
    const cut = await c.req('POST', '/api/security/tokens', {
      body: { name: 'cut' },
      headers: { 'x-csrf-token': bare.slice(0, -1) },
    });
    expect(cut.status).toBe(403);
  });

  it('a cross-site form post with only the session cookie is refused', async () => {
    const c = new Client(pulse.url);
    await c.login();
    const res = await fetch(`${pulse.url}/api/security/tokens`, {
      method: 'POST',
      headers: {
        cookie: `pulse_session=${c.cookie('pulse_session')}`,
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
      body: `name=x&csrf_token=${encodeURIComponent(c.cookie('pulse_csrf')!)}`,
    });
    expect(res.status).toBe(403);
  });

  it('a request carrying a valid API token is exempt even with a session cookie', async () => {
    const c = new Client(pulse.url);
    await c.login();
    const res = await c.req('POST', '/api/security/tokens', { body: { name: 'y' }, headers: { 'x-api-token': TOKEN } });
    expect(res.status).toBe(200);
  });

  it('GETs with a session need no CSRF token', async () => {
    const c = new Client(pulse.url);
    await c.login();
    expect((await c.get('/api/security/tokens')).status).toBe(200);
  });

  it('cookies are Secure behind a local TLS proxy, and SameSite=None only with embedding enabled', async () => {
    const loginVia = (headers: Record<string, string>) =>
      fetch(`${pulse.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ username: ADMIN, password: ADMIN_PASS }),
      });
    const proxied = await loginVia({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '10.1.1.1' });
    expect(proxied.headers.getSetCookie().length).toBe(2);
    for (const c of proxied.headers.getSetCookie()) {
      expect(c).toContain('Secure');
      expect(c).toContain('SameSite=Lax');
    }
    pulse.deps.systemSettings.save({ allowEmbedding: true });
    try {
      const embedded = await loginVia({ 'x-forwarded-proto': 'https' });
      for (const c of embedded.headers.getSetCookie()) expect(c).toContain('SameSite=None');
      // Embedding over plain HTTP: browsers reject SameSite=None without Secure, so Lax stays.
      const plain = await loginVia({ 'x-forwarded-for': '10.1.1.2' });
      for (const c of plain.headers.getSetCookie()) expect(c).toContain('SameSite=Lax');
    } finally {
      pulse.deps.systemSettings.save({ allowEmbedding: false });
    }
  });
});

describe('recovery (localhost only)', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: passwordEnv });
  });
  afterAll(() => pulse.close());

  it('needs authentication, then a direct local connection', async () => {
    expect((await new Client(pulse.url).get('/api/security/recovery')).status).toBe(401);
    const c = new Client(pulse.url);
    await c.login();
    const local = await c.get('/api/security/recovery');
    expect(local.status).toBe(200);
    expect(local.body).toMatchObject({ recovery_mode: false });
    // Through a proxy the request is not local, even from a loopback peer.
    expect((await c.get('/api/security/recovery', REMOTE)).status).toBe(403);
  });

  it('a generated recovery token works once, also remotely', async () => {
    const c = new Client(pulse.url);
    await c.login();
    const gen = await c.post('/api/security/recovery', { action: 'generate_token', duration: 5 });
    expect(gen.status).toBe(200);
    expect(gen.body).toMatchObject({ success: true, expires_in_minutes: 5 });
    const anon = new Client(pulse.url);
    const used = await anon.get('/api/security/recovery', { ...REMOTE, 'x-recovery-token': gen.body.token });
    expect(used.status).toBe(200);
    const again = await anon.get('/api/security/recovery', { ...REMOTE, 'x-recovery-token': gen.body.token });
    expect(again.status).toBe(401);
    expect((await c.post('/api/security/recovery', { action: 'generate_token', duration: 99 })).status).toBe(400);
    expect((await c.post('/api/security/recovery', { action: 'explode' })).status).toBe(400);
  });

  it('disable_auth opens the API to localhost only; enable_auth closes it again', async () => {
    const c = new Client(pulse.url);
    await c.login();
    expect((await c.post('/api/security/recovery', { action: 'disable_auth' })).status).toBe(200);
    expect(fs.existsSync(path.join(pulse.dataDir, '.auth_recovery'))).toBe(true);
    const localAnon = await fetch(`${pulse.url}/api/security/tokens`);
    expect(localAnon.status).toBe(200);
    expect(localAnon.headers.get('x-auth-recovery')).toBe('true');
    expect((await fetch(`${pulse.url}/api/security/tokens`, { headers: REMOTE })).status).toBe(401);

    expect((await c.post('/api/security/recovery', { action: 'enable_auth' })).status).toBe(200);
    expect(fs.existsSync(path.join(pulse.dataDir, '.auth_recovery'))).toBe(false);
    expect((await fetch(`${pulse.url}/api/security/tokens`)).status).toBe(401);
  });

  it('apply-restart answers that nothing needs restarting', async () => {
    const c = new Client(pulse.url);
    await c.login();
    expect((await c.post('/api/security/apply-restart')).body).toMatchObject({ success: true });
  });
});

describe('audit log', () => {
  it('records security events, readable by an admin, newest first', async () => {
    const pulse = await startTestPulse({ env: passwordEnv });
    try {
      const c = new Client(pulse.url);
      await c.req('POST', '/api/login', { body: { username: ADMIN, password: 'wrong-one' }, headers: REMOTE });
      await c.login();
      await c.post('/api/security/tokens', { name: 'audited' });
      const res = await c.get('/api/security/audit?limit=10');
      expect(res.status).toBe(200);
      const events = res.body.events as Array<Record<string, unknown>>;
      expect(events.map((e) => e.event).slice(0, 3)).toEqual(['token_created', 'login_success', 'login_failure']);
      expect(events[2]).toMatchObject({ username: ADMIN, ip: '203.0.113.50', success: false });
      expect(events[0].details).toMatchObject({ name: 'audited' });
      expect(new Date(events[0].timestamp as string).toISOString()).toBe(events[0].timestamp);
      expect((await c.get('/api/security/audit?limit=0')).status).toBe(400);
      expect((await new Client(pulse.url).get('/api/security/audit')).status).toBe(401);
    } finally {
      await pulse.close();
    }
  });
});
