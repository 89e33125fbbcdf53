/**
 * Runs the authentication flows with every log line captured (debug level) and proves that no
 * password, password hash, token, session id or CSRF token appears in any line, and that GET
 * replies never carry a secret either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { LogCapture, startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { Client } from '../helpers/session.js';

describe('no secret in any log line or GET reply', () => {
  const logs = new LogCapture();
  const clock = new ManualClock(Date.UTC(2026, 7, 1));
  const envPass = 'Env-Pass-w0rd-77';
  const setupPass = 'Setup-Pass-w0rd-88';
  const newPass = 'Changed-Pass-w0rd-99';
  const chosenToken = 'chosen-token-4b1d-9e9e-secret';
  const envToken = 'env-token-77aa-secret-value';
  const secrets: string[] = [envPass, setupPass, newPass, chosenToken, envToken];
  const getBodies: string[] = [];
  let pulse: TestPulse;

  beforeAll(async () => {
    pulse = await startTestPulse({
      logs,
      clock,
      env: { API_TOKENS: envToken },
      security: { exemptLoopback: false, rateLimits: { auth: { limit: 50, windowMs: 60_000 } } },
    });
  });
  afterAll(() => pulse.close());

  it('runs the flows', async () => {
    const anon = new Client(pulse.url);
    const tokenHeader = { 'x-api-token': envToken };
    // Quick setup (authenticated by the env token because a token exists).
    const setup = await anon.req('POST', '/api/security/quick-setup', {
      body: { username: 'root', password: setupPass, apiToken: chosenToken },
      headers: tokenHeader,
    });
    expect(setup.status).toBe(200);

    const me = new Client(pulse.url);
    // Failed logins, a lockout, then success.
    for (let i = 0; i < 5; i++) await me.login('root', `${setupPass}-wrong-${i}`);
    secrets.push(...[0, 1, 2, 3, 4].map((i) => `${setupPass}-wrong-${i}`));
    expect((await me.login('root', setupPass)).status).toBe(403);
    clock.advance(16 * 60_000);
    expect((await me.login('root', setupPass)).status).toBe(200);
    secrets.push(me.cookie('pulse_session')!, me.cookie('pulse_csrf')!);

    // Basic auth, right and wrong.
    const basic = (p: string) => ({ authorization: `Basic ${Buffer.from(`root:${p}`).toString('base64')}` });
    await anon.req('GET', '/api/security/tokens', { headers: basic(setupPass), cookies: false });
    await anon.req('GET', '/api/security/tokens', { headers: basic('basic-wrong-pass'), cookies: false });
    secrets.push('basic-wrong-pass');

    // Tokens: create, use by header, Bearer and query, revoke.
    const created = await me.post('/api/security/tokens', { name: 'ci' });
    const token = created.body.token as string;
    secrets.push(token);
    await anon.req('GET', '/api/security/audit', { headers: { 'x-api-token': token }, cookies: false });
    await anon.req('GET', '/api/security/audit', { headers: { authorization: `Bearer ${token}` }, cookies: false });
    // A handler error with ?token= in the URL (the error log line must not keep the query).
    await anon.req('GET', `/api/security/audit?limit=nope&token=${token}`, { cookies: false });
    await anon.req('GET', '/api/security/audit?limit=nope', { headers: { 'x-api-token': token }, cookies: false });
    await anon.req('POST', `/api/config/export?token=${token}`, { body: {}, cookies: false });
    await anon.req('POST', '/api/security/validate-token', { body: { token: `${token}x` }, cookies: false });
    secrets.push(`${token}x`);
    // CSRF failure and recovery of a fresh token.
    await me.req('POST', '/api/security/tokens', { body: { name: 'no-csrf' } });
    secrets.push(me.cookie('pulse_csrf')!);

    // Password change (wrong current first), regenerate, recovery token, logout.
    await me.post('/api/security/change-password', { currentPassword: 'not-it-at-all', newPassword: newPass });
    secrets.push('not-it-at-all');
    expect(
      (await me.post('/api/security/change-password', { currentPassword: setupPass, newPassword: newPass })).status,
    ).toBe(200);
    const regen = await me.post('/api/security/regenerate-token');
    secrets.push(regen.body.token);
    const rec = await me.post('/api/security/recovery', { action: 'generate_token', duration: 5 });
    secrets.push(rec.body.token);
    await anon.req('GET', '/api/security/recovery', { headers: { 'x-recovery-token': rec.body.token } });

    // GET replies seen along the way.
    for (const path of ['/api/security/status', '/api/security/tokens', '/api/security/audit?limit=1000']) {
      getBodies.push((await me.get(path)).text);
    }
    await me.post('/api/logout');
    expect(secrets.length).toBeGreaterThan(15);
  });

  it('no log line contains a password, hash, token, session id or CSRF token', () => {
    const hash = pulse.deps.db.prepare('SELECT password_hash FROM auth_credentials').get() as { password_hash: string };
    const all = [...secrets, hash.password_hash];
    const text = logs.text();
    expect(logs.lines.length).toBeGreaterThan(10);
    // The security events were logged (so the scan looked at real lines).
    expect(text).toContain('login_failure');
    expect(text).toContain('token_created');
    if (process.env.DUMP_LOGS) console.log(text);
    const leaks = all.filter((s) => text.includes(s));
    expect(leaks).toEqual([]);
  });

  it('no GET reply carries a secret', () => {
    const hash = pulse.deps.db.prepare('SELECT password_hash FROM auth_credentials').get() as { password_hash: string };
    const body = getBodies.join('\n');
    expect(body).toContain('"tokens"');
    expect([...secrets, hash.password_hash].filter((s) => body.includes(s))).toEqual([]);
  });
});
