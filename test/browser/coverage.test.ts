/**
 * Backups → Coverage against the simulator's demo estate: guests without backups and with stale
 * backups are listed first with their reasons; the filter narrows the table (screenshot saved).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import {
  controlsWithoutName,
  describeBrowser,
  type EstatePage,
  expectNoErrors,
  screenshot,
  startEstatePage,
} from '../helpers/browser.js';

describeBrowser('backup coverage view', () => {
  let t: EstatePage;

  beforeAll(async () => {
    // The simulator's nightly backups start after 02:00 UTC and PBS verifies a snapshot 6 h after
    // it is taken, so from 02:00 to about 09:00 no newest snapshot is verified yet. Both clocks are
    // moved to the next 14:00 UTC, whatever the hour the test runs at.
    const day = 86_400_000;
    const at = Math.ceil((Date.now() - 14 * 3_600_000) / day) * day + 14 * 3_600_000;
    t = await startEstatePage({
      instances: ['pve-cluster', 'pbs-main'],
      settleBackups: true,
      clock: new ManualClock(at),
      prepareSim: async (sim) => sim.core.clock.advance((at - Date.now()) / 1000),
    });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
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
