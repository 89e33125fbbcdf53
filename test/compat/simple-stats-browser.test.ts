/**
 * /simple-stats in a real Chromium: under our Content-Security-Policy its script must run, open
 * /ws and show the figures of the live state (the page used to stay at "connecting…" because an
 * inline script is blocked by `script-src 'self'`).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commitSynthetic } from '../../bench/state-fixture.js';
import { describeBrowser, expectNoErrors, launchBrowser, openPage } from '../helpers/browser.js';
import { startTestPulse } from '../helpers/pulse.js';
import { settle } from '../ws/client.js';

describeBrowser('/simple-stats page', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let browser: Browser;

  beforeAll(async () => {
    pulse = await startTestPulse();
    await settle(); // the start-up commit of the (empty) slices first, so ours is not replaced
    // 2 nodes with 3 guests each: the counts the page must show come from this state.
    commitSynthetic(pulse.deps.state, { nodes: 2, guestsPerNode: 3, now: Date.now() });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await pulse?.close();
  });

  it('leaves "connecting…", goes live and shows the counts of the state, with no CSP violation', async () => {
    const { page, errors, context } = await openPage(browser, pulse.url);
    const csp = (await page.goto('/simple-stats'))?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    await page.locator('#status', { hasText: 'live' }).waitFor();
    const s = pulse.deps.state.get();
    expect(s.nodes.length).toBe(2);
    const online = s.nodes.filter((n) => n.status === 'online').length;
    await page.locator('#nodes', { hasText: `${online} / ${s.nodes.length}` }).waitFor();
    const running = s.vms.filter((g) => g.status === 'running').length;
    expect(await page.locator('#vms').textContent()).toBe(`${running} / ${s.vms.length}`);
    expect(await page.locator('#storage').textContent()).toBe(String(s.storage.length));
    expect(await page.locator('#updated').textContent()).not.toBe('–');

    // A new commit reaches the open page (rawData, frontend shape).
    // Flip every node to the status fewer of them have, so the figure must change.
    const to = online === s.nodes.length ? 'offline' : 'online';
    pulse.deps.state.commit((d) => {
      d.nodes = d.nodes.map((n) => ({ ...n, status: to }));
    });
    const expected = to === 'online' ? s.nodes.length : 0;
    await page.locator('#nodes', { hasText: `${expected} / ${s.nodes.length}` }).waitFor();
    expectNoErrors(errors, '/simple-stats');
    await context.close();
  });
});
