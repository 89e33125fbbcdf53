/**
 * Browser-test harness: Debian's Chromium driven by playwright-core, the built UI served by a real
 * Pulse, console errors collected per page, screenshots saved under test-artifacts/screenshots.
 *
 * Without /usr/bin/chromium the suites are reported as not run (with the install hint) — except in
 * CI (CI=true), where a missing browser is a failure, not a silent pass.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { type EstateSpec, type Simulator, startSimulator } from '../../sim/index.js';
import type { Clock } from '../../src/clock.js';
import { PROJECT_ROOT } from '../../src/version.js';
import { settleBackups, startTestPulse, type TestPulse } from './pulse.js';
import { ADMIN_PASS, ADMIN as ADMIN_USER } from './session.js';
import { addNodes, tokenNodeBody } from './sim.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM_PATH);
export const isCI = process.env.CI === 'true';
const INSTALL_HINT = 'apt-get install -y chromium';

export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-artifacts', 'screenshots');

/** describe() for browser suites: runs when Chromium exists or in CI (where its absence fails). */
export function describeBrowser(name: string, fn: () => void): void {
  if (!hasChromium && !isCI) {
    console.warn(`[browser tests] not run: ${CHROMIUM_PATH} is missing — ${INSTALL_HINT}`);
  }
  // Generous per-test budget: steps wait on visible text (never sleep), and a loaded CI machine
  // can take a while to poll; passing tests are not slowed by a higher cap.
  describe.runIf(hasChromium || isCI)(
    hasChromium ? name : `${name} (needs ${CHROMIUM_PATH}: ${INSTALL_HINT})`,
    { timeout: 120_000 },
    fn,
  );
}

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) {
    if (e === 'node_modules') continue;
    max = Math.max(max, newestMtime(path.join(p, e)));
  }
  return max;
}

const WEB_DIR = path.join(PROJECT_ROOT, 'web');
const DIST_INDEX = path.join(PROJECT_ROOT, 'dist', 'web', 'index.html');

function webIsStale(): boolean {
  if (!fs.existsSync(DIST_INDEX)) return true;
  const built = fs.statSync(DIST_INDEX).mtimeMs;
  // The UI also bundles src/model and src/state (the delta code it shares with the server).
  const sources = Math.max(
    newestMtime(WEB_DIR),
    newestMtime(path.join(PROJECT_ROOT, 'src', 'model')),
    newestMtime(path.join(PROJECT_ROOT, 'src', 'state')),
  );
  return sources > built;
}

/**
 * Builds the UI into dist/web when it is missing or older than its sources. Browser test files
 * run in parallel processes, so the build is guarded by a lock directory; whoever waits re-checks.
 */
export async function ensureWebBuilt(): Promise<void> {
  if (!webIsStale()) return;
  const lock = path.join(os.tmpdir(), `pulse-web-build-${Buffer.from(PROJECT_ROOT).toString('hex').slice(-16)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than 3 minutes belongs to a crashed run.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 180_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // vanished meanwhile: retry
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the web build lock ${lock}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!webIsStale()) return;
    try {
      execFileSync(
        process.execPath,
        [
          path.join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
          'build',
          '--config',
          'web/vite.config.ts',
          '--logLevel',
          'warn',
        ],
        {
          cwd: PROJECT_ROOT,
          stdio: 'pipe',
          timeout: 170_000,
        },
      );
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
      throw new Error(
        `npm run build:web failed: ${e.message}\n${e.stdout?.toString() ?? ''}\n${e.stderr?.toString() ?? ''}`,
      );
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export async function launchBrowser(): Promise<Browser> {
  if (!hasChromium) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM_PATH} and CI=true forbids skipping them: ${INSTALL_HINT}`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far, in order. */
  errors: string[];
}

/** A fresh browser context (own cookies and storage) with error collection. */
export async function openPage(
  browser: Browser,
  baseURL: string,
  opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<TestPage> {
  const context = await browser.newContext({
    baseURL,
    viewport: opts.viewport ?? { width: 1440, height: 900 },
    colorScheme: opts.colorScheme ?? 'dark',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} @ ${m.location().url}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.setDefaultTimeout(30_000);
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export function expectNoErrors(errors: string[], where: string): void {
  expect(errors, `console errors on ${where}`).toEqual([]);
}

export const ADMIN = { username: ADMIN_USER, password: ADMIN_PASS };

/** Creates the admin account over the API, as a script would (first-run quick setup). */
export async function createAdmin(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/api/security/quick-setup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`quick-setup failed: ${res.status} ${await res.text()}`);
}

/** Signs in through the login page and waits for the signed-in frame. */
export async function loginViaUi(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** A session for scripted setup steps: logs in over HTTP and returns cookie + CSRF headers. */
export async function apiSession(baseUrl: string): Promise<Record<string, string>> {
  const res = await fetch(`${baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('pulse_csrf='))?.slice('pulse_csrf='.length) ?? '';
  return { Cookie: cookies.join('; '), 'X-CSRF-Token': decodeURIComponent(csrf), 'Content-Type': 'application/json' };
}

/**
 * Every interactive control on the page must have an accessible name: aria-label, aria-labelledby,
 * a <label>, or (buttons, links) its own text or title. Returns the controls that have none.
 */
export async function controlsWithoutName(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>(
      'button, a[href], input:not([type=hidden]), select, textarea, [role=button], [role=meter], [role=img]',
    );
    for (const el of Array.from(controls)) {
      if (el.closest('[aria-hidden="true"]')) continue;
      const labelledBy = el.getAttribute('aria-labelledby');
      const labelled = labelledBy
        ? labelledBy
            .split(/\s+/)
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' ')
        : '';
      const labels = (el as HTMLInputElement).labels;
      const fromLabels = labels
        ? Array.from(labels)
            .map((l) => l.textContent ?? '')
            .join(' ')
        : '';
      const ownText =
        ['BUTTON', 'A'].includes(el.tagName) || el.getAttribute('role') === 'button' ? (el.textContent ?? '') : '';
      const name = [el.getAttribute('aria-label'), labelled, fromLabels, ownText, el.getAttribute('title')]
        .filter(Boolean)
        .join(' ')
        .trim();
      if (!name) out.push(el.outerHTML.slice(0, 160));
    }
    return out;
  });
}

/** A signed-in page on a fresh Pulse: what most browser suites start from. */
export interface PulsePage extends TestPage {
  pulse: TestPulse;
  browser: Browser;
  /** Cookie + CSRF headers of an admin session, for scripted setup steps over the API. */
  headers: Record<string, string>;
  close(): Promise<void>;
}

export interface PulsePageOptions {
  /** Extra Pulse settings. */
  env?: Record<string, string>;
  /** Pulse's clock (a ManualClock to replay a history before the browser opens). */
  clock?: Clock;
  /** Runs once Pulse and the admin exist, before the browser opens. */
  setup?: (pulse: TestPulse, headers: Record<string, string>) => Promise<void>;
  /** Sign in through the login page (the default); false leaves the page blank. */
  login?: boolean;
}

/** Builds the UI, starts Pulse, creates the admin, opens Chromium and (by default) signs in. */
export async function startPulsePage(opts: PulsePageOptions = {}): Promise<PulsePage> {
  await ensureWebBuilt();
  const pulse = await startTestPulse({ env: opts.env, clock: opts.clock });
  let browser: Browser | undefined;
  try {
    await createAdmin(pulse.url);
    const headers = await apiSession(pulse.url);
    await opts.setup?.(pulse, headers);
    browser = await launchBrowser();
    const t = await openPage(browser, pulse.url);
    if (opts.login !== false) await loginViaUi(t.page);
    const b = browser;
    return {
      ...t,
      pulse,
      browser: b,
      headers,
      async close() {
        await t.context.close();
        await b.close();
        await pulse.close();
      },
    };
  } catch (err) {
    await browser?.close();
    await pulse.close();
    throw err;
  }
}

/** A signed-in page on a Pulse next to a running simulator. */
export interface EstatePage extends PulsePage {
  sim: Simulator;
  /** Adds a simulated PVE or PBS instance (by name) to Pulse over the API, pinning its certificate. */
  addInstance(name: string, extra?: Record<string, unknown>): Promise<void>;
}

export interface EstatePageOptions {
  /** The simulated estate: the demo estate by default. */
  estate?: EstateSpec;
  /** The demo estate's seed (42 unless given). */
  seed?: number;
  /** Runs against the simulator before Pulse starts (fixed metrics, for instance). */
  prepareSim?: (sim: Simulator) => Promise<void>;
  /** Extra Pulse settings, which may depend on the simulator (its ports). */
  env?: Record<string, string> | ((sim: Simulator) => Record<string, string>);
  /** Simulated instances to add to Pulse, by name, before the browser opens. */
  instances?: string[];
  /** Poll once, let the backup listings settle and poll again before the browser opens. */
  settleBackups?: boolean;
  login?: boolean;
  /** Pulse's clock (for a test that moves the simulator's clock too, see prepareSim). */
  clock?: Clock;
}

/** The body of POST /api/config/nodes for a simulated PVE or PBS instance. */
export function instanceBody(sim: Simulator, name: string, extra: Record<string, unknown> = {}) {
  const pve = sim.ready.pve.find((p) => p.name === name);
  const pbs = sim.ready.pbs.find((p) => p.name === name);
  const inst = pve ?? pbs;
  if (!inst) throw new Error(`the simulator has no PVE or PBS instance named ${name}`);
  return { ...tokenNodeBody(pve ? 'pve' : 'pbs', inst), ...extra };
}

async function addInstance(
  pulse: TestPulse,
  headers: Record<string, string>,
  sim: Simulator,
  name: string,
  extra?: Record<string, unknown>,
): Promise<void> {
  await addNodes(pulse.url, [instanceBody(sim, name, extra)], headers);
}

/** Starts the simulator, then a signed-in Pulse page with the chosen instances added. */
export async function startEstatePage(opts: EstatePageOptions = {}): Promise<EstatePage> {
  await ensureWebBuilt();
  const sim = await startSimulator(opts.estate ? { estate: opts.estate } : { estate: 'demo', seed: opts.seed ?? 42 });
  try {
    await opts.prepareSim?.(sim);
    const p = await startPulsePage({
      clock: opts.clock,
      env: typeof opts.env === 'function' ? opts.env(sim) : opts.env,
      login: opts.login,
      async setup(pulse, headers) {
        for (const name of opts.instances ?? []) await addInstance(pulse, headers, sim, name);
        if (opts.settleBackups) {
          await pulse.deps.monitoring.pollNow();
          await settleBackups(pulse);
        }
      },
    });
    return {
      ...p,
      sim,
      addInstance: (name, extra) => addInstance(p.pulse, p.headers, sim, name, extra),
      async close() {
        await p.close();
        await sim.stop();
      },
    };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}
