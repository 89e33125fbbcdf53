/**
 * End to end (issue 6, "Done when → Integration"): a real Pulse polls the simulator's demo cluster
 * over HTTPS every second; the alert engine, the persistent notification queue, an in-process
 * SMTP server and one local HTTP receiver per built-in webhook service do the rest.
 *
 * 1. A VM's CPU pushed over its threshold through the simulator's control API raises an alert in
 *    /api/alerts/active and an `alert` message on /ws.
 * 2. The email arrives with a plain-text and an HTML part naming the VM.
 * 3. Every built-in webhook service receives the alert in that service's own format.
 * 4. Setting the CPU back low resolves the alert: resolve messages everywhere (PagerDuty
 *    `resolve` with the same dedup_key), the alert leaves /active and is in the history.
 * 5. A receiver that answers 500 to its first requests gets its messages from the queue.
 * 6. A PVE node taken down through the fault API yields one notification per destination for
 *    the node, its guests listed inside it, not one per guest.
 *
 * Everything else the demo estate would alert on (full memory, a failed disk, a degraded ZFS
 * pool, old snapshots) is switched off in the alert config so each message can be matched
 * exactly; the test first proves that nothing is active before it starts pushing values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { e2eAlertConfig } from '../helpers/alerts.js';
import { api as call, openWs, type WsEnvelope, waitFor } from '../helpers/http.js';
import { LogCapture, startTestPulse } from '../helpers/pulse.js';
import { HttpReceiver, MailSink, type Received } from '../helpers/receivers.js';
import { addPveInstance, holdGuestCpuLow, control as simControl } from '../helpers/sim.js';

const INSTANCE = 'pve-cluster';
const VMID = 100; // web-01 on pve1
const DOWN_NODE = 'pve2';
const BUILT_IN = [
  'discord',
  'slack',
  'telegram',
  'teams',
  'teams-adaptive',
  'pagerduty',
  'pushover',
  'gotify',
  'ntfy',
  'mattermost',
  'generic',
];
const CHAT_ID = '-1001234567';
const ROUTING_KEY = 'e2e-routing-key-0123456789abcdef';
const FLAKY = '/flaky';
const FLAKY_FAILURES = 2;

let sim: Simulator;
let pulse: Awaited<ReturnType<typeof startTestPulse>>;
let rx: HttpReceiver;
let mail: MailSink;
let ws: Awaited<ReturnType<typeof openWs>>;
const logs = new LogCapture();
let services: string[] = [];
let vmId = '';
let cpuAlertId = '';

const api = (method: string, path: string, body?: unknown) => call(pulse.url, method, path, body);
const control = (method: string, path: string, body?: unknown) => simControl(sim.controlUrl, method, path, body);
const hookPath = (service: string) => `/hook/${service}`;
// biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field
const json = (r: Received): any => JSON.parse(r.body);
const activeIds = async (): Promise<string[]> =>
  ((await api('GET', '/api/alerts/active')).body as Array<{ id: string }>).map((a) => a.id);
// biome-ignore lint/suspicious/noExplicitAny: the state is read field by field
const state = async (): Promise<any> => (await api('GET', '/api/state')).body;
const wsFind = (type: string, pred: (m: WsEnvelope) => boolean) => ws.messages.find((m) => m.type === type && pred(m));

/** Waits until nothing is batched in the alert service nor queued for delivery. */
async function settled(): Promise<void> {
  await waitFor(
    async () =>
      pulse.deps.alerts.pendingNotifications().length === 0 &&
      ((await api('GET', '/api/notifications/queue')).body as unknown[]).length === 0,
    'the notification batch and queue to drain',
    20_000,
    () => pulse.deps.notifications.queued(),
  );
}

beforeAll(async () => {
  [sim, rx, mail] = await Promise.all([
    startSimulator({ estate: 'demo', seed: 42, port: 0 }),
    new HttpReceiver().start(),
    new MailSink().start(),
  ]);
  pulse = await startTestPulse({ logs, env: { PULSE_ALLOW_LOOPBACK_WEBHOOKS: 'true' } });
  // One-second polls (below the API's 10 s minimum, so through the service: tests only).
  pulse.deps.systemSettings.save({ pvePollingInterval: 1 });

  // Alerting stays off until the estate has been seen once (so the config can name its disks).
  expect((await api('PUT', '/api/alerts/config', { enabled: false })).status).toBe(200);

  // Retries a second apart (the minimum), so the failing receiver recovers within the test.
  const settings = await api('POST', '/api/notifications/', { retryBaseSeconds: 1, maxAttempts: 6 });
  expect(settings.status).toBe(200);

  const email = await api('PUT', '/api/notifications/email', {
    enabled: true,
    server: '127.0.0.1',
    port: mail.port,
    from: 'pulse@example.com',
    to: ['ops@example.com'],
    tls: false,
    startTLS: false,
  });
  expect(email.status).toBe(200);

  const templates = await api('GET', '/api/notifications/webhook-templates');
  expect(templates.status).toBe(200);
  services = (templates.body as Array<{ service: string }>).map((t) => t.service);
  expect(services).toEqual(expect.arrayContaining(BUILT_IN));
  for (const service of services) {
    const hook: Record<string, unknown> = { name: `e2e ${service}`, service, url: `${rx.url}${hookPath(service)}` };
    if (service === 'telegram') hook.url = `${hook.url}?chat_id=${CHAT_ID}`;
    if (service === 'pagerduty') hook.headers = { routing_key: ROUTING_KEY };
    if (service === 'pushover') hook.customFields = { app_token: 'a'.repeat(30), user_token: 'u'.repeat(30) };
    const r = await api('POST', '/api/notifications/webhooks', hook);
    expect(r.status, `create ${service} webhook: ${r.text}`).toBe(200);
  }
  rx.failFirst(FLAKY, FLAKY_FAILURES);
  const flaky = await api('POST', '/api/notifications/webhooks', {
    name: 'e2e flaky',
    service: 'generic',
    url: `${rx.url}${FLAKY}`,
  });
  expect(flaky.status).toBe(200);

  await holdGuestCpuLow(sim.controlUrl, INSTANCE);
  const p = sim.ready.pve.find((x) => x.name === INSTANCE);
  if (!p) throw new Error('demo estate has no pve-cluster');
  await addPveInstance(pulse.url, p);

  // The whole cluster is in the state (the engine evaluates even while disabled, so it has seen
  // the guests running: a guest that becomes unreachable later counts as down).
  const seen = await waitFor(
    async () => {
      const s = await state();
      const nodesUp = s.nodes.filter((n: { status: string }) => n.status === 'online').length === 3;
      const vm = s.vms.find((g: { vmid: number }) => g.vmid === VMID);
      return nodesUp && vm?.status === 'running' && s.physicalDisks.length > 0 ? s : undefined;
    },
    'the demo cluster in /api/state',
    30_000,
  );
  vmId = seen.vms.find((g: { vmid: number }) => g.vmid === VMID).id;
  cpuAlertId = `${vmId}-cpu`;

  const config = await api(
    'PUT',
    '/api/alerts/config',
    e2eAlertConfig(seen.physicalDisks.map((d: { id: string }) => d.id)),
  );
  expect(config.status, config.text).toBe(200);
  expect(await activeIds()).toEqual([]);

  ws = await openWs(pulse.url);
  await waitFor(() => wsFind('initialState', () => true), 'the /ws initial state');
});

afterAll(async () => {
  ws?.close();
  await pulse?.close();
  await Promise.all([sim?.stop(), rx?.close(), mail?.close()]);
});

describe('a VM over its CPU threshold, end to end', () => {
  it('raises an alert in /api/alerts/active and on /ws', async () => {
    await control('PUT', `/guests/${INSTANCE}/${VMID}/metrics`, { cpu: 0.95 });
    const alert = await waitFor(
      async () =>
        ((await api('GET', '/api/alerts/active')).body as Array<{ id: string }>).find((a) => a.id === cpuAlertId),
      `alert ${cpuAlertId}`,
    );
    expect(alert).toMatchObject({
      type: 'cpu',
      level: 'critical', // 95 ≥ trigger + 10
      resourceId: vmId,
      resourceName: 'web-01',
      node: 'pve1',
      instance: INSTANCE,
      threshold: 80,
      acknowledged: false,
    });
    expect((alert as unknown as { value: number }).value).toBeCloseTo(95, 1);
    expect(await activeIds()).toEqual([cpuAlertId]);

    const msg = await waitFor(() => wsFind('alert', (m) => m.data?.id === cpuAlertId), 'the alert on /ws');
    expect(msg.data).toMatchObject({ type: 'cpu', level: 'critical', resourceName: 'web-01' });
    const s = await state();
    expect(s.activeAlerts.map((a: { id: string }) => a.id)).toEqual([cpuAlertId]);
  });

  it('sends an email with plain-text and HTML parts naming the VM', async () => {
    const m = await waitFor(
      () => mail.parsed().find((x) => x.subject.includes('web-01')),
      'the alert email',
      20_000,
      () => mail.parsed().map((x) => x.subject),
    );
    expect(m.subject).toBe('[Pulse Alert] Critical: cpu on web-01');
    expect(m.headers['content-type']).toMatch(/^multipart\/alternative/);
    expect(m.headers.to).toContain('ops@example.com');
    for (const body of [m.text, m.html]) {
      expect(body).toContain('web-01');
      expect(body).toContain('95.0%');
    }
    expect(m.text).toContain(cpuAlertId);
    expect(m.html).toMatch(/<html|<table/i);
    expect(m.text).not.toMatch(/<[a-z]+[ >]/i);
  });

  it("delivers the alert to every built-in webhook service in that service's format", async () => {
    await waitFor(
      () => services.every((s) => rx.ok(hookPath(s)).length >= 1),
      'a request at every service receiver',
      20_000,
      () => services.filter((s) => rx.ok(hookPath(s)).length === 0),
    );
    for (const service of services) {
      const [r] = rx.ok(hookPath(service));
      expect(r.method, service).toBe('POST');
      expect(r.headers['user-agent'], service).toBe('Pulse-Monitoring/2.0');
      expect(r.headers['content-type'], service).toMatch(service === 'ntfy' ? /^text\/plain/ : /^application\/json/);
    }
    const one = (service: string) => json(rx.ok(hookPath(service))[0]);

    const discord = one('discord');
    expect(discord.embeds[0].title).toMatch(/Critical/);
    expect(discord.embeds[0].description).toContain('web-01');
    expect(typeof discord.embeds[0].color).toBe('number');
    expect(discord.embeds[0].fields).toContainEqual({ name: 'Resource', value: 'web-01', inline: true });

    const slack = one('slack');
    expect(slack.text).toContain('web-01');
    expect(slack.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(slack.blocks.some((b: { type: string; fields?: unknown[] }) => b.type === 'section' && b.fields)).toBe(true);

    const telegram = one('telegram');
    expect(String(telegram.chat_id)).toBe(CHAT_ID);
    expect(telegram.text).toContain('web-01');
    expect(telegram.parse_mode).toBeDefined();
    expect(rx.ok(hookPath('telegram'))[0].query.has('chat_id')).toBe(false); // moved into the body

    const teams = one('teams');
    expect(teams['@type']).toBe('MessageCard');
    expect(teams.summary).toContain('web-01');
    expect(teams.sections[0].facts).toContainEqual({ name: 'Resource', value: 'web-01' });

    const adaptive = one('teams-adaptive');
    expect(adaptive.type).toBe('message');
    expect(adaptive.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(adaptive.attachments[0].content.type).toBe('AdaptiveCard');
    expect(JSON.stringify(adaptive.attachments[0].content.body)).toContain('web-01');

    const pd = one('pagerduty');
    expect(pd).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: cpuAlertId });
    expect(pd.payload.summary).toContain('web-01');
    expect(pd.payload.severity).toBe('critical');
    expect(pd.payload.source).toBeTruthy();

    const pushover = one('pushover');
    expect(pushover).toMatchObject({ token: 'a'.repeat(30), user: 'u'.repeat(30), priority: 1 });
    expect(pushover.message).toContain('web-01');
    expect(pushover.title).toMatch(/Critical/);

    const gotify = one('gotify');
    expect(gotify.title).toMatch(/Critical/);
    expect(gotify.message).toContain('web-01');
    expect(gotify.priority).toBe(10);

    const ntfy = rx.ok(hookPath('ntfy'))[0];
    expect(() => JSON.parse(ntfy.body)).toThrow(); // a plain-text message, not JSON
    expect(ntfy.body).toContain('web-01');
    expect(ntfy.headers.title).toContain('web-01');
    expect(ntfy.headers.priority).toBe('5');

    const mm = one('mattermost');
    expect(mm.text).toMatch(/Critical/);
    expect(mm.attachments[0].title).toBe('web-01');
    expect(mm.attachments[0].text).toContain('web-01');
    expect(Array.isArray(mm.attachments[0].fields)).toBe(true);

    const generic = one('generic');
    expect(generic).toMatchObject({ event: 'alert', count: 1, source: 'pulse-monitoring' });
    expect(generic.alerts[0]).toMatchObject({ id: cpuAlertId, resourceName: 'web-01', level: 'critical' });
  });

  it('clearing the condition sends the resolve message and moves the alert to history', async () => {
    // Hysteresis: below the trigger (80) but above the clear value (75) the alert stays, as a warning.
    await control('PUT', `/guests/${INSTANCE}/${VMID}/metrics`, { cpu: 0.77 });
    const lowered = await waitFor(
      async () =>
        ((await api('GET', '/api/alerts/active')).body as Array<{ id: string; value: number; level: string }>).find(
          (a) => a.id === cpuAlertId && a.value < 80,
        ),
      'the active alert to show the lowered value',
    );
    expect(lowered.value).toBeCloseTo(77, 1);
    expect(lowered.level).toBe('warning');

    await control('PUT', `/guests/${INSTANCE}/${VMID}/metrics`, { cpu: 0.05 });
    await waitFor(async () => !(await activeIds()).includes(cpuAlertId), 'the alert to leave /api/alerts/active');
    await waitFor(() => wsFind('alertResolved', (m) => m.data?.alertId === cpuAlertId), 'alertResolved on /ws');

    const history = (await api('GET', '/api/alerts/history')).body as Array<{ id: string; resolvedTime?: string }>;
    const entry = history.find((h) => h.id === cpuAlertId);
    expect(entry?.resolvedTime).toBeTruthy();
    const s = await state();
    expect(s.activeAlerts).toEqual([]);
    expect(s.recentlyResolved.map((a: { id: string }) => a.id)).toContain(cpuAlertId);

    await waitFor(
      () => services.every((x) => rx.ok(hookPath(x)).length >= 2),
      'a resolve message at every service receiver',
      20_000,
      () => services.map((x) => [x, rx.ok(hookPath(x)).length]),
    );
    const second = (service: string) => json(rx.ok(hookPath(service))[1]);

    const pd = second('pagerduty');
    expect(pd).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: cpuAlertId });
    expect(second('discord').embeds[0].title).toMatch(/^Resolved/);
    expect(second('slack').text).toMatch(/^Resolved/);
    expect(second('telegram').text).toContain('Resolved');
    expect(second('teams').title).toMatch(/^Resolved/);
    expect(second('teams-adaptive').attachments[0].content.body[0].text).toMatch(/^Resolved/);
    expect(second('pushover')).toMatchObject({ priority: -1 });
    expect(second('pushover').title).toMatch(/^Resolved/);
    expect(second('gotify').title).toMatch(/^Resolved/);
    expect(second('gotify').extras['pulse::alert'].event).toBe('resolved');
    expect(second('mattermost').text).toContain('Resolved');
    expect(second('generic')).toMatchObject({ event: 'resolved', count: 1 });
    expect(second('generic').alerts[0].id).toBe(cpuAlertId);
    const ntfy = rx.ok(hookPath('ntfy'))[1];
    expect(ntfy.headers.title).toMatch(/^Resolved/);
    expect(ntfy.body).toContain('Resolved');

    const m = await waitFor(
      () => mail.parsed().find((x) => x.subject.startsWith('[Pulse Resolved]')),
      'the resolve email',
    );
    expect(m.subject).toContain('web-01');
    expect(m.text).toContain('web-01');
    expect(m.html).toContain('web-01');

    // One alert and one resolve per destination: nothing doubled.
    await settled();
    for (const service of services) expect(rx.ok(hookPath(service)).length, service).toBe(2);
    expect(mail.messages.length).toBe(2);
  });

  it('a receiver that fails and then recovers gets every message from the queue', async () => {
    await waitFor(
      () => rx.ok(FLAKY).length >= 2,
      'both messages at the recovered receiver',
      20_000,
      () => rx.all(FLAKY).map((r) => [r.status, json(r).event]),
    );
    await settled();
    const all = rx.all(FLAKY);
    // The first FLAKY_FAILURES requests were refused, every later one accepted.
    expect(all.slice(0, FLAKY_FAILURES).map((r) => r.status)).toEqual(Array(FLAKY_FAILURES).fill(500));
    expect(all.slice(FLAKY_FAILURES).map((r) => r.status)).toEqual([200, 200]);
    // Nothing lost, nothing doubled: the alert and its resolve, once each. (Their order is the
    // subject of the known-bug test at the end of this file.)
    const delivered = rx.ok(FLAKY).map((r) => `${json(r).event}:${json(r).alerts.map((a: { id: string }) => a.id)}`);
    expect(delivered.sort()).toEqual([`alert:${cpuAlertId}`, `resolved:${cpuAlertId}`]);
    expect((await api('GET', '/api/notifications/dead-letter')).body).toEqual([]);
    expect((await api('GET', '/api/notifications/queue')).body).toEqual([]);

    const history = (await api('GET', '/api/notifications/webhook-history?limit=1000')).body as Array<{
      targetName?: string;
      webhookName?: string;
      statusCode: number;
      success: boolean;
    }>;
    const flakyAttempts = history.filter((h) => (h.targetName ?? h.webhookName) === 'e2e flaky');
    expect(flakyAttempts.filter((h) => !h.success).map((h) => h.statusCode)).toEqual(Array(FLAKY_FAILURES).fill(500));
    expect(flakyAttempts.filter((h) => h.success)).toHaveLength(2);
  });
});

describe('a PVE node going down', () => {
  it('yields one grouped notification for the node, its guests folded under it', async () => {
    await settled();
    const s = await state();
    const guests = [...s.vms, ...s.containers].filter(
      (g: { node: string; status: string; template: boolean }) =>
        g.node === DOWN_NODE && g.status === 'running' && !g.template,
    ) as Array<{ id: string; name: string }>;
    expect(guests.length).toBeGreaterThanOrEqual(3);
    const nodeId = s.nodes.find((n: { name: string }) => n.name === DOWN_NODE).id;
    const nodeAlertId = `node-offline-${nodeId}`;
    const guestAlertIds = guests.map((g) => `guest-powered-off-${g.id}`).sort();

    const mark = new Map(services.map((x) => [x, rx.ok(hookPath(x)).length]));
    const mailMark = mail.messages.length;
    const newAt = (service: string) => rx.ok(hookPath(service)).slice(mark.get(service));

    await control('POST', '/faults', { target: `${INSTANCE}/${DOWN_NODE}`, kind: 'down' });
    try {
      await waitFor(async () => (await activeIds()).includes(nodeAlertId), `alert ${nodeAlertId}`, 40_000, activeIds);
      await waitFor(() => newAt('generic').length >= 1, 'the node notification', 20_000);
      const generic = json(newAt('generic')[0]);
      expect(generic.event).toBe('alert');
      expect(generic.alerts[0]).toMatchObject({ id: nodeAlertId, type: 'connectivity', level: 'critical' });
      expect(
        generic.alerts
          .slice(1)
          .map((a: { id: string }) => a.id)
          .sort(),
      ).toEqual(guestAlertIds);
      expect(generic.count).toBe(guests.length + 1);

      // The services' own formats carry the node first and list the guests in the message.
      const discord = json(newAt('discord')[0] ?? (await waitFor(() => newAt('discord')[0], 'discord')));
      expect(discord.embeds[0].title).toContain(`(${guests.length + 1} alerts)`);
      for (const g of guests) expect(discord.embeds[0].description).toContain(g.name);
      const pd = json(await waitFor(() => newAt('pagerduty')[0], 'pagerduty'));
      expect(pd).toMatchObject({ event_action: 'trigger', dedup_key: nodeAlertId });

      const m = await waitFor(() => mail.parsed().slice(mailMark)[0], 'the node email');
      for (const g of guests) expect(m.text).toContain(g.name);
      expect(m.text).toContain(DOWN_NODE);

      // Every guest alert is active, yet none was sent on its own.
      const active = await activeIds();
      for (const id of guestAlertIds) expect(active).toContain(id);
    } finally {
      await control('DELETE', `/faults?target=${encodeURIComponent(`${INSTANCE}/${DOWN_NODE}`)}`);
    }

    // The node comes back: everything resolves, and the resolve is one message too.
    await waitFor(async () => (await activeIds()).length === 0, 'every alert to resolve', 30_000, activeIds);
    await waitFor(() => newAt('generic').length >= 2, 'the node resolve message', 20_000);
    await settled();
    const events = newAt('generic').map((r) => [json(r).event, json(r).alerts[0].id]);
    expect(events).toEqual([
      ['alert', nodeAlertId],
      ['resolved', nodeAlertId],
    ]);
    for (const service of services) expect(newAt(service).length, service).toBe(2);
    expect(mail.messages.length - mailMark).toBe(2);
    expect(json(newAt('pagerduty')[1])).toMatchObject({ event_action: 'resolve', dedup_key: nodeAlertId });
  });
});

/**
 * Delivery order per destination. A destination that asks for a pause (500 + Retry-After) while
 * an alert is being sent, and then recovers, should still get the alert before its resolve:
 * a PagerDuty incident whose `resolve` arrives before its `trigger` stays open.
 */
describe('delivery order while a destination is retrying', () => {
  const ORDER = '/order';
  const RETRY_AFTER_SEC = 8;
  const VMID_2 = 101; // db-01 on pve1: a new alert id, so the suppression window does not apply
  let order: string[] = [];

  it('a message waiting for its retry and the one after it both arrive', async () => {
    await settled();
    const hook = await api('POST', '/api/notifications/webhooks', {
      name: 'e2e order',
      service: 'generic',
      url: `${rx.url}${ORDER}`,
    });
    expect(hook.status).toBe(200);
    rx.failFirst(ORDER, 1, RETRY_AFTER_SEC);
    const s = await state();
    const alertId = `${s.vms.find((g: { vmid: number }) => g.vmid === VMID_2).id}-cpu`;

    await control('PUT', `/guests/${INSTANCE}/${VMID_2}/metrics`, { cpu: 0.97 });
    await waitFor(() => rx.all(ORDER).length >= 1, 'the first (refused) attempt');
    // The resolve is raised while the alert waits out its Retry-After.
    await control('PUT', `/guests/${INSTANCE}/${VMID_2}/metrics`, { cpu: 0.05 });
    await waitFor(async () => !(await activeIds()).includes(alertId), 'the resolve');
    await waitFor(
      () => rx.ok(ORDER).length >= 2,
      'both messages',
      30_000,
      () => rx.all(ORDER).map((r) => [r.status, json(r).event]),
    );
    await settled();
    order = rx.ok(ORDER).map((r) => json(r).event);
    expect([...order].sort()).toEqual(['alert', 'resolved']);
    expect(rx.all(ORDER)[0]).toMatchObject({ status: 500 });
    expect(json(rx.all(ORDER)[0]).event).toBe('alert');
  });

  // The queue sends only the oldest pending job of each destination, so a resolve queued while
  // its alert waits for a retry cannot overtake it.
  it('keeps the order: the alert before its resolve', () => {
    expect(order).toEqual(['alert', 'resolved']);
  });
});

describe('the whole run', () => {
  it('logged no errors (alert evaluation, notification hand-off, delivery bookkeeping)', () => {
    const errors = logs.lines.filter((l) => {
      try {
        return (JSON.parse(l) as { level: number }).level >= 50;
      } catch {
        return false;
      }
    });
    expect(errors).toEqual([]);
  });
});
