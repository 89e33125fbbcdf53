/**
 * Issue 22 items 2 and 3: webhook secrets (a password in the URL, a letter-only token in the
 * path, an ntfy topic, a query key) never appear in API replies, the queue, the history, the log
 * or the database file, whatever the failure; URLs with user info are refused with a clear 400.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCapture, startTestPulse, type TestPulse } from '../helpers/pulse.js';

const TOKEN = '3'.repeat(64);
const PATH_SECRET = 'LetterOnlySecretTokenValue';
const QUERY_SECRET = 'QueryKeySecretValue';
const TOPIC = 'privatetopic';
const HEADER_SECRET = 'HeaderBearerSecretValue';

describe('webhook secrets stay secret when sends fail', () => {
  const logs = new LogCapture();
  let pulse: TestPulse;
  let receiver: http.Server;
  let base: string;
  const api = (method: string, p: string, body?: unknown) =>
    fetch(pulse.url + p, {
      method,
      headers: { 'x-api-token': TOKEN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    // A receiver that fails and echoes what it got, as many do in their error pages.
    receiver = http.createServer((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`cannot handle ${req.url} (auth ${req.headers.authorization ?? 'none'})`);
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    pulse = await startTestPulse({ logs, env: { API_TOKENS: TOKEN, PULSE_ALLOW_LOOPBACK_WEBHOOKS: 'true' } });
  });
  afterAll(async () => {
    await pulse.close();
    await new Promise((r) => receiver.close(r));
  });

  it('item 2: a URL with user:password is refused with a 400 that does not quote it', async () => {
    const res = await api('POST', '/api/notifications/webhooks', {
      name: 'creds',
      url: 'https://alice:S3cretPassw0rd@hooks.example/notify',
      service: 'generic',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error).toMatch(/must not contain a user name or password/);
    expect(text).not.toContain('S3cretPassw0rd');
    // A template or an unparsable URL with user info is refused too.
    const templ = await api('POST', '/api/notifications/webhooks', {
      name: 'creds2',
      url: 'https://bob:{{.Pw}}@hooks.example/x',
      service: 'generic',
    });
    expect(templ.status).toBe(400);
  });

  it('items 2 and 3: failed sends leave no secret in replies, queue, history, log or database', async () => {
    const generic = await api('POST', '/api/notifications/webhooks', {
      name: 'generic',
      url: `${base}/hook/${PATH_SECRET}?apikey=${QUERY_SECRET}`,
      service: 'generic',
      headers: { Authorization: `Bearer ${HEADER_SECRET}` },
    });
    expect(generic.status).toBe(200);
    const ntfy = await api('POST', '/api/notifications/webhooks', {
      name: 'ntfy',
      url: `${base}/${TOPIC}`,
      service: 'ntfy',
    });
    expect(ntfy.status).toBe(200);
    const ids = [(await generic.json()).id, (await ntfy.json()).id] as string[];

    // The test route: the receiver's echo comes back as the error, scrubbed.
    for (const id of ids) {
      const res = await api('POST', '/api/notifications/test', { webhookId: id });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toContain('HTTP 500');
      for (const s of [PATH_SECRET, QUERY_SECRET, TOPIC, HEADER_SECRET]) expect(text).not.toContain(s);
    }
    // The queue: jobs fail and keep their last error.
    pulse.deps.notifications.notifier.enqueueTest(['webhook']);
    let queued: Array<{ lastError?: string }> = [];
    for (let i = 0; i < 200 && queued.filter((q) => q.lastError).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 25));
      queued = await (await api('GET', '/api/notifications/queue')).json();
      if (!Array.isArray(queued)) queued = (queued as { queue?: typeof queued }).queue ?? [];
    }
    expect(queued.filter((q) => q.lastError).length).toBeGreaterThanOrEqual(2);

    const replies: string[] = [];
    for (const p of [
      '/api/notifications/webhooks',
      '/api/notifications/queue',
      '/api/notifications/dead-letter',
      '/api/notifications/history',
      '/api/notifications/webhook-history',
      '/api/notifications/',
    ]) {
      const res = await api('GET', p);
      expect(res.status, p).toBe(200);
      replies.push(await res.text());
    }
    const all = replies.join('\n');
    expect(all).toContain('HTTP 500'); // the failures are there, described
    expect(all).toContain('********');
    const db = path.join(pulse.dataDir, 'pulse.db');
    const files = [db, `${db}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1'));
    for (const s of [PATH_SECRET, QUERY_SECRET, `/${TOPIC}`, HEADER_SECRET]) {
      expect(all, s).not.toContain(s);
      expect(logs.lines.join('\n'), s).not.toContain(s);
      for (const f of files) expect(f.includes(s), `${s} in the database file`).toBe(false);
    }
  });
});
