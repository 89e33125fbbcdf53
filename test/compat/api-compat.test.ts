/**
 * Published-API details that scripts and Pulse 4.24's UI rely on (issue 16): 405 with Allow for a
 * wrong method, the OIDC configuration the Security page reads, rate-limit headers on every
 * limited reply, /api/backups/pbs, guest metadata under the published names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { Client, passwordEnv } from '../helpers/session.js';

describe('published-API compatibility', () => {
  const clock = new ManualClock(Date.UTC(2026, 3, 2, 8));
  let pulse: TestPulse;
  let admin: Client;
  beforeAll(async () => {
    pulse = await startTestPulse({
      env: { ...passwordEnv, PULSE_PUBLIC_URL: 'https://pulse.example.com/' },
      clock,
      security: { exemptLoopback: false, rateLimits: { general: { limit: 5, windowMs: 60_000 } } },
    });
    admin = new Client(pulse.url);
    expect((await admin.login()).status).toBe(200);
  });
  afterAll(() => pulse.close());

  it('a wrong method on a known path → 405 with Allow and a JSON error; unknown paths stay 404', async () => {
    const del = await admin.req('DELETE', '/api/health', { csrf: true });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')?.split(', ')).toEqual(expect.arrayContaining(['GET', 'HEAD']));
    expect(del.body.error).toMatch(/DELETE/);
    // A parametric route: PATCH on an alert action that only takes POST.
    const patch = await admin.req('PATCH', '/api/alerts/some-id/acknowledge', { csrf: true });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toContain('POST');
    // Trailing slash is the same path.
    expect((await admin.req('PUT', '/api/version/', { csrf: true })).status).toBe(405);
    const missing = await admin.req('DELETE', '/api/no/such/route', { csrf: true });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('allow')).toBeNull();
    // An OPTIONS request (a CORS preflight) gets the list, not an error.
    const opt = await fetch(`${pulse.url}/api/health`, { method: 'OPTIONS' });
    expect(opt.status).toBe(200);
    expect(opt.headers.get('allow')).toContain('GET');
  });

  it('GET /api/security/oidc answers the OIDC configuration (disabled until set) in the contract names; admin only', async () => {
    const res = await admin.get('/api/security/oidc');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'enabled',
        'issuerUrl',
        'clientId',
        'redirectUrl',
        'logoutUrl',
        'scopes',
        'usernameClaim',
        'emailClaim',
        'groupsClaim',
        'allowedGroups',
        'allowedDomains',
        'allowedEmails',
        'clientSecretSet',
        'defaultRedirect',
        // Ours, beyond §4.10: password sign-in can be switched off once OIDC works.
        'disablePasswordLogin',
      ].sort(),
    );
    expect(res.body).toMatchObject({
      enabled: false,
      disablePasswordLogin: false,
      clientSecretSet: false,
      redirectUrl: 'https://pulse.example.com/api/oidc/callback',
      scopes: ['openid', 'profile', 'email'],
    });
    expect((await new Client(pulse.url).get('/api/security/oidc')).status).toBe(401);
  });

  it('every rate-limited reply carries X-RateLimit-Limit/Remaining/Reset, counting down to the 429', async () => {
    const ip = { 'x-forwarded-for': '203.0.113.77' };
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await admin.get('/api/alerts/active', ip);
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit')).toBe('5');
      expect(Date.parse(r.headers.get('x-ratelimit-reset') ?? '')).toBe(clock.now() + 60_000);
      remaining.push(r.headers.get('x-ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const limited = await admin.get('/api/alerts/active', ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('retry-after')).toBe('60');
    // Unlimited paths (the state document) carry none.
    expect((await admin.get('/api/state', ip)).headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('/api/backups/pbs: the PBS backups (RFC3339 times) and, for Pulse 4.24’s UI, the instances', async () => {
    const t = Date.UTC(2026, 3, 1, 22, 30) / 1000;
    pulse.deps.state.commit((d) => {
      d.pbsBackups = [
        {
          id: `pbs-main-store--vm-100-${t}`,
          instance: 'main',
          datastore: 'store',
          namespace: '',
          backupType: 'vm',
          vmid: '100',
          backupTime: t,
          size: 1024,
          protected: false,
          verified: true,
        },
      ];
    });
    const res = await admin.get('/api/backups/pbs', { 'x-forwarded-for': '203.0.113.78' });
    expect(res.status).toBe(200);
    expect(res.body.instances).toEqual([]);
    expect(res.body.backups).toHaveLength(1);
    expect(Date.parse(res.body.backups[0].backupTime)).toBe(t * 1000);
  });
});
