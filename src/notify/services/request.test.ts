/** buildWebhookRequest (pure): headers, URL placeholders, Telegram chat id, ntfy, custom templates, errors. */
import { describe, expect, it } from 'vitest';
import type { WebhookConfig } from '../../model/notifications.js';
import type { FullAlert } from '../../model/state.js';
import type { NotificationBatch } from '../batch.js';
import { buildEmail } from '../email/message.js';
import { buildWebhookRequest, PayloadError } from './request.js';

const alert: FullAlert = {
  id: 'pve1-100-cpu',
  type: 'cpu',
  level: 'warning',
  resourceId: 'pve1-100',
  resourceName: 'web <01> & "co"',
  node: 'pve1',
  instance: 'pve1',
  message: 'VM cpu at 85.5%\nsecond line',
  value: 85.5,
  threshold: 80,
  startTime: '2026-01-01T00:00:00Z',
  lastSeen: '2026-01-01T00:00:00Z',
  acknowledged: false,
};
const batch: NotificationBatch = { id: 'b1', event: 'alert', alerts: [alert], createdAt: 0 };
const ctx = { now: Date.parse('2026-01-01T00:12:30Z'), publicUrl: 'https://pulse.lan' };
const hook = (over: Partial<WebhookConfig>): WebhookConfig => ({
  id: 'w',
  name: 'w',
  url: 'https://example.com/hook',
  method: 'POST',
  headers: {},
  enabled: true,
  service: 'generic',
  template: '',
  ...over,
});

describe('buildWebhookRequest', () => {
  it('merges user headers over the defaults and drops templated ones', () => {
    const r = buildWebhookRequest(
      hook({ headers: { 'content-type': 'application/vnd.x+json', Authorization: 'Bearer t', 'X-Bad': '{{.ID}}' } }),
      batch,
      ctx,
    );
    expect(r.headers).toEqual({
      'User-Agent': 'Pulse-Monitoring/2.0',
      'content-type': 'application/vnd.x+json',
      Authorization: 'Bearer t',
    });
  });

  it('renders URL placeholders', () => {
    const r = buildWebhookRequest(hook({ url: 'https://example.com/{{.Node}}?id={{urlquery .ID}}' }), batch, ctx);
    expect(r.url).toBe('https://example.com/pve1?id=pve1-100-cpu');
  });

  it('telegram: chat_id from the URL (or custom field) and removed from it', () => {
    const r = buildWebhookRequest(
      hook({ service: 'telegram', url: 'https://api.telegram.org/botX/sendMessage?chat_id=42' }),
      batch,
      ctx,
    );
    expect(r.url).toBe('https://api.telegram.org/botX/sendMessage');
    expect(JSON.parse(r.body).chat_id).toBe('42');
    const f = buildWebhookRequest(
      hook({ service: 'telegram', url: 'https://api.telegram.org/botX/sendMessage', customFields: { chat_id: '-7' } }),
      batch,
      ctx,
    );
    expect(JSON.parse(f.body).chat_id).toBe('-7');
    expect(() =>
      buildWebhookRequest(hook({ service: 'telegram', url: 'https://t.example/x?chat_id=abc' }), batch, ctx),
    ).toThrow(PayloadError);
  });

  it('telegram: a public channel username (@channel) is a chat id the Bot API accepts', () => {
    const r = buildWebhookRequest(
      hook({ service: 'telegram', url: 'https://api.telegram.org/botX/sendMessage?chat_id=%40pulse_alerts' }),
      batch,
      ctx,
    );
    expect(r.url).toBe('https://api.telegram.org/botX/sendMessage');
    expect(JSON.parse(r.body).chat_id).toBe('@pulse_alerts');
    const f = buildWebhookRequest(
      hook({
        service: 'telegram',
        url: 'https://api.telegram.org/botX/sendMessage',
        customFields: { chat_id: '@ops_team' },
      }),
      batch,
      ctx,
    );
    expect(JSON.parse(f.body).chat_id).toBe('@ops_team');
    for (const bad of ['@abc', '@1channel', '@bad-name'])
      expect(() =>
        buildWebhookRequest(
          hook({ service: 'telegram', url: 'https://t.example/x', customFields: { chat_id: bad } }),
          batch,
          ctx,
        ),
      ).toThrow(PayloadError);
  });

  it('ntfy: non-ASCII titles are RFC 2047 encoded; user headers win', () => {
    const r = buildWebhookRequest(
      hook({ service: 'ntfy', url: 'https://ntfy.sh/t' }),
      { ...batch, alerts: [{ ...alert, resourceName: 'café' }] },
      ctx,
    );
    expect(r.headers.Title).toBe(`=?UTF-8?B?${Buffer.from('Pulse Alert: Warning - café').toString('base64')}?=`);
    expect(r.headers.Priority).toBe('4');
    const u = buildWebhookRequest(
      hook({ service: 'ntfy', url: 'https://ntfy.sh/t', headers: { Priority: '1' } }),
      batch,
      ctx,
    );
    expect(u.headers.Priority).toBe('1');
    expect(u.headers['Content-Type']).toBe('text/plain; charset=utf-8');
  });

  it('template data: formatted values, duration, public URL, escaped strings', () => {
    const r = buildWebhookRequest(
      hook({
        template:
          '{"v": "{{.ValueFormatted}}", "t": {{.Threshold}}, "d": "{{.Duration}}", "i": "{{.Instance}}", "n": "{{jsonString .ResourceName}}", "c": {{.AlertCount}}}',
      }),
      batch,
      ctx,
    );
    expect(JSON.parse(r.body)).toEqual({
      v: '85.5%',
      t: 80,
      d: '12m',
      i: 'https://pulse.lan',
      n: 'web <01> & "co"',
      c: 1,
    });
  });

  it('an unescaped custom template is repaired by escaping the data; a broken one is refused', () => {
    const ok = buildWebhookRequest(hook({ template: '{"m": "{{.Message}}", "r": "{{.ResourceName}}"}' }), batch, ctx);
    expect(JSON.parse(ok.body)).toEqual({ m: 'VM cpu at 85.5%\nsecond line', r: 'web <01> & "co"' });
    expect(() => buildWebhookRequest(hook({ template: '{"m": {{.Message}}}' }), batch, ctx)).toThrow(
      /not valid JSON at 1:/,
    );
  });

  it('pagerduty needs a routing key and keeps it out of the headers', () => {
    expect(() => buildWebhookRequest(hook({ service: 'pagerduty' }), batch, ctx)).toThrow(/routing key/);
    const r = buildWebhookRequest(hook({ service: 'pagerduty', headers: { routing_key: 'k' } }), batch, ctx);
    expect(r.headers.routing_key).toBeUndefined();
    expect(JSON.parse(r.body).routing_key).toBe('k');
  });
});

describe('buildEmail', () => {
  it('escapes HTML and carries every alert in both parts', () => {
    const e = buildEmail({ ...batch, alerts: [alert, { ...alert, id: 'b', resourceName: 'db-2' }] }, ctx);
    expect(e.subject).toBe('[Pulse Alert] 0 Critical, 2 Warning alerts');
    expect(e.html).toContain('web &lt;01&gt; &amp; &quot;co&quot;');
    expect(e.html).not.toContain('<01>');
    expect(e.html).toContain('href="https://pulse.lan"');
    for (const part of [e.text, e.html]) {
      expect(part).toContain('db-2');
      expect(part).toContain('85.5%');
    }
  });
});
