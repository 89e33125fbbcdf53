import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { classify, SlidingWindowLimiter } from './rate-limit.js';

describe('classify', () => {
  it.each([
    ['POST', '/api/login', 'auth'],
    ['POST', '/api/logout', 'auth'],
    ['POST', '/api/security/change-password', 'auth'],
    ['POST', '/api/security/quick-setup', 'auth'],
    ['POST', '/api/security/tokens', 'auth'],
    ['GET', '/api/security/tokens', 'general'],
    ['POST', '/api/security/recovery', 'recovery'],
    ['POST', '/api/config/export', 'export'],
    ['POST', '/api/config/import?token=x', 'export'],
    ['PUT', '/api/config/nodes/pve-1', 'config'],
    ['GET', '/api/config/nodes', 'public'],
    ['GET', '/api/security/status', 'public'],
    ['GET', '/api/health', 'public'],
    ['HEAD', '/api/version', 'public'],
    ['GET', '/api/discover', 'public'],
    ['GET', '/api/updates/status', 'updates'],
    ['GET', '/ws', 'ws'],
    ['GET', '/api/charts', 'general'],
    ['POST', '/api/alerts/x/acknowledge', 'general'],
  ])('%s %s → %s', (method, path, cls) => {
    expect(classify(method, path)).toBe(cls);
  });

  it('exempts state and guest metadata, and non-API paths', () => {
    expect(classify('GET', '/api/state')).toBeUndefined();
    expect(classify('PUT', '/api/guests/metadata/x')).toBeUndefined();
    expect(classify('GET', '/assets/app.js')).toBeUndefined();
    expect(classify('GET', '/')).toBeUndefined();
  });
});

describe('SlidingWindowLimiter', () => {
  it('allows N per window, then reports when the oldest hit leaves it', () => {
    const clock = new ManualClock(1000);
    const l = new SlidingWindowLimiter(clock);
    const rule = { limit: 3, windowMs: 60_000 };
    expect(l.hit('k', rule)).toMatchObject({ allowed: true, remaining: 2 });
    clock.advance(10_000);
    l.hit('k', rule);
    l.hit('k', rule);
    const d = l.hit('k', rule);
    expect(d).toMatchObject({ allowed: false, remaining: 0, resetAt: 61_000, retryAfterMs: 50_000 });
    clock.set(61_000);
    expect(l.hit('k', rule).allowed).toBe(true);
    // The two hits at t=11 000 are still inside the window.
    expect(l.hit('k', rule).allowed).toBe(false);
    expect(l.hit('other', rule).allowed).toBe(true);
  });
});
