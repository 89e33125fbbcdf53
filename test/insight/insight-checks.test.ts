/** storage-forecast and backup-coverage checks through the pure engine. */
import { describe, expect, it } from 'vitest';
import { defaultAlertConfig } from '../../src/alerts/config.js';
import { evaluate } from '../../src/alerts/engine.js';
import { emptyMemory } from '../../src/alerts/memory.js';
import { auditCoverage } from '../../src/backups/coverage.js';
import { defaultPolicyConfig } from '../../src/backups/policy.js';
import type { StorageForecast } from '../../src/forecast/service.js';
import { guest, stateWith, storage } from '../alerts/state-builders.js';
import { allListed } from './backup-sources.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

function forecast(id: string, daysToFull: number | null, confidence: number): StorageForecast {
  return {
    kind: 'storage',
    id,
    name: id,
    node: 'n1',
    instance: 'pve1',
    type: 'dir',
    usage: 50,
    warnPercent: 85,
    trend: daysToFull === null ? 'flat' : 'growing',
    bytesPerDay: 10 * 1024 ** 3,
    usedBytes: 500 * 1024 ** 3,
    totalBytes: 1000 * 1024 ** 3,
    warnAt: null,
    fullAt: daysToFull === null ? null : NOW + daysToFull * DAY,
    daysToWarn: null,
    daysToFull,
    confidence,
    samples: 2016,
    spanMs: 7 * DAY,
    drops: 0,
  };
}

describe('insight checks', () => {
  const stores = ['soon', 'later', 'unsure', 'flat', 'critical'].map((name) => storage({ name, node: 'n1' }));
  const state = stateWith({ storage: stores });

  it('storage-forecast: inside the horizon with enough confidence; critical inside criticalDays', () => {
    const forecasts = [
      forecast('pve1-n1-soon', 10, 0.9),
      forecast('pve1-n1-later', 20, 0.9),
      forecast('pve1-n1-unsure', 5, 0.2),
      forecast('pve1-n1-flat', null, 1),
      forecast('pve1-n1-critical', 2, 0.8),
    ];
    const r = evaluate(defaultAlertConfig(), state, emptyMemory(), NOW, { forecasts });
    const fired = Object.values(r.memory.active)
      .filter((t) => t.alert.type === 'storage-forecast')
      .map((t) => [t.alert.resourceId, t.alert.level]);
    expect(fired.sort()).toEqual([
      ['pve1-n1-critical', 'critical'],
      ['pve1-n1-soon', 'warning'],
    ]);
    // Disabled: nothing fires, and the active ones resolve.
    const off = {
      ...defaultAlertConfig(),
      storageForecast: { ...defaultAlertConfig().storageForecast, enabled: false },
    };
    const r2 = evaluate(off, state, r.memory, NOW + 60_000, { forecasts });
    expect(Object.values(r2.memory.active).filter((t) => t.alert.type === 'storage-forecast')).toEqual([]);
  });

  it('backup-coverage: one alert per flagged guest, critical without any backup', () => {
    const s = stateWith({
      vms: [guest({ vmid: 100, node: 'n1' }), guest({ vmid: 101, node: 'n1' })],
      pveBackups: {
        backupTasks: [],
        guestSnapshots: [],
        storageBackups: [
          {
            id: 'b',
            storage: 'nfs',
            node: 'n1',
            instance: 'pve1',
            type: 'qemu',
            vmid: 101,
            time: (NOW - 5 * DAY) / 1000,
            ctime: 0,
            size: 1,
            format: 'vma.zst',
            protected: false,
            volid: 'nfs:backup/x',
            isPBS: false,
            verified: false,
          },
        ],
      },
    });
    const coverage = auditCoverage(allListed(s), defaultPolicyConfig(), NOW).guests;
    const r = evaluate(defaultAlertConfig(), s, emptyMemory(), NOW, { coverage });
    const fired = Object.values(r.memory.active)
      .filter((t) => t.alert.type === 'backup-coverage')
      .map((t) => [t.alert.resourceId, t.alert.level, t.alert.message]);
    expect(fired.sort()).toEqual([
      ['pve1-n1-100', 'critical', "VM 'guest-100' backup coverage: no backup on any target"],
      ['pve1-n1-101', 'warning', "VM 'guest-101' backup coverage: newest backup is 120 h old (policy: 48 h)"],
    ]);
  });
});
