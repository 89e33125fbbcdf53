import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { ADMIN, ADMIN_PASS, Client, passwordEnv } from '../helpers/session.js';

describe('login, sessions and lockout (password mode)', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: passwordEnv, clock });
  });
  afterAll(() => pulse.close());

  it('protected routes answer 401 JSON without credentials', async () => {
    const c = new Client(pulse.url);
    const res = await c.get('/api/security/tokens');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Authentication required' });
  });

  it('login sets an HttpOnly 24 h session cookie and a readable CSRF cookie', async () => {
    const res = await fetch(`${pulse.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: ADMIN, password: ADMIN_PASS }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, message: 'Successfully logged in' });
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('pulse_session='))!;
    const csrf = cookies.find((c) => c.startsWith('pulse_csrf='))!;
    expect(session).toMatch(/^pulse_session=[0-9a-f]{64};/);
    expect(session).toContain('HttpOnly');
    expect(session).toContain('Max-Age=86400');
    expect(session).toContain('Path=/');
    expect(session).toContain('SameSite=Lax');
    expect(session).not.toContain('Secure');
    expect(csrf).toMatch(/^pulse_csrf=[A-Za-z0-9_-]{43}=;/);
    expect(csrf).not.toContain('HttpOnly');
  });

  it('a session reaches protected routes; logout revokes it', async () => {
    const c = new Client(pulse.url);
    expect((await c.login()).status).toBe(200);
    const sid = c.cookie('pulse_session')!;
    expect((await c.get('/api/security/tokens')).status).toBe(200);
    const out = await c.post('/api/logout');
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ success: true, message: 'Successfully logged out' });
    // The old cookie value no longer works even if a client kept it.
    const again = await fetch(`${pulse.url}/api/security/tokens`, { headers: { cookie: `pulse_session=${sid}` } });
    expect(again.status).toBe(401);
  });

  it('wrong password → 401 with attempts remaining; the 5th locks for 15 minutes', async () => {
    const c = new Client(pulse.url);
    const ip = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 1; i <= 4; i++) {
      const res = await c.req('POST', '/api/login', { body: { username: ADMIN, password: 'nope' }, headers: ip });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'invalid_credentials', attempts: i, remaining: 5 - i, maxAttempts: 5 });
      expect(res.body.message).toBe(`Invalid username or password. You have ${5 - i} attempts remaining.`);
    }
    const fifth = await c.req('POST', '/api/login', { body: { username: ADMIN, password: 'nope' }, headers: ip });
    expect(fifth.status).toBe(401);
    expect(fifth.body).toMatchObject({ error: 'invalid_credentials', locked: true, lockoutDuration: '15 minutes' });
    expect(fifth.body.message).toContain('Account is now locked for 15 minutes.');

    // Even the right password is refused while locked, from that address.
    const locked = await c.req('POST', '/api/login', { body: { username: ADMIN, password: ADMIN_PASS }, headers: ip });
    expect(locked.status).toBe(403);
    expect(locked.body).toMatchObject({ error: 'account_locked', remainingMinutes: 15 });
    expect(locked.body.message).toBe('Too many failed attempts. Account is locked for 15 more minutes.');
    expect(Date.parse(locked.body.lockedUntil)).toBe(clock.now() + 15 * 60_000);

    // Basic auth is refused too while locked.
    const basic = await fetch(`${pulse.url}/api/security/tokens`, {
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN}:${ADMIN_PASS}`).toString('base64')}`, ...ip },
    });
    expect(basic.status).toBe(403);
    expect((await basic.json()).error).toBe('Account temporarily locked');

    clock.advance(14 * 60_000);
    const stillLocked = await c.req('POST', '/api/login', {
      body: { username: ADMIN, password: ADMIN_PASS },
      headers: ip,
    });
    expect(stillLocked.status).toBe(403);
    expect(stillLocked.body.remainingMinutes).toBe(1);

    clock.advance(60_000);
    expect(
      (await c.req('POST', '/api/login', { body: { username: ADMIN, password: ADMIN_PASS }, headers: ip })).status,
    ).toBe(200);
  });

  it('wrong logins from other addresses never lock the owner out; they only slow strangers down', async () => {
    const ownerIp = { 'x-forwarded-for': '192.0.2.10' };
    const ownerLogin = () =>
      new Client(pulse.url).req('POST', '/api/login', {
        body: { username: ADMIN, password: ADMIN_PASS },
        headers: ownerIp,
      });
    expect((await ownerLogin()).status).toBe(200);
    // Five wrong logins from five addresses (what used to lock `admin` for everyone).
    const guess = (n: number) =>
      new Client(pulse.url).req('POST', '/api/login', {
        body: { username: ADMIN, password: 'guess' },
        headers: { 'x-forwarded-for': `198.51.100.${n}` },
      });
    for (let a = 1; a <= 5; a++) expect((await guess(a)).status).toBe(401);
    // The owner's address still signs in, by form and by Basic.
    expect((await ownerLogin()).status).toBe(200);
    const basic = await fetch(`${pulse.url}/api/security/tokens`, {
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN}:${ADMIN_PASS}`).toString('base64')}`, ...ownerIp },
    });
    expect(basic.status).toBe(200);
    // Other addresses now get one evaluated attempt per interval, then wait (429 + Retry-After).
    expect((await guess(6)).status).toBe(401);
    expect((await guess(7)).status).toBe(429);
    clock.advance(60_000);
    const stranger = (n: number) =>
      new Client(pulse.url).req('POST', '/api/login', {
        body: { username: ADMIN, password: ADMIN_PASS },
        headers: { 'x-forwarded-for': `203.0.113.${n}` },
      });
    expect((await stranger(100)).status).toBe(200);
    const slowed = await stranger(101);
    expect(slowed.status).toBe(429);
    expect(slowed.body.error).toBe('rate_limit');
    const wait = Number(slowed.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    clock.advance(wait * 1000);
    expect((await stranger(101)).status).toBe(200);
    // Everything ages out after the lockout period.
    clock.advance(15 * 60_000);
    expect((await stranger(102)).status).toBe(200);
    expect((await stranger(103)).status).toBe(200);
  });

  it('lockout is also per IP: one address cannot try many user names', async () => {
    const c = new Client(pulse.url);
    const ip = { 'x-forwarded-for': '192.0.2.55' };
    for (let i = 0; i < 5; i++) {
      await c.req('POST', '/api/login', { body: { username: `user${i}`, password: 'x' }, headers: ip });
    }
    const res = await c.req('POST', '/api/login', { body: { username: ADMIN, password: ADMIN_PASS }, headers: ip });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('account_locked');
    // Another address is not affected.
    expect((await c.req('POST', '/api/login', { body: { username: ADMIN, password: ADMIN_PASS } })).status).toBe(200);

    // An admin resets the IP's lockout.
    const reset = await c.post('/api/security/reset-lockout', { identifier: '192.0.2.55' });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ success: true, message: 'Lockout reset for 192.0.2.55' });
    const after = await new Client(pulse.url).req('POST', '/api/login', {
      body: { username: ADMIN, password: ADMIN_PASS },
      headers: ip,
    });
    expect(after.body).toEqual({ success: true, message: 'Successfully logged in' });
  });

  it('login validates its body', async () => {
    const c = new Client(pulse.url);
    expect((await c.req('POST', '/api/login', { body: { username: ADMIN } })).status).toBe(400);
    expect((await c.req('POST', '/api/login', { body: [1, 2] })).status).toBe(400);
    const res = await fetch(`${pulse.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(res.status).toBe(400);
  });

  it('Basic auth with the admin credentials works; failures count toward lockout', async () => {
    const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    const ok = await fetch(`${pulse.url}/api/security/tokens`, { headers: basic(ADMIN, ADMIN_PASS) });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${pulse.url}/api/security/tokens`, {
      headers: { ...basic(ADMIN, 'wrong'), 'x-forwarded-for': '192.0.2.200' },
    });
    expect(bad.status).toBe(401);
    expect(pulse.deps.security.lockout.state('ip:192.0.2.200').failures).toBe(1);
  });

  it('a session expires after 24 hours', async () => {
    const c = new Client(pulse.url);
    await c.login();
    clock.advance(24 * 60 * 60_000 - 1000);
    expect((await c.get('/api/security/tokens')).status).toBe(200);
    clock.advance(1000);
    expect((await c.get('/api/security/tokens')).status).toBe(401);
  });
});

describe('sessions survive a restart', () => {
  it('a cookie issued before a restart still works after it', async () => {
    const first = await startTestPulse({ env: passwordEnv });
    const c = new Client(first.url);
    await c.login();
    await first.close();
    const second = await startTestPulse({ env: passwordEnv, dataDir: first.dataDir });
    try {
      const again = new Client(second.url);
      for (const [k, v] of c.jar) again.jar.set(k, v);
      expect((await again.get('/api/security/tokens')).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
