/**
 * Proves the browser harness end to end: the built UI, served by a real Pulse with nothing
 * configured, opens on the first-run page, reaches the dashboard, and logs no console errors.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeBrowser,
  ensureWebBuilt,
  expectNoErrors,
  launchBrowser,
  openPage,
  screenshot,
} from '../helpers/browser.js';
import { startTestPulse } from '../helpers/pulse.js';

describeBrowser('web UI shell', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    pulse = await startTestPulse();
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await pulse?.close();
  });

  it('serves the app; first run offers setup; the dashboard loads without console errors', async () => {
    const { page, errors, context } = await openPage(browser, pulse.url);
    await page.goto('/');
    await page.getByRole('heading', { name: 'Welcome to Pulse' }).waitFor();
    await screenshot(page, 'setup');
    await page.getByRole('button', { name: /Continue without authentication/ }).click();
    await page.getByText('No nodes yet').waitFor();
    await page.getByRole('status', { name: /Live updates: Connected/ }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(
      expect.arrayContaining(['Dashboard', 'Storage', 'Backups', 'Alerts', 'Settings']),
    );
    await screenshot(page, 'dashboard-empty');
    expectNoErrors(errors, 'first run');
    await context.close();
  });
});
