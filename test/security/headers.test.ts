import Fastify from 'fastify';
import selfsigned from 'selfsigned';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logging.js';
import { registerAuthRoutes } from '../../src/routes/auth.js';
import { registerSecurityGate } from '../../src/security/gate.js';
import { SecurityService } from '../../src/security/security-service.js';
import { loadSettings } from '../../src/settings/env.js';
import { startTestPulse, type TestPulse, tempDir } from '../helpers/pulse.js';
import { ADMIN, ADMIN_PASS, passwordEnv } from '../helpers/session.js';

describe('security headers', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { API_TOKENS: 'a'.repeat(64) } });
  });
  afterAll(() => pulse.close());

  for (const [what, path] of [
    ['API reply', '/api/health'],
    ['error reply', '/api/security/tokens'],
    ['web UI', '/'],
  ]) {
    it(`are on every ${what}`, async () => {
      const res = await fetch(pulse.url + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain('connect-src');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      expect(res.headers.get('permissions-policy')).toContain('camera=()');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    });
  }

  it('HSTS only when the request came over HTTPS (here: via a local TLS-terminating proxy)', async () => {
    const res = await fetch(`${pulse.url}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    const status = await (
      await fetch(`${pulse.url}/api/security/status`, { headers: { 'x-forwarded-proto': 'https' } })
    ).json();
    expect(status.hasHTTPS).toBe(true);
  });
});

describe('over real HTTPS', () => {
  it('sends HSTS and Secure cookies', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
    });
    const dataDir = tempDir('pulse-tls-');
    const settings = loadSettings({ PULSE_DATA_DIR: dataDir, PULSE_BCRYPT_COST: '4', ...passwordEnv });
    const db = openDatabase(dataDir);
    const security = await SecurityService.create({
      db,
      settings,
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
    });
    const app = Fastify({ https: { key: pems.private, cert: pems.cert } });
    registerSecurityGate(app, security);
    registerAuthRoutes(app, { security });
    app.get('/api/ping', { config: { guard: 'authenticated' } }, async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const denied = await undiciFetch(`https://127.0.0.1:${port}/api/ping`, { dispatcher });
      expect(denied.status).toBe(401);
      expect(denied.headers.get('strict-transport-security')).toMatch(/^max-age=/);
      const login = await undiciFetch(`https://127.0.0.1:${port}/api/login`, {
        dispatcher,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ADMIN, password: ADMIN_PASS }),
      });
      expect(login.status).toBe(200);
      const cookies = login.headers.getSetCookie();
      expect(cookies).toHaveLength(2);
      for (const c of cookies) {
        expect(c).toContain('Secure');
        expect(c).toContain('SameSite=Lax');
      }
    } finally {
      await app.close();
      await dispatcher.close();
      db.close();
    }
  });
});
