/**
 * Alert configuration: its shape (wire-contract §5.1 plus the published API's extras), the
 * defaults, and `normaliseAlertConfig` which turns user input into a complete, valid config or
 * throws a ConfigError naming the offending field.
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
import type { AlertLevel } from '../model/state.js';
import { ALERT_DISABLE_FLAGS, type AlertDisableFlag } from '../schemas/alerts.js';

export interface HysteresisThreshold {
  trigger: number;
  clear: number;
}

export const METRIC_KEYS = [
  'cpu',
  'memory',
  'disk',
  'diskRead',
  'diskWrite',
  'networkIn',
  'networkOut',
  'usage',
  'temperature',
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

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

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

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
  timeThresholds: Partial<Record<'guest' | 'node' | 'storage' | 'pbs' | 'pmg' | 'docker' | 'all', number>>;
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

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown, field: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(field, 'must be a number');
  if (opts.integer && !Number.isInteger(v)) throw new ConfigError(field, 'must be an integer');
  if (opts.min !== undefined && v < opts.min) throw new ConfigError(field, `must be at least ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw new ConfigError(field, `must be at most ${opts.max}`);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(field, 'must be true or false');
  return v;
}

function obj(v: unknown, field: string): Obj {
  if (!isObj(v)) throw new ConfigError(field, 'must be an object');
  return v;
}

/** A present value (null counts as absent, as the UI sends nulls for unset fields). */
const present = (v: unknown) => v !== undefined && v !== null;

/**
 * Reads a count/duration field: absent → fallback; 0 → default (the contract's "zero values
 * reset"); negative → error.
 */
function resettable(v: unknown, field: string, fallback: number, def: number, integer = false): number {
  if (!present(v)) return fallback;
  const n = num(v, field, { min: 0, integer });
  return n === 0 ? def : n;
}

function hhmm(v: unknown, field: string): string {
  if (typeof v !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) {
    throw new ConfigError(field, 'must be a time "HH:MM" (00:00–23:59)');
  }
  return v;
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
 * One trigger/clear pair. Accepts `{trigger, clear?}` or a legacy bare number (clear = trigger −
 * margin). A trigger ≤ 0 disables the signal. In defaults (`resetZero`), 0 resets to the default.
 */
function threshold(
  v: unknown,
  field: string,
  margin: number,
  def: HysteresisThreshold | undefined,
  resetZero: boolean,
): HysteresisThreshold | undefined {
  if (!present(v)) return def ? { ...def } : undefined;
  let trigger: number;
  let clear: number | undefined;
  if (typeof v === 'number') {
    trigger = num(v, field);
    clear = trigger - margin;
  } else {
    const o = obj(v, field);
    trigger = num(o.trigger, `${field}.trigger`);
    if (present(o.clear)) clear = num(o.clear, `${field}.clear`);
  }
  if (trigger === 0 && resetZero && def) return { ...def };
  if (trigger <= 0) return { trigger: trigger < 0 ? -1 : 0, clear: 0 };
  clear ??= Math.max(0, trigger - 5);
  if (clear >= trigger) throw new ConfigError(`${field}.clear`, 'must be below trigger');
  if (clear < 0) throw new ConfigError(`${field}.clear`, 'must not be negative');
  return { trigger, clear };
}

const LEGACY_SUFFIX = 'Legacy';

function thresholdConfig(
  v: unknown,
  field: string,
  margin: number,
  defaults: ThresholdConfig | undefined,
  resetZero: boolean,
): ThresholdConfig {
  const o = obj(v, field);
  const out: ThresholdConfig = {};
  if (present(o.disabled)) out.disabled = bool(o.disabled, `${field}.disabled`);
  if (present(o.disableConnectivity))
    out.disableConnectivity = bool(o.disableConnectivity, `${field}.disableConnectivity`);
  if (present(o.poweredOffSeverity)) {
    if (o.poweredOffSeverity !== 'warning' && o.poweredOffSeverity !== 'critical') {
      throw new ConfigError(`${field}.poweredOffSeverity`, 'must be "warning" or "critical"');
    }
    out.poweredOffSeverity = o.poweredOffSeverity;
  } else if (defaults?.poweredOffSeverity) {
    out.poweredOffSeverity = defaults.poweredOffSeverity;
  }
  for (const key of METRIC_KEYS) {
    // The legacy numeric spelling (`cpuLegacy: 90`) is read when the pair is absent.
    const raw = present(o[key]) ? o[key] : o[`${key}${LEGACY_SUFFIX}`];
    const fieldName = present(o[key]) ? `${field}.${key}` : `${field}.${key}${LEGACY_SUFFIX}`;
    const th = threshold(raw, fieldName, margin, defaults?.[key], resetZero);
    if (th) out[key] = th;
  }
  return out;
}

/** Keys that would reach Object.prototype when used on a plain object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const TIME_TYPES = ['guest', 'node', 'storage', 'pbs', 'pmg', 'docker', 'all'] as const;

/**
 * Builds a complete config from `input` on top of `base` (the current config). Top-level keys
 * present in the input replace the base value; inside them, missing fields take the defaults.
 * Throws ConfigError on bad input.
 */
export function normaliseAlertConfig(input: unknown, base: AlertConfig = defaultAlertConfig()): AlertConfig {
  const d = defaultAlertConfig();
  const inp = obj(input, 'config');
  const out: AlertConfig = structuredClone(base);

  const margin = present(inp.hysteresisMargin)
    ? resettable(inp.hysteresisMargin, 'hysteresisMargin', d.hysteresisMargin, d.hysteresisMargin)
    : base.hysteresisMargin;
  out.hysteresisMargin = margin;

  if (present(inp.enabled)) out.enabled = bool(inp.enabled, 'enabled');
  if (present(inp.guestDefaults))
    out.guestDefaults = thresholdConfig(inp.guestDefaults, 'guestDefaults', margin, d.guestDefaults, true);
  if (present(inp.nodeDefaults))
    out.nodeDefaults = thresholdConfig(inp.nodeDefaults, 'nodeDefaults', margin, d.nodeDefaults, true);
  if (present(inp.pbsDefaults))
    out.pbsDefaults = thresholdConfig(inp.pbsDefaults, 'pbsDefaults', margin, d.pbsDefaults, true);
  if (present(inp.storageDefault)) {
    out.storageDefault = threshold(inp.storageDefault, 'storageDefault', margin, d.storageDefault, true)!;
  }
  if (present(inp.dockerDefaults)) {
    const o = obj(inp.dockerDefaults, 'dockerDefaults');
    const dd = d.dockerDefaults;
    out.dockerDefaults = {
      cpu: threshold(o.cpu, 'dockerDefaults.cpu', margin, dd.cpu, true)!,
      memory: threshold(o.memory, 'dockerDefaults.memory', margin, dd.memory, true)!,
      restartCount: resettable(o.restartCount, 'dockerDefaults.restartCount', dd.restartCount, dd.restartCount, true),
      restartWindow: resettable(o.restartWindow, 'dockerDefaults.restartWindow', dd.restartWindow, dd.restartWindow),
      memoryWarnPct: resettable(o.memoryWarnPct, 'dockerDefaults.memoryWarnPct', dd.memoryWarnPct, dd.memoryWarnPct),
      memoryCriticalPct: resettable(
        o.memoryCriticalPct,
        'dockerDefaults.memoryCriticalPct',
        dd.memoryCriticalPct,
        dd.memoryCriticalPct,
      ),
    };
    if (out.dockerDefaults.memoryWarnPct > 100)
      throw new ConfigError('dockerDefaults.memoryWarnPct', 'must be at most 100');
    if (out.dockerDefaults.memoryCriticalPct < out.dockerDefaults.memoryWarnPct) {
      throw new ConfigError('dockerDefaults.memoryCriticalPct', 'must not be below memoryWarnPct');
    }
  }
  if (present(inp.dockerIgnoredContainerPrefixes)) {
    const arr = inp.dockerIgnoredContainerPrefixes;
    if (!Array.isArray(arr) || arr.some((p) => typeof p !== 'string')) {
      throw new ConfigError('dockerIgnoredContainerPrefixes', 'must be a list of strings');
    }
    out.dockerIgnoredContainerPrefixes = arr.map((p: string) => p.trim()).filter(Boolean);
  }
  // The published API calls it pmgThresholds, Pulse 4.24 pmgDefaults: accept both.
  for (const key of ['pmgDefaults', 'pmgThresholds'] as const) {
    if (!present(inp[key])) continue;
    const o = obj(inp[key], key);
    const pd = d.pmgDefaults;
    const next = { ...pd };
    for (const k of Object.keys(pd) as Array<keyof PmgDefaults>) {
      next[k] = resettable(o[k], `${key}.${k}`, pd[k], pd[k]);
    }
    out.pmgDefaults = next;
  }
  if (present(inp.overrides)) {
    const o = obj(inp.overrides, 'overrides');
    const overrides: Record<string, ThresholdConfig> = {};
    for (const [id, v] of Object.entries(o)) {
      if (!id || id.length > 500 || FORBIDDEN_KEYS.has(id)) {
        throw new ConfigError('overrides', 'keys must be resource ids (1–500 characters)');
      }
      if (!present(v)) continue;
      overrides[id] = thresholdConfig(v, `overrides.${id}`, margin, undefined, false);
    }
    out.overrides = overrides;
  }
  if (present(inp.customRules)) {
    if (!Array.isArray(inp.customRules)) throw new ConfigError('customRules', 'must be a list');
    out.customRules = inp.customRules;
  }
  if (present(inp.schedule)) out.schedule = schedule(inp.schedule, d.schedule);
  for (const key of ALERT_DISABLE_FLAGS) {
    if (present(inp[key])) out[key] = bool(inp[key], key);
  }
  if (present(inp.minimumDelta)) out.minimumDelta = resettable(inp.minimumDelta, 'minimumDelta', 0, d.minimumDelta);
  if (present(inp.suppressionWindow)) {
    out.suppressionWindow = resettable(inp.suppressionWindow, 'suppressionWindow', 0, d.suppressionWindow);
  }
  if (present(inp.timeThreshold))
    out.timeThreshold = resettable(inp.timeThreshold, 'timeThreshold', 0, d.timeThreshold);
  if (present(inp.timeThresholds)) {
    const o = obj(inp.timeThresholds, 'timeThresholds');
    const next: AlertConfig['timeThresholds'] = {};
    for (const k of TIME_TYPES) {
      const def = d.timeThresholds[k];
      if (present(o[k])) next[k] = resettable(o[k], `timeThresholds.${k}`, 0, def ?? 0);
      else if (def !== undefined) next[k] = def;
    }
    out.timeThresholds = next;
  }
  if (inp.metricTimeThresholds === null) out.metricTimeThresholds = null;
  else if (present(inp.metricTimeThresholds)) {
    const o = obj(inp.metricTimeThresholds, 'metricTimeThresholds');
    const next: Record<string, Record<string, number>> = {};
    for (const [type, perMetric] of Object.entries(o)) {
      if (FORBIDDEN_KEYS.has(type)) throw new ConfigError('metricTimeThresholds', `has an invalid key "${type}"`);
      const m = obj(perMetric, `metricTimeThresholds.${type}`);
      next[type] = {};
      for (const [metric, secs] of Object.entries(m)) {
        if (FORBIDDEN_KEYS.has(metric))
          throw new ConfigError(`metricTimeThresholds.${type}`, `has an invalid key "${metric}"`);
        next[type][metric] = num(secs, `metricTimeThresholds.${type}.${metric}`, { min: 0 });
      }
    }
    out.metricTimeThresholds = Object.keys(next).length ? next : null;
  }
  if (present(inp.flapping)) {
    const o = obj(inp.flapping, 'flapping');
    const fd = d.flapping;
    out.flapping = {
      enabled: present(o.enabled) ? bool(o.enabled, 'flapping.enabled') : fd.enabled,
      window: resettable(o.window, 'flapping.window', fd.window, fd.window),
      threshold: resettable(o.threshold, 'flapping.threshold', fd.threshold, fd.threshold, true),
      cooldown: resettable(o.cooldown, 'flapping.cooldown', fd.cooldown, fd.cooldown),
    };
    if (out.flapping.threshold < 2) throw new ConfigError('flapping.threshold', 'must be at least 2');
  }
  if (present(inp.aggregation)) {
    const o = obj(inp.aggregation, 'aggregation');
    out.aggregation = { enabled: present(o.enabled) ? bool(o.enabled, 'aggregation.enabled') : true };
  }
  if (present(inp.notifyOnResolve)) out.notifyOnResolve = bool(inp.notifyOnResolve, 'notifyOnResolve');
  if (present(inp.backupAge)) {
    const o = obj(inp.backupAge, 'backupAge');
    const bd = d.backupAge;
    out.backupAge = {
      enabled: present(o.enabled) ? bool(o.enabled, 'backupAge.enabled') : bd.enabled,
      warningDays: resettable(o.warningDays, 'backupAge.warningDays', bd.warningDays, bd.warningDays),
      criticalDays: resettable(o.criticalDays, 'backupAge.criticalDays', bd.criticalDays, bd.criticalDays),
      alertOnMissing: present(o.alertOnMissing) ? bool(o.alertOnMissing, 'backupAge.alertOnMissing') : false,
    };
    if (out.backupAge.criticalDays < out.backupAge.warningDays) {
      throw new ConfigError('backupAge.criticalDays', 'must not be below warningDays');
    }
  }
  if (present(inp.snapshotAge)) {
    const o = obj(inp.snapshotAge, 'snapshotAge');
    const sd = d.snapshotAge;
    out.snapshotAge = {
      enabled: present(o.enabled) ? bool(o.enabled, 'snapshotAge.enabled') : sd.enabled,
      warningDays: resettable(o.warningDays, 'snapshotAge.warningDays', sd.warningDays, sd.warningDays),
      criticalDays: resettable(o.criticalDays, 'snapshotAge.criticalDays', sd.criticalDays, sd.criticalDays),
    };
    if (out.snapshotAge.criticalDays < out.snapshotAge.warningDays) {
      throw new ConfigError('snapshotAge.criticalDays', 'must not be below warningDays');
    }
  }
  if (present(inp.storageForecast)) {
    const o = obj(inp.storageForecast, 'storageForecast');
    const fd = d.storageForecast;
    out.storageForecast = {
      enabled: present(o.enabled) ? bool(o.enabled, 'storageForecast.enabled') : fd.enabled,
      horizonDays: resettable(o.horizonDays, 'storageForecast.horizonDays', fd.horizonDays, fd.horizonDays),
      criticalDays: present(o.criticalDays)
        ? num(o.criticalDays, 'storageForecast.criticalDays', { min: 0 })
        : fd.criticalDays,
      minConfidence: present(o.minConfidence)
        ? num(o.minConfidence, 'storageForecast.minConfidence', { min: 0, max: 1 })
        : fd.minConfidence,
    };
    if (out.storageForecast.criticalDays > out.storageForecast.horizonDays) {
      throw new ConfigError('storageForecast.criticalDays', 'must not exceed horizonDays');
    }
  }
  if (present(inp.backupCoverage)) {
    const o = obj(inp.backupCoverage, 'backupCoverage');
    out.backupCoverage = {
      enabled: present(o.enabled) ? bool(o.enabled, 'backupCoverage.enabled') : d.backupCoverage.enabled,
    };
  }
  return out;
}

function schedule(v: unknown, d: AlertSchedule): AlertSchedule {
  const o = obj(v, 'schedule');
  const out = structuredClone(d);
  if (present(o.quietHours)) {
    const q = obj(o.quietHours, 'schedule.quietHours');
    const qh = out.quietHours;
    if (present(q.enabled)) qh.enabled = bool(q.enabled, 'schedule.quietHours.enabled');
    if (present(q.start)) qh.start = hhmm(q.start, 'schedule.quietHours.start');
    if (present(q.end)) qh.end = hhmm(q.end, 'schedule.quietHours.end');
    if (present(q.timezone) && q.timezone !== '') {
      if (typeof q.timezone !== 'string' || !isValidTimeZone(q.timezone)) {
        throw new ConfigError('schedule.quietHours.timezone', 'must be an IANA time zone such as Europe/Berlin');
      }
      qh.timezone = q.timezone;
    }
    if (present(q.days)) {
      const days = obj(q.days, 'schedule.quietHours.days');
      for (const day of WEEKDAYS) {
        if (present(days[day])) qh.days[day] = bool(days[day], `schedule.quietHours.days.${day}`);
      }
    }
    if (present(q.suppress)) {
      const s = obj(q.suppress, 'schedule.quietHours.suppress');
      for (const k of ['performance', 'storage', 'offline'] as const) {
        if (present(s[k])) qh.suppress[k] = bool(s[k], `schedule.quietHours.suppress.${k}`);
      }
    }
  }
  out.cooldown = resettable(o.cooldown, 'schedule.cooldown', d.cooldown, d.cooldown);
  out.groupingWindow = resettable(o.groupingWindow, 'schedule.groupingWindow', d.groupingWindow, d.groupingWindow);
  out.maxAlertsHour = resettable(o.maxAlertsHour, 'schedule.maxAlertsHour', d.maxAlertsHour, d.maxAlertsHour, true);
  if (present(o.escalation)) {
    const e = obj(o.escalation, 'schedule.escalation');
    if (present(e.enabled)) out.escalation.enabled = bool(e.enabled, 'schedule.escalation.enabled');
    if (present(e.levels)) {
      if (!Array.isArray(e.levels)) throw new ConfigError('schedule.escalation.levels', 'must be a list');
      out.escalation.levels = e.levels.map((lv, i) => {
        const f = `schedule.escalation.levels.${i}`;
        const l = obj(lv, f);
        const after = num(l.after, `${f}.after`, { min: 1 });
        if (l.notify !== 'email' && l.notify !== 'webhook' && l.notify !== 'all') {
          throw new ConfigError(`${f}.notify`, 'must be "email", "webhook" or "all"');
        }
        return { after, notify: l.notify };
      });
      out.escalation.levels.sort((a, b) => a.after - b.after);
    }
  }
  if (present(o.grouping)) {
    const g = obj(o.grouping, 'schedule.grouping');
    const gd = out.grouping;
    if (present(g.enabled)) gd.enabled = bool(g.enabled, 'schedule.grouping.enabled');
    gd.window = resettable(g.window, 'schedule.grouping.window', gd.window, d.grouping.window);
    if (present(g.byNode)) gd.byNode = bool(g.byNode, 'schedule.grouping.byNode');
    if (present(g.byGuest)) gd.byGuest = bool(g.byGuest, 'schedule.grouping.byGuest');
  }
  return out;
}

/** The config as the API returns it: the published `pmgThresholds` name next to 4.24's `pmgDefaults`. */
export function configForWire(config: AlertConfig): AlertConfig & { pmgThresholds: PmgDefaults } {
  return { ...config, pmgThresholds: config.pmgDefaults };
}
