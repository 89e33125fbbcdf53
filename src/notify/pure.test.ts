/** Unit tests of the pure notification helpers: JSON positions, URL policy, masking, batches, limiter, backoff. */
import { describe, expect, it } from 'vitest';
import type { FullAlert } from '../model/state.js';
import { batchesFrom, batchMessage, formatDuration, subjectFor } from './batch.js';
import { checkJson } from './json-check.js';
import { maskUrl, unmaskWebhook } from './mask.js';
import { backoffMs, MAX_BACKOFF_MS } from './queue.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { checkWebhookUrl } from './url-policy.js';

const alert = (id: string, over: Partial<FullAlert> = {}): FullAlert => ({
  id,
  type: 'cpu',
  level: 'critical',
  resourceId: id,
  resourceName: id,
  node: 'n1',
  instance: 'pve',
  message: `${id} is hot`,
  value: 90,
  threshold: 80,
  startTime: '2026-01-01T00:00:00Z',
  lastSeen: '2026-01-01T00:00:00Z',
  acknowledged: false,
  ...over,
});

describe('checkJson', () => {
  it('accepts valid JSON', () => {
    for (const t of ['{}', '[]', '{"a":[1,2.5e3,-0.1,true,false,null,"x\\n\\u00e9"]}', ' "s" '])
      expect(checkJson(t)).toBeNull();
  });
  it('reports line and column of the first error', () => {
    expect(checkJson('{\n  "a": 1\n  "b": 2\n}')).toMatchObject({ line: 3, col: 3 });
    expect(checkJson('{"a": tru}')).toMatchObject({ line: 1, col: 7 });
    expect(checkJson('{"a": "x\ny"}')).toMatchObject({ line: 1, col: 9 });
    expect(checkJson('{"a": 1,}')).toMatchObject({ col: 9 });
    expect(checkJson('{"a": 01}')?.message).toMatch(/expected ',' or '}'/);
    expect(checkJson('[1] x')?.message).toMatch(/after the JSON value/);
    expect(checkJson('')?.message).toMatch(/end of input/);
  });
});

describe('checkWebhookUrl', () => {
  it('refuses loopback unless allowed, and link-local / metadata always', () => {
    for (const u of [
      'http://localhost/x',
      'http://127.0.0.1:8080/',
      'http://[::1]/',
      'http://foo.localhost/',
      'http://127.5.5.5/',
    ]) {
      expect(checkWebhookUrl(u, false)).toMatch(/localhost/);
      expect(checkWebhookUrl(u, true)).toBeNull();
    }
    for (const u of [
      'http://169.254.169.254/',
      'http://[fe80::1]/',
      'http://metadata.google.internal/',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      expect(checkWebhookUrl(u, true)).not.toBeNull();
    }
    expect(checkWebhookUrl('http://10.0.0.5/hook', false)).toBeNull();
    expect(checkWebhookUrl('https://discord.com/api/webhooks/1/x', false)).toBeNull();
    expect(checkWebhookUrl('file:///etc/passwd', true)).toMatch(/http/);
  });
});

describe('masking', () => {
  it('masks token-like path segments and query values but keeps the shape', () => {
    expect(maskUrl('https://discord.com/api/webhooks/123456789012345678/abcDEF123ghiJKL456mnoPQR')).toBe(
      'https://discord.com/api/webhooks/123456789012345678/********',
    );
    expect(
      maskUrl('https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage?chat_id=42'),
    ).toBe('https://api.telegram.org/********/sendMessage?chat_id=42');
    expect(maskUrl('https://gotify.lan/message?token=AbCdEf')).toBe('https://gotify.lan/message?token=********');
    expect(maskUrl('https://user:pw@example.com/hook')).toBe('https://********:********@example.com/hook');
    expect(maskUrl('https://example.com/%zz/abcdefghij0123456789')).toBe('https://example.com/********/********');
  });

  it('masks credentials whatever they look like: letter-only tokens, short ntfy topics (issue 22 item 3)', () => {
    expect(maskUrl('https://hooks.slack.com/services/TABCDEFGH/BABCDEFGH/abcdefghijklmnopqrstuvwx', 'slack')).toBe(
      'https://hooks.slack.com/services/********/********/********',
    );
    expect(maskUrl('https://discord.com/api/webhooks/123456789012345678/abcdefGHIJKLmnopqrst', 'discord')).toBe(
      'https://discord.com/api/webhooks/123456789012345678/********',
    );
    expect(maskUrl('https://ntfy.sh/alerts', 'ntfy')).toBe('https://ntfy.sh/********');
    expect(maskUrl('https://ntfy.example/home/mytopic', 'ntfy')).toBe('https://ntfy.example/********/********');
    expect(maskUrl('https://mm.example/hooks/xyzsecretkey', 'mattermost')).toBe('https://mm.example/hooks/********');
    expect(maskUrl('https://api.pushover.net/1/messages.json', 'pushover')).toBe(
      'https://api.pushover.net/1/messages.json',
    );
    expect(
      maskUrl(
        'https://x.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SECRETSIG',
        'teams',
      ),
    ).toBe(
      'https://x.logic.azure.com/workflows/********/triggers/manual/paths/invoke?api-version=********&sig=********',
    );
  });
  it('unmasking keeps stored secrets for masked values only', () => {
    const stored = {
      id: 'w',
      name: 'w',
      url: 'https://gotify.lan/message?token=real',
      method: 'POST',
      headers: { Authorization: 'Bearer real', X: 'old' },
      enabled: true,
      service: 'gotify' as const,
      template: '',
      customFields: { app_token: 'real-app' },
    };
    const back = unmaskWebhook(
      {
        ...stored,
        url: maskUrl(stored.url),
        headers: { Authorization: '********', X: 'new' },
        customFields: { app_token: '********' },
      },
      stored,
    );
    expect(back.url).toBe(stored.url);
    expect(back.headers).toEqual({ Authorization: 'Bearer real', X: 'new' });
    expect(back.customFields).toEqual({ app_token: 'real-app' });
    expect(unmaskWebhook({ ...stored, url: 'https://other.example/x' }, stored).url).toBe('https://other.example/x');
  });
});

describe('batches', () => {
  it('one call = one batch per kind; grouped alerts follow the root; escalation channels kept', () => {
    let n = 0;
    const out = batchesFrom(
      [
        { kind: 'fired', alert: alert('node'), grouped: [alert('vm1'), alert('vm2')] },
        { kind: 'fired', alert: alert('vm3', { level: 'warning' }) },
        // Already in the batch through the node's group: listed once.
        { kind: 'fired', alert: alert('vm2') },
        { kind: 'resolved', alert: alert('old') },
        { kind: 'escalated', alert: alert('esc'), channels: ['email'] },
      ],
      0,
      () => `b${n++}`,
    );
    expect(out.map((b) => [b.batch.event, b.batch.alerts.map((a) => a.id), b.channels])).toEqual([
      ['alert', ['node', 'vm1', 'vm2', 'vm3'], ['email', 'webhook']],
      ['resolved', ['old'], ['email', 'webhook']],
      ['escalated', ['esc'], ['email']],
    ]);
  });
  it('subjects and messages follow the contract', () => {
    const one = { id: 'b', event: 'alert' as const, alerts: [alert('vm1')], createdAt: 0 };
    expect(subjectFor(one)).toBe('[Pulse Alert] Critical: cpu on vm1');
    const many = { ...one, alerts: [alert('a'), alert('b', { level: 'warning' }), alert('c')] };
    expect(subjectFor(many)).toBe('[Pulse Alert] 2 Critical, 1 Warning alerts');
    expect(batchMessage(many)).toBe('a is hot\n\nAlso affected (2):\n• b: b is hot\n• c: c is hot');
    const lots = { ...one, alerts: Array.from({ length: 14 }, (_, i) => alert(`v${i}`)) };
    expect(batchMessage(lots)).toMatch(/… and 3 more$/);
  });
  it('formats durations like Pulse', () => {
    expect([45_000, 12 * 60_000, (3 * 60 + 4) * 60_000, (2 * 24 + 5) * 3600_000].map(formatDuration)).toEqual([
      '45s',
      '12m',
      '3h 4m',
      '2d 5h',
    ]);
  });
});

describe('rate limit and backoff', () => {
  it('allows 10 per minute per key and says when the next one may go', () => {
    const l = new SlidingWindowLimiter();
    for (let i = 0; i < 10; i++) expect(l.take('u', 1000 + i, 10)).toBe(0);
    expect(l.take('u', 2000, 10)).toBe(61_000);
    expect(l.take('other', 2000, 10)).toBe(0);
    expect(l.take('u', 61_000, 10)).toBe(0);
  });
  it('doubles the delay per attempt up to the cap', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 5))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(backoffMs(30, 5)).toBe(MAX_BACKOFF_MS);
  });
});
