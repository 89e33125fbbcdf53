/** /api/updates/* against a local GitHub-shaped releases feed; /api/config; /api/settings. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { compareSemver, parseSemver } from '../../src/updates/semver.js';
import { PACKAGE_VERSION } from '../../src/version.js';
import { startTestPulse } from '../helpers/pulse.js';
import { TestWsClient } from '../ws/client.js';

const TOKEN = 'b2'.repeat(32);

function release(tag: string, extra: Record<string, unknown> = {}) {
  return {
    tag_name: tag,
    name: `Pulse ${tag}`,
    body: `Notes for ${tag}`,
    draft: false,
    prerelease: tag.includes('-'),
    published_at: '2026-02-01T10:00:00Z',
    html_url: `https://example.invalid/releases/${tag}`,
    assets: [
      { name: `pulse-${tag}-linux-amd64.tar.gz`, browser_download_url: `https://example.invalid/${tag}.tar.gz` },
    ],
    ...extra,
  };
}

describe('semver', () => {
  it('orders releases and pre-releases by semver precedence', () => {
    const order = [
      'v1.0.0-alpha',
      'v1.0.0-alpha.1',
      'v1.0.0-beta.2',
      'v1.0.0-beta.11',
      'v1.0.0-rc.1',
      'v1.0.0',
      'v1.0.1',
      'v1.10.0',
      'v2.0.0',
    ];
    for (let i = 1; i < order.length; i++) {
      expect(compareSemver(parseSemver(order[i])!, parseSemver(order[i - 1])!)).toBeGreaterThan(0);
    }
    expect(parseSemver('4.24')).toBeUndefined();
    expect(parseSemver('latest')).toBeUndefined();
  });
});

describe('updates', () => {
  let feed: http.Server;
  let feedUrl: string;
  let hits = 0;
  let releases: unknown = [];
  let feedStatus = 200;
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  const get = async (p: string, token = TOKEN) => {
    const res = await fetch(`${pulse.url}${p}`, { headers: token ? { 'x-api-token': token } : {} });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    feed = http.createServer((_req, res) => {
      hits++;
      res.writeHead(feedStatus, { 'content-type': 'application/json' });
      res.end(JSON.stringify(releases));
    });
    await new Promise<void>((r) => feed.listen(0, '127.0.0.1', r));
    feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/repos/x/y/releases`;
    pulse = await startTestPulse({ clock, env: { API_TOKENS: TOKEN, PULSE_UPDATE_FEED_URL: feedUrl } });
  });
  afterAll(async () => {
    await pulse?.close();
    await new Promise((r) => feed.close(r));
  });

  it('status is idle before any check; routes need credentials', async () => {
    const s = await get('/api/updates/status');
    expect(s.body).toMatchObject({ status: 'idle', progress: 0 });
    expect(s.body.updatedAt).toBe(new Date(clock.now()).toISOString());
    expect((await get('/api/updates/status', '')).status).toBe(401);
  });

  it('check finds a newer stable release, caches 5 minutes, and records history', async () => {
    releases = [
      release('v99.1.0-rc.1'),
      release('v99.0.0'),
      release('v0.0.1'),
      release('v100.0.0', { draft: true }),
      { tag_name: 'nightly' },
    ];
    const ws = await TestWsClient.open(`${pulse.url.replace('http', 'ws')}/ws?token=${TOKEN}`);
    try {
      const res = await get('/api/updates/check');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        available: true,
        currentVersion: `v${PACKAGE_VERSION}`,
        latestVersion: 'v99.0.0',
        releaseNotes: 'Notes for v99.0.0',
        releaseDate: '2026-02-01T10:00:00Z',
        isPrerelease: false,
      });
      expect(typeof res.body.downloadUrl).toBe('string');
      const progress = await ws.waitFor('update:progress', 2);
      expect(progress.map((m) => m.data.status)).toEqual(['checking', 'available']);
    } finally {
      ws.ws.close();
    }
    expect(hits).toBe(1);
    await get('/api/updates/check');
    expect(hits).toBe(1); // cached
    const rc = await get('/api/updates/check?channel=rc');
    expect(rc.body).toMatchObject({ latestVersion: 'v99.1.0-rc.1', isPrerelease: true });
    expect(hits).toBe(2);
    clock.advance(5 * 60_000 + 1);
    releases = [release('v0.0.1')];
    const fresh = await get('/api/updates/check');
    expect(hits).toBe(3);
    expect(fresh.body).toMatchObject({ available: false, latestVersion: 'v0.0.1' });
    expect((await get('/api/updates/status')).body.status).toBe('idle');

    const history = await get('/api/updates/history');
    expect(history.body).toHaveLength(3);
    expect(history.body[0]).toMatchObject({
      action: 'check',
      channel: 'stable',
      version_from: `v${PACKAGE_VERSION}`,
      version_to: 'v0.0.1',
      status: 'success',
      initiated_via: 'api',
    });
    const entry = await get(`/api/updates/history/entry?id=${history.body[1].event_id}`);
    expect(entry.body).toMatchObject({ channel: 'rc', version_to: 'v99.1.0-rc.1' });
    expect((await get('/api/updates/history/entry?id=nope')).status).toBe(404);
    expect((await get('/api/updates/history/entry')).body).toEqual({ error: 'query.id is required', field: 'id' });
    expect((await get('/api/updates/history?status=bogus')).status).toBe(400);
    expect((await get('/api/updates/history?limit=0')).body.error).toBe('query.limit must be >= 1');
    expect((await get('/api/updates/history?limit=1')).body).toHaveLength(1);
  });

  it('a failing feed gives 502, status error and a failed history entry', async () => {
    clock.advance(5 * 60_000 + 1);
    feedStatus = 500;
    try {
      const res = await get('/api/updates/check');
      expect(res.status).toBe(502);
      expect(res.body.error).toMatch(/HTTP 500/);
      const s = (await get('/api/updates/status')).body;
      expect(s).toMatchObject({ status: 'error' });
      expect(s.error).toMatch(/HTTP 500/);
      expect((await get('/api/updates/history?status=failed')).body).toHaveLength(1);
    } finally {
      feedStatus = 200;
    }
    const beta = await get('/api/updates/check?channel=beta');
    expect(beta.status).toBe(400);
    expect(beta.body.error).toBe('query.channel must be one of: stable, rc');
  });

  it('plan says no automatic update; apply refuses with 400', async () => {
    const plan = await get('/api/updates/plan?version=v99.0.0');
    expect(plan.body).toMatchObject({ version: 'v99.0.0', canAutoUpdate: false, rollbackSupport: false });
    expect(plan.body.steps.length).toBeGreaterThan(0);
    expect(plan.body.instructions).toMatch(/not supported/);
    expect((await get('/api/updates/plan?version=banana')).status).toBe(400);
    const apply = await fetch(`${pulse.url}/api/updates/apply`, {
      method: 'POST',
      headers: { 'x-api-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ downloadUrl: 'https://github.com/rcourtman/Pulse/releases/download/v99.0.0/x.tar.gz' }),
    });
    expect(apply.status).toBe(400);
    expect((await apply.json()).error).toMatch(/not supported/);
  });

  it('/api/config reflects the system settings', async () => {
    expect((await get('/api/config', '')).status).toBe(401);
    const first = (await get('/api/config')).body;
    expect(first).toMatchObject({ csrfProtection: true, autoUpdateEnabled: false, updateChannel: 'stable', nodes: [] });
    expect(first.system.pvePollingInterval).toBe(10);
    pulse.deps.systemSettings.save({ updateChannel: 'rc', autoUpdateEnabled: true });
    pulse.deps.monitoring.nodes.insert({
      type: 'pbs',
      name: 'b',
      host: 'https://10.0.0.9:8007',
      user: 'root@pam',
      password: 'do-not-show-me',
      verifySSL: false,
      monitor: {},
    });
    const res = await fetch(`${pulse.url}/api/config`, { headers: { 'x-api-token': TOKEN } });
    const text = await res.text();
    expect(text).not.toContain('do-not-show-me');
    expect(JSON.parse(text)).toMatchObject({
      autoUpdateEnabled: true,
      updateChannel: 'rc',
      nodes: [{ id: 'pbs-0', type: 'pbs', name: 'b', hasPassword: true, hasToken: false }],
    });
  });

  it('/api/settings keeps UI preferences in SQLite and refuses bad values', async () => {
    const first = (await get('/api/settings')).body;
    expect(first.current).toEqual(first.defaults);
    expect(first.capabilities.autoUpdate).toBe(false);
    const post = (body: unknown) =>
      fetch(`${pulse.url}/api/settings/update`, {
        method: 'POST',
        headers: { 'x-api-token': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ok = await post({ theme: 'dark', refreshInterval: 30, compactMode: true });
    expect(ok.status).toBe(200);
    expect((await ok.json()).current).toMatchObject({ theme: 'dark', refreshInterval: 30, compactMode: true });
    for (const bad of [{ theme: 'purple' }, { refreshInterval: 0 }, { compactMode: 'yes' }, { nope: 1 }, [1]]) {
      const res = await post(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const row = pulse.deps.db.prepare("SELECT value FROM ui_settings WHERE key = 'theme'").get() as { value: string };
    expect(JSON.parse(row.value)).toBe('dark');
    expect((await get('/api/settings')).body.current.theme).toBe('dark');
  });
});

describe('updates without a feed', () => {
  it('reports that no feed is configured instead of another project’s releases', async () => {
    const pulse = await startTestPulse();
    try {
      const res = await fetch(`${pulse.url}/api/updates/check`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.available).toBe(false);
      expect(body.warning).toMatch(/PULSE_UPDATE_FEED_URL/);
    } finally {
      await pulse.close();
    }
  });
});
