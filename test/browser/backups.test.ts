/**
 * The Backups page against the simulator's demo estate, where two PVE instances both have a VM
 * 100 (web-01 on the cluster, home-assistant on the standalone host) and the PBS holds one vm/100
 * group whose comment names web-01: the PBS snapshots are web-01's alone, in the per-guest table,
 * its counts and the names of the backup list; the guest's `lastBackup` agrees.
 */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import type { PbsPoller } from '../../src/collect/pbs-poller.js';
import type { PvePoller } from '../../src/collect/pve-poller.js';
import type { Guest, PbsBackup, StorageBackup } from '../../src/model/state.js';
import { startTestPulse } from '../helpers/pulse.js';
import {
  apiSession,
  createAdmin,
  describeBrowser,
  ensureWebBuilt,
  expectNoErrors,
  launchBrowser,
  loginViaUi,
  openPage,
  screenshot,
  type TestPage,
} from './harness.js';

/** A time as /api/state sends it: ms, or RFC3339 where the wire contract converts it. */
const ms = (v: number | string | undefined): number => (typeof v === 'number' ? v : v ? Date.parse(v) : 0);

describeBrowser('Backups page with the same VMID on two instances', () => {
  let sim: Simulator;
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  let browser: Browser;
  let t: TestPage;
  let headers: Record<string, string>;

  beforeAll(async () => {
    await ensureWebBuilt();
    sim = await startSimulator({ estate: 'demo', seed: 42 });
    pulse = await startTestPulse();
    await createAdmin(pulse.url);
    headers = await apiSession(pulse.url);
    const pbs = sim.ready.pbs[0]!;
    const nodes = [
      ...sim.ready.pve.map((p) => ({
        type: 'pve',
        name: p.name,
        host: p.url,
        tokenName: p.tokenId,
        tokenValue: p.tokenSecret,
        fingerprint: p.fingerprint,
      })),
      {
        type: 'pbs',
        name: pbs.name,
        host: pbs.url,
        tokenName: pbs.tokenId,
        tokenValue: pbs.tokenSecret,
        fingerprint: pbs.fingerprint,
      },
    ];
    for (const body of nodes) {
      const res = await fetch(`${pulse.url}/api/config/nodes`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect(res.status, await res.text()).toBe(201);
    }
    await pulse.deps.monitoring.pollNow();
    const pollers = pulse.deps.monitoring.pollers().filter((p): p is PvePoller | PbsPoller => 'settleBackups' in p);
    for (const p of pollers) await p.settleBackups();
    await pulse.deps.monitoring.pollNow();
    browser = await launchBrowser();
    t = await openPage(browser, pulse.url);
    await loginViaUi(t.page);
  }, 240_000);

  afterAll(async () => {
    await t?.context.close();
    await browser?.close();
    await pulse?.close();
    await sim?.stop();
  });

  it('gives the PBS vm/100 snapshots to web-01 only, in counts, names and lastBackup', async () => {
    const state = (await (await fetch(`${pulse.url}/api/state`, { headers })).json()) as {
      vms: Array<Omit<Guest, 'lastBackup'> & { lastBackup?: number | string }>;
      pveBackups: { storageBackups: StorageBackup[] };
    };
    const { pbsBackups } = (await (await fetch(`${pulse.url}/api/backups`, { headers })).json()) as {
      pbsBackups: PbsBackup[];
    };
    const pbs100 = pbsBackups.filter((b) => b.backupType === 'vm' && b.vmid === '100');
    expect(pbs100.length, 'the PBS has a vm/100 group').toBeGreaterThan(0);
    expect(new Set(pbs100.map((b) => b.comment))).toEqual(new Set(['web-01']));
    const ownPve = (instance: string) =>
      state.pveBackups.storageBackups.filter((b) => b.instance === instance && b.vmid === 100 && !b.isPBS);
    const web = state.vms.find((g) => g.name === 'web-01')!;
    const ha = state.vms.find((g) => g.name === 'home-assistant')!;
    expect(web.vmid).toBe(100);
    expect(ha.vmid).toBe(100);
    expect(web.instance).not.toBe(ha.instance);

    // The collector: home-assistant's last backup is its own, never web-01's PBS snapshot.
    const newestPbs = Math.max(...pbs100.map((b) => Date.parse(String(b.backupTime))));
    const haOwn = Math.max(0, ...ownPve(ha.instance).map((b) => b.ctime * 1000));
    expect(ms(ha.lastBackup), `home-assistant lastBackup ${ha.lastBackup}`).toBe(haOwn);
    expect(haOwn).toBeLessThan(newestPbs);
    expect(ms(web.lastBackup)).toBeGreaterThanOrEqual(newestPbs);

    const { page } = t;
    await page.getByRole('link', { name: 'Backups' }).first().click();
    const perGuest = page.getByRole('table', { name: 'Last backup per guest' });
    const row = (name: string) => perGuest.locator('tr', { has: page.getByRole('cell', { name, exact: true }) });
    const count = async (name: string) => Number(await row(name).locator('td').nth(6).textContent());
    // Wait for the PBS list to arrive: web-01 counts its PBS snapshots.
    await expect.poll(() => count('web-01'), { timeout: 30_000 }).toBeGreaterThanOrEqual(pbs100.length);
    expect(await count('home-assistant')).toBe(ownPve(ha.instance).length);
    expect(await row('home-assistant').locator('td').nth(5).textContent()).not.toContain('PBS');

    // The list of backups names each PBS vm/100 snapshot web-01, never home-assistant.
    await page.getByLabel('Filter backups').fill('home-assistant');
    const list = page.getByRole('table', { name: 'Backups', exact: true });
    await expect.poll(async () => list.locator('tbody tr').count()).toBe(ownPve(ha.instance).length);
    expect(await list.locator('tbody').textContent()).not.toContain('PBS');
    await page.getByLabel('Filter backups').fill('web-01');
    await expect
      .poll(async () => list.locator('tbody tr').filter({ hasText: 'PBS' }).count())
      .toBe(Math.min(pbs100.length, 200));
    await screenshot(page, 'backups-same-vmid');
    expectNoErrors(t.errors, 'the Backups page');
  });
});
