/**
 * Alert fixtures: one alert to hand to the notifiers, the alert config of the end-to-end runs, and
 * an AlertService rig for the service tests.
 */
import { AlertService } from '../../src/alerts/service.js';
import { ManualClock } from '../../src/clock.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { PulseEvents } from '../../src/events.js';
import { createLogger } from '../../src/logging.js';
import type { AlertNotification, FullAlert } from '../../src/model/state.js';
import { StateStore } from '../../src/state/store.js';
import { tempDir } from './pulse.js';

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

/** Monday 2026-01-05 10:00 in New York: the service tests' start. */
export const ALERT_T0 = Date.UTC(2026, 0, 5, 15, 0);

/**
 * An AlertService over a real SQLite file in `dataDir` (a new temp dir by default), a StateStore
 * and an event bus, on a hand-moved clock, rounds run on commit (no tick unless `tickMs`). Its
 * notifications go to `notify`, by default collected in `sent`, one batch per entry.
 */
export function alertServiceRig(
  opts: { dataDir?: string; now?: number; notify?: (batch: AlertNotification[]) => void; tickMs?: number } = {},
) {
  const dataDir = opts.dataDir ?? tempDir();
  const db = openDatabase(dataDir);
  const clock = new ManualClock(opts.now ?? ALERT_T0);
  const state = new StateStore(clock);
  const events = new PulseEvents();
  const sent: AlertNotification[][] = [];
  const service = new AlertService({
    db,
    clock,
    state,
    events,
    logger: createLogger({ level: 'silent' }),
    notify: opts.notify ?? ((batch) => sent.push(batch)),
    tickMs: opts.tickMs ?? 0,
  });
  return { db, clock, state, events, sent, service, dataDir };
}

/** Stops the services and closes the databases of the rigs in `opened`, and empties it (for afterEach). */
export function closeRigs(opened: Array<{ db: Database; service: AlertService }>): void {
  for (const r of opened.splice(0)) {
    r.service.stop();
    if (r.db.open) r.db.close();
  }
}
