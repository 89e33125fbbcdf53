/**
 * "Explain this number" in a real browser against the simulator: /api/state carries each
 * figure's source and inputs, and the detail panel and bar titles spell out the computation.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Guest, Node } from '../../src/model/state.js';
import { describeBrowser, type EstatePage, expectNoErrors, screenshot, startEstatePage } from '../helpers/browser.js';

const INSTANCE = 'pve-cluster';

describeBrowser('explain this number', () => {
  let t: EstatePage;

  beforeAll(async () => {
    t = await startEstatePage();
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('permission doctor: the settings row of the PVEAuditor-only token shows the grant command', async () => {
    await t.addInstance('pve-standalone');
    const { page } = t;
    await page.goto('/settings/nodes');
    // The row lists the poller's 403s: the page refreshes its list every 15 s until they are in.
    const section = page.getByRole('region', { name: 'Missing privileges of pve-standalone' });
    await section.waitFor({ timeout: 60_000 });
    // The privilege follows the PVE version the nodes report, which can arrive a poll after the 403s.
    await expect
      .poll(async () => (await section.getByTestId('grant-command').textContent()) ?? '', { timeout: 40_000 })
      .toContain("--privs 'VM.Monitor'");
    const cmd = (await section.getByTestId('grant-command').textContent()) ?? '';
    expect(cmd).toContain("pveum acl modify /vms --tokens 'root@pam!pulse' --roles PulseExtra-vms");
    // Every feature is listed on the row: the two agent features lack VM.Monitor on /vms.
    const doctor = page.getByRole('table', { name: 'Permission check of pve-standalone' });
    await expect.poll(async () => doctor.locator('[data-works="false"]').count()).toBe(2);
    expect(await doctor.getByTestId('permission-feature').count()).toBe(11);
    expect(await doctor.locator('[data-works="false"]').first().textContent()).toMatch(/✗ noVM\.Monitor on \/vms/);
    await screenshot(page, 'permission-doctor');

    // The diagnostics page shows the same per instance, from a live test.
    await page.goto('/settings/maintenance');
    await page.getByRole('button', { name: 'Run diagnostics' }).click();
    const diag = page.getByRole('region', { name: 'Diagnostics result' });
    const table = diag.getByRole('table', { name: 'Permission check of pve-standalone' });
    await table.waitFor({ timeout: 60_000 });
    expect(await table.locator('[data-works="false"]').count()).toBe(2);
    expect(await table.locator('[data-works="true"]').count()).toBe(9);
    expect(await diag.getByTestId('grant-command').textContent()).toContain("--privs 'VM.Monitor'");
    // The shared report leaves the command, which names the token, out.
    const shared = (await diag.getByRole('region', { name: 'Scrubbed diagnostics report' }).textContent()) ?? '';
    expect(shared).toContain('"grantCommand": "[omitted: names the user]"');
    expect(shared).not.toContain('root@pam!pulse');
    await screenshot(page, 'permission-doctor-diagnostics');
    expectNoErrors(t.errors, 'permission doctor');
  }, 120_000);

  it('state carries sources and inputs; the panel and titles explain them', async () => {
    const { headers } = t;
    await t.addInstance(INSTANCE);
    let state: { nodes: Node[]; vms: Guest[]; containers: Guest[] };
    for (;;) {
      state = await (await fetch(`${t.pulse.url}/api/state`, { headers })).json();
      if (state.vms.some((v) => v.name === 'web-01' && v.memorySource)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const web = state.vms.find((v) => v.name === 'web-01')!;
    expect(web.diskSource).toMatch(/^(agent-filesystems|unknown)$/);
    if (web.memorySource !== 'stopped') expect(web.memoryInputs).toBeDefined();
    for (const n of state.nodes.filter((x) => x.status === 'online')) {
      expect(n.memorySource).toMatch(/^(node-status-available|rrd-memavailable|node-status-free|node-status-used)$/);
      expect(n.memoryInputs?.total).toBe(n.memory?.total);
      expect(n.diskSource).toBe('node-rootfs');
    }
    for (const c of state.containers) expect(c.diskSource).toBe('cluster-resources');

    const { page } = t;
    await page.goto('/');
    const guestRow = page.locator('tr', { has: page.getByText('web-01', { exact: true }) });
    await guestRow.locator('td').nth(3).click();
    const panel = page.getByRole('region', { name: 'History of web-01' });
    const how = panel.getByRole('definition').first();
    await how.waitFor();
    expect(await how.textContent()).toMatch(/used = |not running/);
    const text = (await panel.getByLabel('How the figures of web-01 are computed').textContent()) ?? '';
    expect(text).toMatch(/^Memory: .*Disk: /);
    if (web.memorySource === 'guest-meminfo') expect(text).toContain('MemTotal − MemAvailable from the guest agent');
    const memTitle = await guestRow.locator('[title^="Memory"]').first().getAttribute('title');
    expect(memTitle).toMatch(/\n(used = |The guest is not running)/);
    await screenshot(page, 'explain-number');
    expectNoErrors(t.errors, 'explain this number');
  });
});
