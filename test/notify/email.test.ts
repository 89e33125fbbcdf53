/**
 * Email through an in-process SMTP server: no TLS without auth (through the queue, as the alert
 * engine sends), STARTTLS with auth and implicit TLS with auth (through the test route), a wrong
 * password, and the password never coming back in a reply.
 */
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlert } from '../helpers/alerts.js';
import { api, waitFor } from '../helpers/http.js';
import { startTestPulse } from '../helpers/pulse.js';

interface Mail {
  raw: string;
  from: string;
  to: string[];
  secure: boolean;
  user?: string;
}

async function smtp(
  opts: Partial<SMTPServerOptions>,
): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
    ...opts,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const onAuth: SMTPServerOptions['onAuth'] = (auth, _session, cb) => {
  if (auth.username === 'pulse' && auth.password === 's3cret-pass') cb(null, { user: 'pulse' });
  else cb(new Error('Invalid username or password'));
};

let pulse: Awaited<ReturnType<typeof startTestPulse>>;
let cert: { private: string; cert: string };

beforeAll(async () => {
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 });
  cert = { private: pems.private, cert: pems.cert };
  pulse = await startTestPulse();
});
afterAll(() => pulse?.close());

/** The Subject header, with RFC 2047 Q/B encoded words decoded. */
function subjectOf(raw: string): string {
  const header = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? '';
  return header
    .replace(/\?=\r?\n[ \t]+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

function expectReadableMail(m: Mail, subject: RegExp) {
  expect(subjectOf(m.raw)).toMatch(subject);
  expect(m.raw).toMatch(/Content-Type: multipart\/alternative/i);
  expect(m.raw).toMatch(/Content-Type: text\/plain/i);
  expect(m.raw).toMatch(/Content-Type: text\/html/i);
}

describe('email notifications', () => {
  it('lists the contract provider presets', async () => {
    const r = await api(pulse.url, 'GET', '/api/notifications/email-providers');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(11);
    expect(r.body[0]).toEqual(
      expect.objectContaining({
        name: 'Gmail / Google Workspace',
        smtpHost: 'smtp.gmail.com',
        smtpPort: 587,
        startTLS: true,
      }),
    );
    expect(r.body.map((p: { name: string }) => p.name)).toContain('Custom SMTP Server');
  });

  it('plain SMTP without auth: an alert batch arrives with HTML and text parts', async () => {
    const server = await smtp({ disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true });
    try {
      const put = await api(pulse.url, 'PUT', '/api/notifications/email', {
        enabled: true,
        server: '127.0.0.1',
        port: server.port,
        from: 'pulse@example.com',
        to: ['ops@example.com', 'oncall@example.com'],
        tls: false,
        startTLS: false,
      });
      expect(put.status, put.text).toBe(200);
      expect(put.body).toEqual({ status: 'success' });
      pulse.deps.notifications.notifier.enqueue([
        {
          kind: 'fired',
          alert: makeAlert(),
          grouped: [makeAlert({ id: 'x-2', level: 'warning', resourceName: 'db-02' })],
        },
      ]);
      await waitFor(() => server.mails.length === 1, 'the alert email');
      const m = server.mails[0];
      expect(m.secure).toBe(false);
      expect(m.from).toBe('pulse@example.com');
      expect(m.to).toEqual(['ops@example.com', 'oncall@example.com']);
      expectReadableMail(m, /^\[Pulse Alert\] 1 Critical, 1 Warning alerts$/);
      expect(m.raw).toContain('db-02');
      pulse.deps.notifications.notifier.enqueue([{ kind: 'resolved', alert: makeAlert() }]);
      await waitFor(() => server.mails.length === 2, 'the resolve email');
      expect(subjectOf(server.mails[1].raw)).toBe('[Pulse Resolved] Critical: cpu on web_01 "prod"');
    } finally {
      await server.close();
    }
  });

  it('STARTTLS with auth, through POST /api/notifications/test with the saved config', async () => {
    const server = await smtp({ key: cert.private, cert: cert.cert, onAuth });
    try {
      const put = await api(pulse.url, 'PUT', '/api/notifications/email', {
        enabled: true,
        provider: 'Custom SMTP Server',
        server: '127.0.0.1',
        port: server.port,
        username: 'pulse',
        password: 's3cret-pass',
        from: 'pulse@example.com',
        to: [],
        tls: false,
        startTLS: true,
        skipTlsVerify: true,
      });
      expect(put.status, put.text).toBe(200);
      const got = await api(pulse.url, 'GET', '/api/notifications/email');
      expect(got.body.password).toBe('');
      expect(got.body.passwordSet).toBe(true);
      expect(got.text).not.toContain('s3cret-pass');

      const r = await api(pulse.url, 'POST', '/api/notifications/test', { type: 'email' });
      expect(r.status, r.text).toBe(200);
      expect(r.body.status).toBe('success');
      expect(server.mails).toHaveLength(1);
      expect(server.mails[0].secure).toBe(true); // upgraded with STARTTLS
      expect(server.mails[0].user).toBe('pulse');
      expect(server.mails[0].to).toEqual(['pulse@example.com']); // empty `to` ⇒ from
      expectReadableMail(server.mails[0], /^\[Pulse Test\] Warning: cpu on Test VM$/);

      // An empty password on PUT keeps the stored one.
      const keep = await api(pulse.url, 'PUT', '/api/notifications/email', { ...got.body, password: '' });
      expect(keep.status).toBe(200);
      expect((await api(pulse.url, 'POST', '/api/notifications/test', { type: 'email' })).status).toBe(200);
      expect(server.mails).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('implicit TLS with auth, and a wrong password is a 400 with the SMTP error', async () => {
    const server = await smtp({ secure: true, key: cert.private, cert: cert.cert, onAuth });
    try {
      const config = {
        server: '127.0.0.1',
        port: server.port,
        username: 'pulse',
        password: '', // keeps the stored password
        from: 'alerts@example.com',
        to: ['ops@example.com'],
        tls: true,
        startTLS: false,
        skipTlsVerify: true,
      };
      const ok = await api(pulse.url, 'POST', '/api/notifications/test', { method: 'email', config });
      expect(ok.status, ok.text).toBe(200);
      expect(server.mails[0].secure).toBe(true);
      expect(server.mails[0].user).toBe('pulse');

      const bad = await api(pulse.url, 'POST', '/api/notifications/test', {
        method: 'email',
        config: { ...config, password: 'wrong' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/Failed to send test email/);
      expect(server.mails).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('rejects invalid email settings with 400', async () => {
    for (const body of [
      { enabled: true, server: 'smtp.example.com', port: 70000, from: 'a@b.c' },
      { enabled: true, server: 'smtp.example.com', port: 587, from: 'not-an-address' },
      { enabled: true, server: '', port: 587, from: 'a@b.c' },
      { to: 'x@y.z', port: 'abc' },
      [],
    ]) {
      const r = await api(pulse.url, 'PUT', '/api/notifications/email', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(typeof r.body.error).toBe('string');
    }
  });
});
