/**
 * OIDC single sign-on against a real OpenID Provider (the certified `oidc-provider` package) on a
 * loopback port, with Chromium doing the whole redirect dance through the provider's own login and
 * consent pages. Refusals: a tampered state, a nonce the ID token was not issued for, a user
 * outside the allowed groups and an expired authorization code.
 */
import http from 'node:http';
import type net from 'node:net';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningPulse } from '../../src/server.js';
import {
  apiSession,
  createAdmin,
  describeBrowser,
  ensureWebBuilt,
  launchBrowser,
  openPage,
} from '../helpers/browser.js';
import { startTestPulse } from '../helpers/pulse.js';

const CLIENT_SECRET = 'pulse-oidc-client-secret-5f1d2c';
const GROUPS: Record<string, string[]> = { alice: ['pulse-admins', 'staff'], eve: ['staff'] };

describeBrowser('OIDC single sign-on with a real provider', () => {
  let pulse: RunningPulse;
  let browser: Browser;
  let op: http.Server;
  let issuer: string;
  /** Lifetime of authorization codes in seconds; the expiry test shortens it. */
  let codeTtl = 600;
  let hold = false;
  let held = '';

  beforeAll(async () => {
    await ensureWebBuilt();
    pulse = await startTestPulse();
    await createAdmin(pulse.url);

    op = http.createServer();
    await new Promise<void>((r) => op.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(op.address() as net.AddressInfo).port}`;
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'pulse',
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${pulse.url}/api/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      claims: { openid: ['sub'], profile: ['preferred_username', 'groups'], email: ['email'] },
      conformIdTokenClaims: false,
      ttl: { AuthorizationCode: () => codeTtl },
      cookies: { keys: ['test-cookie-key-one'] },
      async findAccount(_ctx: unknown, id: string) {
        return {
          accountId: id,
          async claims() {
            return { sub: id, preferred_username: id, email: `${id}@example.test`, groups: GROUPS[id] ?? [] };
          },
        };
      },
    });
    const handle = provider.callback();
    op.on('request', (req, res) => {
      if (req.url === '/held') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('held');
        return;
      }
      if (hold) {
        const setHeader = res.setHeader.bind(res);
        res.setHeader = (name, value) => {
          if (name.toLowerCase() === 'location' && String(value).startsWith(`${pulse.url}/api/oidc/callback`)) {
            held = String(value);
            return setHeader(name, `${issuer}/held`);
          }
          return setHeader(name, value);
        };
      }
      handle(req, res);
    });

    const headers = await apiSession(pulse.url);
    const put = await fetch(`${pulse.url}/api/security/oidc`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        enabled: true,
        issuerUrl: issuer,
        clientId: 'pulse',
        clientSecret: CLIENT_SECRET,
        redirectUrl: `${pulse.url}/api/oidc/callback`,
        allowedGroups: ['pulse-admins'],
      }),
    });
    const text = await put.text();
    expect(put.status, text).toBe(200);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(JSON.parse(text)).toMatchObject({ enabled: true, clientSecretSet: true, issuerUrl: issuer });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => op?.close(r));
    await pulse?.close();
  });

  /** Signs in at the provider's dev login page and grants consent. */
  async function atProvider(page: Page, user: string): Promise<void> {
    await page.locator('input[name="login"]').fill(user);
    await page.locator('input[name="password"]').fill('any-password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  /**
   * Stops the browser before the callback and returns the URL the provider sent it to, unvisited:
   * while `hold` is set, the provider's server swaps a redirect to Pulse's callback for a local page.
   */
  async function captureCallback(page: Page, user: string): Promise<string> {
    held = '';
    hold = true;
    try {
      await page.goto(`${pulse.url}/api/oidc/login`);
      await atProvider(page, user);
      await page.waitForURL(`${issuer}/held`);
    } finally {
      hold = false;
    }
    expect(held).toMatch(/\/api\/oidc\/callback\?code=/);
    return held;
  }

  it('signs in through the provider from the login button, as a session; logs out', async () => {
    const { page, context } = await openPage(browser, pulse.url);
    await page.goto('/');
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    const callback = page.waitForResponse((r) => r.url().startsWith(`${pulse.url}/api/oidc/callback`));
    await atProvider(page, 'alice');
    expect((await callback).headers().location).toBe('/?oidc=success');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    const cookies = await context.cookies(pulse.url);
    expect(cookies.find((c) => c.name === 'pulse_session')?.httpOnly).toBe(true);
    const status = await (await page.request.get(`${pulse.url}/api/security/status`)).json();
    expect(status).toMatchObject({ oidcEnabled: true, oidcIssuer: issuer, oidcUsername: 'alice', authenticated: true });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).waitFor();
    expect((await page.request.get(`${pulse.url}/api/alerts/active`)).status()).toBe(401);
    await context.close();
  });

  it('refuses a callback whose state was changed', async () => {
    const { page, context } = await openPage(browser, pulse.url);
    const callback = new URL(await captureCallback(page, 'alice'));
    callback.searchParams.set('state', 'forged-state-value');
    await page.goto(callback.href);
    await page.getByText('the sign-in state did not match this browser').waitFor();
    expect(new URL(page.url()).searchParams.get('oidc_error')).toBe('invalid_state');
    expect((await page.request.get(`${pulse.url}/api/alerts/active`)).status()).toBe(401);
    await context.close();
  });

  it('refuses an ID token issued for another nonce', async () => {
    const { page, context } = await openPage(browser, pulse.url);
    const start = await page.request.post(`${pulse.url}/api/oidc/login`, { data: {} });
    const authorizationUrl = new URL((await start.json()).authorizationUrl);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    authorizationUrl.searchParams.set('nonce', 'a-nonce-pulse-never-sent');
    await page.goto(authorizationUrl.href);
    await atProvider(page, 'alice');
    await page.waitForURL(/oidc_error=/);
    expect(new URL(page.url()).searchParams.get('oidc_error')).toBe('invalid_nonce');
    await page.getByText('the identity token was not issued for this sign-in').waitFor();
    expect((await page.request.get(`${pulse.url}/api/alerts/active`)).status()).toBe(401);
    await context.close();
  });

  it('refuses a user outside the allowed groups', async () => {
    const { page, context } = await openPage(browser, pulse.url);
    await page.goto(`${pulse.url}/api/oidc/login`);
    await atProvider(page, 'eve');
    await page.getByText('your account is not in a group allowed to use Pulse').waitFor();
    expect(new URL(page.url()).searchParams.get('oidc_error')).toBe('group_not_allowed');
    expect((await page.request.get(`${pulse.url}/api/alerts/active`)).status()).toBe(401);
    await context.close();
  });

  it('refuses an expired authorization code', async () => {
    const { page, context } = await openPage(browser, pulse.url);
    codeTtl = 1;
    let callback: string;
    try {
      callback = await captureCallback(page, 'alice');
    } finally {
      codeTtl = 600;
    }
    // Let the one-second code lapse before the browser delivers it.
    await new Promise((r) => setTimeout(r, 2500));
    await page.goto(callback);
    await page.getByText('the authorization code was invalid, expired or already used').waitFor();
    expect(new URL(page.url()).searchParams.get('oidc_error')).toBe('invalid_grant');
    expect((await page.request.get(`${pulse.url}/api/alerts/active`)).status()).toBe(401);
    await context.close();
  });
});
