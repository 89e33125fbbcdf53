import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecured, type TestPulse } from './helpers.js';

describe('security headers', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startSecured({ env: { API_TOKENS: 'a'.repeat(64) } });
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
