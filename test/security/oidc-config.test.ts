/**
 * GET/PUT /api/security/oidc: admin only, validated, the client secret encrypted in pulse.db and
 * never returned; /api/security/status follows the saved settings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { ADMIN, ADMIN_PASS, Client } from '../helpers/session.js';

const SECRET = 'oidc-client-secret-never-in-plaintext-7731';

describe('OIDC configuration API', () => {
  let pulse: TestPulse;
  let admin: Client;

  beforeAll(async () => {
    pulse = await startTestPulse({ env: { PULSE_AUTH_USER: ADMIN, PULSE_AUTH_PASS: ADMIN_PASS } });
    admin = new Client(pulse.url);
    expect((await admin.login()).status).toBe(200);
  });
  afterAll(async () => {
    await pulse?.close();
  });

  it('needs a signed-in caller', async () => {
    expect((await new Client(pulse.url).get('/api/security/oidc')).status).toBe(401);
  });

  it('stores the secret encrypted and answers only whether it is set', async () => {
    const res = await admin.req('PUT', '/api/security/oidc', {
      csrf: true,
      body: {
        enabled: true,
        issuerUrl: 'https://id.example.test/application/o/pulse/',
        clientId: 'pulse',
        clientSecret: SECRET,
        redirectUrl: 'https://pulse.example.test/api/oidc/callback',
        allowedGroups: 'admins, ops',
        scopes: ['profile'],
      },
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(SECRET);
    expect(res.body).toMatchObject({
      clientSecretSet: true,
      allowedGroups: ['admins', 'ops'],
      scopes: ['openid', 'profile'],
    });
    pulse.deps.db.pragma('wal_checkpoint(FULL)');
    for (const f of fs.readdirSync(pulse.dataDir).filter((n) => n.startsWith('pulse.db'))) {
      expect(fs.readFileSync(path.join(pulse.dataDir, f)).includes(SECRET)).toBe(false);
    }
    const status = (await admin.get('/api/security/status')).body;
    expect(status).toMatchObject({ oidcEnabled: true, oidcIssuer: 'https://id.example.test/application/o/pulse/' });
    const cleared = await admin.req('PUT', '/api/security/oidc', { csrf: true, body: { clearClientSecret: true } });
    expect(cleared.body.clientSecretSet).toBe(false);
  });

  it('refuses a redirect URL that is not the callback and enabling without an issuer', async () => {
    const bad = await admin.req('PUT', '/api/security/oidc', {
      csrf: true,
      body: { redirectUrl: 'https://pulse.example.test/elsewhere' },
    });
    expect(bad.status).toBe(400);
    const missing = await admin.req('PUT', '/api/security/oidc', {
      csrf: true,
      body: { enabled: true, issuerUrl: '' },
    });
    expect(missing.status).toBe(400);
  });
});
