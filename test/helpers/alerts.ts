/**
 * Alert fixtures: one alert to hand to the notifiers, and the alert config of the end-to-end runs.
 */
import type { FullAlert } from '../../src/model/state.js';

export function makeAlert(over: Partial<FullAlert> = {}): FullAlert {
  const t = '2026-01-01T00:00:00.000Z';
  return {
    id: 'pve1-node1-100-cpu',
    type: 'cpu',
    level: 'critical',
    resourceId: 'pve1-node1-100',
    resourceName: 'web_01 "prod"',
    node: 'node1',
    instance: 'pve1',
    message: 'VM cpu at 95.5%',
    value: 95.5,
    threshold: 80,
    startTime: t,
    lastSeen: t,
    acknowledged: false,
    metadata: { resourceType: 'VM', clearThreshold: 75 },
    ...over,
  };
}

/**
 * The alert config of the end-to-end tests: guest CPU at its default pair (80/75), node checks on,
 * everything else the demo estate would alert on switched off (guest memory and disk, storage and
 * ZFS, the given physical disks — one has FAILED health —, backup and snapshot age); no grace
 * period (timeThresholds reset 0 to the default 5 s, per the contract, so metricTimeThresholds
 * carries the 0) and a one-second grouping window.
 */
export function e2eAlertConfig(physicalDiskIds: string[]): Record<string, unknown> {
  return {
    enabled: true,
    guestDefaults: { cpu: { trigger: 80, clear: 75 }, memory: { trigger: -1 }, disk: { trigger: -1 } },
    disableAllStorage: true,
    overrides: Object.fromEntries(physicalDiskIds.map((id) => [id, { disabled: true }])),
    backupAge: { enabled: false },
    snapshotAge: { enabled: false },
    // The demo has guests without backups and a filling disk on purpose (docs/INSIGHT.md).
    backupCoverage: { enabled: false },
    storageForecast: { enabled: false },
    metricTimeThresholds: { guest: { default: 0 }, node: { default: 0 } },
    schedule: { grouping: { enabled: true, window: 1 } },
  };
}
