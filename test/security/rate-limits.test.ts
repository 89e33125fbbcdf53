/** Rate limits over real HTTP, with small limits, the loopback exemption off and a manual clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { Client, passwordEnv } from '../helpers/session.js';

describe('rate limits', () => {
  const clock = new ManualClock(Date.UTC(2026, 2, 3, 9));
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse({
      env: passwordEnv,
      clock,
      security: {
        exemptLoopback: false,
        rateLimits: { general: { limit: 4, windowMs: 60_000 }, auth: { limit: 3, windowMs: 60_000 } },
      },
    });
  });
  afterAll(() => pulse.close());

  it('the auth class (login) allows N per minute, then 429 with Retry-After', async () => {
    const c = new Client(pulse.url);
    const ip = { 'x-forwarded-for': '198.51.100.10' };
    for (let i = 0; i < 3; i++) {
      const r = await c.req('POST', '/api/login', { body: { username: 'x', password: 'y' }, headers: ip });
      expect(r.status).toBe(401);
    }
    const limited = await c.req('POST', '/api/login', { body: { username: 'x', password: 'y' }, headers: ip });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'rate_limit', message: 'Rate limit exceeded. Please try again later.' });
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
    expect(Date.parse(limited.headers.get('x-ratelimit-reset')!)).toBe(clock.now() + 60_000);

    // Another client IP has its own budget.
    const other = await c.req('POST', '/api/login', {
      body: { username: 'x', password: 'y' },
      headers: { 'x-forwarded-for': '198.51.100.11' },
    });
    expect(other.status).toBe(401);

    // The window slides: 30 s later still limited (Retry-After shrinks), after 60 s allowed again.
    clock.advance(30_000);
    const still = await c.req('POST', '/api/login', { body: { username: 'x', password: 'y' }, headers: ip });
    expect(still.status).toBe(429);
    expect(still.headers.get('retry-after')).toBe('30');
    clock.advance(30_000);
    const again = await c.req('POST', '/api/login', { body: { username: 'x', password: 'y' }, headers: ip });
    expect(again.status).toBe(401);
  });

  it('the general class limits other API calls; the limit applies before authentication', async () => {
    const ip = { 'x-forwarded-for': '198.51.100.20' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await fetch(`${pulse.url}/api/security/audit`, { headers: ip })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const res = await fetch(`${pulse.url}/api/security/audit`, { headers: ip });
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({ error: 'Rate limit exceeded. Please try again later.' });
    // Health is in the public class (1000/min) and /api/state is exempt.
    expect((await fetch(`${pulse.url}/api/health`, { headers: ip })).status).toBe(200);
  });

  it('forwarding headers are ignored unless the peer is local (no spoofing around limits)', async () => {
    // The peer here is loopback, so X-Real-IP is believed as a fallback to X-Forwarded-For.
    const res = await fetch(`${pulse.url}/api/security/status`, { headers: { 'x-real-ip': '203.0.113.99' } });
    expect((await res.json()).clientIP).toBe('203.0.113.99');
  });
});

describe('loopback exemption (the default)', () => {
  it('127.0.0.1 is not limited by default', async () => {
    const p = await startTestPulse({
      env: passwordEnv,
      security: { rateLimits: { general: { limit: 2, windowMs: 60_000 } } },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${p.url}/api/security/audit`)).status);
      expect(statuses).toEqual([401, 401, 401, 401]);
    } finally {
      await p.close();
    }
  });
});
