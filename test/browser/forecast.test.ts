/**
 * The storage-full forecast hint in a real browser: two days of 5-minute states of a storage
 * growing 20 GiB/day (nightly cleanup included) put "full in ~N days" under its usage bar, amber
 * inside the 14-day horizon; a flat storage gets no hint. A PBS datastore and a Ceph pool, which the
 * forecast service samples itself, get theirs on the PBS page and under the Ceph pools (screenshots saved).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syntheticNode, syntheticStorage } from '../../bench/state-fixture.js';
import { ManualClock } from '../../src/clock.js';
import type { CephCluster, PbsInstance } from '../../src/model/state.js';
import {
  createAdmin,
  describeBrowser,
  ensureWebBuilt,
  expectNoErrors,
  launchBrowser,
  loginViaUi,
  openPage,
  screenshot,
  type TestPage,
} from '../helpers/browser.js';
import { startTestPulse } from '../helpers/pulse.js';

const DAY = 86_400_000;
const STEP = 5 * 60_000;
const GiB = 1024 ** 3;
const TOTAL = 1000 * GiB;

describeBrowser('storage-full forecast hint', () => {
  // Two days of history ending now: sessions and cookies live in real time.
  const end = Math.floor(Date.now() / STEP) * STEP;
  const start = end - 2 * DAY;
  const clock = new ManualClock(start);
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let browser: Browser;
  let t: TestPage;

  beforeAll(async () => {
    await ensureWebBuilt();
    pulse = await startTestPulse({ clock });
    for (let at = start; at <= end; at += STEP) {
      clock.set(at);
      const d = (at - start) / DAY;
      const o = { nodes: 1, guestsPerNode: 0, now: at };
      const mk = (name: string, used: number) => ({
        ...syntheticStorage(0, name, o),
        total: TOTAL,
        used,
        free: TOTAL - used,
        avail: TOTAL - used,
        usage: (used / TOTAL) * 100,
      });
      // 760 GiB + 20 GiB/day, 15 GiB freed each night: 770 GiB at the end, full in ~11.5 days.
      const growing = mk('growing', 760 * GiB + d * 20 * GiB - Math.floor(d) * 15 * GiB);
      const flat = mk('flat', 300 * GiB);
      // A PBS datastore at 3000 GiB + 80 GiB/day of 4096 (garbage collection frees 40 each night):
      // 3080 at the end, full in ~13 days. A Ceph pool storing 700 + 25 GiB/day of 1000: ~10 days.
      const dsUsed = 3000 * GiB + d * 80 * GiB - Math.floor(d) * 40 * GiB;
      const stored = 700 * GiB + d * 25 * GiB;
      const pbs: PbsInstance = {
        id: 'pbs-backup1',
        name: 'backup1',
        host: 'https://backup1:8007',
        status: 'online',
        version: '4.0.14',
        cpu: 0,
        memory: 0,
        memoryUsed: 0,
        memoryTotal: 0,
        uptime: 1,
        datastores: [
          {
            name: 'main',
            total: 4096 * GiB,
            used: dsUsed,
            free: 4096 * GiB - dsUsed,
            usage: (dsUsed / (4096 * GiB)) * 100,
            status: 'available',
          },
        ],
        backupJobs: [],
        syncJobs: [],
        verifyJobs: [],
        pruneJobs: [],
        garbageJobs: [],
        connectionHealth: 'healthy',
        lastSeen: new Date(at).toISOString(),
      };
      const ceph: CephCluster = {
        id: 'pve-ceph',
        instance: 'pve',
        name: 'ceph-main',
        health: 'HEALTH_OK',
        totalBytes: 3000 * GiB,
        usedBytes: 3 * stored,
        availableBytes: 3000 * GiB - 3 * stored,
        usagePercent: (stored / (1000 * GiB)) * 100,
        numMons: 3,
        numMgrs: 1,
        numOsds: 3,
        numOsdsUp: 3,
        numOsdsIn: 3,
        numPGs: 128,
        pools: [
          {
            id: 1,
            name: 'rbd',
            storedBytes: stored,
            availableBytes: 1000 * GiB - stored,
            objects: 1000,
            percentUsed: stored / (1000 * GiB),
          },
        ],
        lastUpdated: at,
      };
      pulse.deps.state.commit((s) => {
        s.nodes = [syntheticNode(0, o)];
        s.storage = [growing, flat];
        s.pbs = [pbs];
        s.cephClusters = [ceph];
      });
    }
    await createAdmin(pulse.url);
    browser = await launchBrowser();
    t = await openPage(browser, pulse.url);
    await loginViaUi(t.page);
  }, 240_000);

  afterAll(async () => {
    await t?.context.close();
    await browser?.close();
    await pulse?.close();
  });

  it('shows "full in ~N days" under the growing storage only, amber inside the horizon', async () => {
    const { page } = t;
    await page.goto('/storage');
    const table = page.getByRole('table').first();
    const hint = table.getByTestId('storage-forecast');
    await hint.first().waitFor();
    expect(await hint.count()).toBe(1);
    const row = page.locator('tr', { has: page.getByText('growing', { exact: true }) });
    const text = (await row.getByTestId('storage-forecast').textContent()) ?? '';
    expect(text).toMatch(/^full in ~1[12] days$/);
    expect(await row.getByTestId('storage-forecast').getAttribute('class')).toContain('text-amber-600');
    expect(await row.getByTestId('storage-forecast').getAttribute('title')).toMatch(
      /^Growing (19\.\d|20\.\d) GiB\/day over the last 7 days \(confidence \d+ %\); 85 % in ~4 days$/,
    );
    await screenshot(page, 'storage-forecast');
    // The Ceph pool's hint sits under its usage figure.
    const pools = page.getByRole('table', { name: 'Ceph pools of pve' });
    expect(await pools.getByTestId('storage-forecast').textContent()).toBe('full in ~10 days');
    expectNoErrors(t.errors, 'the storage forecast hint');
  });

  it('a PBS datastore gets its hint on the PBS page', async () => {
    const { page } = t;
    await page.goto('/pbs');
    const hint = page.getByTestId('storage-forecast');
    await hint.first().waitFor();
    expect(await hint.textContent()).toMatch(/^full in ~1[23] days$/);
    await screenshot(page, 'storage-forecast-pbs');
    expectNoErrors(t.errors, 'the PBS forecast hint');
  });
});
