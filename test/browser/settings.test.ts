/**
 * Settings pages doing real work through the API: a webhook from a service template (refused
 * URL explained in words, test delivery received by a local endpoint, save, delete), alert
 * thresholds, polling interval, and a password change that reports a wrong current password.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  ADMIN,
  describeBrowser,
  expectNoErrors,
  type PulsePage,
  screenshot,
  startPulsePage,
} from '../helpers/browser.js';
import { HttpReceiver } from '../helpers/receivers.js';

describeBrowser('web UI settings', () => {
  let t: PulsePage;
  let receiver: HttpReceiver;

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    // This test's webhook receiver listens on loopback, which Pulse refuses unless told otherwise.
    t = await startPulsePage({ env: { PULSE_ALLOW_LOOPBACK_WEBHOOKS: 'true' } });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('webhooks: refused URL in words, template, test delivery, save and delete', async () => {
    const { page } = t;
    await page.goto('/settings/notifications');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const form = page.getByRole('form', { name: 'Webhook' });
    await form.getByLabel('Service').selectOption('discord');
    await form.getByLabel('Webhook name').fill('team chat');
    await form.getByLabel('URL', { exact: true }).fill('http://169.254.169.254/latest');
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await form
      .getByRole('alert')
      .getByText(/metadata|link-local/)
      .waitFor();
    // The refused save is an HTTP 400 that Chromium logs by itself; the form explained it.
    t.errors.length = 0;

    await form.getByLabel('URL', { exact: true }).fill(`${receiver.url}/discord`);
    await form.getByRole('button', { name: 'Send test' }).click();
    await form.getByText(/Test sent/).waitFor();
    const hit = receiver.requests.find((r) => r.path === '/discord');
    expect(hit, 'the test request reached the receiver').toBeDefined();
    expect(JSON.parse(hit!.body)).toHaveProperty('embeds');

    await form.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByRole('list', { name: 'Webhooks' }).getByText('team chat').waitFor();
    await page.getByRole('button', { name: 'Delete webhook team chat' }).click();
    // The app's confirmation opens on its confirming button: Enter deletes.
    const confirmDelete = page.getByRole('dialog', { name: 'Delete the webhook "team chat"?' });
    await confirmDelete.waitFor();
    await screenshot(page, 'confirm-dialog-webhook');
    await page.keyboard.press('Enter');
    await confirmDelete.waitFor({ state: 'detached' });
    await page.getByText('No webhooks yet.').waitFor();
    expectNoErrors(t.errors, 'webhooks');
  });

  it('email: a failed test send is explained in words; settings are saved', async () => {
    const { page } = t;
    await page.goto('/settings/notifications');
    const form = page.getByRole('form', { name: 'Email settings' });
    await form.getByLabel('SMTP server', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill('1');
    await form.getByLabel('STARTTLS').uncheck();
    await form.getByLabel('From', { exact: true }).fill('pulse@example.com');
    await form.getByLabel('To (comma-separated)').fill('ops@example.com');
    await form.getByRole('button', { name: 'Send test email' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/ECONNREFUSED|refused|connect/i);
    t.errors.length = 0; // the refused send is an HTTP error status that Chromium logs itself
    await form.getByRole('button', { name: 'Save email settings' }).click();
    await form.getByText('Email settings saved.').waitFor();
    const email = (await (await fetch(`${t.pulse.url}/api/notifications/email`, { headers: t.headers })).json()) as {
      server: string;
      to: string[];
    };
    expect(email).toMatchObject({ server: '127.0.0.1', to: ['ops@example.com'] });
    expectNoErrors(t.errors, 'email');
  });

  it('alert thresholds and polling interval are saved through the API', async () => {
    const { page } = t;
    await page.goto('/settings/thresholds');
    await page.getByLabel('Guests CPU % trigger').fill('70');
    await page.getByLabel('Guests CPU % clear').fill('65');
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    await page.getByText('Alert thresholds saved.').waitFor();
    const cfg = (await (await fetch(`${t.pulse.url}/api/alerts/config`, { headers: t.headers })).json()) as {
      guestDefaults: { cpu: { trigger: number; clear: number } };
    };
    expect(cfg.guestDefaults.cpu).toMatchObject({ trigger: 70, clear: 65 });

    await page.goto('/settings/system');
    await page.getByLabel('Proxmox VE polling interval (seconds)').fill('30');
    await page.getByRole('button', { name: 'Save system settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const sys = (await (await fetch(`${t.pulse.url}/api/system/settings`, { headers: t.headers })).json()) as {
      pvePollingInterval: number;
    };
    expect(sys.pvePollingInterval).toBe(30);
    expectNoErrors(t.errors, 'thresholds and system');
  });

  it('node form: PMG shows only user and password, with the reason; the API refuses a PMG token', async () => {
    const { page } = t;
    await page.goto('/settings/nodes');
    await page.getByRole('button', { name: 'Add node' }).click();
    expect(await page.getByLabel('Token ID').count()).toBe(1);
    await page.getByLabel('Type').selectOption('pmg');
    await page.getByTestId('pmg-auth-note').waitFor();
    expect(await page.getByTestId('pmg-auth-note').textContent()).toMatch(/has no API tokens/);
    expect(await page.getByLabel('Token ID').count()).toBe(0);
    expect(await page.getByLabel('Token secret').count()).toBe(0);
    expect(await page.getByLabel('User').count()).toBe(1);
    expect(await page.getByLabel('Password', { exact: true }).count()).toBe(1);
    await page.getByLabel('Type').selectOption('pve');
    expect(await page.getByLabel('Token ID').count()).toBe(1);

    const r = await fetch(`${t.pulse.url}/api/config/nodes`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ type: 'pmg', host: 'mx.example', tokenName: 'root@pam!pulse', tokenValue: 's' }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/PMG has no API tokens; use user@realm and password/);
    expectNoErrors(t.errors, 'node form');
  });

  it('change password: a wrong current password is explained and keeps the session', async () => {
    const { page } = t;
    await page.goto('/settings/security');
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password', { exact: true }).fill('not-the-password');
    await form.getByLabel('New password', { exact: true }).fill('another-long-password');
    await form.getByLabel('Confirm new password').fill('another-long-password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByRole('alert').getByText('Current password is incorrect').waitFor();
    t.errors.length = 0; // the refused change is an HTTP 401 that Chromium logs itself
    await form.getByLabel('Current password', { exact: true }).fill(ADMIN.password);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form
      .getByRole('status')
      .getByText(/Password changed/)
      .waitFor();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    expectNoErrors(t.errors, 'change password');
  });
});
