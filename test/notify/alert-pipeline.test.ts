/**
 * The whole path inside a running Pulse: a VM's CPU crosses its threshold in the live state, the
 * alert engine fires, the Notifier queues it, and the alert reaches PagerDuty, Discord and an
 * SMTP server; clearing the condition sends the resolve (PagerDuty `resolve`, same dedup_key).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { guest, node } from '../alerts/state-builders.js';
import { api, waitFor } from '../helpers/http.js';
import { startTestPulse } from '../helpers/pulse.js';
import { HttpReceiver } from '../helpers/receivers.js';

process.env.PULSE_ALLOW_LOOPBACK_WEBHOOKS = 'true';

let pulse: Awaited<ReturnType<typeof startTestPulse>>;
let rx: HttpReceiver;
let smtp: SMTPServer;
const mails: string[] = [];

beforeAll(async () => {
  rx = await new HttpReceiver().start();
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream, _s, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  pulse = await startTestPulse({ clock: new ManualClock(Date.UTC(2026, 0, 5, 15)) });
  pulse.deps.alerts.updateConfig({ metricTimeThresholds: { guest: { default: 0 } } });
  const hooks = [
    { name: 'pd', service: 'pagerduty', url: `${rx.url}/pd`, headers: { routing_key: 'RK123' } },
    { name: 'discord', service: 'discord', url: `${rx.url}/discord` },
  ];
  for (const h of hooks) expect((await api(pulse.url, 'POST', '/api/notifications/webhooks', h)).status).toBe(200);
  const email = await api(pulse.url, 'PUT', '/api/notifications/email', {
    enabled: true,
    server: '127.0.0.1',
    port: (smtp.server.address() as AddressInfo).port,
    from: 'pulse@example.com',
    to: ['ops@example.com'],
    tls: false,
    startTLS: false,
  });
  expect(email.status).toBe(200);
});

afterAll(async () => {
  await pulse?.close();
  await rx?.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

const setCpu = (cpu: number) =>
  pulse.deps.state.commit((d) => {
    d.nodes = [node({ name: 'pve1' })];
    d.vms = [guest({ vmid: 100, node: 'pve1', cpu })];
  });

describe('alert → notification pipeline', () => {
  it('an alert fired by the engine reaches every destination', async () => {
    setCpu(0.95);
    await waitFor(() => {
      pulse.deps.alerts.flushNotifications(); // skip the 30 s grouping window
      return rx.all('/pd').length >= 1 && rx.all('/discord').length >= 1 && mails.length >= 1;
    }, 'alert notifications');
    const pd = JSON.parse(rx.all('/pd')[0].body);
    expect(pd.event_action).toBe('trigger');
    expect(pd.dedup_key).toBe('pve1-100-cpu');
    expect(pd.payload.class).toBe('cpu');
    expect(JSON.parse(rx.all('/discord')[0].body).embeds[0].fields[3].value).toBe('95.0%');
    expect(mails[0]).toMatch(/Subject: \[Pulse Alert\] Critical: cpu on guest-100/);
  });

  it('clearing the condition sends the resolve', async () => {
    setCpu(0.1);
    await waitFor(() => {
      pulse.deps.alerts.flushNotifications();
      return rx.all('/pd').length >= 2 && mails.length >= 2;
    }, 'resolve notifications');
    expect(JSON.parse(rx.all('/pd')[1].body)).toEqual({
      routing_key: 'RK123',
      event_action: 'resolve',
      dedup_key: 'pve1-100-cpu',
    });
    expect(mails[1]).toMatch(/Subject: \[Pulse Resolved\]/);
  });
});
