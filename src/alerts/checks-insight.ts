/**
 * Checks computed from more than the live state: storage-full forecasts (src/forecast/) and the
 * backup coverage audit (src/backups/). Their services hand the engine their cached results as
 * `InsightInputs`, so the engine stays pure and a round costs no fit or audit.
 *
 * - storage-forecast-<id>: a PVE storage (ZFS pools included), PBS datastore or Ceph pool is
 *   forecast full within storageForecast.horizonDays (warning) or criticalDays (critical), with at
 *   least minConfidence.
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
  if (inputs.forecasts) {
    // PBS datastores and Ceph pools have no other check marking them present: a forecast does, so
    // that their forecast alerts resolve when the forecast no longer fires or is switched off.
    for (const f of inputs.forecasts) out.observed.add(f.id);
    if (config.storageForecast.enabled) forecastChecks(config, state, out, inputs.forecasts);
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
  const byId = new Map(state.storage.map((s) => [s.id, s]));
  for (const f of forecasts) {
    const days = f.daysToFull;
    const bad = days !== null && days <= horizonDays && f.confidence >= minConfidence;
    // A check that cannot fire matters only to an active alert (resolved by the engine when absent).
    if (!bad || config.overrides[f.id]?.disabled) continue;
    const target = forecastTarget(config, state, byId, f);
    if (!target) continue;
    const gibPerDay = (f.bytesPerDay / 1024 ** 3).toFixed(1);
    out.checks.push(
      conditionCheck(
        { ...target.base, resourceId: f.id, instance: f.instance, category: 'storage' },
        {
          id: prefixedId('storage-forecast', f.id),
          type: 'storage-forecast',
          bad,
          level: days <= criticalDays ? 'critical' : 'warning',
          confirmations: 1,
          message: `${target.label} is forecast full in ~${Math.ceil(days)} days (growing ${gibPerDay} GiB/day, confidence ${f.confidence})`,
          value: days,
          threshold: horizonDays,
          extra: {
            kind: f.kind,
            fullAt: f.fullAt,
            warnAt: f.warnAt,
            bytesPerDay: f.bytesPerDay,
            confidence: f.confidence,
          },
        },
      ),
    );
  }
}

/** What a forecast is about, named as the usage alerts of the same resource name it; undefined when its alerts are off. */
function forecastTarget(
  config: AlertConfig,
  state: Readonly<PulseState>,
  storage: Map<string, PulseState['storage'][number]>,
  f: StorageForecast,
):
  | { base: { resourceName: string; node: string; resourceType: string; parentNodeId?: string }; label: string }
  | undefined {
  if (f.kind === 'storage') {
    // PVE storage, ZFS pools (`zfspool`) included.
    const s = storage.get(f.id);
    if (!s || config.disableAllStorage) return undefined;
    const localNode = !s.shared && s.node !== 'cluster';
    return {
      base: {
        resourceName: s.name,
        node: s.node,
        resourceType: 'Storage',
        parentNodeId: localNode ? nodeIdFor(state, s.node, s.instance) : undefined,
      },
      label: `${s.type === 'zfspool' ? 'ZFS pool' : 'Storage'} '${s.name}' on ${s.node}`,
    };
  }
  if (f.kind === 'pbs-datastore') {
    if (config.disableAllPBS || config.overrides[f.instance]?.disabled) return undefined;
    return {
      base: { resourceName: `${f.node}/${f.name}`, node: f.node, resourceType: 'PBS Datastore' },
      label: `PBS datastore '${f.name}' on ${f.node}`,
    };
  }
  if (config.disableAllStorage) return undefined;
  return {
    base: { resourceName: `${f.node}/${f.name}`, node: f.node, resourceType: 'Ceph Pool' },
    label: `Ceph pool '${f.name}' of ${f.node}`,
  };
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
