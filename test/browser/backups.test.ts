/**
 * The Backups page against the simulator's demo estate, where two PVE instances both have a VM
 * 100 (web-01 on the cluster, home-assistant on the standalone host) and the PBS holds one vm/100
 * group whose comment names web-01: the PBS snapshots are web-01's alone, in the per-guest table,
 * its counts and the names of the backup list; the guest's `lastBackup` agrees.
 */

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Guest, PbsBackup, StorageBackup } from '../../src/model/state.js';
import { describeBrowser, type EstatePage, expectNoErrors, screenshot, startEstatePage } from '../helpers/browser.js';

/** A time as /api/state sends it: ms, or RFC3339 where the wire contract converts it. */
const ms = (v: number | string | undefined): number => (typeof v === 'number' ? v : v ? Date.parse(v) : 0);

describeBrowser('Backups page with the same VMID on two instances', () => {
  let t: EstatePage;

  beforeAll(async () => {
    t = await startEstatePage({ instances: ['pve-cluster', 'pve-standalone', 'pbs-main'], settleBackups: true });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('gives the PBS vm/100 snapshots to web-01 only, in counts, names and lastBackup', async () => {
    const state = (await (await fetch(`${t.pulse.url}/api/state`, { headers: t.headers })).json()) as {
      vms: Array<Omit<Guest, 'lastBackup'> & { lastBackup?: number | string }>;
      pveBackups: { storageBackups: StorageBackup[] };
    };
    const { pbsBackups } = (await (await fetch(`${t.pulse.url}/api/backups`, { headers: t.headers })).json()) as {
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
