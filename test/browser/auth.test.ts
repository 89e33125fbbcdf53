/**
 * Sign-in flows in a real browser: first-run quick setup with a once-shown API token, login with
 * Pulse's own failure words, creating and revoking an API token (checked against the API), logout,
 * and the read-only view of an API-token-only server.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createAdmin,
  describeBrowser,
  ensureWebBuilt,
  expectNoErrors,
  launchBrowser,
  loginViaUi,
  openPage,
  screenshot,
} from '../helpers/browser.js';
import { startTestPulse } from '../helpers/pulse.js';

const PASSWORD = 'correct-horse-battery';

describeBrowser('web UI: authentication and API tokens', () => {
  let browser: Browser;
  beforeAll(async () => {
    await ensureWebBuilt();
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('first-run quick setup creates the admin, shows the API token once, and signs in', async () => {
    const pulse = await startTestPulse();
    try {
      const { page, errors, context } = await openPage(browser, pulse.url);
      await page.goto('/');
      await page.getByLabel('Admin username').fill('admin');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm password').fill(PASSWORD);
      await page.getByLabel('Also create an API token for scripts').check();
      await page.getByRole('button', { name: 'Create admin account' }).click();
      const token = (await page.getByTestId('new-token').textContent())?.trim() ?? '';
      expect(token.length).toBeGreaterThanOrEqual(32);
      // The token the page showed works for a script.
      const res = await fetch(`${pulse.url}/api/state`, { headers: { 'X-API-Token': token } });
      expect(res.status).toBe(200);
      await page.getByRole('button', { name: 'Continue to the dashboard' }).click();
      await page.getByRole('button', { name: 'Log out' }).waitFor();
      expectNoErrors(errors, 'quick setup');
      await context.close();
    } finally {
      await pulse.close();
    }
  });

  it('login, create and revoke an API token, log out', async () => {
    const pulse = await startTestPulse();
    try {
      const setup = await fetch(`${pulse.url}/api/security/quick-setup`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      });
      expect(setup.status).toBe(200);

      const { page, errors, context } = await openPage(browser, pulse.url);
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in to Pulse' }).waitFor();
      await screenshot(page, 'login');
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page
        .getByRole('alert')
        .getByText(/Invalid username or password\. You have 4 attempts remaining/)
        .waitFor();
      // The browser logs the refused login (HTTP 401) itself; what matters is that the page said why.
      errors.length = 0;

      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Log out' }).waitFor();

      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByRole('link', { name: 'Security' }).click();
      await page.getByLabel('Token name').fill('ci-script');
      await page.getByRole('button', { name: 'Create token' }).click();
      const token = (await page.getByTestId('new-token').textContent())?.trim() ?? '';
      expect(token).toMatch(/^\S{32,}$/);
      await page.getByRole('table', { name: 'API tokens' }).getByText('ci-script').waitFor();
      await screenshot(page, 'settings-security');
      expect((await fetch(`${pulse.url}/api/state`, { headers: { 'X-API-Token': token } })).status).toBe(200);

      // The app's own dialog, not the browser's: Escape cancels, Tab stays inside, Enter confirms.
      const revoke = page.getByRole('button', { name: 'Revoke token ci-script' });
      await revoke.click();
      const dialog = page.getByRole('dialog', { name: 'Revoke the token "ci-script"?' });
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await revoke.evaluate((el) => el === document.activeElement), 'focus back on the opener').toBe(true);
      expect((await fetch(`${pulse.url}/api/state`, { headers: { 'X-API-Token': token } })).status).toBe(200);
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      for (let i = 0; i < 5; i++) {
        await page.keyboard.press('Tab');
        expect(await dialog.evaluate((el) => el.contains(document.activeElement)), 'focus stays in the dialog').toBe(
          true,
        );
      }
      await page.keyboard.press('Shift+Tab');
      expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
      await dialog.getByRole('button', { name: 'Revoke' }).focus();
      await screenshot(page, 'confirm-dialog-revoke-token');
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('table', { name: 'API tokens' }).waitFor({ state: 'detached' });
      expect((await fetch(`${pulse.url}/api/state`, { headers: { 'X-API-Token': token } })).status).toBe(401);
      // Both show up in the audit log.
      const audit = page.getByRole('table', { name: 'Audit log' });
      await page.getByRole('button', { name: 'Refresh' }).click();
      await audit.getByText('token created').waitFor();
      await audit.getByText('token revoked').waitFor();

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Pulse' }).waitFor();
      expectNoErrors(errors, 'login, tokens, logout');
      await context.close();
    } finally {
      await pulse.close();
    }
  });

  it('a session that ends elsewhere brings back the login page', async () => {
    const pulse = await startTestPulse();
    try {
      await createAdmin(pulse.url);
      const { page, errors, context } = await openPage(browser, pulse.url);
      await loginViaUi(page);
      // End the session behind the page's back (as an expiry or a logout in another tab would).
      const csrf = (await context.cookies()).find((c) => c.name === 'pulse_csrf')?.value ?? '';
      const res = await page.request.post('/api/logout', { headers: { 'X-CSRF-Token': decodeURIComponent(csrf) } });
      expect(res.status()).toBe(200);
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in to Pulse' }).waitFor();
      // Only the refused calls themselves (HTTP 401, logged by Chromium) may appear.
      expect(errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
      await context.close();
    } finally {
      await pulse.close();
    }
  });

  it('API-token-only mode: the UI asks for a token before showing anything (issue 22 item 4)', async () => {
    const pulse = await startTestPulse();
    try {
      const created = await fetch(`${pulse.url}/api/security/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'only' }),
      });
      expect(created.status).toBe(200);
      const { token } = (await created.json()) as { token: string };

      const { page, errors, context } = await openPage(browser, pulse.url);
      await page.goto('/settings/nodes');
      await page.getByRole('heading', { name: 'API token required' }).waitFor();
      await screenshot(page, 'token-prompt');
      await page.getByLabel('API token').fill('e'.repeat(64));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('alert').waitFor();
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Add node' }).waitFor();
      expect(await page.getByRole('button', { name: 'Add node' }).isEnabled()).toBe(true);
      // The token is kept for the tab: a reload goes straight to the page.
      await page.reload();
      await page.getByRole('button', { name: 'Add node' }).waitFor();
      // Only the refused wrong token (an HTTP 401 Chromium logs itself) may appear.
      expect(errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
      await context.close();
    } finally {
      await pulse.close();
    }
  });
});
