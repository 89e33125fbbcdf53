/**
 * CSRF in a real browser (issues 16 and 22): our UI's writes work; a write that sends the token
 * the way Pulse 4.24's UI does (cookie read with split('='), padding lost) works; a forged
 * request — a cross-site form post, and a same-page request without the token — is refused and
 * does not make the page's token stale, so the UI's next writes still succeed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, expectNoErrors, type PulsePage, startPulsePage } from '../helpers/browser.js';

describeBrowser('CSRF with a real browser', () => {
  let t: PulsePage;
  let evil: http.Server;
  let evilUrl: string;

  beforeAll(async () => {
    t = await startPulsePage({
      async setup(pulse) {
        // Another origin on the same host (same site: the Lax session cookie is sent along).
        evil = http.createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(`<!doctype html><form id="f" method="POST" enctype="text/plain" action="${pulse.url}/api/security/tokens">
<input name='{"name":"forged","x":"' value='"}'></form><script>document.getElementById('f').submit()</script>`);
        });
        await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
        evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
      },
    });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await new Promise((r) => evil?.close(r));
  });

  const saveThreshold = async (trigger: number) => {
    const { page } = t;
    await page.goto('/settings/thresholds');
    await page.getByLabel('Guests CPU % trigger').fill(String(trigger));
    await page.getByLabel('Guests CPU % clear').fill(String(trigger - 5));
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    await page.getByText('Alert thresholds saved.').waitFor();
  };

  const tokenNames = async () => {
    const body = (await (await fetch(`${t.pulse.url}/api/security/tokens`, { headers: t.headers })).json()) as {
      tokens: Array<{ name: string }>;
    };
    return body.tokens.map((x) => x.name);
  };

  it('our UI writes; Pulse 4.24-style unpadded tokens work; forged requests fail without breaking the page', async () => {
    const { page } = t;
    await saveThreshold(71);
    const before = await page.evaluate(() => document.cookie);

    // Pulse 4.24's UI: document.cookie.split('=') drops the base64 padding.
    const pulse424 = await page.evaluate(async () => {
      const raw = document.cookie
        .split(';')
        .map((c) => c.trim())
        .find((c) => c.startsWith('pulse_csrf='));
      const token = raw?.split('=')[1] ?? '';
      const res = await fetch('/api/security/tokens', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
        body: JSON.stringify({ name: 'from-pulse-424-ui' }),
      });
      return { status: res.status, padded: raw?.endsWith('='), sent: token };
    });
    expect(pulse424.padded).toBe(true);
    expect(pulse424.sent.endsWith('=')).toBe(false);
    expect(pulse424.status).toBe(200);

    // A forged request from the page's own origin without the token (an injected script or a
    // stale tab): refused.
    const forgedHere = await page.evaluate(async () => {
      const res = await fetch('/api/security/tokens', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'forged-token' },
        body: JSON.stringify({ name: 'forged-same-page' }),
      });
      return res.status;
    });
    expect(forgedHere).toBe(403);

    // A cross-site form post in another tab of the same browser: refused.
    const other = await t.context.newPage();
    const reply = other.waitForResponse((r) => r.url().endsWith('/api/security/tokens'));
    await other.goto(evilUrl);
    expect((await reply).status()).toBe(403);
    await other.close();
    t.errors.length = 0; // the refused requests are HTTP 403s that Chromium logs by itself

    // The page's token was not rotated by the refusals: the cookie is unchanged and the UI's
    // next write (and another unpadded one) succeed.
    expect(await page.evaluate(() => document.cookie)).toBe(before);
    await saveThreshold(73);
    const again = await page.evaluate(async () => {
      const token = document.cookie.split('pulse_csrf=')[1]?.split(';')[0]?.split('=')[0] ?? '';
      const res = await fetch('/api/alerts/config', {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
        body: JSON.stringify({
          guestDefaults: { cpu: { trigger: 73, clear: 68 }, memory: { trigger: 88, clear: 80 } },
        }),
      });
      return res.status;
    });
    expect(again).toBe(200);

    const names = await tokenNames();
    expect(names).toContain('from-pulse-424-ui');
    expect(names).not.toContain('forged');
    expect(names).not.toContain('forged-same-page');
    const cfg = (await (await fetch(`${t.pulse.url}/api/alerts/config`, { headers: t.headers })).json()) as {
      guestDefaults: { cpu: { trigger: number }; memory: { trigger: number } };
    };
    expect(cfg.guestDefaults.cpu.trigger).toBe(73);
    expect(cfg.guestDefaults.memory.trigger).toBe(88);
    expectNoErrors(t.errors, 'CSRF flows');
  });
});
