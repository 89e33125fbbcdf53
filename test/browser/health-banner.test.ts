/**
 * Issue 22 item 9 in the browser: while the database cannot write, the UI says so in a banner
 * (a failed save would otherwise look like it worked once the page reloads).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  apiSession,
  createAdmin,
  describeBrowser,
  ensureWebBuilt,
  launchBrowser,
  loginViaUi,
  openPage,
} from '../helpers/browser.js';
import { startTestPulse } from '../helpers/pulse.js';

describeBrowser('database health banner', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    pulse = await startTestPulse();
    await createAdmin(pulse.url);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await pulse?.close();
  });

  it('shows a banner while writes fail', async () => {
    const { page, context } = await openPage(browser, pulse.url);
    await loginViaUi(page);
    expect(await page.getByText('Pulse is degraded').count()).toBe(0);
    const headers = await apiSession(pulse.url);
    // A read-only database: the next write fails for real.
    pulse.deps.db.pragma('query_only = ON');
    try {
      const res = await fetch(`${pulse.url}/api/alerts/config`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ guestDefaults: { cpu: { trigger: 90, clear: 85 } } }),
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      await page.reload();
      await page
        .getByRole('alert')
        .getByText(/Pulse is degraded:.*cannot write/)
        .waitFor();
    } finally {
      pulse.deps.db.pragma('query_only = OFF');
    }
    await context.close();
  });
});
