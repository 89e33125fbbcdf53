/**
 * Alert configuration: its shape (wire-contract §5.1 plus the published API's extras; the API
 * schema in src/schemas/alerts.ts describes the same), the defaults, and `normaliseAlertConfig`
 * which turns user input into a complete, valid config or throws a ConfigError naming the
 * offending field. Types and ranges are checked by that schema; only relations between fields,
 * time zones and resource-id keys are checked by hand here.
 *
 * Extras beyond Pulse 4.24 (documented in docs/CONFIGURATION.md's alert section):
 * - `pbsDefaults`   cpu/memory thresholds for PBS servers (4.24 reused node values)
 * - `flapping`      {enabled, window (s), threshold (state changes), cooldown (min)}
 * - `aggregation`   {enabled}: fold guest/storage alerts under their offline node (root cause)
 * - `notifyOnResolve`
 * - `backupAge`     {enabled, warningDays, criticalDays, alertOnMissing}
 * - `snapshotAge`   {enabled, warningDays, criticalDays}
 * - `storageForecast` {enabled, horizonDays, criticalDays, minConfidence}
 * - `backupCoverage` {enabled}
 */
import { conforming } from '../http/schema-check.js';
import type { AlertLevel } from '../model/state.js';
import {
  ALERT_DISABLE_FLAGS,
  type AlertConfigUpdate,
  AlertConfigUpdate as AlertConfigUpdateSchema,
  type AlertDisableFlag,
  METRIC_KEYS,
  type MetricKey,
  type ThresholdUpdate,
  TIME_TYPES,
  WEEKDAYS,
  type Weekday,
  type AlertConfig as WireAlertConfig,
} from '../schemas/alerts.js';

export { METRIC_KEYS, type MetricKey, WEEKDAYS, type Weekday };

export interface HysteresisThreshold {
  trigger: number;
  clear: number;
}

export type ThresholdConfig = {
  disabled?: boolean;
  disableConnectivity?: boolean;
  poweredOffSeverity?: AlertLevel;
} & { [K in MetricKey]?: HysteresisThreshold };

export interface DockerDefaults {
  cpu: HysteresisThreshold;
  memory: HysteresisThreshold;
  restartCount: number;
  /** seconds */
  restartWindow: number;
  memoryWarnPct: number;
  memoryCriticalPct: number;
}

export interface PmgDefaults {
  queueTotalWarning: number;
  queueTotalCritical: number;
  oldestMessageWarnMins: number;
  oldestMessageCritMins: number;
  deferredQueueWarn: number;
  deferredQueueCritical: number;
  holdQueueWarn: number;
  holdQueueCritical: number;
  quarantineSpamWarn: number;
  quarantineSpamCritical: number;
  quarantineVirusWarn: number;
  quarantineVirusCritical: number;
  quarantineGrowthWarnPct: number;
  quarantineGrowthWarnMin: number;
  quarantineGrowthCritPct: number;
  quarantineGrowthCritMin: number;
}

export interface QuietHours {
  enabled: boolean;
  /** "HH:MM" local wall time in `timezone` */
  start: string;
  end: string;
  /** IANA zone, e.g. America/New_York */
  timezone: string;
  days: Record<Weekday, boolean>;
  /** Categories whose *critical* alerts are muted too (non-critical ones always are). */
  suppress: { performance: boolean; storage: boolean; offline: boolean };
}

export interface EscalationLevel {
  /** minutes after the alert started */
  after: number;
  notify: 'email' | 'webhook' | 'all';
}

export interface AlertSchedule {
  quietHours: QuietHours;
  /** minutes between notifications of the same alert id */
  cooldown: number;
  /** seconds (deprecated twin of grouping.window) */
  groupingWindow: number;
  /** notifications per alert id per rolling hour; 0 = unlimited */
  maxAlertsHour: number;
  escalation: { enabled: boolean; levels: EscalationLevel[] };
  /** Batching of notifications: the first event opens a window of `window` s, then one batch is sent. */
  grouping: { enabled: boolean; window: number; byNode: boolean; byGuest: boolean };
}

/** The `disableAll…` switches are the API schema's list (ALERT_DISABLE_FLAGS), one boolean each. */
export interface AlertConfig extends Record<AlertDisableFlag, boolean> {
  enabled: boolean;
  guestDefaults: ThresholdConfig;
  nodeDefaults: ThresholdConfig;
  pbsDefaults: ThresholdConfig;
  storageDefault: HysteresisThreshold;
  dockerDefaults: DockerDefaults;
  dockerIgnoredContainerPrefixes: string[];
  pmgDefaults: PmgDefaults;
  overrides: Record<string, ThresholdConfig>;
  customRules: unknown[];
  schedule: AlertSchedule;
  /** percentage points: a re-fire within suppressionWindow that moved less than this is not re-sent */
  minimumDelta: number;
  /** minutes */
  suppressionWindow: number;
  /** legacy numeric thresholds: clear = trigger − margin */
  hysteresisMargin: number;
  /** seconds a breach must last before it fires (fallback of timeThresholds) */
  timeThreshold: number;
  timeThresholds: Partial<Record<(typeof TIME_TYPES)[number], number>>;
  /** {resourceType: {metric | "default" | "*": seconds}} */
  metricTimeThresholds: Record<string, Record<string, number>> | null;
  flapping: { enabled: boolean; window: number; threshold: number; cooldown: number };
  aggregation: { enabled: boolean };
  notifyOnResolve: boolean;
  backupAge: { enabled: boolean; warningDays: number; criticalDays: number; alertOnMissing: boolean };
  snapshotAge: { enabled: boolean; warningDays: number; criticalDays: number };
  /** storage-forecast: fires when a storage is forecast full within horizonDays (checks-insight.ts). */
  storageForecast: { enabled: boolean; horizonDays: number; criticalDays: number; minConfidence: number };
  /** backup-coverage: fires for guests the coverage audit flags (policy in src/backups/policy.ts). */
  backupCoverage: { enabled: boolean };
}

const t = (trigger: number, clear: number): HysteresisThreshold => ({ trigger, clear });

export function defaultAlertConfig(): AlertConfig {
  return {
    enabled: true,
    guestDefaults: {
      cpu: t(80, 75),
      memory: t(85, 80),
      disk: t(90, 85),
      diskRead: t(0, 0),
      diskWrite: t(0, 0),
      networkIn: t(0, 0),
      networkOut: t(0, 0),
      poweredOffSeverity: 'warning',
    },
    nodeDefaults: {
      cpu: t(80, 75),
      memory: t(85, 80),
      disk: t(90, 85),
      temperature: t(80, 75),
    },
    pbsDefaults: { cpu: t(80, 75), memory: t(85, 80) },
    storageDefault: t(85, 80),
    dockerDefaults: {
      cpu: t(80, 75),
      memory: t(85, 80),
      restartCount: 3,
      restartWindow: 300,
      memoryWarnPct: 90,
      memoryCriticalPct: 95,
    },
    dockerIgnoredContainerPrefixes: [],
    pmgDefaults: {
      queueTotalWarning: 500,
      queueTotalCritical: 1000,
      oldestMessageWarnMins: 30,
      oldestMessageCritMins: 60,
      deferredQueueWarn: 200,
      deferredQueueCritical: 500,
      holdQueueWarn: 100,
      holdQueueCritical: 300,
      quarantineSpamWarn: 2000,
      quarantineSpamCritical: 5000,
      quarantineVirusWarn: 2000,
      quarantineVirusCritical: 5000,
      quarantineGrowthWarnPct: 25,
      quarantineGrowthWarnMin: 250,
      quarantineGrowthCritPct: 50,
      quarantineGrowthCritMin: 500,
    },
    overrides: {},
    customRules: [],
    schedule: {
      quietHours: {
        enabled: false,
        start: '22:00',
        end: '08:00',
        timezone: 'America/New_York',
        days: {
          monday: true,
          tuesday: true,
          wednesday: true,
          thursday: true,
          friday: true,
          saturday: false,
          sunday: false,
        },
        suppress: { performance: false, storage: false, offline: false },
      },
      cooldown: 5,
      groupingWindow: 30,
      maxAlertsHour: 10,
      escalation: {
        enabled: false,
        levels: [
          { after: 15, notify: 'email' },
          { after: 30, notify: 'webhook' },
          { after: 60, notify: 'all' },
        ],
      },
      grouping: { enabled: true, window: 30, byNode: true, byGuest: false },
    },
    disableAllNodes: false,
    disableAllGuests: false,
    disableAllStorage: false,
    disableAllPBS: false,
    disableAllPMG: false,
    disableAllDockerHosts: false,
    disableAllDockerContainers: false,
    disableAllNodesOffline: false,
    disableAllGuestsOffline: false,
    disableAllPBSOffline: false,
    disableAllPMGOffline: false,
    disableAllDockerHostsOffline: false,
    minimumDelta: 2,
    suppressionWindow: 5,
    hysteresisMargin: 5,
    timeThreshold: 5,
    timeThresholds: { guest: 5, node: 5, storage: 5, pbs: 5 },
    metricTimeThresholds: null,
    flapping: { enabled: true, window: 300, threshold: 5, cooldown: 15 },
    aggregation: { enabled: true },
    notifyOnResolve: true,
    backupAge: { enabled: true, warningDays: 7, criticalDays: 14, alertOnMissing: false },
    snapshotAge: { enabled: true, warningDays: 14, criticalDays: 30 },
    storageForecast: { enabled: true, horizonDays: 14, criticalDays: 3, minConfidence: 0.5 },
    backupCoverage: { enabled: true },
  };
}

/** Bad config input; `field` is the dotted path, e.g. `guestDefaults.cpu.trigger`. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'ConfigError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value to use (null counts as absent, as the UI sends nulls for unset fields). */
const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/**
 * A count or duration (its range is the schema's): absent → fallback; 0 → the default (the
 * contract's "zero values reset").
 */
function resettable(v: number | null | undefined, fallback: number, def: number): number {
  if (!given(v)) return fallback;
  return v === 0 ? def : v;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * One trigger/clear pair from `{trigger, clear?}` or a legacy bare number (clear = trigger −
 * margin). A trigger ≤ 0 disables the signal. In defaults (`resetZero`), 0 resets to the default.
 * The order of the two is what a schema cannot check.
 */
function threshold(
  v: ThresholdUpdate | null | undefined,
  field: string,
  margin: number,
  def: HysteresisThreshold | undefined,
  resetZero: boolean,
): HysteresisThreshold | undefined {
  if (!given(v)) return def ? { ...def } : undefined;
  const trigger = typeof v === 'number' ? v : v.trigger;
  let clear = typeof v === 'number' ? trigger - margin : (v.clear ?? undefined);
  if (trigger === 0 && resetZero && def) return { ...def };
  if (trigger <= 0) return { trigger: trigger < 0 ? -1 : 0, clear: 0 };
  clear ??= Math.max(0, trigger - 5);
  if (clear >= trigger) throw new ConfigError(`${field}.clear`, 'must be below trigger');
  if (clear < 0) throw new ConfigError(`${field}.clear`, 'must not be negative');
  return { trigger, clear };
}

type ThresholdConfigUpdate = NonNullable<AlertConfigUpdate['guestDefaults']>;

function thresholdConfig(
  o: ThresholdConfigUpdate,
  field: string,
  margin: number,
  defaults: ThresholdConfig | undefined,
  resetZero: boolean,
): ThresholdConfig {
  const out: ThresholdConfig = {};
  if (given(o.disabled)) out.disabled = o.disabled;
  if (given(o.disableConnectivity)) out.disableConnectivity = o.disableConnectivity;
  const severity = o.poweredOffSeverity ?? defaults?.poweredOffSeverity;
  if (severity) out.poweredOffSeverity = severity;
  for (const key of METRIC_KEYS) {
    // The legacy numeric spelling (`cpuLegacy: 90`) is read when the pair is absent.
    const name = given(o[key]) ? key : (`${key}Legacy` as const);
    const th = threshold(o[name], `${field}.${name}`, margin, defaults?.[key], resetZero);
    if (th) out[key] = th;
  }
  return out;
}

/** Keys that would reach Object.prototype when used on a plain object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Builds a complete config from `input` on top of `base` (the current config). Top-level keys
 * present in the input replace the base value; inside them, missing fields take the defaults.
 * Types and ranges are the API schema's (AlertConfigUpdate); what is checked here is what it
 * cannot say: relations between fields, time zones, resource ids as keys. Throws ConfigError.
 */
export function normaliseAlertConfig(input: unknown, base: AlertConfig = defaultAlertConfig()): AlertConfig {
  if (!isObj(input)) throw new ConfigError('config', 'must be an object');
  const inp = conforming(AlertConfigUpdateSchema, input, (p) => new ConfigError(p.field, p.rule));
  const d = defaultAlertConfig();
  const out: AlertConfig = structuredClone(base);

  const margin = given(inp.hysteresisMargin)
    ? resettable(inp.hysteresisMargin, d.hysteresisMargin, d.hysteresisMargin)
    : base.hysteresisMargin;
  out.hysteresisMargin = margin;

  if (given(inp.enabled)) out.enabled = inp.enabled;
  for (const key of ['guestDefaults', 'nodeDefaults', 'pbsDefaults'] as const) {
    const v = inp[key];
    if (given(v)) out[key] = thresholdConfig(v, key, margin, d[key], true);
  }
  if (given(inp.storageDefault)) {
    out.storageDefault = threshold(inp.storageDefault, 'storageDefault', margin, d.storageDefault, true)!;
  }
  if (given(inp.dockerDefaults)) out.dockerDefaults = dockerDefaults(inp.dockerDefaults, margin, d.dockerDefaults);
  if (given(inp.dockerIgnoredContainerPrefixes)) {
    out.dockerIgnoredContainerPrefixes = inp.dockerIgnoredContainerPrefixes.map((p) => p.trim()).filter(Boolean);
  }
  // The published API calls it pmgThresholds, Pulse 4.24 pmgDefaults: accept both.
  for (const key of ['pmgDefaults', 'pmgThresholds'] as const) {
    const o = inp[key];
    if (!given(o)) continue;
    const pd = d.pmgDefaults;
    const next = { ...pd };
    for (const k of Object.keys(pd) as Array<keyof PmgDefaults>) next[k] = resettable(o[k], pd[k], pd[k]);
    out.pmgDefaults = next;
  }
  if (given(inp.overrides)) {
    const overrides: Record<string, ThresholdConfig> = {};
    for (const [id, v] of Object.entries(inp.overrides)) {
      if (!id || id.length > 500 || FORBIDDEN_KEYS.has(id)) {
        throw new ConfigError('overrides', 'keys must be resource ids (1–500 characters)');
      }
      if (given(v)) overrides[id] = thresholdConfig(v, `overrides.${id}`, margin, undefined, false);
    }
    out.overrides = overrides;
  }
  if (given(inp.customRules)) out.customRules = inp.customRules;
  if (given(inp.schedule)) out.schedule = schedule(inp.schedule, d.schedule);
  for (const key of ALERT_DISABLE_FLAGS) {
    const v = inp[key];
    if (given(v)) out[key] = v;
  }
  if (given(inp.minimumDelta)) out.minimumDelta = resettable(inp.minimumDelta, 0, d.minimumDelta);
  if (given(inp.suppressionWindow)) out.suppressionWindow = resettable(inp.suppressionWindow, 0, d.suppressionWindow);
  if (given(inp.timeThreshold)) out.timeThreshold = resettable(inp.timeThreshold, 0, d.timeThreshold);
  if (given(inp.timeThresholds)) {
    const o = inp.timeThresholds;
    const next: AlertConfig['timeThresholds'] = {};
    for (const k of TIME_TYPES) {
      const def = d.timeThresholds[k];
      if (given(o[k])) next[k] = resettable(o[k], 0, def ?? 0);
      else if (def !== undefined) next[k] = def;
    }
    out.timeThresholds = next;
  }
  if (inp.metricTimeThresholds === null) out.metricTimeThresholds = null;
  else if (given(inp.metricTimeThresholds)) out.metricTimeThresholds = metricTimeThresholds(inp.metricTimeThresholds);
  if (given(inp.flapping)) {
    const o = inp.flapping;
    const fd = d.flapping;
    out.flapping = {
      enabled: o.enabled ?? fd.enabled,
      window: resettable(o.window, fd.window, fd.window),
      threshold: resettable(o.threshold, fd.threshold, fd.threshold),
      cooldown: resettable(o.cooldown, fd.cooldown, fd.cooldown),
    };
    // 0 means the default, so "at least 2" is not a plain minimum.
    if (out.flapping.threshold < 2) throw new ConfigError('flapping.threshold', 'must be at least 2');
  }
  if (given(inp.aggregation)) out.aggregation = { enabled: inp.aggregation.enabled ?? true };
  if (given(inp.notifyOnResolve)) out.notifyOnResolve = inp.notifyOnResolve;
  if (given(inp.backupAge)) {
    const o = inp.backupAge;
    const bd = d.backupAge;
    out.backupAge = {
      enabled: o.enabled ?? bd.enabled,
      ...ageDays(o, bd, 'backupAge'),
      alertOnMissing: o.alertOnMissing ?? false,
    };
  }
  if (given(inp.snapshotAge)) {
    const o = inp.snapshotAge;
    out.snapshotAge = { enabled: o.enabled ?? d.snapshotAge.enabled, ...ageDays(o, d.snapshotAge, 'snapshotAge') };
  }
  if (given(inp.storageForecast)) {
    const o = inp.storageForecast;
    const fd = d.storageForecast;
    out.storageForecast = {
      enabled: o.enabled ?? fd.enabled,
      horizonDays: resettable(o.horizonDays, fd.horizonDays, fd.horizonDays),
      criticalDays: o.criticalDays ?? fd.criticalDays,
      minConfidence: o.minConfidence ?? fd.minConfidence,
    };
    if (out.storageForecast.criticalDays > out.storageForecast.horizonDays) {
      throw new ConfigError('storageForecast.criticalDays', 'must not exceed horizonDays');
    }
  }
  if (given(inp.backupCoverage)) {
    out.backupCoverage = { enabled: inp.backupCoverage.enabled ?? d.backupCoverage.enabled };
  }
  return out;
}

/** The warning and critical ages of an age check (0 = the default); critical must not come first. */
function ageDays(
  o: { warningDays?: number | null; criticalDays?: number | null },
  d: { warningDays: number; criticalDays: number },
  field: string,
): { warningDays: number; criticalDays: number } {
  const warningDays = resettable(o.warningDays, d.warningDays, d.warningDays);
  const criticalDays = resettable(o.criticalDays, d.criticalDays, d.criticalDays);
  if (criticalDays < warningDays) throw new ConfigError(`${field}.criticalDays`, 'must not be below warningDays');
  return { warningDays, criticalDays };
}

function dockerDefaults(
  o: NonNullable<AlertConfigUpdate['dockerDefaults']>,
  margin: number,
  dd: DockerDefaults,
): DockerDefaults {
  const out: DockerDefaults = {
    cpu: threshold(o.cpu, 'dockerDefaults.cpu', margin, dd.cpu, true)!,
    memory: threshold(o.memory, 'dockerDefaults.memory', margin, dd.memory, true)!,
    restartCount: resettable(o.restartCount, dd.restartCount, dd.restartCount),
    restartWindow: resettable(o.restartWindow, dd.restartWindow, dd.restartWindow),
    memoryWarnPct: resettable(o.memoryWarnPct, dd.memoryWarnPct, dd.memoryWarnPct),
    memoryCriticalPct: resettable(o.memoryCriticalPct, dd.memoryCriticalPct, dd.memoryCriticalPct),
  };
  if (out.memoryCriticalPct < out.memoryWarnPct) {
    throw new ConfigError('dockerDefaults.memoryCriticalPct', 'must not be below memoryWarnPct');
  }
  return out;
}

/** Per type and metric grace periods; a null type or metric is left out, an empty result is null. */
function metricTimeThresholds(
  o: NonNullable<AlertConfigUpdate['metricTimeThresholds']>,
): Record<string, Record<string, number>> | null {
  const next: Record<string, Record<string, number>> = {};
  for (const [type, perMetric] of Object.entries(o)) {
    if (FORBIDDEN_KEYS.has(type)) throw new ConfigError('metricTimeThresholds', `has an invalid key "${type}"`);
    if (!given(perMetric)) continue;
    next[type] = {};
    for (const [metric, secs] of Object.entries(perMetric)) {
      if (FORBIDDEN_KEYS.has(metric)) {
        throw new ConfigError(`metricTimeThresholds.${type}`, `has an invalid key "${metric}"`);
      }
      if (given(secs)) next[type][metric] = secs;
    }
  }
  return Object.keys(next).length ? next : null;
}

function schedule(o: NonNullable<AlertConfigUpdate['schedule']>, d: AlertSchedule): AlertSchedule {
  const out = structuredClone(d);
  const q = o.quietHours;
  if (given(q)) {
    const qh = out.quietHours;
    if (given(q.enabled)) qh.enabled = q.enabled;
    if (given(q.start)) qh.start = q.start;
    if (given(q.end)) qh.end = q.end;
    // An empty zone keeps the default (the UI sends "" before one is picked).
    if (given(q.timezone) && q.timezone !== '') {
      if (!isValidTimeZone(q.timezone)) {
        throw new ConfigError('schedule.quietHours.timezone', 'must be an IANA time zone such as Europe/Berlin');
      }
      qh.timezone = q.timezone;
    }
    for (const day of WEEKDAYS) {
      const on = q.days?.[day];
      if (given(on)) qh.days[day] = on;
    }
    for (const k of ['performance', 'storage', 'offline'] as const) {
      const on = q.suppress?.[k];
      if (given(on)) qh.suppress[k] = on;
    }
  }
  out.cooldown = resettable(o.cooldown, d.cooldown, d.cooldown);
  out.groupingWindow = resettable(o.groupingWindow, d.groupingWindow, d.groupingWindow);
  out.maxAlertsHour = resettable(o.maxAlertsHour, d.maxAlertsHour, d.maxAlertsHour);
  const e = o.escalation;
  if (given(e)) {
    if (given(e.enabled)) out.escalation.enabled = e.enabled;
    if (given(e.levels)) {
      out.escalation.levels = e.levels
        .map(({ after, notify }) => ({ after, notify }))
        .sort((a, b) => a.after - b.after);
    }
  }
  const g = o.grouping;
  if (given(g)) {
    const gd = out.grouping;
    if (given(g.enabled)) gd.enabled = g.enabled;
    gd.window = resettable(g.window, gd.window, d.grouping.window);
    if (given(g.byNode)) gd.byNode = g.byNode;
    if (given(g.byGuest)) gd.byGuest = g.byGuest;
  }
  return out;
}

/**
 * The config as the API returns it: the published `pmgThresholds` name next to 4.24's `pmgDefaults`.
 * Typed as the API schema says, so a field the schema requires and the config lacks fails to compile.
 */
export function configForWire(config: AlertConfig): AlertConfig & WireAlertConfig & { pmgThresholds: PmgDefaults } {
  return { ...config, pmgThresholds: config.pmgDefaults };
}
