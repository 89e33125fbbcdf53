/**
 * Settings → Backup & restore in a real browser: export downloads an encrypted file; importing it
 * back shows what will be replaced, refuses a wrong passphrase in words, asks for confirmation,
 * and sums up; the nodes the server then holds are the exported ones.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  controlsWithoutName,
  describeBrowser,
  expectNoErrors,
  type PulsePage,
  screenshot,
  startPulsePage,
} from '../helpers/browser.js';
import { type TestPulse, tempDir } from '../helpers/pulse.js';

const PASSPHRASE = 'a long enough passphrase';

describeBrowser('web UI backup and restore', () => {
  let t: PulsePage;
  let pulse: TestPulse;
  let headers: Record<string, string>;

  async function nodes(): Promise<Array<{ id: string; name: string }>> {
    return (await (await fetch(`${pulse.url}/api/config/nodes`, { headers })).json()) as Array<{
      id: string;
      name: string;
    }>;
  }

  async function addNode(name: string, port: number): Promise<void> {
    const res = await fetch(`${pulse.url}/api/config/nodes`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        type: 'pve',
        name,
        host: `https://127.0.0.1:${port}`,
        tokenName: 'monitor@pve!pulse',
        tokenValue: '00000000-0000-0000-0000-000000000000',
        verifySSL: false,
      }),
    });
    if (!res.ok) throw new Error(`add node ${name}: ${res.status} ${await res.text()}`);
  }

  beforeAll(async () => {
    t = await startPulsePage({
      async setup(p, h) {
        pulse = p;
        headers = h;
        await addNode('alpha', 9);
      },
    });
  }, 240_000);

  afterAll(() => t?.close());

  it('exports, then imports the file back after showing what it replaces', async () => {
    const { page } = t;
    await page.goto('/settings/backup');
    const exp = page.getByRole('form', { name: 'Export configuration' });
    await exp.getByLabel('Passphrase', { exact: true }).fill('short');
    await exp.getByLabel('Repeat passphrase').fill('short');
    await exp.getByRole('button', { name: 'Export and download' }).click();
    await exp
      .getByRole('alert')
      .getByText(/at least 12 characters/)
      .waitFor();

    await exp.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await exp.getByLabel('Repeat passphrase').fill(PASSPHRASE);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      exp.getByRole('button', { name: 'Export and download' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^pulse-config-\d{8}-\d{4}\.enc$/);
    const file = `${tempDir('pulse-backup-')}/${download.suggestedFilename()}`;
    await download.saveAs(file);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    await exp.getByText(/Downloaded pulse-config-/).waitFor();

    // The configuration changes after the export: alpha goes, beta comes.
    const alpha = (await nodes()).find((n) => n.name === 'alpha')!;
    const { 'Content-Type': _json, ...noBody } = headers;
    const del = await fetch(`${pulse.url}/api/config/nodes/${alpha.id}`, { method: 'DELETE', headers: noBody });
    expect(del.ok).toBe(true);
    await addNode('beta', 10);

    const imp = page.getByRole('form', { name: 'Import configuration' });
    await imp.getByLabel('Export file').setInputFiles(file);
    await imp.getByLabel('Import passphrase').fill('not the right passphrase');
    await imp.getByRole('button', { name: 'Check file' }).click();
    await imp
      .getByRole('alert')
      .getByText(/wrong passphrase/)
      .waitFor();
    t.errors.length = 0; // the refused dry run is an HTTP 400 that Chromium logs by itself

    await imp.getByLabel('Import passphrase').fill(PASSPHRASE);
    await imp.getByRole('button', { name: 'Check file' }).click();
    const preview = page.getByRole('region', { name: 'What the import replaces' });
    await preview.getByText('Nodes now (1) — all removed').waitFor();
    await preview.getByText('beta', { exact: false }).first().waitFor();
    await preview.getByText('Nodes from the file (1)').waitFor();
    expect(await preview.textContent()).toContain('alpha');
    // Nothing changed yet: the check was a dry run.
    expect((await nodes()).map((n) => n.name)).toEqual(['beta']);
    expect(await controlsWithoutName(page), 'controls without an accessible name').toEqual([]);

    await preview.getByRole('button', { name: 'Import and replace' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replace the configuration?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await nodes()).map((n) => n.name)).toEqual(['beta']);

    await preview.getByRole('button', { name: 'Import and replace' }).click();
    await screenshot(page, 'settings-backup-confirm');
    await dialog.getByRole('button', { name: 'Replace configuration' }).click();
    const summary = page.getByRole('list', { name: 'Import summary' });
    await summary.getByText('1 node', { exact: true }).waitFor();
    await summary.getByText('alert settings').waitFor();
    expect((await nodes()).map((n) => n.name)).toEqual(['alpha']);
    await screenshot(page, 'settings-backup');
    expectNoErrors(t.errors, 'backup and restore');
  });
});
