import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPulse } from '../helpers/pulse.js';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;
const PASSPHRASE = 'access test passphrase';

const exportFrom = (pulse: Pulse, headers: Record<string, string> = {}) =>
  fetch(`${pulse.url}/api/config/export`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ passphrase: PASSPHRASE }),
  });

describe('export/import access without authentication configured', () => {
  it('a caller on a public address is refused (403); a private one is let in', async () => {
    const pulse = await startTestPulse();
    try {
      // The request comes through a local proxy that names the real client.
      const pub = await exportFrom(pulse, { 'x-forwarded-for': '203.0.113.9' });
      expect(pub.status).toBe(403);
      expect((await pub.json()).error).toMatch(/ALLOW_UNPROTECTED_EXPORT/);
      const imp = await fetch(`${pulse.url}/api/config/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
        body: JSON.stringify({ data: 'AAAA', passphrase: PASSPHRASE }),
      });
      expect(imp.status).toBe(403);
      expect((await exportFrom(pulse, { 'x-forwarded-for': '192.168.1.20' })).status).toBe(200);
    } finally {
      await pulse.close();
    }
  });

  it('ALLOW_UNPROTECTED_EXPORT=true lets public addresses in', async () => {
    const pulse = await startTestPulse({ env: { ALLOW_UNPROTECTED_EXPORT: 'true' } });
    try {
      expect((await exportFrom(pulse, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
    } finally {
      await pulse.close();
    }
  });
});

describe('export with a browser session', () => {
  let pulse: Pulse;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { PULSE_AUTH_USER: 'admin', PULSE_AUTH_PASS: 'session-pass-123' } });
  });
  afterAll(() => pulse.close());

  it('works with the session cookie and the CSRF token, and is refused without the CSRF token', async () => {
    const login = await fetch(`${pulse.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'session-pass-123' }),
    });
    expect(login.status).toBe(200);
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]);
    const csrf = decodeURIComponent(cookies.find((c) => c.startsWith('pulse_csrf='))!.slice('pulse_csrf='.length));
    const cookie = cookies.join('; ');
    const ok = await exportFrom(pulse, { cookie, 'x-csrf-token': csrf });
    expect(ok.status).toBe(200);
    expect((await ok.json()).status).toBe('success');
    expect((await exportFrom(pulse, { cookie })).status).toBe(403);
  });
});
