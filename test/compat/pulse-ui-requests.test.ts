/**
 * Pulse 4.24's own web UI (frontend-modern) against our server, request by request (issue 16's
 * "Done when"). Each request is the one that UI sends, as recorded with its sources in
 * test/compat/PULSE-4.24-UI-REQUESTS.md: same method, path, headers and body shape, the session
 * cookie as a browser holds it, and the CSRF token read from `document.cookie` the way that UI
 * reads it (split on '=', so the base64 padding is lost). Each reply is checked for the fields that
 * UI reads from it. The server is a real Pulse with a password, polling the HTTPS simulator's demo
 * estate (PVE with storage backups and snapshots, PBS with backups).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import { startTestPulse, type TestPulse, untilCycles } from '../helpers/pulse.js';
import { ADMIN, ADMIN_PASS, Client, passwordEnv } from '../helpers/session.js';
import { pveBody, startSim } from '../helpers/sim.js';
import { TestWsClient, wsUrl } from '../ws/client.js';

/** One request as it left the emulated tab, for assertions on what was sent. */
interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  status: number;
}

/**
 * A browser tab running that UI: a cookie jar seen through `document.cookie`, and the request
 * behaviour of its API client (frontend-modern/src/utils/apiClient.ts): `X-Requested-With` and
 * `Accept` on /api/ calls, the CSRF token read once when the page loads and echoed on every
 * non-GET, and one retry after re-reading the cookie when a 403 reply mentions CSRF.
 */
class Pulse424Tab {
  readonly sent: Sent[] = [];
  readonly #cookies = new Map<string, string>();
  #csrf: string | undefined;

  constructor(readonly base: string) {
    // The client reads the token when the page loads; before sign-in there is none.
    this.#csrf = this.csrfAsApiClientReadsIt();
  }

  /** What page scripts see: `name=value` pairs joined by '; ' (HttpOnly cookies left out). */
  documentCookie(): string {
    return [...this.#cookies]
      .filter(([name]) => name !== 'pulse_session')
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  }

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** The API client's reading: each `; `-separated pair split on '=', the second part decoded. */
  csrfAsApiClientReadsIt(): string | undefined {
    for (const pair of this.documentCookie().split(';')) {
      const parts = pair.trim().split('=');
      if (parts[0] === 'pulse_csrf') return decodeURIComponent(parts[1] ?? '');
    }
    return undefined;
  }

  /** The export dialog's own reading (Settings.tsx): the `pulse_csrf=` row, split on '=', index 1. */
  csrfAsExportDialogReadsIt(): string | undefined {
    const row = this.documentCookie()
      .split('; ')
      .find((r) => r.startsWith('pulse_csrf='));
    return row?.split('=')[1];
  }

  /** Later dialogs re-join what follows the first '=' and decode it, so the padding survives. */
  csrfAsLaterDialogsReadIt(): string | undefined {
    const row = this.documentCookie()
      .split('; ')
      .find((r) => r.startsWith('pulse_csrf='));
    return row ? decodeURIComponent(row.split('=').slice(1).join('=')) : undefined;
  }

  /** A plain `fetch(url, {credentials: 'include'})` from the page: cookies and the same origin. */
  async raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
    const all: Record<string, string> = { ...headers };
    const jar = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (jar) all.Cookie = jar;
    // What Chromium adds to a same-origin fetch that is not a GET.
    if (method !== 'GET' && method !== 'HEAD') {
      all.Origin = this.base;
      all['Sec-Fetch-Site'] = 'same-origin';
    }
    const res = await fetch(this.base + path, { method, headers: all, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => a.trim().toLowerCase() === 'max-age=0') || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    this.sent.push({ method, path, headers: all, body, status: res.status });
    return res;
  }

  /** `apiFetch`: the API client's request, with its CSRF retry. */
  async apiFetch(path: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
    const method = (opts.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { ...opts.headers };
    if (path.startsWith('/api/')) {
      headers['X-Requested-With'] = 'XMLHttpRequest';
      headers.Accept ??= 'application/json';
    }
    const stateChanging = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
    if (this.#csrf && stateChanging) headers['X-CSRF-Token'] = this.#csrf;
    const res = await this.raw(method, path, headers, opts.body);
    if (res.status === 403 && (await res.clone().text()).includes('CSRF')) {
      this.#csrf = this.csrfAsApiClientReadsIt();
      if (this.#csrf) {
        headers['X-CSRF-Token'] = this.#csrf;
        return this.raw(method, path, headers, opts.body);
      }
    }
    return res;
  }

  /** `apiFetchJSON`: adds the JSON content type, throws with the reply text on an error status. */
  // biome-ignore lint/suspicious/noExplicitAny: replies are read field by field, as that UI does
  async apiFetchJSON(path: string, opts: { method?: string; body?: string } = {}): Promise<any> {
    const res = await this.apiFetch(path, { ...opts, headers: { 'Content-Type': 'application/json' } });
    const text = await res.text();
    if (!res.ok) throw new Error(`${opts.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** The state the UI renders: the WebSocket's first message, opened with the tab's cookies. */
  // biome-ignore lint/suspicious/noExplicitAny: the state document is read field by field
  async initialState(): Promise<{ ws: TestWsClient; state: any }> {
    const Cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const ws = await TestWsClient.open(wsUrl(this.base), { headers: { Cookie, Origin: this.base } });
    const [init] = await ws.waitFor('initialState', 1, 20_000);
    return { ws, state: init.data };
  }
}

/** A time the backups page shows must be a real date of this decade, not 1970 or NaN. */
function expectThisDecade(ms: number, what: string): void {
  expect(Number.isFinite(ms), what).toBe(true);
  const year = new Date(ms).getUTCFullYear();
  const decade = Math.floor(new Date().getUTCFullYear() / 10) * 10;
  expect(year, `${what}: ${new Date(ms).toISOString()}`).toBeGreaterThanOrEqual(decade);
  expect(year, what).toBeLessThan(decade + 10);
  expect(ms, `${what} lies in the future`).toBeLessThanOrEqual(Date.now() + 86_400_000);
}

let sim: Simulator;
let pulse: TestPulse;
let tab: Pulse424Tab;

beforeAll(async () => {
  sim = await startSim('demo');
  pulse = await startTestPulse({ env: passwordEnv });
  pulse.deps.systemSettings.save({ pvePollingInterval: 1, pbsPollingInterval: 1, pmgPollingInterval: 1 });
  // Setting up the estate is not under test: a scripted admin adds the PVE and PBS instances.
  const admin = new Client(pulse.url);
  expect((await admin.login()).status).toBe(200);
  expect((await admin.post('/api/config/nodes', pveBody(sim))).status).toBe(201);
  const pbs = sim.ready.pbs[0];
  const pbsBody = { type: 'pbs', name: pbs.name, host: pbs.url, tokenName: pbs.tokenId, tokenValue: pbs.tokenSecret };
  expect((await admin.post('/api/config/nodes', pbsBody)).status).toBe(201);
  const s = () => pulse.deps.state.get();
  await untilCycles(
    pulse,
    30,
    () =>
      s().pbsBackups.length > 0 &&
      s().pveBackups.storageBackups.some((b) => b.isPBS) &&
      s().pveBackups.guestSnapshots.length > 0,
  );
  tab = new Pulse424Tab(pulse.url);
}, 240_000);

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

describe('Pulse 4.24’s web UI, replayed against our server', () => {
  it('signs in as its login page does; the CSRF token it will echo has lost its padding', async () => {
    const status = await tab.raw('GET', '/api/security/status');
    expect(status.status).toBe(200);
    expect((await status.json()).hasAuthentication).toBe(true);

    const login = await tab.raw(
      'POST',
      '/api/login',
      { 'Content-Type': 'application/json', Accept: 'application/json' },
      JSON.stringify({ username: ADMIN, password: ADMIN_PASS }),
    );
    expect(login.status).toBe(200);
    expect((await login.json()).success).toBe(true);
    expect(tab.cookie('pulse_session')).toMatch(/^[0-9a-f]{64}$/);
    // The contract's cookie: base64url of 32 bytes with its padding, readable by page scripts.
    const cookie = tab.cookie('pulse_csrf') ?? '';
    expect(decodeURIComponent(cookie)).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    // Both of that UI's readings drop the '=': this is what every replayed write sends.
    expect(tab.csrfAsApiClientReadsIt()).toBe(decodeURIComponent(cookie).replace(/=+$/, ''));
    expect(tab.csrfAsExportDialogReadsIt()?.length).toBe(43);
  });

  it('changes a threshold: PUT /api/alerts/config, after the client’s CSRF retry; the value reads back', async () => {
    // The Thresholds tab loads the whole configuration, edits it and writes it back whole.
    const config = await tab.apiFetchJSON('/api/alerts/config');
    expect(config.guestDefaults.cpu).toEqual(expect.objectContaining({ trigger: expect.any(Number) }));
    const edited = {
      ...config,
      guestDefaults: { ...config.guestDefaults, cpu: { trigger: 0.001, clear: 0.0005 } },
      timeThreshold: 0,
      timeThresholds: { guest: 0, node: 0, storage: 0, pbs: 0 },
      metricTimeThresholds: {},
    };
    const before = tab.sent.length;
    await tab.apiFetchJSON('/api/alerts/config', { method: 'PUT', body: JSON.stringify(edited) });

    // Signed in without a page load, the client had no token yet: its first try is refused with
    // a reply that names CSRF, and the retry carries the cookie's token without padding.
    const writes = tab.sent.slice(before);
    expect(writes.map((w) => [w.method, w.status])).toEqual([
      ['PUT', 403],
      ['PUT', 200],
    ]);
    expect(writes[0].headers['X-CSRF-Token']).toBeUndefined();
    expect(writes[1].headers['X-CSRF-Token']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(writes[1].headers['X-Requested-With']).toBe('XMLHttpRequest');

    const reread = await tab.apiFetchJSON('/api/alerts/config');
    expect(reread.guestDefaults.cpu.trigger).toBe(0.001);
    expect(reread.guestDefaults.cpu.clear).toBe(0.0005);
  });

  it('acknowledges an alert: POST /api/alerts/{encoded id}/acknowledge; the alert shows acknowledged', async () => {
    const s = () => pulse.deps.state.get();
    await untilCycles(pulse, 20, () => s().activeAlerts.some((a) => a.type === 'cpu'));
    // The Alerts page lists what the WebSocket state holds.
    const { ws, state } = await tab.initialState();
    const alert = state.activeAlerts.find((a: { type: string }) => a.type === 'cpu');
    expect(alert?.acknowledged).toBe(false);

    const before = tab.sent.length;
    // `user` is not passed by the page, so JSON.stringify drops it: the body is `{}`.
    const reply = await tab.apiFetchJSON(`/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`, {
      method: 'POST',
      body: JSON.stringify({ user: undefined }),
    });
    expect(reply).toEqual({ success: true });
    const [ack] = tab.sent.slice(before);
    expect(ack.body).toBe('{}');
    expect(ack.headers['X-CSRF-Token']).toHaveLength(43);

    // The page re-renders from the next state broadcast.
    let shown: { acknowledged: boolean; ackTime?: string; ackUser?: string } | undefined;
    for (let n = 1; n <= 20 && !shown?.acknowledged; n++) {
      const msgs = await ws.waitFor('rawData', n, 20_000);
      shown = msgs[n - 1].data.activeAlerts?.find((a: { id: string }) => a.id === alert.id);
    }
    ws.close();
    expect(shown?.acknowledged).toBe(true);
    expectThisDecade(new Date(shown?.ackTime ?? '').getTime(), 'ackTime');
    const active = await tab.apiFetchJSON('/api/alerts/active');
    expect(active.find((a: { id: string }) => a.id === alert.id)).toEqual(
      expect.objectContaining({ acknowledged: true, ackUser: ADMIN }),
    );
  });

  it('adds a webhook: POST /api/notifications/webhooks with its form’s fields; it is in the reloaded list', async () => {
    // The form takes method and headers from the chosen service's template.
    const templates = await tab.apiFetchJSON('/api/notifications/webhook-templates');
    const discord = templates.find((t: { service: string }) => t.service === 'discord');
    expect(discord).toBeDefined();
    const form = {
      name: 'Ops Discord',
      url: 'https://discord.com/api/webhooks/1234567890/abcdefghijklmnop',
      method: discord.method,
      headers: { ...discord.headers },
      enabled: true,
      service: 'discord',
      template: '',
      customFields: {},
      mention: '',
    };
    const created = await tab.apiFetchJSON('/api/notifications/webhooks', {
      method: 'POST',
      body: JSON.stringify(form),
    });
    expect(created.id).toEqual(expect.any(String));

    const list = await tab.apiFetchJSON('/api/notifications/webhooks');
    expect(Array.isArray(list)).toBe(true);
    const shown = list.find((w: { id: string }) => w.id === created.id);
    expect(shown).toEqual(
      expect.objectContaining({ name: form.name, method: 'POST', service: 'discord', enabled: true }),
    );
    // The list shows the URL with its secret part masked (our rule, docs/API-COMPATIBILITY.md).
    expect(shown.url.startsWith('https://discord.com/api/webhooks/1234567890/')).toBe(true);
    expect(shown.url).not.toContain('abcdefghijklmnop');

    // Its list's enable switch sends the listed webhook back whole, masked URL included, with
    // `enabled` flipped: the switch changes, the stored URL does not.
    await tab.apiFetchJSON(`/api/notifications/webhooks/${encodeURIComponent(created.id)}`, {
      method: 'PUT',
      body: JSON.stringify({ ...shown, enabled: false }),
    });
    const after = (await tab.apiFetchJSON('/api/notifications/webhooks')).find(
      (w: { id: string }) => w.id === created.id,
    );
    expect(after).toEqual({ ...shown, enabled: false });
    expect(pulse.deps.notifications.store.getWebhook(created.id)?.url).toBe(form.url);
  });

  it('generates an API token: POST /api/security/tokens {name}; the value comes back once and works', async () => {
    const created = await tab.apiFetchJSON('/api/security/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'grafana' }),
    });
    expect(created.token).toMatch(/^[0-9a-f]{64}$/);
    expect(created.record).toEqual(
      expect.objectContaining({ id: expect.any(String), name: 'grafana', createdAt: expect.any(String) }),
    );
    expect(created.token.startsWith(created.record.prefix)).toBe(true);
    expect(created.token.endsWith(created.record.suffix)).toBe(true);
    expectThisDecade(new Date(created.record.createdAt).getTime(), 'token createdAt');

    // The token list it reloads shows the record, never the value again.
    const res = await tab.apiFetch('/api/security/tokens');
    const text = await res.text();
    expect(JSON.parse(text).tokens.map((t: { id: string }) => t.id)).toContain(created.record.id);
    expect(text).not.toContain(created.token);

    const withToken = await fetch(`${pulse.url}/api/state`, { headers: { 'X-API-Token': created.token } });
    expect(withToken.status).toBe(200);
  });

  it('shows correct backup dates: PBS backups, PVE storage backups and snapshots as its backups page reads them', async () => {
    const { ws, state } = await tab.initialState();
    ws.close();
    const { pbsBackups, pveBackups } = state;
    expect(pbsBackups.length).toBeGreaterThan(0);
    expect(pveBackups.storageBackups.length).toBeGreaterThan(0);
    expect(pveBackups.guestSnapshots.length).toBeGreaterThan(0);

    // Snapshots: `new Date(time)`.
    for (const snap of pveBackups.guestSnapshots)
      expectThisDecade(new Date(snap.time).getTime(), `snapshot ${snap.id}`);
    // PBS backups: `new Date(backupTime)`, then toISOString() for the name (throws on an invalid date),
    // and the duplicate key `${vmid}-${whole seconds}`.
    const pbsKeys = new Set<string>();
    for (const b of pbsBackups) {
      const date = new Date(b.backupTime);
      expectThisDecade(date.getTime(), `PBS backup ${b.id}`);
      expect(() => date.toISOString()).not.toThrow();
      pbsKeys.add(`${b.vmid}-${Math.floor(date.getTime() / 1000)}`);
    }
    // Storage backups: `ctime` is unix seconds (shown as new Date(ctime * 1000)); a PBS-backed one
    // whose `${vmid}-${ctime}` is already listed from PBS is skipped. That key matches only if
    // ctime is the snapshot's own backup time, which a PBS volid names (`…/<type>/<vmid>/<RFC3339>`):
    // then PBS's listing of the same snapshot yields the same key.
    const pbsViaPve = pveBackups.storageBackups.filter((b: { isPBS: boolean }) => b.isPBS);
    expect(pbsViaPve.length).toBeGreaterThan(0);
    for (const b of pveBackups.storageBackups) {
      expect(Number.isInteger(b.ctime), `ctime of ${b.id}`).toBe(true);
      expectThisDecade(b.ctime * 1000, `storage backup ${b.id}`);
      expect(new Date(b.time).getTime(), `time of ${b.id}`).toBe(b.ctime * 1000);
    }
    for (const b of pbsViaPve) {
      const [, vmid, when] = /\/(\d+)\/([^/]+)$/.exec(b.volid) ?? [];
      expect(`${b.vmid}-${b.ctime}`, b.volid).toBe(`${vmid}-${Date.parse(when) / 1000}`);
    }
    // PBS's own listing keys each backup by its backup time; the id ends with the same seconds.
    for (const b of pbsBackups) expect(pbsKeys.has(`${b.vmid}-${b.id.split('-').pop()}`), b.id).toBe(true);
  });

  it('exports the configuration: POST /api/config/export from its dialog; the file it saves imports back', async () => {
    // This suite polls every second through a back door; the import checks settings against the
    // API's limits, so the exported settings are put back inside them first.
    pulse.deps.systemSettings.save({ pvePollingInterval: 10, pbsPollingInterval: 10, pmgPollingInterval: 10 });
    const passphrase = 'a long export passphrase';
    // The export dialog sends its own fetch: JSON content type and the token it split off the cookie.
    const res = await tab.raw(
      'POST',
      '/api/config/export',
      { 'Content-Type': 'application/json', 'X-CSRF-Token': tab.csrfAsExportDialogReadsIt() ?? '' },
      JSON.stringify({ passphrase }),
    );
    expect(res.status).toBe(200);
    const reply = await res.json();
    expect(reply.status).toBe('success');
    expect(reply.data).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    // salt (32) + nonce (12) + tag (16) at least.
    expect(Buffer.from(reply.data, 'base64').length).toBeGreaterThan(60);

    // The download is the whole reply, pretty-printed; importing reads `.data` from that file.
    // The import is sent the way later dialogs read the cookie (padding kept): both spellings work.
    const file = JSON.stringify(reply, null, 2);
    const padded = tab.csrfAsLaterDialogsReadIt() ?? '';
    expect(padded.endsWith('=')).toBe(true);
    const imported = await tab.raw(
      'POST',
      '/api/config/import',
      { 'Content-Type': 'application/json', 'X-CSRF-Token': padded },
      JSON.stringify({ passphrase, data: JSON.parse(file).data }),
    );
    expect(imported.status).toBe(200);
    expect((await imported.json()).status).toBe('success');
    // What was exported came back: the webhook added above is still configured.
    const hooks = await tab.apiFetchJSON('/api/notifications/webhooks');
    expect(hooks.map((w: { name: string }) => w.name)).toContain('Ops Discord');
  });
});
