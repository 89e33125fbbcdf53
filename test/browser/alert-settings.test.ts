/**
 * Alert settings and history in a real browser against the simulator: the settings beyond
 * guest/node/storage (PBS, PMG, Docker, backup age, per-type switches, per-type and per-metric grace periods, quiet
 * hours with a time zone, escalation, flapping, cooldown, grouping) are saved to the server; an
 * override is added by searching; the history shows status, duration and the per-day chart for
 * an alert that the simulator raises and then resolves.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlertConfig } from '../../src/alerts/config.js';
import {
  controlsWithoutName,
  describeBrowser,
  type EstatePage,
  expectNoErrors,
  screenshot,
  startEstatePage,
} from '../helpers/browser.js';
import { control } from '../helpers/sim.js';

const INSTANCE = 'pve-cluster';

describeBrowser('web UI alert settings and history', () => {
  let t: EstatePage;

  async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 900; i++) {
      const v = await fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  beforeAll(async () => {
    t = await startEstatePage({
      instances: [INSTANCE],
      async prepareSim(sim) {
        const guests = (await control(sim, 'GET', `/guests/${INSTANCE}`)) as Array<{ vmid: number }>;
        for (const g of guests) await control(sim, 'PUT', `/guests/${INSTANCE}/${g.vmid}/metrics`, { cpu: 0.1 });
      },
    });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('saves every kind of alert setting and an override found by search', async () => {
    const { page } = t;
    await page.goto('/settings/thresholds');
    await page.getByLabel('PBS CPU trigger (%)').fill('91');
    await page.getByLabel('Container restarts (count)').fill('7');
    await page.getByLabel('Mail queue warning (messages)').fill('321');
    await page.getByLabel('Backup age warning (days)').fill('3');
    await page.getByLabel('Snapshot age critical (days)').fill('45');
    await page.getByLabel('Ignore containers whose name starts with (comma-separated)').fill('buildkit_, tmp-');
    await page.getByLabel('Alert on guests the backup coverage audit flags').uncheck();
    await page.getByLabel('Warn when full within (days)').fill('21');
    await page.getByLabel('Least forecast confidence (0–1)').fill('0.7');
    await page.getByLabel('PBS offline').uncheck();
    await page.getByLabel('Docker containers threshold alerts').uncheck();
    await page.getByLabel('Powered-off guest severity').selectOption('critical');
    await page.getByLabel('Guests grace period (s)').fill('0');
    // Per-metric grace: memory waits its own 120 s while CPU keeps the type's short one (the history test needs that);
    // a grace typed and then emptied again leaves the row on its type's default.
    await page.getByLabel('Guests Memory % grace (s)').fill('120');
    await page.getByLabel('PBS CPU grace (s)').fill('30');
    await page.getByLabel('Nodes Temperature °C grace (s)').fill('15');
    await page.getByLabel('Nodes Temperature °C grace (s)').fill('');
    await page.getByLabel('Hysteresis margin (points)').fill('4');
    await page.getByLabel('Cooldown between repeats (min)').fill('12');
    await page.getByLabel('Grouping window (s)').fill('45');
    await page.getByLabel('Group by guest').check();
    await page.getByLabel('State changes in the window (count)').fill('6');
    await page.getByRole('checkbox', { name: 'Quiet hours' }).check();
    await page.getByLabel('Quiet from').fill('23:15');
    await page.getByLabel('Quiet until').fill('06:45');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByLabel('Time zone').blur();
    await page.getByLabel('Saturday').check();
    await page.getByRole('checkbox', { name: 'Offline', exact: true }).check();
    await page.getByLabel('Escalate long-running alerts').check();
    await page.getByRole('button', { name: 'Add escalation level' }).click();
    await page.getByLabel('Level 4 after (min)').fill('120');
    await page.getByLabel('Level 4 notifies').selectOption('webhook');

    await page.getByLabel('Search nodes, guests and storage').fill('web-01');
    await page.getByRole('button', { name: 'Add override' }).click();
    await page.getByLabel('VM 100 web-01 CPU % trigger').fill('55');
    await page.getByLabel('VM 100 web-01 CPU % clear').fill('50');
    expect(await controlsWithoutName(page), 'controls without an accessible name').toEqual([]);
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    await page.getByText('Alert thresholds saved.').waitFor();
    await screenshot(page, 'alert-settings');

    const cfg = (await (await fetch(`${t.pulse.url}/api/alerts/config`, { headers: t.headers })).json()) as AlertConfig;
    expect(cfg.pbsDefaults.cpu?.trigger).toBe(91);
    expect(cfg.dockerDefaults.restartCount).toBe(7);
    expect(cfg.pmgDefaults.queueTotalWarning).toBe(321);
    expect(cfg.backupAge.warningDays).toBe(3);
    expect(cfg.snapshotAge.criticalDays).toBe(45);
    expect(cfg.dockerIgnoredContainerPrefixes).toEqual(['buildkit_', 'tmp-']);
    expect(cfg.backupCoverage.enabled).toBe(false);
    expect(cfg.storageForecast).toMatchObject({ horizonDays: 21, minConfidence: 0.7 });
    expect(cfg.disableAllPBSOffline).toBe(true);
    expect(cfg.disableAllDockerContainers).toBe(true);
    expect(cfg.guestDefaults.poweredOffSeverity).toBe('critical');
    expect(cfg.hysteresisMargin).toBe(4);
    expect(cfg.metricTimeThresholds).toEqual({ guest: { memory: 120 }, pbs: { cpu: 30 } });
    expect(cfg.schedule.cooldown).toBe(12);
    expect(cfg.schedule.grouping).toMatchObject({ window: 45, byGuest: true });
    expect(cfg.flapping.threshold).toBe(6);
    expect(cfg.schedule.quietHours).toMatchObject({
      enabled: true,
      start: '23:15',
      end: '06:45',
      timezone: 'Europe/Berlin',
    });
    expect(cfg.schedule.quietHours.days.saturday).toBe(true);
    expect(cfg.schedule.quietHours.suppress.offline).toBe(true);
    expect(cfg.schedule.escalation.enabled).toBe(true);
    expect(cfg.schedule.escalation.levels.at(-1)).toEqual({ after: 120, notify: 'webhook' });
    expect(Object.entries(cfg.overrides).find(([id]) => id.endsWith('100'))?.[1]).toMatchObject({
      cpu: { trigger: 55, clear: 50 },
    });

    // After a reload the page shows what the server holds.
    await page.reload();
    expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Berlin');
    expect(await page.getByLabel('PBS offline').isChecked()).toBe(false);
    expect(await page.getByLabel('Guests Memory % grace (s)').inputValue()).toBe('120');
    expect(await page.getByLabel('Guests CPU % grace (s)').inputValue()).toBe('');
    expect(await page.getByLabel('Guests CPU % grace (s)').getAttribute('placeholder')).toBe(
      String(cfg.timeThresholds.guest),
    );
    expectNoErrors(t.errors, 'alert settings');
  });

  it('history shows an alert as active, then resolved with its duration, and the daily chart', async () => {
    const { page } = t;
    // web-01 has a 55 % CPU override (previous test) and guests have no grace period.
    await control(t.sim, 'PUT', `/guests/${INSTANCE}/100/metrics`, { cpu: 0.7 });
    const alertId = await until('the CPU alert', async () => {
      const active = (await (await fetch(`${t.pulse.url}/api/alerts/active`, { headers: t.headers })).json()) as Array<{
        id: string;
        resourceName: string;
        type: string;
      }>;
      return active.find((a) => a.resourceName === 'web-01' && a.type === 'cpu')?.id;
    });
    await page.goto('/alerts/history');
    await page.getByLabel('Search alert history').fill('web-01');
    const row = page.getByRole('table', { name: 'Alert history' }).locator('tr', { hasText: 'cpu' });
    await row.getByText('active', { exact: true }).waitFor();
    await row.getByText(/so far$/).waitFor();
    const ack = await fetch(`${t.pulse.url}/api/alerts/${encodeURIComponent(alertId)}/acknowledge`, {
      method: 'POST',
      headers: t.headers,
      body: '{}',
    });
    expect(ack.ok).toBe(true);
    await row.getByText('acknowledged', { exact: true }).waitFor();

    await control(t.sim, 'PUT', `/guests/${INSTANCE}/100/metrics`, { cpu: 0.1 });
    await until('the resolution', async () => {
      const hist = (await (
        await fetch(`${t.pulse.url}/api/alerts/history?limit=0`, { headers: t.headers })
      ).json()) as Array<{
        id: string;
        resolvedTime?: string;
      }>;
      return hist.find((h) => h.id === alertId && h.resolvedTime) ? true : undefined;
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await row.getByText('resolved', { exact: true }).waitFor();
    expect(await row.textContent()).toMatch(/\d+(s|m \d+s)/);
    const chart = page.getByRole('img', { name: /^Alerts per day over the last 30 days: [1-9]\d* in total$/ });
    await chart.waitFor();
    await screenshot(page, 'alert-history');
    expectNoErrors(t.errors, 'alert history');
  });
});
