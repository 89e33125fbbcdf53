/**
 * The done-when scenarios against the real server and the Proxmox simulator: add the simulated
 * PVE through the form (pinning its self-signed certificate), see its guests, see a value change
 * the simulator makes (without re-creating unchanged rows), filter with `cpu>80`, acknowledge the
 * alert that value raises, and load every page without console errors (screenshots saved).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  controlsWithoutName,
  describeBrowser,
  type EstatePage,
  expectNoErrors,
  loginViaUi,
  openPage,
  screenshot,
  startEstatePage,
} from '../helpers/browser.js';
import { control } from '../helpers/sim.js';

const INSTANCE = 'pve-cluster';

/** The text of a dashboard cell: the guest row's CPU bar label. */
const cpuLabel = (page: Page, guest: string) =>
  page.locator('tr', { has: page.getByText(guest, { exact: true }) }).getByRole('meter', { name: `CPU of ${guest}` });

describeBrowser('web UI against the simulator', () => {
  let t: EstatePage;

  beforeAll(async () => {
    t = await startEstatePage({
      // Deterministic CPU: every guest of the cluster idles at 10 % except web-01.
      async prepareSim(sim) {
        const guests = (await control(sim, 'GET', `/guests/${INSTANCE}`)) as Array<{ vmid: number; status: string }>;
        for (const g of guests) await control(sim, 'PUT', `/guests/${INSTANCE}/${g.vmid}/metrics`, { cpu: 0.1 });
        await control(sim, 'PUT', `/guests/${INSTANCE}/100/metrics`, { cpu: 0.42 });
      },
    });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('adds the simulated PVE through the form, pinning its certificate fingerprint', async () => {
    const { page } = t;
    const pve = t.sim.ready.pve.find((p) => p.name === INSTANCE)!;
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Add node' }).click();
    await page.getByLabel('Name').fill(INSTANCE);
    await page.getByLabel('Host').fill(pve.url);
    await page.getByLabel('Token ID').fill(pve.tokenId);
    await page.getByLabel('Token secret').fill(pve.tokenSecret);
    expect(await controlsWithoutName(page), 'controls without an accessible name in the node form').toEqual([]);
    await page.getByRole('button', { name: 'Test connection' }).click();
    // The simulator's certificate is self-signed: the test fails and shows what to pin.
    const presented = page.getByTestId('presented-fingerprint');
    await presented.waitFor();
    expect((await presented.textContent())?.trim()).toBe(pve.fingerprint.toUpperCase());
    await screenshot(page, 'settings-nodes-fingerprint');
    // That refused test is an HTTP 400, which Chromium logs by itself; the page explained it.
    expect(
      t.errors.filter((e) => !e.includes('status of 400') || !e.includes('/api/config/nodes/test-connection')),
    ).toEqual([]);
    t.errors.length = 0;
    await page.getByRole('button', { name: 'Pin this fingerprint' }).click();
    await page.getByText(/Connected to cluster pve-cluster/).waitFor();
    expect(await page.getByLabel('Pinned certificate fingerprint (SHA-256)').inputValue()).toBe(
      pve.fingerprint.toUpperCase(),
    );
    await page.getByRole('button', { name: 'Save node' }).click();
    await page.getByRole('list', { name: 'Configured nodes' }).getByText(INSTANCE, { exact: true }).waitFor();
    await screenshot(page, 'settings-nodes');
    expectNoErrors(t.errors, 'adding a node');
  });

  it('shows the cluster guests live, and a value the simulator changes, without re-creating rows', async () => {
    const { page } = t;
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await cpuLabel(page, 'web-01').getByText('42%').waitFor({ timeout: 30_000 });
    await page.getByText('db-01', { exact: true }).waitFor();
    // Tag every rendered row element, change one guest in the simulator, and check that the
    // same elements are still there afterwards (only the changed cell's text was updated).
    const tagged = await page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>('tr[data-row-id]'));
      for (const r of rows) (r as unknown as { __mark: string }).__mark = r.dataset.rowId!;
      return rows.map((r) => r.dataset.rowId!);
    });
    expect(tagged.length).toBeGreaterThan(5);
    await control(t.sim, 'PUT', `/guests/${INSTANCE}/100/metrics`, { cpu: 0.95 });
    await cpuLabel(page, 'web-01').getByText('95%').waitFor({ timeout: 30_000 });
    const kept = await page.evaluate(
      (ids) =>
        ids.filter((id) => {
          const el = document.querySelector(`tr[data-row-id="${CSS.escape(id)}"]`) as unknown as {
            __mark?: string;
          } | null;
          return el?.__mark === id;
        }),
      tagged,
    );
    expect(kept).toEqual(tagged);
    expect(await cpuLabel(page, 'web-01').getAttribute('title')).toMatch(/^CPU 95\.0% of 4 cores/);
    await screenshot(page, 'dashboard');
    expect(await controlsWithoutName(page), 'controls without an accessible name on the dashboard').toEqual([]);
    // A row opens its history (uPlot over /api/charts).
    await page.getByRole('button', { name: 'Show history of pve1' }).click();
    const panel = page.getByRole('region', { name: 'History of pve1' });
    await panel
      .getByRole('img', { name: /CPU, memory and disk of pve1/ })
      .or(panel.getByText('Not enough history'))
      .waitFor();
    await screenshot(page, 'dashboard-history');
    await panel.getByRole('button', { name: 'Close history' }).click();
    // A VM with the guest agent explains its disk number: one bar per filesystem, and its interfaces.
    await page.getByRole('button', { name: 'web-01', exact: true }).click();
    const vmPanel = page.getByRole('region', { name: 'History of web-01' });
    await vmPanel.getByRole('table', { name: 'Filesystems of web-01' }).waitFor();
    await vmPanel.getByRole('table', { name: 'Network interfaces of web-01' }).waitFor();
    await screenshot(page, 'dashboard-guest-detail');
    await vmPanel.getByRole('button', { name: 'Close history' }).click();
    expectNoErrors(t.errors, 'dashboard');
  });

  it('filters with cpu>80', async () => {
    const { page } = t;
    await page.getByLabel('Filter guests').fill('cpu>80');
    await page.getByText('1 guests shown').waitFor();
    const names = await page.locator('tbody tr[data-row-id] td:first-child').allTextContents();
    expect(names.map((n) => n.trim())).toEqual(expect.arrayContaining(['web-01']));
    expect(names.some((n) => n.includes('db-01'))).toBe(false);
    await screenshot(page, 'dashboard-filter-cpu');
    // The filter is part of the URL: reloading it restores the same view.
    expect(new URL(page.url()).searchParams.get('q')).toBe('cpu>80');
    await page.reload();
    await page.getByText('1 guests shown').waitFor();
    expect(await page.getByLabel('Filter guests').inputValue()).toBe('cpu>80');
    await page.getByLabel('Filter guests').fill('');

    // Sorting: the flat list by CPU puts the busiest guest first, then the idlest.
    await page.getByRole('group', { name: 'Layout' }).getByRole('button', { name: 'List' }).click();
    await page.getByRole('button', { name: 'Sort by CPU' }).click();
    const firstName = async () =>
      (await page.locator('tbody tr[data-row-id] td:first-child').first().textContent())?.trim();
    expect(await page.getByRole('columnheader', { name: /CPU/ }).getAttribute('aria-sort')).toBe('descending');
    expect(await firstName()).toBe('web-01');
    await page.getByRole('button', { name: 'Sort by CPU' }).click();
    expect(await page.getByRole('columnheader', { name: /CPU/ }).getAttribute('aria-sort')).toBe('ascending');
    expect(await firstName()).not.toBe('web-01');
    await page.getByRole('button', { name: 'Reset' }).click();
  });

  it('acknowledges the CPU alert the change raised, and clears another', async () => {
    const { page } = t;
    await page.getByRole('link', { name: /^Alerts/ }).click();
    const ack = page.getByRole('button', { name: /^Acknowledge alert web-01 cpu/ });
    await ack.waitFor({ timeout: 45_000 });
    await screenshot(page, 'alerts');
    await ack.click();
    await page.getByRole('button', { name: /^Unacknowledge alert web-01 cpu/ }).waitFor();
    const active = (await (await fetch(`${t.pulse.url}/api/alerts/active`, { headers: t.headers })).json()) as Array<{
      resourceName: string;
      type: string;
      acknowledged: boolean;
    }>;
    expect(active.find((a) => a.resourceName === 'web-01' && a.type === 'cpu')?.acknowledged).toBe(true);

    // Clearing drops an alert from the list (the simulated estate has an old snapshot to complain about).
    const clear = page.getByRole('button', { name: /^Clear alert backup-proxy snapshot-age/ });
    await clear.waitFor({ timeout: 30_000 });
    await clear.click();
    await clear.waitFor({ state: 'detached' });
    expectNoErrors(t.errors, 'alerts');
  });

  it('loads every page without console errors', async () => {
    const { page } = t;
    // PBS and PMG come in over the API, the way a script would add them.
    for (const kind of ['pbs', 'pmg'] as const) {
      const inst = t.sim.ready[kind][0]!;
      const res = await fetch(`${t.pulse.url}/api/config/nodes`, {
        method: 'POST',
        headers: t.headers,
        body: JSON.stringify({
          type: kind,
          name: inst.name,
          host: inst.url,
          // PMG has no API tokens: it is added with user@realm + password.
          ...('tokenId' in inst
            ? { tokenName: inst.tokenId, tokenValue: inst.tokenSecret }
            : { user: inst.user, password: inst.password }),
          fingerprint: inst.fingerprint,
          verifySSL: true,
        }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    // A Docker agent reports in with an API token, as the real agent does.
    const tokenRes = await fetch(`${t.pulse.url}/api/security/tokens`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({ name: 'agent' }),
    });
    const { token } = (await tokenRes.json()) as { token: string };
    const now = new Date().toISOString();
    const report = await fetch(`${t.pulse.url}/api/agents/docker/report`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Token': token },
      body: JSON.stringify({
        agent: { id: 'agent-1', version: '4.24.0', intervalSeconds: 30 },
        host: {
          hostname: 'docker-01',
          os: 'Debian 12',
          dockerVersion: '27.3.1',
          totalCpu: 4,
          totalMemoryBytes: 8 * 2 ** 30,
          uptimeSeconds: 86400,
        },
        containers: [
          {
            id: 'c1',
            name: 'nginx',
            image: 'nginx:1.27',
            state: 'running',
            status: 'Up 2 hours',
            health: 'healthy',
            cpuPercent: 3.5,
            memoryUsageBytes: 50 * 2 ** 20,
            memoryLimitBytes: 512 * 2 ** 20,
            memoryPercent: 9.8,
            uptimeSeconds: 7200,
            restartCount: 0,
            exitCode: 0,
            createdAt: now,
          },
        ],
        timestamp: now,
      }),
    });
    expect(report.status, await report.clone().text()).toBe(200);
    const pages: Array<[string, string, RegExp | string]> = [
      ['/storage', 'storage', 'Storage'],
      ['/backups', 'backups', 'Backups'],
      ['/pbs', 'pbs', 'Proxmox Backup Server'],
      ['/mail', 'mail', 'Mail gateway'],
      ['/docker', 'docker', 'Docker hosts'],
      ['/alerts/history', 'alert-history', 'Alerts'],
      ['/settings/system', 'settings-system', 'Settings'],
      ['/settings/notifications', 'settings-notifications', 'Settings'],
      ['/settings/thresholds', 'settings-thresholds', 'Settings'],
      ['/settings/security', 'settings-security-admin', 'Settings'],
    ];
    for (const [path, name, heading] of pages) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForLoadState('networkidle');
      await screenshot(page, name);
      expectNoErrors(t.errors, path);
      expect(await controlsWithoutName(page), `controls without an accessible name on ${path}`).toEqual([]);
    }
    await page.goto('/pbs');
    await page.getByText('pbs-main').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'pbs');
    await page.goto('/mail');
    await page.getByText('pmg-main').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'mail');
    await page.goto('/alerts/history');
    const historyTable = page.getByRole('table', { name: 'Alert history' });
    await historyTable.getByRole('cell', { name: 'web-01', exact: true }).first().waitFor();
    await page.getByLabel('Search alert history').fill('no-such-resource');
    await page.getByText('No alerts recorded.').waitFor();
    await page.goto('/backups');
    const perGuest = page.getByRole('table', { name: 'Last backup per guest' });
    const ageOf = (guest: string) =>
      perGuest
        .locator('tr', { has: page.getByRole('cell', { name: guest, exact: true }) })
        .locator('td')
        .nth(4);
    await ageOf('web-01')
      .getByText(/^(just now|\d+[mhd] ago)$/)
      .waitFor({ timeout: 30_000 });
    // legacy-app has no backup in the simulated estate: the page says so instead of hiding it.
    expect((await ageOf('legacy-app').textContent())?.trim()).toBe('never');
    await page.goto('/docker');
    await page
      .getByRole('table', { name: 'Containers on docker-01' })
      .getByText('nginx', { exact: true })
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'docker');
    await page.goto('/storage');
    await page.getByRole('table', { name: 'Storage' }).getByText('local').first().waitFor();
    // Pool and cluster health, as the simulated estate has them: a faulted ZFS disk, Ceph in warning.
    await page
      .getByRole('table', { name: /^Devices of ZFS pool rpool/ })
      .getByText('FAULTED')
      .waitFor();
    await page.getByText('HEALTH_WARN').waitFor();
    await screenshot(page, 'storage');
    expectNoErrors(t.errors, 'PBS, mail, storage with data');
    // By now the node has a history: its sparkline (from /api/charts) draws a line.
    await page.goto('/');
    await page.locator('svg[aria-label="CPU trend of pve1, last hour"] polyline').waitFor({ timeout: 40_000 });
  }, 120_000);

  it('tests, edits and deletes a configured node', async () => {
    const { page } = t;
    await page.goto('/settings/nodes');
    const list = page.getByRole('list', { name: 'Configured nodes' });
    await list.getByText('pmg-main', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Test pmg-main' }).click();
    await list.getByText(/Connected to PMG/).waitFor();

    await page.getByRole('button', { name: 'Edit pmg-main' }).click();
    const form = page.getByRole('form', { name: 'Edit node' });
    expect(await form.getByLabel('Name').inputValue()).toBe('pmg-main');
    await form.getByLabel('Quarantine').uncheck();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });
    const nodes = (await (await fetch(`${t.pulse.url}/api/config/nodes`, { headers: t.headers })).json()) as Array<
      Record<string, unknown>
    >;
    expect(nodes.find((n) => n.name === 'pmg-main')?.monitorQuarantine).toBe(false);

    await page.getByRole('button', { name: 'Delete pmg-main' }).click();
    const confirmRemove = page.getByRole('dialog', { name: 'Remove pmg-main from Pulse?' });
    await confirmRemove.getByRole('button', { name: 'Cancel' }).click();
    await confirmRemove.waitFor({ state: 'detached' });
    await list.getByText('pmg-main', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Delete pmg-main' }).click();
    await confirmRemove.getByRole('button', { name: 'Remove' }).click();
    await list.getByText('pmg-main', { exact: true }).waitFor({ state: 'detached' });
    // The mail gateway leaves the live picture too, and with it the Mail page from the menu.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Mail' })
      .waitFor({ state: 'detached', timeout: 30_000 });
    expectNoErrors(t.errors, 'node edit and delete');
  });

  it('shows on the node which feature a token lacking a privilege breaks, not a silent empty list', async () => {
    const { page } = t;
    const token = { tokenId: 'mon@pve!ro', secret: 'ro-secret-ui' };
    await control(t.sim, 'POST', '/credentials', {
      target: 'pve-standalone',
      tokenId: token.tokenId,
      secret: token.secret,
      acl: { '/': ['Sys.Audit'], '/storage': ['Datastore.Audit'] },
    });
    const { headers } = t;
    const created = await fetch(`${t.pulse.url}/api/config/nodes`, {
      method: 'POST',
      headers: t.headers,
      body: JSON.stringify({
        type: 'pve',
        name: 'restricted',
        host: t.sim.ready.pve[1].url,
        tokenName: token.tokenId,
        tokenValue: token.secret,
        fingerprint: t.sim.ready.pve[1].fingerprint,
      }),
    });
    expect(created.status).toBe(201);
    const listed = (await (await fetch(`${t.pulse.url}/api/config/nodes`, { headers: t.headers })).json()) as Array<{
      id: string;
      name: string;
    }>;
    const id = listed.find((n) => n.name === 'restricted')!.id;
    await t.pulse.deps.monitoring.pollNow(t.pulse.deps.monitoring.nodes.byPublicId(id)!.uid);
    await page.goto('/settings/nodes');
    const warnings = page.getByRole('list', { name: 'Warnings for restricted' });
    await warnings.waitFor();
    expect(await warnings.textContent()).toMatch(/VM\.Audit.*VMs and containers/);
    await screenshot(page, 'settings-node-privilege-warning');
    expect(
      (
        await fetch(`${t.pulse.url}/api/config/nodes/${id}`, {
          method: 'DELETE',
          headers: { Cookie: headers.Cookie, 'X-CSRF-Token': headers['X-CSRF-Token'] },
        })
      ).status,
    ).toBeLessThan(300);
    expectNoErrors(t.errors, 'node privilege warning');
  });

  it('is usable on a phone-sized screen and in the light theme', async () => {
    const phone = await openPage(t.browser, t.pulse.url, {
      viewport: { width: 390, height: 844 },
      colorScheme: 'light',
    });
    await loginViaUi(phone.page);
    await phone.page.getByText('web-01', { exact: true }).waitFor({ timeout: 30_000 });
    // The page itself does not scroll sideways; the table keeps its columns inside the screen.
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'mobile-dashboard');
    // The theme follows the browser (light here) until switched; the choice is applied at once.
    expect(await phone.page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
    await phone.page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await phone.page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await screenshot(phone.page, 'mobile-dashboard-dark');
    await phone.page.getByRole('button', { name: 'Switch to light theme' }).click();
    await phone.page.goto('/alerts');
    await phone.page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    await screenshot(phone.page, 'mobile-alerts');
    expectNoErrors(phone.errors, 'phone');
    await phone.context.close();
  });

  it('sets a per-guest threshold override', async () => {
    const { page } = t;
    await page.goto('/settings/thresholds');
    await page.getByLabel('Resource').selectOption({ label: 'VM 100 web-01' });
    await page.getByRole('button', { name: 'Add override' }).click();
    await page.getByLabel('VM 100 web-01 CPU % trigger').fill('99');
    await page.getByLabel('VM 100 web-01 CPU % clear').fill('90');
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    await page.getByText('Alert thresholds saved.').waitFor();
    const cfg = (await (await fetch(`${t.pulse.url}/api/alerts/config`, { headers: t.headers })).json()) as {
      overrides: Record<string, { cpu?: { trigger: number; clear: number } }>;
    };
    const state = (await (await fetch(`${t.pulse.url}/api/state`, { headers: t.headers })).json()) as {
      vms: Array<{ id: string; name: string }>;
    };
    const id = state.vms.find((v) => v.name === 'web-01')!.id;
    expect(cfg.overrides[id]?.cpu).toMatchObject({ trigger: 99, clear: 90 });
    await screenshot(page, 'settings-thresholds-override');
    expectNoErrors(t.errors, 'threshold override');
  });
});
