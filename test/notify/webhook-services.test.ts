/**
 * Every built-in webhook service, end to end: webhooks created through the API, an alert batch
 * handed to the Notifier (as the alert engine does), and each request checked at a local
 * receiver against the format that service documents. Then the resolve message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlert } from '../helpers/alerts.js';
import { api, waitFor } from '../helpers/http.js';
import { startTestPulse } from '../helpers/pulse.js';
import { HttpReceiver } from '../helpers/receivers.js';

process.env.PULSE_ALLOW_LOOPBACK_WEBHOOKS = 'true';

let pulse: Awaited<ReturnType<typeof startTestPulse>>;
let rx: HttpReceiver;

const root = makeAlert();
const grouped = makeAlert({
  id: 'pve1-node1-101-memory',
  type: 'memory',
  level: 'warning',
  resourceName: 'db-02',
  message: 'VM memory at 88%',
  value: 88,
  threshold: 85,
});

const hooks = (u: string) => [
  { service: 'discord', url: `${u}/discord/123/tokentokentoken123` },
  { service: 'slack', url: `${u}/slack/T000/B000/XXXXXXXXXXXXXXXX1234` },
  { service: 'mattermost', url: `${u}/mattermost/hooks/abc` },
  { service: 'teams', url: `${u}/teams` },
  { service: 'teams-adaptive', url: `${u}/teams-adaptive` },
  { service: 'telegram', url: `${u}/telegram/bot123:AAAbbbCCC/sendMessage?chat_id=-100123` },
  {
    service: 'pagerduty',
    url: `${u}/pagerduty/v2/enqueue`,
    headers: { routing_key: 'R0UT1NGKEY0000000000000000000000' },
  },
  {
    service: 'pushover',
    url: `${u}/pushover/1/messages.json`,
    customFields: { app_token: 'apptok1', user_token: 'usertok1' },
  },
  { service: 'gotify', url: `${u}/gotify/message?token=gotifytok` },
  { service: 'ntfy', url: `${u}/ntfy/pulse-alerts` },
  { service: 'generic', url: `${u}/generic` },
  {
    service: 'generic',
    name: 'custom',
    url: `${u}/custom`,
    template: '{"alert": "{{.Level}}: {{.Message}}", "value": {{.Value}}}',
  },
];

// biome-ignore lint/suspicious/noExplicitAny: payloads are checked field by field
const json = (path: string, i = 0): any => JSON.parse(rx.all(path)[i].body);

beforeAll(async () => {
  rx = await new HttpReceiver().start();
  pulse = await startTestPulse({ env: { PULSE_PUBLIC_URL: 'https://pulse.example.com' } });
  for (const h of hooks(rx.url)) {
    const r = await api(pulse.url, 'POST', '/api/notifications/webhooks', { name: h.service, enabled: true, ...h });
    expect(r.status, r.text).toBe(200);
  }
  pulse.deps.notifications.notifier.enqueue([{ kind: 'fired', alert: root, grouped: [grouped] }]);
  await waitFor(
    () => hooks(rx.url).every((h) => rx.all(new URL(h.url).pathname).length >= 1),
    'all services to receive',
  );
});

afterAll(async () => {
  await pulse?.close();
  await rx?.close();
});

describe('built-in webhook payloads', () => {
  it('every request has the JSON content type (text for ntfy) and the Pulse user agent', () => {
    for (const h of hooks(rx.url)) {
      const req = rx.all(new URL(h.url).pathname)[0];
      expect(req.method).toBe('POST');
      expect(req.headers['user-agent']).toBe('Pulse-Monitoring/2.0');
      expect(req.headers['content-type']).toContain(h.service === 'ntfy' ? 'text/plain' : 'application/json');
    }
  });

  it('discord: embeds with title, colour, six fields, timestamp and footer', () => {
    const p = json('/discord/123/tokentokentoken123');
    expect(p.username).toBe('Pulse Monitoring');
    const e = p.embeds[0];
    expect(e.title).toBe('Pulse Alert: Critical (2 alerts)');
    expect(e.color).toBe(15158332);
    expect(e.description).toContain('VM cpu at 95.5%');
    expect(e.description).toContain('db-02: VM memory at 88%'); // the grouped alert is listed
    expect(e.fields.map((f: { name: string }) => f.name)).toEqual([
      'Resource',
      'Node',
      'Type',
      'Value',
      'Threshold',
      'Duration',
    ]);
    expect(e.fields[0].value).toBe('web_01 "prod"');
    expect(e.fields[3].value).toBe('95.5%');
    expect(e.fields[4].value).toBe('80.0%');
    expect(Number.isNaN(Date.parse(e.timestamp))).toBe(false);
    expect(e.footer.text).toBeTruthy();
  });

  it('slack: fallback text and header / section / fields / context blocks', () => {
    const p = json('/slack/T000/B000/XXXXXXXXXXXXXXXX1234');
    expect(typeof p.text).toBe('string');
    expect(p.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(p.blocks[0].text.type).toBe('plain_text');
    expect(p.blocks[1].text.type).toBe('mrkdwn');
    expect(p.blocks[2].fields).toHaveLength(6);
    expect(p.blocks[2].fields[0].text).toBe('*Resource:*\nweb_01 "prod"');
  });

  it('mattermost: text and a Slack-style attachment', () => {
    const p = json('/mattermost/hooks/abc');
    expect(p.text).toContain('Pulse Alert: Critical');
    expect(p.attachments[0].color).toBe('#FF0000');
    expect(p.attachments[0].fields.length).toBeGreaterThan(0);
    expect(p.attachments[0].fallback).toBeTruthy();
  });

  it('teams: a MessageCard with theme colour and facts', () => {
    const p = json('/teams');
    expect(p['@type']).toBe('MessageCard');
    expect(p['@context']).toBe('https://schema.org/extensions');
    expect(p.themeColor).toBe('FF0000');
    expect(p.summary).toBeTruthy();
    expect(p.sections[0].facts.find((f: { name: string }) => f.name === 'Value').value).toBe('95.5%');
  });

  it('teams-adaptive: a message with an Adaptive Card 1.4 attachment', () => {
    const p = json('/teams-adaptive');
    expect(p.type).toBe('message');
    const a = p.attachments[0];
    expect(a.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(a.content.type).toBe('AdaptiveCard');
    expect(a.content.version).toBe('1.4');
    expect(a.content.body.some((b: { type: string }) => b.type === 'FactSet')).toBe(true);
  });

  it('telegram: sendMessage body, chat_id taken out of the URL', () => {
    const req = rx.all('/telegram/bot123:AAAbbbCCC/sendMessage')[0];
    expect(req.path).toBe('/telegram/bot123:AAAbbbCCC/sendMessage');
    const p = JSON.parse(req.body);
    expect(p.chat_id).toBe('-100123');
    expect(p.parse_mode).toBe('Markdown');
    expect(p.disable_web_page_preview).toBe(true);
    expect(p.text).toContain('web\\_01'); // Markdown specials escaped
  });

  it('pagerduty: Events API v2 trigger with dedup_key = alert id, routing key in the body', () => {
    const req = rx.all('/pagerduty/v2/enqueue')[0];
    expect(req.headers.routing_key).toBeUndefined();
    const p = JSON.parse(req.body);
    expect(p.routing_key).toBe('R0UT1NGKEY0000000000000000000000');
    expect(p.event_action).toBe('trigger');
    expect(p.dedup_key).toBe(root.id);
    expect(p.payload.severity).toBe('critical');
    expect(p.payload.source).toBe('node1');
    expect(p.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(p.client).toBe('Pulse Monitoring');
    expect(p.client_url).toBe('https://pulse.example.com');
    expect(p.links[0].href).toBe('https://pulse.example.com');
  });

  it('pushover: token, user, message, title, priority and timestamp', () => {
    const p = json('/pushover/1/messages.json');
    expect(p.token).toBe('apptok1');
    expect(p.user).toBe('usertok1');
    expect(p.priority).toBe(1);
    expect(p.message).toContain('VM cpu at 95.5%');
    expect(Number.isInteger(p.timestamp)).toBe(true);
  });

  it('gotify: title, message, priority 10 for critical, extras', () => {
    const req = rx.all('/gotify/message')[0];
    expect(req.path).toBe('/gotify/message?token=gotifytok');
    const p = JSON.parse(req.body);
    expect(p.priority).toBe(10);
    expect(p.title).toContain('Critical');
    expect(p.extras['client::display'].contentType).toBe('text/plain');
  });

  it('ntfy: plain-text body with Title, Priority and Tags headers', () => {
    const req = rx.all('/ntfy/pulse-alerts')[0];
    expect(req.body).toContain('VM cpu at 95.5%');
    expect(req.headers.title).toContain('Pulse Alert: Critical');
    expect(req.headers.priority).toBe('5');
    expect(req.headers.tags).toBe('rotating_light');
  });

  it('generic without a template: the live-delivery shape with all alerts', () => {
    const p = json('/generic');
    expect(p).toMatchObject({ count: 2, source: 'pulse-monitoring', grouped: true, event: 'alert' });
    expect(p.alerts.map((a: { id: string }) => a.id)).toEqual([root.id, grouped.id]);
    expect(Number.isInteger(p.timestamp)).toBe(true);
  });

  it('custom template from the published example renders valid JSON even with quotes in the data', () => {
    const p = json('/custom');
    expect(p.value).toBe(95.5);
    expect(p.alert).toContain('critical: VM cpu at 95.5%');
  });

  it('resolving sends resolve messages; PagerDuty resolves with the same dedup_key', async () => {
    pulse.deps.notifications.notifier.enqueue([{ kind: 'resolved', alert: root }]);
    await waitFor(
      () => rx.all('/pagerduty/v2/enqueue').length >= 2 && rx.all('/discord/123/tokentokentoken123').length >= 2,
      'resolve',
    );
    const pd = json('/pagerduty/v2/enqueue', 1);
    expect(pd).toEqual({
      routing_key: 'R0UT1NGKEY0000000000000000000000',
      event_action: 'resolve',
      dedup_key: root.id,
    });
    const d = json('/discord/123/tokentokentoken123', 1);
    expect(d.embeds[0].title).toBe('Resolved: Critical');
    expect(d.embeds[0].color).toBe(3066993);
    expect(d.embeds[0].description).toMatch(/^Resolved: /);
  });

  it('webhook history lists the deliveries with masked URLs', async () => {
    const r = await api(pulse.url, 'GET', '/api/notifications/webhook-history');
    expect(r.status).toBe(200);
    const discord = r.body.find((h: { service: string }) => h.service === 'discord');
    expect(discord).toMatchObject({ success: true, statusCode: 200, alertId: root.id, retryAttempts: 0 });
    expect(discord.webhookUrl).not.toContain('tokentokentoken123');
    expect(discord.payloadSize).toBeGreaterThan(0);
  });
});
