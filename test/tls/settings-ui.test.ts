/**
 * Settings → System in Chromium against a Pulse serving HTTPS itself: the HTTPS status shows the
 * certificate in service, and the metrics toggle really opens /metrics to scrapers without a token.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generate } from 'selfsigned';
import { Agent } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, describeBrowser, ensureWebBuilt, launchBrowser, loginViaUi, screenshot } from '../helpers/browser.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';

const insecure = new Agent({ connect: { rejectUnauthorized: false } });
const get = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, dispatcher: insecure } as RequestInit & { dispatcher: Agent });

describeBrowser('Settings → System: metrics exposure and HTTPS', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  let fingerprint = '';

  beforeAll(async () => {
    await ensureWebBuilt();
    const dir = tempDir('pulse-tls-ui-');
    const pems = await generate([{ name: 'commonName', value: 'pulse-ui.test' }], { keySize: 2048 });
    fingerprint = new crypto.X509Certificate(pems.cert).fingerprint256;
    fs.writeFileSync(path.join(dir, 'cert.pem'), pems.cert);
    fs.writeFileSync(path.join(dir, 'key.pem'), pems.private);
    pulse = await startTestPulse({
      env: {
        HTTPS_ENABLED: 'true',
        TLS_CERT_FILE: path.join(dir, 'cert.pem'),
        TLS_KEY_FILE: path.join(dir, 'key.pem'),
      },
    });
    const setup = await get(`${pulse.url}/api/security/quick-setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(setup.ok).toBe(true);
    browser = await launchBrowser();
    // The certificate is the test's own self-signed one; its fingerprint is checked on the page.
    context = await browser.newContext({ baseURL: pulse.url, ignoreHTTPSErrors: true, colorScheme: 'dark' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.setDefaultTimeout(30_000);
    await loginViaUi(page);
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await pulse?.close();
  });

  it('shows the certificate and opens /metrics with the toggle', async () => {
    await page.goto('/settings/system');
    const https = page.getByRole('region', { name: 'HTTPS' });
    await https.getByText(/Serving HTTPS; the certificate expires in \d+ days/).waitFor();
    await https.getByText(fingerprint).waitFor();
    await https
      .getByText(/CN=pulse-ui\.test/)
      .first()
      .waitFor();

    const metrics = page.getByRole('region', { name: 'Prometheus metrics' });
    await metrics.getByText(`${pulse.url}/metrics`).waitFor();
    const toggle = metrics.getByLabel('Public: readable without an API token');
    expect(await toggle.isChecked()).toBe(false);
    expect((await get(`${pulse.url}/metrics`)).status).toBe(401);
    await toggle.check();
    await metrics.getByText(/Anyone who can reach Pulse can read/).waitFor();
    expect(pulse.deps.systemSettings.get().metricsPublic).toBe(true);
    expect((await get(`${pulse.url}/metrics`)).status).toBe(200);
    await screenshot(page, 'settings-system-metrics-https');

    await toggle.uncheck();
    await metrics.getByText(/Protected: scrapers send an API token/).waitFor();
    expect(pulse.deps.systemSettings.get().metricsPublic).toBe(false);
    expect((await get(`${pulse.url}/metrics`)).status).toBe(401);
    expect(errors).toEqual([]);
  });
});
