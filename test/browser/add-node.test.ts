/**
 * Adding nodes without typing everything, in a real browser against the simulator: the setup
 * script flow (one-time code and command; the page waits and shows the node once the script's
 * registration call arrives with that code), network discovery of the simulated PVE (its "Add"
 * fills the node form), and the hand-made token guide.
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

describeBrowser('web UI add node', () => {
  let t: EstatePage;

  beforeAll(async () => {
    // Discovery probes the simulator's port instead of 8006.
    t = await startEstatePage({
      env: (sim) => ({ PULSE_DISCOVERY_PORTS: `pve=${new URL(sim.ready.pve[0]!.url).port}` }),
    });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('setup script: code and command, then the node that registers with the code', async () => {
    const { page } = t;
    const pve = t.sim.ready.pve[0]!;
    await page.goto('/settings/nodes');
    const form = page.getByRole('form', { name: 'Setup script' });
    await form.getByLabel('Product').selectOption('pve');
    await form.getByLabel('Node address (optional)').fill(pve.url);
    await form.getByRole('button', { name: 'Generate setup command' }).click();
    const command = page.getByRole('region', { name: 'Setup command' });
    await command.getByText(/curl -sSL ".*\/api\/setup-script\?type=pve.*" \| bash/).waitFor();
    const code = (await page.locator('strong.font-mono').textContent())!.trim();
    expect(code).toMatch(/^[A-Z2-9]{6}$/);
    await page.getByText('Waiting for the node to register…').waitFor();
    expect(await controlsWithoutName(page), 'controls without an accessible name').toEqual([]);
    await screenshot(page, 'add-node-setup-script');

    // What the script does at its end: register with the token it made and the code typed in.
    const reg = await fetch(`${t.pulse.url}/api/auto-register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'pve',
        host: pve.url,
        serverName: pve.name,
        tokenId: pve.tokenId,
        tokenValue: pve.tokenSecret,
        setupCode: code,
      }),
    });
    expect(reg.status, await reg.clone().text()).toBe(200);
    await page
      .getByText(new RegExp(`^Registered .* \\(PVE, ${pve.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)\\.$`))
      .waitFor();
    await page.getByRole('list', { name: 'Configured nodes' }).getByText(pve.url).waitFor();
    expectNoErrors(t.errors, 'setup script');
  });

  it('discovery: scanning finds the simulated PVE and "Add" fills the form', async () => {
    const { page } = t;
    const pve = t.sim.ready.pve[0]!;
    const port = new URL(pve.url).port;
    await page.goto('/settings/nodes');
    const scan = page.getByRole('form', { name: 'Network discovery' });
    await scan.getByLabel('Subnet').fill('127.0.0.1/32');
    await scan.getByRole('button', { name: 'Scan' }).click();
    const table = page.getByRole('table', { name: 'Discovered servers' });
    await table.getByText(`127.0.0.1:${port}`).waitFor();
    await screenshot(page, 'add-node-discovery');
    await table.getByRole('button', { name: `Add 127.0.0.1:${port}` }).click();
    const editor = page.getByRole('form', { name: 'Add node' });
    await editor.waitFor();
    expect(await editor.getByLabel('Host').inputValue()).toBe(`https://127.0.0.1:${port}`);
    expect(await editor.getByLabel('Name').inputValue()).not.toBe('');

    await page.getByText('Creating a read-only token by hand').waitFor();
    await page.locator('summary', { hasText: 'Proxmox Backup Server' }).click();
    await page
      .getByRole('region', { name: 'Proxmox Backup Server commands' })
      .getByText(/acl update \/ Audit/)
      .waitFor();
    await screenshot(page, 'add-node');
    expectNoErrors(t.errors, 'discovery');
  });
});
