/**
 * Settings → Notifications in a real browser: Pushover's application and user tokens and a
 * Telegram @channel chat id entered as fields and seen in the requests a local receiver gets;
 * then real alerts (from the simulator) whose deliveries fail land in the dead-letter list, and
 * the retry button sends them once the receiver works, which the delivery log shows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  controlsWithoutName,
  describeBrowser,
  type EstatePage,
  expectNoErrors,
  screenshot,
  startEstatePage,
} from '../helpers/browser.js';
import { HttpReceiver } from '../helpers/receivers.js';

describeBrowser('web UI notifications', () => {
  let t: EstatePage;
  let receiver: HttpReceiver;
  let failing = true;

  async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 600; i++) {
      const v = await fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    receiver.respond = (r) => (r.path === '/fail' && failing ? 500 : 204);
    // The receiver listens on loopback, which Pulse refuses unless told otherwise.
    t = await startEstatePage({ seed: 7, env: { PULSE_ALLOW_LOOPBACK_WEBHOOKS: 'true' } });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('Pushover tokens and a Telegram @channel are fields whose values reach the request', async () => {
    const { page } = t;
    await page.goto('/settings/notifications');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const form = page.getByRole('form', { name: 'Webhook' });
    await form.getByLabel('Service').selectOption('pushover');
    await form.getByLabel('Webhook name').fill('phone');
    await form.getByLabel('Pushover application token').fill('azGDORePK8gMaC0QOYAMyEEuzJnyUi');
    await form.getByLabel('Pushover user key').fill('uQiRzpo4DXghDmr9QzzfQu27cmVRsG');
    await form.getByLabel('URL', { exact: true }).fill(`${receiver.url}/pushover`);
    expect(await controlsWithoutName(page), 'controls without an accessible name').toEqual([]);
    await form.getByRole('button', { name: 'Send test' }).click();
    await form.getByText(/Test sent/).waitFor();
    const push = JSON.parse(receiver.requests.find((r) => r.path === '/pushover')!.body) as Record<string, unknown>;
    expect(push).toMatchObject({ token: 'azGDORePK8gMaC0QOYAMyEEuzJnyUi', user: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG' });
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('list', { name: 'Webhooks' }).getByText('phone').waitFor();

    await page.getByRole('button', { name: 'Add webhook' }).click();
    await form.getByLabel('Service').selectOption('telegram');
    await form.getByLabel('Webhook name').fill('channel');
    await form.getByLabel('Telegram bot token').fill('123456:ABC-DEF');
    expect(await form.getByLabel('URL', { exact: true }).inputValue()).toBe(
      'https://api.telegram.org/bot123456:ABC-DEF/sendMessage',
    );
    await form.getByLabel('Telegram chat ID').fill('@pulse_alerts');
    // The receiver stands in for api.telegram.org.
    await form.getByLabel('URL', { exact: true }).fill(`${receiver.url}/telegram/bot123456/sendMessage`);
    await form.getByRole('button', { name: 'Send test' }).click();
    await form.getByText(/Test sent/).waitFor();
    const tg = JSON.parse(receiver.requests.find((r) => r.path.startsWith('/telegram/'))!.body) as Record<
      string,
      unknown
    >;
    expect(tg.chat_id).toBe('@pulse_alerts');
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('list', { name: 'Webhooks' }).getByText('channel').waitFor();
    await screenshot(page, 'settings-notifications-services');
    expectNoErrors(t.errors, 'service fields');
  });

  it('failed deliveries go to the dead-letter list; retry sends them', async () => {
    const { page } = t;
    // Only the failing endpoint should receive alerts, and soon: no grouping delay.
    for (const w of (await (
      await fetch(`${t.pulse.url}/api/notifications/webhooks`, { headers: t.headers })
    ).json()) as Array<{
      id: string;
    }>) {
      const { 'Content-Type': _json, ...noBody } = t.headers;
      await fetch(`${t.pulse.url}/api/notifications/webhooks/${w.id}`, { method: 'DELETE', headers: noBody });
    }
    const cfg = (await (await fetch(`${t.pulse.url}/api/alerts/config`, { headers: t.headers })).json()) as {
      schedule: { grouping: Record<string, unknown> };
    };
    cfg.schedule.grouping = { ...cfg.schedule.grouping, enabled: false };
    const put = await fetch(`${t.pulse.url}/api/alerts/config`, {
      method: 'PUT',
      headers: t.headers,
      body: JSON.stringify(cfg),
    });
    expect(put.ok).toBe(true);

    await page.goto('/settings/notifications');
    const policy = page.getByRole('form', { name: 'Delivery settings' });
    await policy.getByLabel('Attempts before the dead-letter list').fill('1');
    await policy.getByRole('button', { name: 'Save delivery settings' }).click();
    await policy.getByText('Delivery settings saved.').waitFor();

    await page.getByRole('button', { name: 'Add webhook' }).click();
    const form = page.getByRole('form', { name: 'Webhook' });
    await form.getByLabel('Service').selectOption('generic');
    await form.getByLabel('Webhook name').fill('flaky');
    await form.getByLabel('URL', { exact: true }).fill(`${receiver.url}/fail`);
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('list', { name: 'Webhooks' }).getByText('flaky').waitFor();

    await t.addInstance('pve-cluster');

    await until('a dead letter', async () => {
      const dead = (await (
        await fetch(`${t.pulse.url}/api/notifications/dead-letter`, { headers: t.headers })
      ).json()) as unknown[];
      return dead.length > 0 ? dead : undefined;
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const deadTable = page.getByRole('table', { name: 'Dead letters' });
    await deadTable.getByText('HTTP 500', { exact: false }).first().waitFor();
    await page
      .getByRole('table', { name: 'Delivery log' })
      .getByText(/Failed \(HTTP 500\)/)
      .first()
      .waitFor();
    await screenshot(page, 'settings-notifications-dead-letter');

    failing = false;
    const before = receiver.requests.filter((r) => r.path === '/fail').length;
    await deadTable
      .getByRole('button', { name: /^Retry delivery/ })
      .first()
      .click();
    await page.getByText(/queued again/).waitFor();
    await until('the retried delivery', async () =>
      receiver.requests.filter((r) => r.path === '/fail').length > before ? true : undefined,
    );
    await until('a delivered record', async () => {
      const log = (await (
        await fetch(`${t.pulse.url}/api/notifications/history?limit=50`, { headers: t.headers })
      ).json()) as Array<{
        success: boolean;
      }>;
      return log.some((r) => r.success) ? true : undefined;
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page
      .getByRole('table', { name: 'Delivery log' })
      .getByText(/^Delivered/)
      .first()
      .waitFor();
    await screenshot(page, 'settings-notifications');
    // The saved webhook failing in the background is logged by nobody; refused saves were none.
    expectNoErrors(t.errors, 'delivery log');
  });
});
