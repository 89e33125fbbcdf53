/**
 * The demo estate shows each insight something: a filling storage whose forecast has a known
 * answer, and guests with stale and unverified backups.
 */
import { describe, expect, it } from 'vitest';
import { buildEstate } from '../../sim/estate/build.js';
import { demoEstate } from '../../sim/estate/builtin.js';
import { storageUsed } from '../../sim/estate/metrics.js';
import { forecastUsage } from '../../src/forecast/fit.js';
import { DAY, samplePoints } from '../helpers/forecast.js';

describe('demo estate insight fixtures', () => {
  const estate = buildEstate(demoEstate());
  const standalone = estate.pve.find((p) => p.name === 'pve-standalone')!;

  it('the standalone local-zfs fills 0.4 % a day from 91 %: forecast full in 22.5 days from the start', () => {
    const zfs = standalone.storages.find((s) => s.storage === 'local-zfs')!;
    const start = zfs.fillSince!;
    expect(storageUsed(zfs, start) / zfs.total).toBeCloseTo(0.91, 6);
    expect(storageUsed(zfs, start + 10 * DAY) / zfs.total).toBeCloseTo(0.95, 6);
    // Three days of 5-minute samples, as the 5m history tier would hold them.
    const points = samplePoints((d) => storageUsed(zfs, start + d * DAY), start, 3);
    const f = forecastUsage({ points, total: zfs.total, warnPercent: 85, now: start + 3 * DAY });
    expect(f.trend).toBe('growing');
    expect(f.daysToWarn).toBe(0);
    // 91 % + 3 × 0.4 % = 92.2 %; the remaining 7.8 % at 0.4 %/day take 19.5 days.
    expect(f.daysToFull).toBeCloseTo(19.5, 1);
    expect(f.confidence).toBeGreaterThan(0.99);
  });

  it('old-wiki stopped being backed up ten days before the start; media is never verified by PBS', () => {
    const cluster = estate.pve.find((p) => p.name === 'pve-cluster')!;
    const startSec = Math.floor(estate.clock.now() / 1000);
    // The estate's clock runs in real time: a second may tick between building and reading it.
    const stopped = cluster.guests.get(204)?.backupStoppedAt ?? 0;
    expect(startSec - 10 * 86400 - stopped).toBeGreaterThanOrEqual(0);
    expect(startSec - 10 * 86400 - stopped).toBeLessThanOrEqual(1);
    expect(cluster.guests.get(202)?.backupVerify).toBe(false);
    const ids = estate.pbs[0].guestIds;
    expect(ids.find((g) => g.id === 202 && g.type === 'ct')?.verify).toBe(false);
    // Guests left out of the jobs have no PBS group.
    expect(ids.some((g) => g.id === 303 || g.id === 304)).toBe(false);
  });
});
