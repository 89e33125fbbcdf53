import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha3Hex } from '../../src/security/secrets.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { Client, passwordEnv } from '../helpers/session.js';

function dbBytes(dataDir: string): Buffer {
  const parts = ['pulse.db', 'pulse.db-wal'].map((f) => path.join(dataDir, f)).filter((f) => fs.existsSync(f));
  return Buffer.concat(parts.map((f) => fs.readFileSync(f)));
}

describe('API tokens', () => {
  const envRaw = 'env-token-value-0123456789';
  const legacyRaw = 'legacy-token-value-abcdef';
  let pulse: TestPulse;
  let admin: Client;
  beforeAll(async () => {
    pulse = await startTestPulse({ env: { ...passwordEnv, API_TOKENS: envRaw, API_TOKEN: legacyRaw } });
    admin = new Client(pulse.url);
    await admin.login();
  });
  afterAll(() => pulse.close());

  it('env tokens (API_TOKENS + legacy API_TOKEN) are listed and accepted', async () => {
    const list = await admin.get('/api/security/tokens');
    expect(list.status).toBe(200);
    const envTokens = list.body.tokens.filter((t: { name: string }) => t.name === 'Environment token');
    expect(envTokens).toHaveLength(2);
    for (const raw of [envRaw, legacyRaw]) {
      const res = await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': raw } });
      expect(res.status).toBe(200);
    }
    expect(JSON.stringify(list.body)).not.toContain(envRaw);
  });

  let created: { token: string; record: Record<string, unknown> };

  it('POST creates a 64-hex token shown once, with hints; only its hash is stored', async () => {
    const res = await admin.post('/api/security/tokens', { name: 'ansible' });
    expect(res.status).toBe(200);
    created = res.body;
    expect(created.token).toMatch(/^[0-9a-f]{64}$/);
    expect(created.record).toMatchObject({
      name: 'ansible',
      prefix: created.token.slice(0, 6),
      suffix: created.token.slice(-4),
      lastUsedAt: null,
    });
    expect(created.record.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(created.record.createdAt as string).toISOString()).toBe(created.record.createdAt);

    const bytes = dbBytes(pulse.dataDir);
    expect(bytes.includes(created.token)).toBe(false);
    expect(bytes.includes(sha3Hex(created.token))).toBe(true);

    const list = await admin.get('/api/security/tokens');
    expect(list.body.tokens[0]).toMatchObject({ id: created.record.id, name: 'ansible' });
    expect(JSON.stringify(list.body)).not.toContain(created.token);
  });

  it('a created token works as X-API-Token and Bearer, and records lastUsedAt', async () => {
    const h = await fetch(`${pulse.url}/api/security/audit`, { headers: { 'x-api-token': created.token } });
    expect(h.status).toBe(200);
    const b = await fetch(`${pulse.url}/api/security/audit`, { headers: { authorization: `Bearer ${created.token}` } });
    expect(b.status).toBe(200);
    const list = await admin.get('/api/security/tokens');
    const rec = list.body.tokens.find((t: { id: string }) => t.id === created.record.id);
    expect(typeof rec.lastUsedAt).toBe('string');
  });

  it('token requests need no CSRF token', async () => {
    const res = await fetch(`${pulse.url}/api/security/tokens`, {
      method: 'POST',
      headers: { 'x-api-token': created.token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-script' }),
    });
    expect(res.status).toBe(200);
    const made = await res.json();
    const del = await fetch(`${pulse.url}/api/security/tokens/${made.record.id}`, {
      method: 'DELETE',
      headers: { 'x-api-token': created.token },
    });
    expect(del.status).toBe(204);
  });

  it('?token= is accepted only for export/import and the WebSocket, not elsewhere', async () => {
    const res = await fetch(`${pulse.url}/api/security/tokens?token=${created.token}`);
    expect(res.status).toBe(401);
    // On an export path the query token authenticates (the route may not exist yet: 404, not 401).
    const exp = await fetch(`${pulse.url}/api/config/export?token=${created.token}`, { method: 'POST' });
    expect(exp.status).not.toBe(401);
    const expBad = await fetch(`${pulse.url}/api/config/export?token=${'0'.repeat(64)}`, { method: 'POST' });
    expect(expBad.status).toBe(401);
  });

  it('DELETE revokes a token; it stops working; unknown ids → 404', async () => {
    const del = await admin.req('DELETE', `/api/security/tokens/${created.record.id}`, { csrf: true });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const after = await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': created.token } });
    expect(after.status).toBe(401);
    const again = await admin.req('DELETE', `/api/security/tokens/${created.record.id}`, { csrf: true });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'Token not found' });
  });

  it('revoking an environment token persists across a restart', async () => {
    const list = await admin.get('/api/security/tokens');
    const envRec = list.body.tokens.find((t: { prefix: string }) => t.prefix === envRaw.slice(0, 6));
    expect((await admin.req('DELETE', `/api/security/tokens/${envRec.id}`, { csrf: true })).status).toBe(204);
    expect((await fetch(`${pulse.url}/api/health`, { headers: { 'x-api-token': envRaw } })).status).toBe(200);
    expect((await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': envRaw } })).status).toBe(401);

    await pulse.close();
    pulse = await startTestPulse({
      env: { ...passwordEnv, API_TOKENS: envRaw, API_TOKEN: legacyRaw },
      dataDir: pulse.dataDir,
    });
    admin = new Client(pulse.url);
    await admin.login();
    expect((await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': envRaw } })).status).toBe(401);
    expect((await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': legacyRaw } })).status).toBe(
      200,
    );
  });

  it('regenerate-token replaces every token with one', async () => {
    const res = await admin.post('/api/security/regenerate-token');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, requiresRestart: false });
    expect(res.body.token).toMatch(/^[0-9a-f]{64}$/);
    const list = await admin.get('/api/security/tokens');
    expect(list.body.tokens).toHaveLength(1);
    expect(list.body.tokens[0].name).toBe('Regenerated token');
    expect((await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': legacyRaw } })).status).toBe(
      401,
    );
    const ok = await fetch(`${pulse.url}/api/security/tokens`, { headers: { 'x-api-token': res.body.token } });
    expect(ok.status).toBe(200);
  });

  it('validate-token answers valid/invalid and 400 when empty', async () => {
    const c = new Client(pulse.url);
    const token = (await admin.post('/api/security/tokens', { name: 'v' })).body.token;
    expect((await c.post('/api/security/validate-token', { token })).body).toEqual({
      valid: true,
      message: 'Token is valid',
    });
    expect((await c.post('/api/security/validate-token', { token: 'x'.repeat(64) })).body.valid).toBe(false);
    expect((await c.post('/api/security/validate-token', { token: '' })).status).toBe(400);
  });

  it('token endpoints validate input', async () => {
    expect((await admin.post('/api/security/tokens', { name: 'n'.repeat(200) })).status).toBe(400);
    expect((await admin.post('/api/security/tokens', { name: 42 })).status).toBe(400);
    const dflt = await admin.post('/api/security/tokens', {});
    expect(dflt.body.record.name).toBe('API token');
  });

  it('security status shows the newest token hint, never the token', async () => {
    const status = await new Client(pulse.url).get('/api/security/status');
    expect(status.body.apiTokenConfigured).toBe(true);
    expect(status.body.apiTokenHint).toMatch(/^[0-9a-f]{6}\.\.\.[0-9a-f]{4}$/);
  });
});
