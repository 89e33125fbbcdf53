/**
 * An update applied from the UI, end to end: the release tarball is built (`npm run package`),
 * installed with scripts/install.sh into a temporary root (--no-systemd), and a newer variant of
 * it is offered by a local release feed that serves the tarball and its .sha256. In Chromium the
 * admin checks, reads the plan, confirms, and watches the progress bar advance through the
 * installer's restart until the page says the new version runs. Installing needs root, as
 * install.sh does; elsewhere the suite is skipped with that reason.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRelease } from '../../scripts/package.js';
import { hostArch } from '../../scripts/package-agent.js';
import {
  createAdmin,
  describeBrowser,
  expectNoErrors,
  launchBrowser,
  loginViaUi,
  openPage,
  screenshot,
  type TestPage,
} from '../helpers/browser.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const INSTALL = path.join(REPO, 'scripts', 'install.sh');
const isRoot = process.getuid?.() === 0;
const NEXT = '0.2.0';

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 400_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const suite = isRoot ? describeBrowser : (name: string, fn: () => void) => describe.skip(`${name} (needs root)`, fn);

suite('web UI: an update applied with progress', () => {
  let work: string;
  let root: string;
  let base: string;
  let feed: http.Server;
  let browser: Browser;
  let t: TestPage;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-update-ui-'));
    const built = await run('npx', ['tsx', path.join(REPO, 'scripts', 'package.ts'), path.join(work, 'release')]);
    if (built.code !== 0) throw new Error(`npm run package failed:\n${built.stderr}`);
    const first = path.join(
      work,
      'release',
      fs.readdirSync(path.join(work, 'release')).find((f) => f.endsWith('.tar.gz'))!,
    );

    // The next release: the same files with a higher version (hard links, files replaced, not edited).
    fs.mkdirSync(path.join(work, 'unpacked'));
    expect((await run('tar', ['-xzf', first, '-C', path.join(work, 'unpacked')])).code).toBe(0);
    const stage = path.join(work, 'unpacked', fs.readdirSync(path.join(work, 'unpacked'))[0]!);
    const nextDir = path.join(work, `stage-${NEXT}`);
    expect((await run('cp', ['-al', stage, nextDir])).code).toBe(0);
    fs.rmSync(path.join(nextDir, 'VERSION'));
    fs.writeFileSync(path.join(nextDir, 'VERSION'), `${NEXT}\n`);
    const pkgFile = path.join(nextDir, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
    fs.rmSync(pkgFile);
    fs.writeFileSync(pkgFile, JSON.stringify({ ...pkg, version: NEXT }));
    const next = writeRelease(nextDir, path.join(work, 'next')).tarball;

    // A GitHub-style releases feed and the download server behind it.
    feed = http.createServer((req, res) => {
      const port = (feed.address() as net.AddressInfo).port;
      if (req.url === '/releases') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(
          JSON.stringify([
            {
              tag_name: `v${NEXT}`,
              draft: false,
              prerelease: false,
              body: 'The release this test installs.',
              published_at: new Date().toISOString(),
              html_url: `http://127.0.0.1:${port}/release-page`,
              assets: [
                {
                  name: path.basename(next),
                  browser_download_url: `http://127.0.0.1:${port}/${path.basename(next)}`,
                },
              ],
            },
          ]),
        );
        return;
      }
      const file =
        req.url === `/${path.basename(next)}`
          ? next
          : req.url === `/${path.basename(next)}.sha256`
            ? `${next}.sha256`
            : '';
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      fs.createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    expect(path.basename(next)).toContain(`linux-${hostArch()}`);

    // The settings file is the operator's: written before the install, the installer keeps it.
    root = path.join(work, 'root');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    fs.mkdirSync(path.join(root, 'etc', 'pulse'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'etc', 'pulse', 'pulse.env'),
      [
        `FRONTEND_PORT=${port}`,
        'BIND_ADDRESS=127.0.0.1',
        'PULSE_BCRYPT_COST=4',
        `PULSE_UPDATE_FEED_URL=http://127.0.0.1:${(feed.address() as net.AddressInfo).port}/releases`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const installed = await run(INSTALL, [first, '--root', root, '--no-systemd', '--port', String(port)]);
    expect(installed.code, installed.stderr).toBe(0);

    await createAdmin(base);
    browser = await launchBrowser();
    t = await openPage(browser, base);
    await loginViaUi(t.page);
  }, 900_000);

  afterAll(async () => {
    await t?.context.close();
    await browser?.close();
    if (root && fs.existsSync(path.join(root, 'opt', 'pulse'))) {
      await run(INSTALL, ['--uninstall', '--root', root, '--no-systemd']);
    }
    if (feed) await new Promise((r) => feed.close(r));
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('check, plan, confirm, then the progress bar advances until the new version runs', {
    timeout: 400_000,
  }, async () => {
    const { page } = t;
    await page.goto('/settings/maintenance');
    await page.getByRole('button', { name: 'Check for updates' }).click();
    await page
      .getByText(new RegExp(`Pulse v${NEXT.replaceAll('.', '\\.')} is available \\(running v0\\.1\\.0`))
      .waitFor();
    await page.getByRole('button', { name: 'Show update plan' }).click();
    const plan = page.getByRole('region', { name: 'Update plan' });
    await plan.getByRole('heading', { name: `Update plan for v${NEXT}` }).waitFor();
    const applyButton = plan.getByRole('button', { name: 'Apply update' });
    expect(await applyButton.isEnabled()).toBe(true);
    await applyButton.click();
    const dialog = page.getByRole('dialog', { name: `Update to v${NEXT}?` });
    await dialog.getByRole('button', { name: 'Update and restart' }).click();

    // Follow the bar: every value it shows, until the page reports the outcome.
    const bar = page.getByRole('progressbar', { name: 'Update progress' });
    const outcome = page.getByTestId('update-outcome');
    const seen: number[] = [];
    let midShot = false;
    const deadline = Date.now() + 360_000;
    while (!(await outcome.isVisible())) {
      if (Date.now() > deadline) throw new Error(`no outcome; progress seen: ${seen.join(', ')}`);
      const value = await bar.evaluate((el) => (el as HTMLProgressElement).value).catch(() => undefined);
      if (value !== undefined && seen[seen.length - 1] !== value) seen.push(value);
      if (!midShot && value !== undefined && value > 0 && value < 100) {
        await screenshot(page, 'settings-update-progress');
        midShot = true;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(seen.length, 'the bar was shown').toBeGreaterThan(0);
    expect(
      seen.some((v) => v > 0 && v < 100),
      `an intermediate step was shown (${seen.join(', ')})`,
    ).toBe(true);
    expect(
      [...seen].sort((a, b) => a - b),
      'the bar never went backwards',
    ).toEqual(seen);
    expect(await outcome.textContent()).toMatch(
      new RegExp(`Update complete: Pulse v${NEXT.replaceAll('.', '\\.')} is running`),
    );
    await screenshot(page, 'settings-update-applied');

    // The live connection comes back to the restarted Pulse by itself.
    await page.getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    const version = (await (await fetch(`${base}/api/version`)).json()) as { version: string };
    expect(version.version).toBe(`v${NEXT}`);
    const history = page.getByRole('table', { name: 'Update history' });
    await history.locator('tr', { hasText: 'update' }).filter({ hasText: 'success' }).first().waitFor();
    expectNoErrors(
      t.errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|WebSocket/.test(e)),
      'the update',
    );
  });
});
