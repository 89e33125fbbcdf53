/**
 * The webhook API: validation on save (templates that do not render JSON are refused with the
 * position, URL policy), masking of secrets in replies and their round trip, secrets not in the
 * database file in clear, the test routes, templates, settings and 404s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, waitFor } from '../helpers/http.js';
import { startTestPulse } from '../helpers/pulse.js';
import { HttpReceiver } from '../helpers/receivers.js';

process.env.PULSE_ALLOW_LOOPBACK_WEBHOOKS = 'true';

let pulse: Awaited<ReturnType<typeof startTestPulse>>;
let rx: HttpReceiver;

const DISCORD_TOKEN = 'Zq9vX3kT7pLmN2bR8sW4yH6jK1cF5dG0aE-uIoPzXcVbNm';
const HEADER_SECRET = 'Bearer hdr-S3CR3T-value-4242';
const APP_TOKEN = 'pushover-app-T0K3N-777';

beforeAll(async () => {
  rx = await new HttpReceiver().start();
  pulse = await startTestPulse();
});
afterAll(async () => {
  await pulse?.close();
  await rx?.close();
});

const testAlertLike = () => ({
  id: 'x',
  type: 'cpu',
  level: 'warning' as const,
  resourceId: 'r',
  resourceName: 'r',
  node: 'n',
  instance: 'i',
  message: 'm',
  value: 1,
  threshold: 1,
  startTime: '2026-01-01T00:00:00Z',
  lastSeen: '2026-01-01T00:00:00Z',
  acknowledged: false,
});

const post = (body: unknown) => api(pulse.url, 'POST', '/api/notifications/webhooks', body);

describe('webhook validation on save', () => {
  it('refuses a template that does not render valid JSON, with line and column', async () => {
    const r = await post({
      name: 'broken',
      url: `${rx.url}/x`,
      service: 'generic',
      template: '{\n  "alert": "{{.Level}}",\n  "value": {{.Value}}\n  "oops": 1\n}',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/not valid JSON at 4:3/);
    expect(r.body).toMatchObject({ line: 4, column: 3 });
  });

  it('refuses a template that does not parse, with line and column', async () => {
    const r = await post({ name: 'bad', url: `${rx.url}/x`, service: 'slack', template: '{"text": "{{if .Level}}"}' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/invalid template at 1:/);
    expect(r.body.line).toBe(1);
  });

  it('refuses a template whose resolve rendering is not JSON', async () => {
    const r = await post({
      name: 'resolve-broken',
      url: `${rx.url}/x`,
      template: '{"a": 1{{if .Resolved}},{{end}}}',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/resolve/);
  });

  it('accepts a plain-text template for ntfy', async () => {
    const r = await post({
      name: 'ntfy-text',
      url: `${rx.url}/ntfy`,
      service: 'ntfy',
      template: '{{.Level}}: {{.Message}}',
    });
    expect(r.status, r.text).toBe(200);
  });

  it('applies the URL policy and service requirements', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ url: 'ftp://example.com/x' }, /http or https/],
      [{ url: 'not a url' }, /not valid/],
      [{ url: 'http://169.254.169.254/latest' }, /link-local/],
      [{ url: 'http://metadata.google.internal/x' }, /metadata/],
      [{ url: '' }, /url is required/],
      [{ url: 'https://api.telegram.org/bot1:x/sendMessage', service: 'telegram' }, /chat_id/],
      [{ url: 'https://events.pagerduty.com/v2/enqueue', service: 'pagerduty' }, /routing key/],
      [{ url: 'https://api.pushover.net/1/messages.json', service: 'pushover' }, /app_token/],
      [{ url: 'https://example.com', service: 'carrier-pigeon' }, /unknown service/],
      [{ url: 'https://example.com', method: 'DELETE' }, /method/],
      [{ url: 'https://example.com', headers: { a: 1 } }, /headers\.a must be a string/],
    ];
    for (const [body, msg] of cases) {
      const r = await post({ name: 'x', ...(body as object) });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatch(msg);
    }
    // Private networks are fine.
    expect((await post({ name: 'lan', url: 'http://192.168.1.20:8080/hook' })).status).toBe(200);
  });
});

describe('secrets', () => {
  let id: string;

  it('masks URL tokens, secret headers and credential custom fields in replies', async () => {
    const r = await post({
      name: 'Discord Alert',
      url: `${rx.url}/api/webhooks/123456789/${DISCORD_TOKEN}`,
      method: 'POST',
      service: 'discord',
      enabled: true,
      headers: { Authorization: HEADER_SECRET, 'Content-Type': 'application/json' },
      customFields: { app_token: APP_TOKEN, device: 'phone' },
    });
    expect(r.status, r.text).toBe(200);
    id = r.body.id;
    expect(id).toMatch(/^webhook-\d+$/);
    const list = await api(pulse.url, 'GET', '/api/notifications/webhooks');
    for (const text of [r.text, list.text]) {
      expect(text).not.toContain(DISCORD_TOKEN);
      expect(text).not.toContain(HEADER_SECRET);
      expect(text).not.toContain(APP_TOKEN);
    }
    const w = list.body.find((x: { id: string }) => x.id === id);
    expect(w.url).toContain('/api/webhooks/123456789/');
    expect(w.headers).toEqual({ Authorization: '********', 'Content-Type': 'application/json' });
    expect(w.customFields).toEqual({ app_token: '********', device: 'phone' });
  });

  it('keeps stored secrets when the masked values come back on PUT', async () => {
    const list = await api(pulse.url, 'GET', '/api/notifications/webhooks');
    const w = list.body.find((x: { id: string }) => x.id === id);
    const put = await api(pulse.url, 'PUT', `/api/notifications/webhooks/${id}`, { ...w, name: 'Renamed' });
    expect(put.status, put.text).toBe(200);
    expect(put.body.name).toBe('Renamed');
    // A test send to the saved webhook uses the real URL and header.
    const t = await api(pulse.url, 'POST', '/api/notifications/test', { webhookId: id });
    expect(t.status, t.text).toBe(200);
    const got = rx.all(`/api/webhooks/123456789/${DISCORD_TOKEN}`);
    expect(got).toHaveLength(1);
    expect(got[0].headers.authorization).toBe(HEADER_SECRET);
    expect(JSON.parse(got[0].body).embeds[0].fields[0].value).toBe('Test VM');
  });

  it('never writes the secrets to the database file in clear', async () => {
    await api(pulse.url, 'PUT', '/api/notifications/email', {
      enabled: true,
      server: 'smtp.example.com',
      port: 587,
      username: 'u',
      password: 'smtp-P4SSW0RD-secret',
      from: 'a@example.com',
    });
    pulse.deps.db.pragma('wal_checkpoint(FULL)');
    const files = fs.readdirSync(pulse.dataDir).filter((f) => f.startsWith('pulse.db'));
    const bytes = Buffer.concat(files.map((f) => fs.readFileSync(path.join(pulse.dataDir, f))));
    for (const secret of [DISCORD_TOKEN, HEADER_SECRET, APP_TOKEN, 'smtp-P4SSW0RD-secret']) {
      expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
    }
    expect(bytes.includes(Buffer.from('Renamed'))).toBe(true); // the file is readable; names are not secret
  });
});

describe('webhook routes', () => {
  it('POST /webhooks/test sends the test alert and reports the receiver reply', async () => {
    rx.respond = (r) => (r.path === '/fails' ? 500 : 200);
    const ok = await api(pulse.url, 'POST', '/api/notifications/webhooks/test', {
      name: 'Test',
      url: `${rx.url}/tested`,
      service: 'generic',
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ status: 200, success: true });
    const p = JSON.parse(rx.all('/tested')[0].body);
    expect(p.alert).toMatchObject({ resource_name: 'Test VM', value: 85.5, threshold: 80, level: 'warning' });

    const bad = await api(pulse.url, 'POST', '/api/notifications/webhooks/test', { name: 'T', url: `${rx.url}/fails` });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 500 });
    expect(bad.body.error).toMatch(/HTTP 500/);
    rx.respond = () => 200;
  });

  it('GET /webhook-templates lists every built-in service with its payload template', async () => {
    const r = await api(pulse.url, 'GET', '/api/notifications/webhook-templates');
    expect(r.status).toBe(200);
    const services = r.body.map((t: { service: string }) => t.service);
    for (const s of [
      'discord',
      'telegram',
      'slack',
      'teams',
      'pagerduty',
      'teams-adaptive',
      'pushover',
      'gotify',
      'ntfy',
      'mattermost',
      'generic',
    ]) {
      expect(services).toContain(s);
    }
    for (const t of r.body) {
      expect(Object.keys(t).sort()).toEqual([
        'headers',
        'instructions',
        'method',
        'name',
        'payloadTemplate',
        'service',
        'urlPattern',
      ]);
    }
  });

  it('404 for unknown webhooks, DELETE works', async () => {
    expect((await api(pulse.url, 'PUT', '/api/notifications/webhooks/nope', { url: 'https://e.com' })).status).toBe(
      404,
    );
    expect((await api(pulse.url, 'DELETE', '/api/notifications/webhooks/nope')).status).toBe(404);
    expect((await api(pulse.url, 'POST', '/api/notifications/test', { webhookId: 'nope' })).status).toBe(404);
    const created = await post({ name: 'temp', url: 'https://example.com/hook' });
    const del = await api(pulse.url, 'DELETE', `/api/notifications/webhooks/${created.body.id}`);
    expect(del.body).toEqual({ status: 'success' });
    const list = await api(pulse.url, 'GET', '/api/notifications/webhooks');
    expect(list.body.some((w: { id: string }) => w.id === created.body.id)).toBe(false);
  });

  it('settings: GET / summarises, POST / updates, bad values are 400', async () => {
    const before = await api(pulse.url, 'GET', '/api/notifications/');
    expect(before.body).toMatchObject({
      enabled: true,
      notifyOnResolve: true,
      maxAttempts: 8,
      webhookRateLimitPerMinute: 10,
    });
    expect(Array.isArray(before.body.webhooks)).toBe(true);
    expect(before.body.email.password).toBe('');
    expect(before.body.queue).toEqual(
      expect.objectContaining({ pending: expect.any(Number), dead: expect.any(Number) }),
    );
    const upd = await api(pulse.url, 'POST', '/api/notifications/', { notifyOnResolve: false, maxAttempts: 3 });
    expect(upd.status).toBe(200);
    expect(upd.body.settings).toMatchObject({ notifyOnResolve: false, maxAttempts: 3, enabled: true });
    for (const bad of [{ maxAttempts: 0 }, { webhookRateLimitPerMinute: 11 }, { enabled: 'yes' }]) {
      expect((await api(pulse.url, 'POST', '/api/notifications/', bad)).status).toBe(400);
    }
    await api(pulse.url, 'POST', '/api/notifications/', { notifyOnResolve: true, maxAttempts: 8 });
  });

  it('POST /test without a channel queues a test to every enabled destination', async () => {
    const before = rx.requests.length;
    const r = await api(pulse.url, 'POST', '/api/notifications/test', {});
    expect(r.status, r.text).toBe(200);
    expect(r.body.status).toBe('success');
    expect(r.body.queued).toBeGreaterThan(0);
    await waitFor(() => rx.requests.length > before, 'queued test delivery');
  });

  it('the master switch stops queuing; deleting a webhook drops its queued jobs', async () => {
    const svc = pulse.deps.notifications;
    await api(pulse.url, 'POST', '/api/notifications/', { enabled: false });
    const before = svc.queued().length + svc.deadLetters().length;
    svc.notifier.enqueue([{ kind: 'fired', alert: { ...testAlertLike(), id: 'off-1' } }]);
    expect(svc.queued().length + svc.deadLetters().length).toBe(before);
    await api(pulse.url, 'POST', '/api/notifications/', { enabled: true });

    rx.respond = (r) => (r.path === '/doomed' ? 'hang' : 200);
    const hook = await post({ name: 'doomed', url: `${rx.url}/doomed` });
    for (const id of ['d-1', 'd-2']) {
      svc.notifier.enqueue([{ kind: 'fired', alert: { ...testAlertLike(), id } }]);
    }
    await waitFor(() => rx.all('/doomed').length === 1, 'first request in flight');
    expect(svc.queued().filter((j) => j.targetId === hook.body.id)).toHaveLength(2);
    await api(pulse.url, 'DELETE', `/api/notifications/webhooks/${hook.body.id}`);
    // The waiting job is gone; the one in flight finishes on its own.
    expect(svc.queued().filter((j) => j.targetId === hook.body.id && j.status === 'pending')).toHaveLength(0);
    rx.respond = () => 200;
  });

  it('test email is limited to 10 a minute (429 with Retry-After)', async () => {
    const config = { server: '127.0.0.1', port: 1, from: 'a@example.com', tls: false, startTLS: false };
    for (let i = 0; i < 10; i++) {
      const r = await api(pulse.url, 'POST', '/api/notifications/test', { type: 'email', config });
      expect(r.status).toBe(400); // nothing listens on port 1
    }
    const res = await fetch(`${pulse.url}/api/notifications/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'email', config }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('history rejects bad query values', async () => {
    expect((await api(pulse.url, 'GET', '/api/notifications/history?limit=-1')).status).toBe(400);
    expect((await api(pulse.url, 'GET', '/api/notifications/history?channel=sms')).status).toBe(400);
    const ok = await api(pulse.url, 'GET', '/api/notifications/history?limit=2');
    expect(ok.status).toBe(200);
    expect(ok.body.length).toBeLessThanOrEqual(2);
    // The route's schema and the service's check are one: the bound passes both, one more neither.
    for (const query of ['limit=', 'limit=0', 'limit=5000&offset=&channel=', 'channel=webhook']) {
      expect((await api(pulse.url, 'GET', `/api/notifications/history?${query}`)).status, query).toBe(200);
    }
    const over = await api(pulse.url, 'GET', '/api/notifications/webhook-history?limit=5001');
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ error: 'query.limit must be <= 5000', field: 'limit' });
    const sms = await api(pulse.url, 'GET', '/api/notifications/history?channel=sms');
    expect(sms.body.error).toBe('query.channel must be one of: email, webhook');
  });
});
