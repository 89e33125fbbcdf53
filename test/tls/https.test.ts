/**
 * Built-in HTTPS over real sockets: Pulse serves its certificate, login cookies are Secure, a
 * renewed certificate is picked up without a restart (an unusable one is not), and a bad or
 * unreadable certificate stops start-up naming the file — in-process and as the real entry point
 * (exit code 2).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/settings/env.js';
import { startTestPulse, type TestPulse, tempDir } from '../helpers/pulse.js';

const USER = 'admin';
const PASS = 'correct-horse-battery';

async function makeCert(cn: string): Promise<{ cert: string; key: string; fingerprint256: string }> {
  const pems = await generate([{ name: 'commonName', value: cn }], { keySize: 2048, algorithm: 'sha256' });
  return { cert: pems.cert, key: pems.private, fingerprint256: new crypto.X509Certificate(pems.cert).fingerprint256 };
}

/** Writes a file the way renewal tools do: a new file renamed over the old one. */
function replaceFile(file: string, content: string): void {
  const tmp = `${file}.new`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The SHA-256 fingerprint of the certificate a new TLS connection to `url` is given. */
function servedFingerprint(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.once('error', reject);
  });
}

async function until(what: string, check: () => Promise<boolean> | boolean, attempts = 120): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not happen`);
}

// The test's own certificate is self-signed: trust is checked by fingerprint instead of a CA.
const insecure = new Agent({ connect: { rejectUnauthorized: false } });
const get = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, dispatcher: insecure } as RequestInit & { dispatcher: Agent });

describe('HTTPS served by Pulse', () => {
  const dir = tempDir('pulse-tls-');
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  let first: Awaited<ReturnType<typeof makeCert>>;
  let pulse: TestPulse;

  beforeAll(async () => {
    first = await makeCert('pulse-first.test');
    fs.writeFileSync(certFile, first.cert);
    fs.writeFileSync(keyFile, first.key, { mode: 0o600 });
    pulse = await startTestPulse({
      env: {
        HTTPS_ENABLED: 'true',
        TLS_CERT_FILE: certFile,
        TLS_KEY_FILE: keyFile,
        PULSE_AUTH_USER: USER,
        PULSE_AUTH_PASS: PASS,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await pulse?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the configured certificate, and no plain HTTP', async () => {
    expect(pulse.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await servedFingerprint(pulse.url)).toBe(first.fingerprint256);
    expect((await get(`${pulse.url}/api/health`)).status).toBe(200);
    const plain = pulse.url.replace('https:', 'http:');
    const res = await fetch(`${plain}/api/health`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(res).not.toBe(200);
  });

  it('makes login cookies Secure', async () => {
    const res = await get(`${pulse.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: USER, password: PASS }),
    });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    for (const c of cookies) expect(c, c.split('=')[0]).toMatch(/;\s*Secure/i);
  });

  it('reports the certificate in service on /api/system/tls', async () => {
    const login = await get(`${pulse.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: USER, password: PASS }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    expect((await get(`${pulse.url}/api/system/tls`)).status).toBe(401);
    const status = await (await get(`${pulse.url}/api/system/tls`, { headers: { cookie } })).json();
    expect(status).toMatchObject({ enabled: true, certFile, keyFile, fingerprint256: first.fingerprint256 });
    expect(status.subject).toContain('CN=pulse-first.test');
    expect(Date.parse(status.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('serves a renewed certificate without a restart, and keeps it when the next change is unusable', async () => {
    const second = await makeCert('pulse-second.test');
    replaceFile(keyFile, second.key);
    replaceFile(certFile, second.cert);
    await until(
      'the renewed certificate served',
      async () => (await servedFingerprint(pulse.url)) === second.fingerprint256,
    );
    expect(pulse.deps.tls.status()).toMatchObject({ fingerprint256: second.fingerprint256 });
    expect(pulse.deps.tls.status().reloadError).toBeUndefined();

    replaceFile(certFile, 'not a certificate\n');
    await until('the bad change noticed', () => pulse.deps.tls.status().reloadError !== undefined);
    expect(pulse.deps.tls.status().reloadError).toContain(certFile);
    expect(await servedFingerprint(pulse.url)).toBe(second.fingerprint256);
    expect((await get(`${pulse.url}/api/health`)).status).toBe(200);
  }, 60_000);
});

describe('an unusable certificate stops start-up', () => {
  const dir = tempDir('pulse-tls-bad-');
  let good: Awaited<ReturnType<typeof makeCert>>;
  let other: Awaited<ReturnType<typeof makeCert>>;
  beforeAll(async () => {
    good = await makeCert('good.test');
    other = await makeCert('other.test');
    fs.writeFileSync(path.join(dir, 'cert.pem'), good.cert);
    fs.writeFileSync(path.join(dir, 'key.pem'), good.key);
    fs.writeFileSync(path.join(dir, 'other-key.pem'), other.key);
    fs.writeFileSync(path.join(dir, 'garbage.pem'), 'hello\n');
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const start = (cert: string, key: string) =>
    startTestPulse({
      dataDir: tempDir(),
      env: { HTTPS_ENABLED: 'true', TLS_CERT_FILE: path.join(dir, cert), TLS_KEY_FILE: path.join(dir, key) },
    });

  it.each([
    ['missing.pem', 'key.pem', 'TLS_CERT_FILE', /missing\.pem \(ENOENT\)/],
    ['garbage.pem', 'key.pem', 'TLS_CERT_FILE', /garbage\.pem does not hold a PEM certificate/],
    ['cert.pem', 'garbage.pem', 'TLS_KEY_FILE', /garbage\.pem does not hold a PEM private key/],
    ['cert.pem', 'other-key.pem', 'TLS_KEY_FILE', /other-key\.pem is not the key of the certificate in .*cert\.pem/],
  ])('%s + %s → %s', async (cert, key, variable, message) => {
    const err = await start(cert, key).then(
      (p) => p.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as SettingsError).variable).toBe(variable);
    expect((err as SettingsError).message).toMatch(message);
  });

  it('as the real entry point: exit code 2 and one line naming the file', { timeout: 120_000 }, async () => {
    const child: ChildProcess = spawn('node_modules/.bin/tsx', ['src/main.ts'], {
      env: {
        ...process.env,
        PULSE_DATA_DIR: tempDir(),
        FRONTEND_PORT: '0',
        BIND_ADDRESS: '127.0.0.1',
        HTTPS_ENABLED: 'true',
        TLS_CERT_FILE: path.join(dir, 'garbage.pem'),
        TLS_KEY_FILE: path.join(dir, 'key.pem'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code, out).toBe(2);
    expect(out.trim().split('\n')).toEqual([
      `pulse: invalid setting TLS_CERT_FILE: ${path.join(dir, 'garbage.pem')} does not hold a PEM certificate`,
    ]);
  });

  it('HTTPS_ENABLED without the files is an invalid setting', async () => {
    await expect(startTestPulse({ env: { HTTPS_ENABLED: 'true' } })).rejects.toThrow(/TLS_CERT_FILE: must be set/);
  });
});
