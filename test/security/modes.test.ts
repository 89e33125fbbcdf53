/** First run (nothing configured), quick setup, password change, API-only mode, DISABLE_AUTH. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { ADMIN, ADMIN_PASS, Client, passwordEnv } from '../helpers/session.js';

const TOKEN = '0123456789abcdef'.repeat(4);

describe('first run and quick setup', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse.close());

  it('with nothing configured the API is open and status says so', async () => {
    const c = new Client(pulse.url);
    expect((await c.get('/api/security/tokens')).status).toBe(200);
    const status = await c.get('/api/security/status');
    expect(status.body).toMatchObject({
      requiresAuth: false,
      hasAuthentication: false,
      apiTokenConfigured: false,
      apiTokenHint: '',
      credentialsEncrypted: true,
      hasAuditLogging: true,
      hasHTTPS: false,
      clientIP: '127.0.0.1',
      isPrivateNetwork: true,
      publicAccess: false,
      authLastModified: '',
      oidcEnabled: false,
    });
  });

  it('status carries every field of the contract (§4.8)', async () => {
    const body = (await new Client(pulse.url).get('/api/security/status')).body;
    for (const key of [
      'apiTokenConfigured',
      'apiTokenHint',
      'requiresAuth',
      'exportProtected',
      'unprotectedExportAllowed',
      'hasAuthentication',
      'configuredButPendingRestart',
      'hasAuditLogging',
      'credentialsEncrypted',
      'hasHTTPS',
      'clientIP',
      'isPrivateNetwork',
      'isTrustedNetwork',
      'publicAccess',
      'hasProxyAuth',
      'proxyAuthLogoutURL',
      'proxyAuthUsername',
      'proxyAuthIsAdmin',
      'authUsername',
      'authLastModified',
      'oidcUsername',
      'oidcEnabled',
      'oidcIssuer',
      'oidcClientId',
      'oidcLogoutURL',
    ]) {
      expect(body, key).toHaveProperty(key);
    }
  });

  it('quick setup validates its input', async () => {
    const c = new Client(pulse.url);
    expect((await c.post('/api/security/quick-setup', { username: '', password: ADMIN_PASS })).status).toBe(400);
    expect((await c.post('/api/security/quick-setup', { username: ADMIN, password: 'short' })).status).toBe(400);
    expect(
      (await c.post('/api/security/quick-setup', { username: ADMIN, password: ADMIN_PASS, apiToken: 'tiny' })).status,
    ).toBe(400);
    expect((await c.post('/api/security/quick-setup', { username: 'a:b', password: ADMIN_PASS })).status).toBe(400);
    expect((await c.get('/api/security/status')).body.requiresAuth).toBe(false);
  });

  it('quick setup creates the admin and the primary token, applies at once and signs in', async () => {
    const c = new Client(pulse.url);
    const res = await c.post('/api/security/quick-setup', {
      username: ADMIN,
      password: ADMIN_PASS,
      apiToken: TOKEN,
      enableNotifications: false,
      darkMode: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, requiresManualRestart: false, method: 'manual' });
    expect(c.cookie('pulse_session')).toMatch(/^[0-9a-f]{64}$/);

    // Protected now.
    expect((await new Client(pulse.url).get('/api/security/tokens')).status).toBe(401);
    // The setup session works, as do the password and the token.
    const list = await c.get('/api/security/tokens');
    expect(list.status).toBe(200);
    expect(list.body.tokens).toEqual([expect.objectContaining({ name: 'Primary token', prefix: '012345' })]);
    expect((await new Client(pulse.url).login()).status).toBe(200);
    expect((await fetch(`${pulse.url}/api/security/audit`, { headers: { 'x-api-token': TOKEN } })).status).toBe(200);

    const status = await c.get('/api/security/status');
    expect(status.body).toMatchObject({ requiresAuth: true, hasAuthentication: true, authUsername: ADMIN });
    expect(status.body.authLastModified).not.toBe('');
    // A stranger does not learn the user name.
    expect((await new Client(pulse.url).get('/api/security/status')).body.authUsername).toBe('');
  });

  it('a second quick setup is skipped; force without auth is refused (4.24 allowed it)', async () => {
    const anon = new Client(pulse.url);
    const skipped = await anon.post('/api/security/quick-setup', { username: 'evil', password: 'evil-password' });
    expect(skipped.body).toMatchObject({ success: true, skipped: true });
    const forced = await anon.post('/api/security/quick-setup', {
      username: 'evil',
      password: 'evil-password',
      force: true,
    });
    expect(forced.status).toBe(401);
    expect((await new Client(pulse.url).login('evil', 'evil-password')).status).toBe(401);
    // With a token, force works.
    const ok = await fetch(`${pulse.url}/api/security/quick-setup`, {
      method: 'POST',
      headers: { 'x-api-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin2', password: 'another-pass-123', force: true, generateApiToken: true }),
    });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.apiToken).toMatch(/^[0-9a-f]{64}$/);
    expect((await new Client(pulse.url).login('admin2', 'another-pass-123')).status).toBe(200);
    // The old primary token was replaced.
    expect((await fetch(`${pulse.url}/api/security/audit`, { headers: { 'x-api-token': TOKEN } })).status).toBe(401);
  });

  it('credentials set through the API survive a restart (stored in SQLite, not .env)', async () => {
    await pulse.close();
    pulse = await startTestPulse({ dataDir: pulse.dataDir });
    expect((await new Client(pulse.url).login('admin2', 'another-pass-123')).status).toBe(200);
    expect(fs.existsSync(path.join(pulse.dataDir, '.env'))).toBe(false);
  });
});

describe('password change', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: passwordEnv });
  });
  afterAll(() => pulse.close());

  it('validates, checks the current password, revokes other sessions, keeps the caller’s', async () => {
    const me = new Client(pulse.url);
    const other = new Client(pulse.url);
    await me.login();
    await other.login();
    const newPass = 'a-brand-new-password';

    const short = await me.post('/api/security/change-password', { currentPassword: ADMIN_PASS, newPassword: 'x' });
    expect(short.status).toBe(400);
    expect(short.body.error).toBe('invalid_password');
    const missing = await me.post('/api/security/change-password', { newPassword: newPass });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('Current password required');
    const wrong = await me.post('/api/security/change-password', { currentPassword: 'nope', newPassword: newPass });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('Current password is incorrect');
    // The wrong attempt did not end my session.
    expect((await me.get('/api/security/tokens')).status).toBe(200);

    const basic = (p: string) => ({ authorization: `Basic ${Buffer.from(`${ADMIN}:${p}`).toString('base64')}` });
    expect((await fetch(`${pulse.url}/api/security/tokens`, { headers: basic(ADMIN_PASS) })).status).toBe(200);

    const ok = await me.post('/api/security/change-password', { currentPassword: ADMIN_PASS, newPassword: newPass });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ success: true, requiresRestart: false });
    expect((await me.get('/api/security/tokens')).status).toBe(200);
    expect((await other.get('/api/security/tokens')).status).toBe(401);
    expect((await new Client(pulse.url).login(ADMIN, ADMIN_PASS)).status).toBe(401);
    expect((await new Client(pulse.url).login(ADMIN, newPass)).status).toBe(200);
    // A Basic credential verified before the change does not outlive it.
    expect((await fetch(`${pulse.url}/api/security/tokens`, { headers: basic(ADMIN_PASS) })).status).toBe(401);
    expect((await fetch(`${pulse.url}/api/security/tokens`, { headers: basic(newPass) })).status).toBe(200);

    // Persisted: after a restart with the same env, the changed password still applies.
    await pulse.close();
    pulse = await startTestPulse({ env: passwordEnv, dataDir: pulse.dataDir });
    expect((await new Client(pulse.url).login(ADMIN, newPass)).status).toBe(200);
    expect((await new Client(pulse.url).login(ADMIN, ADMIN_PASS)).status).toBe(401);

    // New env values (an admin regaining access via the service file) win again.
    await pulse.close();
    pulse = await startTestPulse({
      env: { PULSE_AUTH_USER: ADMIN, PULSE_AUTH_PASS: 'reset-by-env-1' },
      dataDir: pulse.dataDir,
    });
    expect((await new Client(pulse.url).login(ADMIN, 'reset-by-env-1')).status).toBe(200);
  });

  it('PULSE_AUTH_PASS may be a bcrypt hash', async () => {
    const bcrypt = (await import('bcrypt')).default;
    const hash = await bcrypt.hash('hashed-in-env-1', 4);
    const p = await startTestPulse({ env: { PULSE_AUTH_USER: 'ops', PULSE_AUTH_PASS: hash } });
    try {
      expect((await new Client(p.url).login('ops', 'hashed-in-env-1')).status).toBe(200);
      expect((await new Client(p.url).login('ops', hash)).status).toBe(401);
    } finally {
      await p.close();
    }
  });
});

describe('API-only mode (tokens, no password)', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
  });
  afterAll(() => pulse.close());

  it('readable GETs stay open, everything else needs a token', async () => {
    expect((await fetch(`${pulse.url}/api/security/status`)).status).toBe(200);
    expect((await fetch(`${pulse.url}/api/health`)).status).toBe(200);
    const denied = await fetch(`${pulse.url}/api/security/tokens`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="API Token Required"');
    const post = await fetch(`${pulse.url}/api/security/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(401);
    const withToken = await fetch(`${pulse.url}/api/security/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-token': TOKEN },
      body: '{}',
    });
    expect(withToken.status).toBe(200);
    const bad = await fetch(`${pulse.url}/api/security/status`, { headers: { 'x-api-token': 'wrong' } });
    expect(bad.status).toBe(200);
  });

  it('OPTIONS preflights pass the gate', async () => {
    const res = await fetch(`${pulse.url}/api/security/tokens`, { method: 'OPTIONS' });
    expect(res.status).not.toBe(401);
    expect((await fetch(`${pulse.url}/api/security/tokens`)).status).toBe(401);
  });

  it('status reports API-only mode; quick setup, regenerate and login need the token', async () => {
    const c = new Client(pulse.url);
    const status = await c.get('/api/security/status');
    expect(status.body).toMatchObject({ requiresAuth: true, hasAuthentication: false, apiTokenConfigured: true });
    // The hint is the newest token's (the previous test created one after the env token).
    const list = await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': TOKEN } });
    const newest = (await list.json()).tokens[0];
    expect(status.body.apiTokenHint).toBe(`${newest.prefix}...${newest.suffix}`);
    expect((await c.post('/api/security/quick-setup', { username: ADMIN, password: ADMIN_PASS })).status).toBe(401);
    expect((await c.post('/api/security/regenerate-token')).status).toBe(401);
    expect((await c.login()).status).toBe(400);
  });
});

describe('DISABLE_AUTH', () => {
  it('opens every route, marks replies, and still rejects a wrong token when tokens exist', async () => {
    const p = await startTestPulse({ env: { ...passwordEnv, DISABLE_AUTH: 'true', API_TOKENS: TOKEN } });
    try {
      const res = await fetch(`${p.url}/api/security/tokens`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-auth-disabled')).toBe('true');
      expect((await fetch(`${p.url}/api/security/tokens`, { headers: { 'x-api-token': 'bad' } })).status).toBe(401);
      const status = await (await fetch(`${p.url}/api/security/status`)).json();
      expect(status).toMatchObject({ configured: false, disabled: true, hasAuthentication: false });
    } finally {
      await p.close();
    }
  });
});
