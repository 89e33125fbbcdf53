/**
 * The probe's auth matrix, kept running (issue 22 Tests): every registered route (whatever areas
 * exist when this runs) × {no credentials, wrong token, wrong Basic, forged session, session
 * without CSRF token, foreign Origin}. Non-public routes refuse every credential failure with 401;
 * state-changing routes refuse a missing CSRF token and a foreign Origin with 403, whatever the
 * guard. (5xx on bad input is the fuzz test's job.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteRecord } from '../../src/http/guard.js';
import { concretePath } from '../helpers/http.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { ADMIN, Client, passwordEnv } from '../helpers/session.js';

const TOKEN = 'a1'.repeat(32);
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const EVIL = 'https://evil.example';

function unique(routes: RouteRecord[]): RouteRecord[] {
  const seen = new Set<string>();
  return routes.filter((r) => {
    const k = `${r.method} ${r.url}`;
    if (seen.has(k) || r.method === 'HEAD') return false;
    seen.add(k);
    return true;
  });
}

describe('auth matrix over every registered route', () => {
  let pulse: TestPulse;
  let routes: RouteRecord[];
  let n = 0;
  beforeAll(async () => {
    pulse = await startTestPulse({
      env: { ...passwordEnv, API_TOKENS: TOKEN },
      // Many wrong Basic attempts from one test: lockout and slowdown are tested elsewhere.
      security: { lockout: { maxAttempts: 1_000_000 }, authFailures: { limit: 1_000_000, windowMs: 60_000 } },
    });
    routes = unique(pulse.routes);
  });
  afterAll(() => pulse.close());

  async function call(r: RouteRecord, headers: Record<string, string>) {
    // A fresh client address per call, so no rate class fills up along the way.
    n++;
    const xff = `198.18.${(n >> 8) & 255}.${n & 255}`;
    const res = await fetch(pulse.url + concretePath(r.url), {
      method: r.method,
      headers: {
        'x-forwarded-for': xff,
        ...(SAFE.has(r.method) ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: SAFE.has(r.method) ? undefined : '{}',
      redirect: 'manual',
    });
    const text = await res.text();
    return { status: res.status, text };
  }

  it('refuses every credential failure on every non-public route', async () => {
    const wrongBasic = `Basic ${Buffer.from(`${ADMIN}:not-the-password`).toString('base64')}`;
    const variants: Array<[string, Record<string, string>]> = [
      ['none', {}],
      ['wrong token', { 'x-api-token': 'b2'.repeat(32) }],
      ['wrong bearer', { authorization: `Bearer ${'b2'.repeat(32)}` }],
      ['wrong basic', { authorization: wrongBasic }],
      ['forged session', { cookie: `pulse_session=${'c3'.repeat(32)}` }],
    ];
    const failures: string[] = [];
    let checked = 0;
    for (const r of routes.filter((x) => x.guard !== 'public')) {
      for (const [name, headers] of variants) {
        const res = await call(r, headers);
        checked++;
        if (res.status !== 401)
          failures.push(`${r.method} ${r.url} [${name}] → ${res.status} ${res.text.slice(0, 60)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });

  it('refuses a session without CSRF token, and any foreign Origin, on every state-changing route', async () => {
    const c = new Client(pulse.url);
    expect((await c.login()).status).toBe(200);
    const session = `pulse_session=${c.cookie('pulse_session')}; pulse_csrf=${c.cookie('pulse_csrf')}`;
    const basic = `Basic ${Buffer.from(`${ADMIN}:${passwordEnv.PULSE_AUTH_PASS}`).toString('base64')}`;
    const failures: string[] = [];
    let checked = 0;
    for (const r of routes.filter((x) => !SAFE.has(x.method))) {
      const variants: Array<[string, Record<string, string>]> = [
        ['session, no CSRF token', { cookie: session }],
        ['session + token, foreign Origin', { cookie: session, 'x-csrf-token': c.cookie('pulse_csrf')!, origin: EVIL }],
        ['Basic, foreign Origin', { authorization: basic, origin: EVIL }],
        ['Basic, cross-site fetch', { authorization: basic, 'sec-fetch-site': 'cross-site' }],
        ['no credentials, foreign Origin', { origin: EVIL }],
      ];
      for (const [name, headers] of variants) {
        const res = await call(r, headers);
        checked++;
        // Public routes without credentials (login, setup) are refused for the Origin alone.
        if (res.status !== 403 && !(r.guard !== 'public' && name.startsWith('no credentials') && res.status === 401)) {
          failures.push(`${r.method} ${r.url} [${name}] → ${res.status} ${res.text.slice(0, 60)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    // The session is still usable: refusals did not rotate its token.
    expect((await c.post('/api/security/tokens', { name: 'after the matrix' })).status).toBe(200);
  });
});
