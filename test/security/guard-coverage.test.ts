/**
 * Walks EVERY registered route (whatever areas exist when this runs) and proves the gate holds:
 * - with a password configured, no non-public route answers without credentials (401);
 * - no state-changing route accepts a session cookie without the CSRF token (403);
 * - in API-only mode, nothing but the public routes answers without a token (issue 22 item 4).
 * Parameters (`:id`, `*`) get placeholder values; the gate decides before any handler runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteRecord } from '../../src/http/guard.js';
import { concretePath } from '../helpers/http.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { Client, passwordEnv } from '../helpers/session.js';

const TOKEN = 'f'.repeat(64);
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function unique(routes: RouteRecord[]): RouteRecord[] {
  const seen = new Set<string>();
  return routes.filter((r) => {
    const k = `${r.method} ${r.url}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function call(base: string, r: RouteRecord, headers: Record<string, string> = {}) {
  const res = await fetch(base + concretePath(r.url), {
    method: r.method,
    headers: SAFE.has(r.method) ? headers : { ...headers, 'content-type': 'application/json' },
    body: SAFE.has(r.method) ? undefined : '{}',
    redirect: 'manual',
  });
  const text = r.method === 'HEAD' ? '' : await res.text();
  return { status: res.status, text };
}

describe('every route is guarded (password + token configured)', () => {
  let pulse: TestPulse;
  let routes: RouteRecord[];
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { ...passwordEnv, API_TOKENS: TOKEN } });
    routes = unique(pulse.routes);
  });
  afterAll(() => pulse.close());

  it('the route table includes the security routes with their guards', () => {
    const find = (m: string, u: string) => routes.find((r) => r.method === m && r.url === u)?.guard;
    expect(find('POST', '/api/login')).toBe('public');
    expect(find('GET', '/api/security/status')).toBe('public');
    expect(find('GET', '/api/security/tokens')).toBe('admin');
    expect(find('DELETE', '/api/security/tokens/:id')).toBe('admin');
    expect(find('POST', '/api/logout')).toBe('authenticated');
    expect(routes.length).toBeGreaterThan(15);
  });

  it('no non-public route answers without credentials', async () => {
    const failures: string[] = [];
    const checked: string[] = [];
    for (const r of routes.filter((x) => x.guard !== 'public')) {
      const res = await call(pulse.url, r);
      checked.push(`${r.method} ${r.url}`);
      if (res.status !== 401) failures.push(`${r.method} ${r.url} → ${res.status} ${res.text.slice(0, 80)}`);
    }
    expect(failures).toEqual([]);
    expect(checked.length).toBeGreaterThan(8);
  });

  it('no non-public route answers to a wrong token or a forged session cookie', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.guard !== 'public')) {
      const variants: Record<string, string>[] = [
        { 'x-api-token': 'e'.repeat(64) },
        { authorization: `Bearer ${'e'.repeat(64)}` },
        { cookie: `pulse_session=${'a'.repeat(64)}` },
      ];
      for (const headers of variants) {
        const res = await call(pulse.url, r, headers);
        if (res.status !== 401) failures.push(`${r.method} ${r.url} ${Object.keys(headers)[0]} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('no state-changing route accepts a session without the CSRF token', async () => {
    const c = new Client(pulse.url);
    expect((await c.login()).status).toBe(200);
    const failures: string[] = [];
    let checked = 0;
    for (const r of routes.filter((x) => !SAFE.has(x.method))) {
      const before = c.cookie('pulse_csrf');
      const res = await c.req(r.method, concretePath(r.url), { body: {}, csrf: false });
      checked++;
      if (res.status !== 403 || res.body?.error !== 'CSRF token validation failed') {
        failures.push(`${r.method} ${r.url} → ${res.status} ${res.text.slice(0, 80)}`);
      }
      // A refusal never rotates the token: a forged request must not break the real page.
      if (c.cookie('pulse_csrf') !== before) failures.push(`${r.method} ${r.url}: pulse_csrf rotated on a refusal`);
      // A wrong token is refused the same way.
      const wrong = await c.req(r.method, concretePath(r.url), {
        body: {},
        headers: { 'x-csrf-token': 'A'.repeat(43) + '=' },
      });
      if (wrong.status !== 403) failures.push(`${r.method} ${r.url} (wrong token) → ${wrong.status}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(8);
    // The session itself is still fine for reads.
    expect((await c.get('/api/security/tokens')).status).toBe(200);
  });

  it('unknown /api paths need credentials too (no probing for routes)', async () => {
    expect((await fetch(`${pulse.url}/api/no/such/route`)).status).toBe(401);
    const ok = await fetch(`${pulse.url}/api/no/such/route`, { headers: { 'x-api-token': TOKEN } });
    expect(ok.status).toBe(404);
  });
});

describe('every route is guarded (API-only mode)', () => {
  let pulse: TestPulse;
  let routes: RouteRecord[];
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
    routes = unique(pulse.routes);
  });
  afterAll(() => pulse.close());

  it('without a token no non-public route answers, the inventory reads included', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of routes.filter((x) => x.guard !== 'public')) {
      const res = await call(pulse.url, r);
      checked++;
      if (res.status !== 401) failures.push(`${r.method} ${r.url} → ${res.status}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(8);
    for (const p of ['/api/state', '/api/config/nodes', '/api/config/system', '/api/settings']) {
      expect((await fetch(pulse.url + p)).status).toBe(401);
      expect((await fetch(pulse.url + p, { headers: { 'x-api-token': TOKEN } })).status).toBe(200);
    }
  });
});
