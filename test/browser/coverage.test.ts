/**
 * Backups → Coverage against the simulator's demo estate: guests without backups and with stale
 * backups are listed first with their reasons; the filter narrows the table (screenshot saved).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import type { PbsPoller } from '../../src/collect/pbs-poller.js';
import type { PvePoller } from '../../src/collect/pve-poller.js';
import { startTestPulse } from '../helpers/pulse.js';
import {
  apiSession,
  controlsWithoutName,
  createAdmin,
  describeBrowser,
  ensureWebBuilt,
  expectNoErrors,
  launchBrowser,
  loginViaUi,
  openPage,
  screenshot,
  type TestPage,
} from './harness.js';

describeBrowser('backup coverage view', () => {
  let sim: Simulator;
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let browser: Browser;
  let t: TestPage;

  beforeAll(async () => {
    await ensureWebBuilt();
    sim = await startSimulator({ estate: 'demo', seed: 42 });
    pulse = await startTestPulse();
    await createAdmin(pulse.url);
    const headers = await apiSession(pulse.url);
    const pve = sim.ready.pve.find((p) => p.name === 'pve-cluster')!;
    const pbs = sim.ready.pbs[0];
    for (const body of [
      {
        type: 'pve',
        name: pve.name,
        host: pve.url,
        tokenName: pve.tokenId,
        tokenValue: pve.tokenSecret,
        fingerprint: pve.fingerprint,
      },
      {
        type: 'pbs',
        name: pbs.name,
        host: pbs.url,
        tokenName: pbs.tokenId,
        tokenValue: pbs.tokenSecret,
        fingerprint: pbs.fingerprint,
      },
    ]) {
      const res = await fetch(`${pulse.url}/api/config/nodes`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect(res.status, await res.text()).toBe(201);
    }
    await pulse.deps.monitoring.pollNow();
    const pollers = pulse.deps.monitoring.pollers().filter((p): p is PvePoller | PbsPoller => 'settleBackups' in p);
    for (const p of pollers) await p.settleBackups();
    await pulse.deps.monitoring.pollNow();
    browser = await launchBrowser();
    t = await openPage(browser, pulse.url);
    await loginViaUi(t.page);
  }, 240_000);

  afterAll(async () => {
    await t?.context.close();
    await browser?.close();
    await pulse?.close();
    await sim?.stop();
  });

  it('lists guests at risk first with their reasons, and filters', async () => {
    const { page } = t;
    await page.getByRole('link', { name: 'Backups' }).first().click();
    await page.getByRole('link', { name: 'Coverage audit' }).click();
    await page.getByTestId('coverage-row').first().waitFor();
    const rows = page.getByTestId('coverage-row');
    // 303 and 304 are left out of every backup job: they come first.
    const firstTwo = [await rows.nth(0).textContent(), await rows.nth(1).textContent()].join(' ');
    expect(firstTwo).toMatch(/backup-proxy/);
    expect(firstTwo).toMatch(/test-snapshot/);
    expect(firstTwo).toMatch(/no backup on any target/);
    const wiki = page.locator('[data-testid="coverage-row"]', { hasText: 'old-wiki' });
    await expect(wiki.textContent()).resolves.toMatch(/newest backup is \d+ h old \(policy: 48 h\)/);
    expect(await page.getByTestId('coverage-summary').textContent()).toMatch(/^\d+ of \d+ guests at risk/);
    expect(await controlsWithoutName(page), 'controls without an accessible name').toEqual([]);
    // Per target: when PBS verified the newest snapshot, and whether it is encrypted and protected.
    const verified = page.getByTestId('coverage-verified').filter({ hasText: /verified \d+ h ago/ });
    expect(await verified.count()).toBeGreaterThan(0);
    const media = page.locator('[data-testid="coverage-row"]', { hasText: 'media' });
    expect(await media.getByTestId('coverage-verified').allTextContents()).toContain(' · unverified');
    expect(await page.getByTestId('coverage-encrypted').count()).toBeGreaterThan(0);
    await screenshot(page, 'backups-coverage');

    await page.getByLabel('Filter guests').fill('stale');
    await expect.poll(async () => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toMatch(/old-wiki/);
    expectNoErrors(t.errors, 'the coverage view');
  });
});
