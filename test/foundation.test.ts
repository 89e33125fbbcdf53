import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { keyFilePath } from '../src/crypto/key-file.js';
import { SecretRepo } from '../src/crypto/secret-repo.js';
import { startTestPulse, tempDir } from './helpers/pulse.js';

describe('health and version', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse.close());

  it('GET /api/health has the contract shape', async () => {
    const res = await fetch(`${pulse.url}/api/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.status).toBe('healthy');
    expect(Number.isInteger(body.timestamp)).toBe(true);
    expect(Math.abs(body.timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(typeof body.uptime).toBe('number');
    expect(body.uptime).toBeGreaterThanOrEqual(0);
  });

  it('GET /api/version has the contract shape', async () => {
    const body = await (await fetch(`${pulse.url}/api/version`)).json();
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
    expect(body).toMatchObject({
      version: `v${pkg.version}`,
      runtime: 'node',
      channel: 'stable',
      isDocker: false,
    });
    expect(typeof body.build).toBe('string');
    expect(typeof body.isDevelopment).toBe('boolean');
  });

  it('unknown /api path → 404 JSON error', async () => {
    const res = await fetch(`${pulse.url}/api/no/such/thing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect((await res.json()).error).toMatch(/not found/i);
  });

  it('trailing slashes are accepted', async () => {
    expect((await fetch(`${pulse.url}/api/health/`)).status).toBe(200);
  });

  it('non-API paths serve the web UI (index fallback for client routes)', async () => {
    const res = await fetch(`${pulse.url}/settings/nodes`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('Pulse');
  });
});

describe('request error shapes', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let app: Awaited<ReturnType<typeof buildApp>>['app'];

  beforeAll(async () => {
    // A second app over a running Pulse's services, with extra routes to exercise the body pipeline.
    pulse = await startTestPulse();
    ({ app } = await buildApp(pulse.deps));
    const anything = { type: 'object', additionalProperties: true };
    app.post(
      '/api/echo',
      { config: { guard: 'public' }, schema: { body: anything, response: { 200: anything } } },
      async (req) => ({ got: req.body }),
    );
    app.get('/api/boom', { config: { guard: 'public' }, schema: { response: { 200: anything } } }, async () => {
      throw new Error('secret internal detail at /srv/x.ts:12');
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await pulse.close();
  });

  it('accepts a well-formed JSON body', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/echo', payload: { a: 1 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ got: { a: 1 } });
  });

  it('malformed JSON → 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"a": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.stringMatching(/json/i) });
  });

  it('body over 1 MiB → 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ big: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatch(/too large/i);
  });

  it('unsupported content type → 415', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatch(/content-type/i);
  });

  it('an unexpected error → 500 without leaking details', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Internal server error' });
    expect(res.body).not.toContain('secret internal detail');
  });
});

describe('secrets at rest', () => {
  it('a secret written before a restart decrypts after it, and is not stored in clear', async () => {
    const dataDir = tempDir();
    let pulse = await startTestPulse({ dataDir });
    new SecretRepo(pulse.deps.db, pulse.deps.secrets).set('smtp-password', 'p@ss-w0rd-123');
    await pulse.close();

    const dbBytes = fs.readFileSync(path.join(dataDir, 'pulse.db'));
    const wal = path.join(dataDir, 'pulse.db-wal');
    const walBytes = fs.existsSync(wal) ? fs.readFileSync(wal) : Buffer.alloc(0);
    expect(dbBytes.includes('p@ss-w0rd-123')).toBe(false);
    expect(walBytes.includes('p@ss-w0rd-123')).toBe(false);

    pulse = await startTestPulse({ dataDir });
    expect(new SecretRepo(pulse.deps.db, pulse.deps.secrets).get('smtp-password')).toBe('p@ss-w0rd-123');
    await pulse.close();
  });

  it('refuses to start when the key file is missing but encrypted data exists', async () => {
    const dataDir = tempDir();
    const pulse = await startTestPulse({ dataDir });
    await pulse.close();
    fs.unlinkSync(keyFilePath(dataDir));
    await expect(startTestPulse({ dataDir })).rejects.toThrow(/missing.*refusing to start/i);
    expect(fs.existsSync(keyFilePath(dataDir))).toBe(false);
  });

  it('refuses to start with a key from another installation', async () => {
    const dataDir = tempDir();
    const pulse = await startTestPulse({ dataDir });
    await pulse.close();
    fs.writeFileSync(keyFilePath(dataDir), Buffer.alloc(32, 7));
    await expect(startTestPulse({ dataDir })).rejects.toThrow(/does not match/);
  });
});
