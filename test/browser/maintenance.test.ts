/**
 * Updates, diagnostics, mock mode and the Docker page in a real browser: an update check against
 * a local release feed (available version, plan, apply refused for this installation, history),
 * a diagnostics run whose copied report holds no address or secret of the configured node, mock
 * mode switched on and off after confirmation, and the Docker page reached from the navigation
 * with no hosts: its token and install command work for an agent report.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  controlsWithoutName,
  describeBrowser,
  expectNoErrors,
  loginViaUi,
  type PulsePage,
  screenshot,
  startPulsePage,
} from '../helpers/browser.js';
import type { TestPulse } from '../helpers/pulse.js';

const SECRET = '5f1d0c8e-1111-2222-3333-444455556666';

describeBrowser('web UI maintenance and Docker', () => {
  let feed: http.Server;
  let t: PulsePage;
  let pulse: TestPulse;
  let headers: Record<string, string>;

  beforeAll(async () => {
    feed = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify([
          {
            tag_name: 'v99.1.0',
            draft: false,
            prerelease: false,
            body: 'Faster charts.',
            published_at: '2026-11-30T10:00:00Z',
            html_url: 'https://github.com/rcourtman/Pulse/releases/tag/v99.1.0',
            assets: [],
          },
        ]),
      );
    });
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    t = await startPulsePage({
      env: { PULSE_UPDATE_FEED_URL: `http://127.0.0.1:${(feed.address() as AddressInfo).port}/releases` },
      // The clipboard permission is granted before signing in.
      login: false,
      async setup(p, h) {
        pulse = p;
        headers = h;
        // A node that cannot be reached: diagnostics report the failure; its address and secret must not leak.
        const add = await fetch(`${pulse.url}/api/config/nodes`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            type: 'pve',
            name: 'homelab-pve',
            host: 'https://127.0.0.1:9',
            tokenName: 'monitor@pve!pulse',
            tokenValue: SECRET,
            verifySSL: false,
          }),
        });
        expect(add.ok).toBe(true);
      },
    });
    await t.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pulse.url });
    await loginViaUi(t.page);
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await new Promise((r) => feed?.close(r));
  });

  it('updates: check, plan (apply disabled, manual steps shown), history', async () => {
    const { page } = t;
    await page.goto('/settings/maintenance');
    await page.getByRole('button', { name: 'Check for updates' }).click();
    await page.getByText(/Pulse v99\.1\.0 is available \(running v0\.1\.0/).waitFor();
    await page.getByRole('button', { name: 'Show update plan' }).click();
    const plan = page.getByRole('region', { name: 'Update plan' });
    await plan.getByText('This installation cannot update itself; follow these steps.').waitFor();
    expect(await plan.getByRole('listitem').count()).toBeGreaterThan(0);
    expect(await plan.getByRole('button', { name: 'Apply update' }).isDisabled()).toBe(true);
    await page.getByRole('table', { name: 'Update history' }).getByText('v99.1.0').first().waitFor();
    expect(await controlsWithoutName(page), 'controls without an accessible name').toEqual([]);
    await screenshot(page, 'settings-updates');
    expectNoErrors(t.errors, 'updates');
  });

  it('diagnostics: run, then copy a report without addresses or secrets', async () => {
    const { page } = t;
    await page.goto('/settings/maintenance');
    await page.getByRole('button', { name: 'Run diagnostics' }).click();
    const result = page.getByRole('region', { name: 'Diagnostics result' });
    await result.getByText('failed', { exact: true }).waitFor();
    await result.getByRole('button', { name: 'Copy Scrubbed diagnostics report' }).click();
    await result.getByText('Copied.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const parsed = JSON.parse(copied) as { nodes: unknown[] };
    expect(parsed.nodes).toHaveLength(1);
    for (const leaked of ['127.0.0.1', 'homelab-pve', SECRET, 'monitor@pve']) expect(copied).not.toContain(leaked);
    await screenshot(page, 'settings-diagnostics');
    expectNoErrors(t.errors, 'diagnostics');
  });

  it('mock mode: switched on and off after confirmation', async () => {
    const { page } = t;
    await page.goto('/settings/maintenance');
    await page.getByText('Mock mode is off.').waitFor();
    await page.getByRole('button', { name: 'Turn mock mode on' }).click();
    const dialog = page.getByRole('dialog', { name: 'Turn mock mode on?' });
    await dialog.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Mock mode is on.').waitFor();
    const on = (await (await fetch(`${pulse.url}/api/system/mock-mode`, { headers })).json()) as { enabled: boolean };
    expect(on.enabled).toBe(true);
    await screenshot(page, 'settings-mock-mode');
    await page.getByRole('button', { name: 'Turn mock mode off' }).click();
    await page.getByRole('dialog', { name: 'Turn mock mode off?' }).getByRole('button', { name: 'Turn off' }).click();
    await page.getByText('Mock mode is off.').waitFor();
    const off = (await (await fetch(`${pulse.url}/api/system/mock-mode`, { headers })).json()) as { enabled: boolean };
    expect(off.enabled).toBe(false);
    expectNoErrors(t.errors, 'mock mode');
  });

  it('Docker: in the navigation when empty; the created token and command work for an agent', async () => {
    const { page } = t;
    await page.goto('/');
    await page.getByRole('link', { name: 'Docker', exact: true }).click();
    await page.getByText('No Docker agents are reporting yet.').waitFor();
    await page.getByLabel('Token name').fill('agent-nas');
    await page.getByRole('button', { name: 'Create token and show command' }).click();
    const box = page.getByRole('region', { name: 'Docker agent install command' });
    const command = (await box.locator('pre').textContent())!;
    const m = /^curl -fsSL (\S+)\/install-docker-agent\.sh \| sudo bash -s -- --url (\S+) --token (\S+)$/.exec(command);
    expect(m, command).not.toBeNull();
    expect(m![1]).toBe(pulse.url);
    expect(m![2]).toBe(pulse.url);
    const tokens = (await (await fetch(`${pulse.url}/api/security/tokens`, { headers })).json()) as {
      tokens: Array<{ name: string }>;
    };
    expect(tokens.tokens.map((x) => x.name)).toContain('agent-nas');
    await screenshot(page, 'docker-empty');

    // The agent reports with the token from the command; the page then lists the host.
    const report = await fetch(`${pulse.url}/api/agents/docker/report`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Token': m![3]! },
      body: JSON.stringify({
        agent: { id: 'agent-1', version: 'v4.24.0', intervalSeconds: 30 },
        host: { hostname: 'nas', dockerVersion: '27.0.1', totalCpu: 4, totalMemoryBytes: 8 * 2 ** 30 },
        containers: [],
        timestamp: new Date().toISOString(),
      }),
    });
    expect(report.status, await report.clone().text()).toBe(200);
    await page.getByRole('heading', { name: 'nas' }).waitFor();
    await screenshot(page, 'docker');
    expectNoErrors(t.errors, 'docker');
  });
});
