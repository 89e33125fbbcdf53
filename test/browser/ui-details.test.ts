/**
 * The details a newcomer noticed, in a real browser against the simulator: node badges fit in
 * their cell, network rates say "/s", the whole row opens the detail panel (mouse and keyboard),
 * chart values carry units, the backups chart has a date axis, Settings → System shows the
 * intervals in effect on a fresh install, and the security card notices a new API token.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, type EstatePage, expectNoErrors, screenshot, startEstatePage } from '../helpers/browser.js';

const INSTANCE = 'pve-cluster';

describeBrowser('web UI details', () => {
  let t: EstatePage;

  beforeAll(async () => {
    t = await startEstatePage();
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('Settings → System shows the intervals in effect before anything was saved', async () => {
    const { page } = t;
    await page.goto('/settings/system');
    const field = page.getByLabel('Proxmox VE polling interval (seconds)');
    await field.waitFor();
    await page.waitForFunction(
      () =>
        (document.querySelector('input[name], input') as HTMLInputElement | null) !== null &&
        Array.from(document.querySelectorAll('label')).some(
          (l) =>
            l.textContent?.includes('Proxmox VE polling interval') && (l.control as HTMLInputElement)?.value !== '',
        ),
    );
    expect(Number(await field.inputValue())).toBeGreaterThan(0);
    expectNoErrors(t.errors, 'system settings');
  });

  it('a new API token shows in the security status card at once', async () => {
    const { page } = t;
    await page.goto('/settings/security');
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Security status' }) });
    await card.getByText('none', { exact: true }).waitFor();
    const form = page.getByRole('form', { name: 'Create API token' });
    await form.getByLabel('Token name').fill('script');
    await form.getByRole('button').click();
    await card.getByText(/^configured/).waitFor();
    expectNoErrors(t.errors, 'security status');
  });

  it('dashboard: badges fit, rates per second, the row opens details by mouse and keyboard, charts have units', async () => {
    const { page } = t;
    const { headers } = t;
    await t.addInstance(INSTANCE);
    await page.goto('/');
    const nodeRow = page.locator('tr', { has: page.getByRole('button', { name: 'Show history of pve1' }) });
    const cluster = nodeRow.getByText(INSTANCE, { exact: true });
    await cluster.waitFor();
    const fits = await cluster.evaluate((el) => {
      const cell = el.closest('td')!.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      return box.left >= cell.left && box.right <= cell.right && el.scrollWidth <= el.clientWidth + 1;
    });
    expect(fits, 'the cluster badge is inside its cell and not truncated').toBe(true);

    const guestRow = page.locator('tr', { has: page.getByText('web-01', { exact: true }) });
    const net = guestRow.locator('td[title^="Network in"]');
    await net.waitFor();
    expect(await net.textContent()).toMatch(/^↓ \S+\/s · ↑ \S+\/s$/);

    // A click anywhere on the row (here the status cell) opens the panel.
    await guestRow.locator('td').nth(3).click();
    const vmPanel = page.getByRole('region', { name: 'History of web-01' });
    await vmPanel.waitFor();
    await vmPanel.getByRole('button', { name: 'Close history' }).click();
    await vmPanel.waitFor({ state: 'detached' });
    await guestRow.focus();
    await page.keyboard.press('Enter');
    await vmPanel.waitFor();
    await vmPanel.getByRole('button', { name: 'Close history' }).click();

    // Node history grows with each poll: open the panel once there are two points to draw.
    for (;;) {
      const charts = (await (await fetch(`${t.pulse.url}/api/charts?range=1h`, { headers })).json()) as {
        nodeData: Record<string, { cpu?: unknown[] }>;
      };
      if (Object.values(charts.nodeData).some((n) => (n.cpu?.length ?? 0) > 1)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await nodeRow.getByRole('button', { name: 'Show history of pve1' }).click();
    const panel = page.getByRole('region', { name: 'History of pve1' });
    const chart = panel.getByRole('img', { name: /CPU, memory and disk of pve1 \(percent\)/ });
    await chart.waitFor();
    const canvas = chart.locator('canvas');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + 5, box.y + 5);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 10 });
    await chart.locator('.u-legend .u-value').filter({ hasText: /\d%$/ }).first().waitFor();
    await screenshot(page, 'dashboard-details');

    await page.goto('/backups');
    const axis = page.getByTestId('backup-date-axis');
    await axis.waitFor();
    const today = new Date().toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
    expect(await axis.textContent()).toContain(today);
    await screenshot(page, 'backups-date-axis');
    expectNoErrors(t.errors, 'dashboard details');
  });
});
