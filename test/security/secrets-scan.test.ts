/**
 * The probe's secrets scan, kept running (issue 22 Tests): configure every kind of secret Pulse
 * holds, exercise it (logins, failed sends, failed polls, an export), then look for each secret
 * in every GET reply of every registered route, in every log line, and in every file of the
 * data directory. None may appear in clear anywhere.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, concretePath } from '../helpers/http.js';
import { LogCapture, startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { Client } from '../helpers/session.js';

const ADMIN_PASS = 'Admin-Secret-Passw0rd-771';
const ENV_TOKEN = 'env-api-token-secret-value-9931';
const NODE_TOKEN_SECRET = 'b7e4c1d2-node-token-secret-0042';
const NODE_PASSWORD = 'Pbs-Node-Passw0rd-Secret-55';
const SMTP_PASSWORD = 'Smtp-Passw0rd-Secret-66';
const WEBHOOK_PATH_TOKEN = 'WebhookPathTokenLettersOnly';
const WEBHOOK_HEADER = 'Webhook-Header-Secret-77';
const PUSHOVER_TOKEN = 'pushoverAppTokenSecret88';
const NTFY_TOPIC = 'ntfy-private-topic-99';
const EXPORT_PASSPHRASE = 'Export-Passphrase-Secret-11';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('secrets scan', () => {
  const logs = new LogCapture();
  let pulse: TestPulse;
  let receiver: http.Server;
  let hookBase: string;
  const secrets = [
    ADMIN_PASS,
    ENV_TOKEN,
    NODE_TOKEN_SECRET,
    NODE_PASSWORD,
    SMTP_PASSWORD,
    WEBHOOK_PATH_TOKEN,
    WEBHOOK_HEADER,
    PUSHOVER_TOKEN,
    NTFY_TOPIC,
    EXPORT_PASSPHRASE,
  ];
  const tok = { 'x-api-token': ENV_TOKEN };

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bad gateway for ${req.url} ${JSON.stringify(req.headers)}`);
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    pulse = await startTestPulse({
      logs,
      env: {
        PULSE_AUTH_USER: 'admin',
        PULSE_AUTH_PASS: ADMIN_PASS,
        API_TOKENS: ENV_TOKEN,
        PULSE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
      },
    });
  });
  afterAll(async () => {
    await pulse.close();
    await new Promise((r) => receiver.close(r));
  });

  const call = (method: string, p: string, body?: unknown) => api(pulse.url, method, p, body, tok);

  it('configures and exercises every kind of secret', async () => {
    // Session secrets (cookie values) join the list once we have them.
    const c = new Client(pulse.url);
    expect((await c.login('admin', ADMIN_PASS)).status).toBe(200);
    secrets.push(c.cookie('pulse_session')!, c.cookie('pulse_csrf')!);
    await c.login('admin', `${ADMIN_PASS}-wrong`);
    const created = await c.post('/api/security/tokens', { name: 'scan' });
    expect(created.status).toBe(200);
    secrets.push(created.body.token);

    // Nodes on a closed port: every poll fails and is logged.
    const pve = await call('POST', '/api/config/nodes', {
      type: 'pve',
      name: 'pve-secret',
      host: 'https://127.0.0.1:1',
      tokenName: 'root@pam!pulse',
      tokenValue: NODE_TOKEN_SECRET,
    });
    expect(pve.status).toBe(201);
    const pbs = await call('POST', '/api/config/nodes', {
      type: 'pbs',
      name: 'pbs-secret',
      host: 'https://127.0.0.1:2',
      user: 'root@pam',
      password: NODE_PASSWORD,
    });
    expect(pbs.status).toBe(201);
    await pulse.deps.monitoring.pollNow();

    expect(
      (
        await call('PUT', '/api/notifications/email', {
          enabled: true,
          server: '127.0.0.1',
          port: 1,
          username: 'mailer',
          password: SMTP_PASSWORD,
          from: 'pulse@example.com',
          to: ['ops@example.com'],
        })
      ).status,
    ).toBe(200);
    for (const hook of [
      {
        name: 'g',
        service: 'generic',
        url: `${hookBase}/x/${WEBHOOK_PATH_TOKEN}`,
        headers: { 'X-Secret': WEBHOOK_HEADER },
      },
      {
        name: 'p',
        service: 'pushover',
        url: `${hookBase}/1/messages.json`,
        customFields: { app_token: PUSHOVER_TOKEN, user_token: 'u' },
      },
      { name: 'n', service: 'ntfy', url: `${hookBase}/${NTFY_TOPIC}` },
    ]) {
      const res = await call('POST', '/api/notifications/webhooks', hook);
      expect(res.status, hook.name).toBe(200);
      const id = JSON.parse(res.text).id;
      await call('POST', '/api/notifications/test', { webhookId: id });
    }
    await call('POST', '/api/notifications/test', { method: 'email' });
    const exported = await call('POST', '/api/config/export', { passphrase: EXPORT_PASSPHRASE });
    expect(exported.status).toBe(200);
    expect(exported.text).not.toContain(NODE_TOKEN_SECRET);
  });

  it('no GET reply of any route carries a secret', async () => {
    const seen = new Set<string>();
    const found: string[] = [];
    let checked = 0;
    for (const r of pulse.routes) {
      if (r.method !== 'GET' || seen.has(r.url) || r.url.startsWith('/ws') || r.url.startsWith('/socket.io')) continue;
      seen.add(r.url);
      for (const headers of [tok, { cookie: `pulse_session=${secrets[10]}` }]) {
        const res = await fetch(pulse.url + concretePath(r.url), { headers });
        const text = await res.text();
        checked++;
        for (const s of secrets) if (text.includes(s)) found.push(`${r.url} carries ${s.slice(0, 6)}…`);
      }
    }
    expect(found).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  });

  it('no log line and no data file carries a secret', async () => {
    const log = logs.lines.join('\n');
    expect(log.length).toBeGreaterThan(0);
    const files = filesUnder(pulse.dataDir);
    expect(files.some((f) => f.endsWith('pulse.db'))).toBe(true);
    const found: string[] = [];
    for (const s of secrets) {
      if (log.includes(s)) found.push(`log carries ${s.slice(0, 6)}…`);
      for (const f of files) {
        if (fs.readFileSync(f).includes(Buffer.from(s))) found.push(`${path.basename(f)} carries ${s.slice(0, 6)}…`);
      }
    }
    expect(found).toEqual([]);
  });
});
