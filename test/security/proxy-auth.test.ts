/**
 * Proxy authentication (wire contract §4.1 step 3, §4.10) behind a real nginx: the proxy adds
 * PROXY_AUTH_SECRET and forwards the user and role headers an authenticating front end (Authelia,
 * Authentik) would set. Requests that reach Pulse directly, without the secret or with a wrong
 * one, have those headers ignored.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPulse, type TestPulse, tempDir } from '../helpers/pulse.js';

const NGINX = '/usr/sbin/nginx';
const SECRET = 'proxy-shared-secret-0123456789abcdef';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen: ${log()}`);
}

describe.skipIf(!fs.existsSync(NGINX))('proxy authentication behind nginx', { timeout: 60_000 }, () => {
  let pulse: TestPulse;
  let nginx: ChildProcess;
  let viaProxy: string;
  let nginxLog = '';

  beforeAll(async () => {
    pulse = await startTestPulse({
      env: {
        PROXY_AUTH_SECRET: SECRET,
        PROXY_AUTH_USER_HEADER: 'Remote-User',
        PROXY_AUTH_ROLE_HEADER: 'Remote-Groups',
        PROXY_AUTH_LOGOUT_URL: 'https://auth.example.test/logout',
      },
    });
    const prefix = tempDir('pulse-nginx-');
    const port = await freePort();
    const upstream = new URL(pulse.url);
    // nginx adds the secret; clients' own X-Proxy-Secret is overwritten, as a real deployment does.
    const conf = `
daemon off;
master_process off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${upstream.host};
      proxy_set_header X-Proxy-Secret "${SECRET}";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto http;
    }
  }
}
`;
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), conf);
    nginx = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nginx.stderr?.on('data', (d) => {
      nginxLog += d;
    });
    await waitForPort(port, nginx, () => nginxLog);
    viaProxy = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    await pulse?.close();
  });

  it('authenticates the named user; the admin role opens admin routes', async () => {
    const admin = { 'Remote-User': 'alice', 'Remote-Groups': 'ops|admin' };
    const alerts = await fetch(`${viaProxy}/api/alerts/active`, { headers: admin });
    expect(alerts.status).toBe(200);
    expect(alerts.headers.get('x-authenticated-user')).toBe('alice');
    expect(alerts.headers.get('x-auth-method')).toBe('proxy');
    expect((await fetch(`${viaProxy}/api/security/oidc`, { headers: admin })).status).toBe(200);

    const status = await (await fetch(`${viaProxy}/api/security/status`, { headers: admin })).json();
    expect(status).toMatchObject({
      hasProxyAuth: true,
      proxyAuthUsername: 'alice',
      proxyAuthIsAdmin: true,
      proxyAuthLogoutURL: 'https://auth.example.test/logout',
      requiresAuth: true,
    });
    expect(JSON.stringify(status)).not.toContain(SECRET);
  });

  it('a user without the admin role is signed in but refused admin routes', async () => {
    const viewer = { 'Remote-User': 'bob', 'Remote-Groups': 'viewers|administrators' };
    expect((await fetch(`${viaProxy}/api/alerts/active`, { headers: viewer })).status).toBe(200);
    const refused = await fetch(`${viaProxy}/api/security/oidc`, { headers: viewer });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'Admin privileges required' });
    const status = await (await fetch(`${viaProxy}/api/security/status`, { headers: viewer })).json();
    expect(status).toMatchObject({ proxyAuthUsername: 'bob', proxyAuthIsAdmin: false });
  });

  it('the proxy without a user header authenticates nobody', async () => {
    expect((await fetch(`${viaProxy}/api/alerts/active`)).status).toBe(401);
    expect((await fetch(`${viaProxy}/api/alerts/active`, { headers: { 'Remote-User': ' ' } })).status).toBe(401);
  });

  it('ignores the user headers without the secret or with a wrong one', async () => {
    const headers = { 'Remote-User': 'mallory', 'Remote-Groups': 'admin' };
    const direct = await fetch(`${pulse.url}/api/alerts/active`, { headers });
    expect(direct.status).toBe(401);
    expect(direct.headers.get('x-authenticated-user')).toBeNull();
    for (const wrong of [SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
      const res = await fetch(`${pulse.url}/api/alerts/active`, { headers: { ...headers, 'X-Proxy-Secret': wrong } });
      expect(res.status).toBe(401);
    }
    const status = await (await fetch(`${pulse.url}/api/security/status`, { headers })).json();
    expect(status).toMatchObject({ hasProxyAuth: true, proxyAuthUsername: '', proxyAuthIsAdmin: false });
    // The right secret straight from a client is the proxy's own credential, and is honoured.
    const right = await fetch(`${pulse.url}/api/alerts/active`, { headers: { ...headers, 'X-Proxy-Secret': SECRET } });
    expect(right.status).toBe(200);
  });

  it('a state-changing request through the proxy still needs a same-site origin', async () => {
    const admin = { 'Remote-User': 'alice', 'Remote-Groups': 'admin', 'content-type': 'application/json' };
    const foreign = await fetch(`${viaProxy}/api/alerts/bulk/clear`, {
      method: 'POST',
      headers: { ...admin, Origin: 'https://evil.example' },
      body: JSON.stringify({ alertIds: [] }),
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('CSRF');
  });
});
