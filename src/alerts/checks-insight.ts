/**
 * Checks computed from more than the live state: storage-full forecasts (src/forecast/) and the
 * backup coverage audit (src/backups/). Their services hand the engine their cached results as
 * `InsightInputs`, so the engine stays pure and a round costs no fit or audit.
 *
 * - storage-forecast-<storageId>: the storage is forecast full within storageForecast.horizonDays
 *   (warning) or criticalDays (critical), with at least minConfidence.
 * - backup-coverage-<guestId>: the coverage audit flags the guest (reasons in the message);
 *   critical when the guest has no backup at all.
 */
import type { GuestCoverage } from '../backups/coverage.js';
import type { StorageForecast } from '../forecast/service.js';
import type { PulseState } from '../model/state.js';
import type { CheckSet } from './checks.js';
import { conditionCheck, prefixedId } from './checks.js';
import { nodeIdFor } from './checks-pve.js';
import type { AlertConfig } from './config.js';

export interface InsightInputs {
  forecasts?: readonly StorageForecast[];
  coverage?: readonly GuestCoverage[];
}

export function insightChecks(
  config: AlertConfig,
  state: Readonly<PulseState>,
  out: CheckSet,
  inputs: InsightInputs | undefined,
): void {
  if (!inputs) return;
  if (inputs.forecasts && config.storageForecast.enabled && !config.disableAllStorage) {
    forecastChecks(config, state, out, inputs.forecasts);
  }
  if (inputs.coverage && config.backupCoverage.enabled && !config.disableAllGuests) {
    coverageChecks(config, state, out, inputs.coverage);
  }
}

function forecastChecks(
  config: AlertConfig,
  state: Readonly<PulseState>,
  out: CheckSet,
  forecasts: readonly StorageForecast[],
): void {
  const { horizonDays, criticalDays, minConfidence } = config.storageForecast;
  // PBS datastores and Ceph pools are forecast too but alert through PVE storage only for now.
  const byId = new Map(state.storage.map((s) => [s.id, s]));
  for (const f of forecasts) {
    if (f.kind !== 'storage') continue;
    const s = byId.get(f.id);
    if (!s || config.overrides[s.id]?.disabled) continue;
    const days = f.daysToFull;
    const bad = days !== null && days <= horizonDays && f.confidence >= minConfidence;
    // A check that cannot fire matters only to an active alert (resolved by the engine when absent).
    if (!bad) continue;
    const localNode = !s.shared && s.node !== 'cluster';
    const gibPerDay = (f.bytesPerDay / 1024 ** 3).toFixed(1);
    out.checks.push(
      conditionCheck(
        {
          resourceId: s.id,
          resourceName: s.name,
          node: s.node,
          instance: s.instance,
          resourceType: 'Storage',
          category: 'storage',
          parentNodeId: localNode ? nodeIdFor(state, s.node, s.instance) : undefined,
        },
        {
          id: prefixedId('storage-forecast', s.id),
          type: 'storage-forecast',
          bad,
          level: days <= criticalDays ? 'critical' : 'warning',
          confirmations: 1,
          message: `Storage '${s.name}' on ${s.node} is forecast full in ~${Math.ceil(days)} days (growing ${gibPerDay} GiB/day, confidence ${f.confidence})`,
          value: days,
          threshold: horizonDays,
          extra: { fullAt: f.fullAt, warnAt: f.warnAt, bytesPerDay: f.bytesPerDay, confidence: f.confidence },
        },
      ),
    );
  }
}

function coverageChecks(
  config: AlertConfig,
  state: Readonly<PulseState>,
  out: CheckSet,
  coverage: readonly GuestCoverage[],
): void {
  for (const c of coverage) {
    if (!c.atRisk || config.overrides[c.guestId]?.disabled) continue;
    const none = c.flags.some((f) => f.reason === 'no-backup');
    out.checks.push(
      conditionCheck(
        {
          resourceId: c.guestId,
          resourceName: c.name,
          node: c.node,
          instance: c.instance,
          resourceType: c.type === 'qemu' ? 'VM' : 'Container',
          category: 'backup',
          parentNodeId: nodeIdFor(state, c.node, c.instance),
        },
        {
          id: prefixedId('backup-coverage', c.guestId),
          type: 'backup-coverage',
          bad: true,
          level: none ? 'critical' : 'warning',
          confirmations: 1,
          message: `${c.type === 'qemu' ? 'VM' : 'Container'} '${c.name}' backup coverage: ${c.flags.map((f) => f.message).join('; ')}`,
          value: c.flags.length,
          threshold: 0,
          extra: { reasons: c.flags.map((f) => f.reason) },
        },
      ),
    );
  }
}
