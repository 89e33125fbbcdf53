/** Which trigger/clear pair and which grace period apply to one resource and metric. */
import type { AlertConfig, HysteresisThreshold, MetricKey, ThresholdConfig } from './config.js';

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
