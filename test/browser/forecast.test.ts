/**
 * The storage-full forecast hint in a real browser: two days of 5-minute states of a storage
 * growing 20 GiB/day (nightly cleanup included) put "full in ~N days" under its usage bar, amber
 * inside the 14-day horizon; a flat storage gets no hint. A PBS datastore and a Ceph pool, which the
 * forecast service samples itself, get theirs on the PBS page and under the Ceph pools (screenshots saved).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syntheticNode } from '../../bench/state-fixture.js';
import { ManualClock } from '../../src/clock.js';
import { describeBrowser, expectNoErrors, type PulsePage, screenshot, startPulsePage } from '../helpers/browser.js';
import {
  cephWithPool,
  DAY,
  datastoreUsing,
  GiB,
  linear,
  pbsWith,
  replayHistory,
  STEP,
  storageUsing,
  withDrops,
} from '../helpers/forecast.js';

describeBrowser('storage-full forecast hint', () => {
  // Two days of history ending now: sessions and cookies live in real time.
  const end = Math.floor(Date.now() / STEP) * STEP;
  const start = end - 2 * DAY;
  const clock = new ManualClock(start);
  let t: PulsePage;
  // 760 GiB + 20 GiB/day, 15 GiB freed each night: 770 GiB at the end, full in ~11.5 days.
  const growing = withDrops(linear(760 * GiB, 20 * GiB), 15 * GiB);
  // A PBS datastore at 3000 GiB + 80 GiB/day of 4096 (garbage collection frees 40 each night):
  // 3080 at the end, full in ~13 days. A Ceph pool storing 700 + 25 GiB/day of 1000: ~10 days.
  const main = withDrops(linear(3000 * GiB, 80 * GiB), 40 * GiB);
  const rbd = linear(700 * GiB, 25 * GiB);

  beforeAll(async () => {
    t = await startPulsePage({
      clock,
      async setup(pulse) {
        replayHistory(pulse, clock, start, 2, (d, at) => (s) => {
          s.nodes = [syntheticNode(0, { nodes: 1, guestsPerNode: 0, now: at })];
          s.storage = [storageUsing('growing', growing(d), at), storageUsing('flat', 300 * GiB, at)];
          s.pbs = [pbsWith([datastoreUsing('main', main(d))], at)];
          s.cephClusters = [cephWithPool(rbd(d), at)];
        });
      },
    });
  }, 240_000);

  afterAll(() => t?.close());

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
