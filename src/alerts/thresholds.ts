/** Which trigger/clear pair and which grace period apply to one resource and metric. */
import {
  type AlertConfig,
  type HysteresisThreshold,
  METRIC_KEYS,
  type MetricKey,
  type ThresholdConfig,
} from './config.js';

/** Defaults with the resource's override laid over them (an override metric replaces the default pair). */
export function effectiveThresholds(defaults: ThresholdConfig, override: ThresholdConfig | undefined): ThresholdConfig {
  if (!override) return defaults;
  const out: ThresholdConfig = { ...defaults };
  for (const [k, v] of Object.entries(override)) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/**
 * Whether any per-resource override exists. Asked once per round: without overrides, no guest
 * needs a lookup by its id (a fresh string each poll, so each lookup is a string-table search).
 */
export function hasOverrides(config: AlertConfig): boolean {
  for (const _ in config.overrides) return true;
  return false;
}

/** The pair when the signal is enabled (trigger > 0), else undefined (-1 / 0 disable it). */
export function enabledPair(th: HysteresisThreshold | undefined): HysteresisThreshold | undefined {
  if (!th || !(th.trigger > 0)) return undefined;
  return th;
}

export type TimeType = 'guest' | 'node' | 'storage' | 'pbs' | 'pmg' | 'docker';

/**
 * Grace period in ms: metricTimeThresholds[type][metric | "default" | "*"] → timeThresholds[type]
 * → timeThresholds.all → timeThreshold (all in seconds).
 */
export function delayMs(config: AlertConfig, type: TimeType, metric: MetricKey | string): number {
  const perMetric = config.metricTimeThresholds?.[type];
  const secs =
    perMetric?.[metric] ??
    perMetric?.default ??
    perMetric?.['*'] ??
    config.timeThresholds[type] ??
    config.timeThresholds.all ??
    config.timeThreshold;
  return Math.max(0, secs) * 1000;
}

const METRICS = new Set<string>(METRIC_KEYS);

/**
 * Whether the config no longer checks this alert (resource or signal switched off, threshold set
 * to 0). Such an alert goes away as "disabled", which nobody is told: its check did not run, so
 * it cannot say the problem is gone. Asked only for alerts about to resolve without a check.
 */
export function disabledByConfig(
  config: AlertConfig,
  a: { resourceId: string; type: string; metadata?: Record<string, unknown> },
): boolean {
  const override = config.overrides[a.resourceId];
  if (override?.disabled) return true;
  const kind = a.metadata?.resourceType;
  const offlineType =
    a.type === 'connectivity' || a.type === 'powered-off' || a.type === 'offline' || a.type === 'docker-host-offline';
  if (offlineType && override?.disableConnectivity) return true;
  switch (kind) {
    case 'VM':
    case 'Container':
      if (config.disableAllGuests) return true;
      if (a.type === 'powered-off') return config.disableAllGuestsOffline;
      if (a.type === 'backup-age') return !config.backupAge.enabled;
      if (a.type === 'snapshot-age') return !config.snapshotAge.enabled;
      return (
        METRICS.has(a.type) && !enabledPair(effectiveThresholds(config.guestDefaults, override)[a.type as MetricKey])
      );
    case 'Node':
      if (config.disableAllNodes) return true;
      if (a.type === 'connectivity') return config.disableAllNodesOffline;
      return (
        METRICS.has(a.type) && !enabledPair(effectiveThresholds(config.nodeDefaults, override)[a.type as MetricKey])
      );
    case 'Disk':
      return config.disableAllNodes;
    case 'Storage':
      if (config.disableAllStorage) return true;
      return a.type === 'usage' && !enabledPair(override?.usage ?? config.storageDefault);
    case 'PBS':
    case 'PBS Datastore':
      if (config.disableAllPBS) return true;
      if (a.type === 'offline') return config.disableAllPBSOffline;
      if (a.type === 'usage') return !enabledPair(override?.usage ?? config.storageDefault);
      return (
        METRICS.has(a.type) && !enabledPair(effectiveThresholds(config.pbsDefaults, override)[a.type as MetricKey])
      );
    case 'PMG':
      if (config.disableAllPMG) return true;
      return a.type === 'offline' && config.disableAllPMGOffline;
    case 'DockerHost':
      return config.disableAllDockerHosts || config.disableAllDockerHostsOffline;
    case 'Docker Container': {
      if (config.disableAllDockerHosts || config.disableAllDockerContainers) return true;
      if (a.type !== 'cpu' && a.type !== 'memory') return false;
      const dd = config.dockerDefaults;
      return !enabledPair(effectiveThresholds({ cpu: dd.cpu, memory: dd.memory }, override)[a.type]);
    }
    default:
      return false;
  }
}
