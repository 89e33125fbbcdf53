/** /api/alerts: the alert configuration, active alerts, history and acknowledgements (wire-contract §5). */
import { type Static, type TNumber, type TOptional, Type } from 'typebox';
import { Maybe, Open, OptionalBody } from './common.js';

const HHMM = '^([01]\\d|2[0-3]):[0-5]\\d$';

/** The metrics a ThresholdConfig can hold a `{trigger, clear}` pair for; the alert checks read the same list. */
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

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `{trigger, clear}`: fires at ≥ trigger, resolves at ≤ clear; trigger ≤ 0 switches the metric off. */
export const Threshold = Type.Object({ trigger: Type.Number(), clear: Type.Number() });
export type Threshold = Static<typeof Threshold>;

/**
 * How a PUT may write a threshold: the pair with `clear` left out (trigger − 5), or the legacy bare
 * number (clear = number − hysteresisMargin).
 */
const ThresholdInput = Type.Union([
  Type.Object({ trigger: Type.Number(), clear: Maybe(Type.Number()) }, { additionalProperties: true }),
  Type.Number({ description: 'Legacy: the trigger, with clear = trigger − hysteresisMargin' }),
]);

/** A count or duration where 0 stands for the default (the contract's "zero values reset"). */
const resettable = (description: string, maximum?: number) => ({
  minimum: 0,
  ...(maximum === undefined ? {} : { maximum }),
  description: `${description}; 0 resets to the default`,
});
const Resettable = (description: string, maximum?: number) => Type.Number(resettable(description, maximum));
const ResettableCount = (description: string) => Type.Integer(resettable(description));

const metricPairs = Object.fromEntries(METRIC_KEYS.map((k) => [k, Type.Optional(Threshold)])) as Record<
  MetricKey,
  TOptional<typeof Threshold>
>;
const legacyNumbers = Object.fromEntries(
  METRIC_KEYS.map((k) => [
    `${k}Legacy`,
    Type.Optional(Type.Number({ description: `Legacy spelling of ${k}: read when ${k} is absent; never answered` })),
  ]),
) as Record<`${MetricKey}Legacy`, TOptional<TNumber>>;

const ThresholdConfigObject = Open(
  {
    disabled: Type.Optional(Type.Boolean()),
    disableConnectivity: Type.Optional(Type.Boolean()),
    poweredOffSeverity: Type.Optional(Type.Enum(['warning', 'critical'])),
    ...metricPairs,
    ...legacyNumbers,
  },
  'Per-metric thresholds and switches of one kind of resource (or one resource, in overrides)',
);
/** Typed to be read with any key too (the web UI walks the metrics by name). */
export type ThresholdConfig = Static<typeof ThresholdConfigObject> & {
  [key: string]: Threshold | boolean | string | number | null | undefined;
};
export const ThresholdConfig = Type.Unsafe<ThresholdConfig>(ThresholdConfigObject);

const QuietHours = Open({
  enabled: Type.Boolean(),
  start: Type.String({ pattern: HHMM, description: 'HH:MM in `timezone`' }),
  end: Type.String({ pattern: HHMM, description: 'HH:MM in `timezone`' }),
  timezone: Type.String({ description: 'IANA zone, e.g. America/New_York (an empty string in a PUT keeps it)' }),
  days: Open(
    Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Boolean()])) as Record<Weekday, ReturnType<typeof Type.Boolean>>,
  ),
  suppress: Open(
    { performance: Type.Boolean(), storage: Type.Boolean(), offline: Type.Boolean() },
    'Categories whose critical alerts are muted too (non-critical ones always are)',
  ),
});

const AlertSchedule = Open({
  quietHours: QuietHours,
  cooldown: Resettable('Minutes between notifications of the same alert'),
  groupingWindow: Resettable('Seconds (deprecated twin of grouping.window)'),
  maxAlertsHour: ResettableCount('Notifications per alert per hour'),
  escalation: Open({
    enabled: Type.Boolean(),
    levels: Type.Array(
      Open({
        after: Type.Number({ minimum: 1, description: 'Minutes after the alert started' }),
        notify: Type.Enum(['email', 'webhook', 'all']),
      }),
    ),
  }),
  grouping: Open({
    enabled: Type.Boolean(),
    window: Resettable('Seconds'),
    byNode: Type.Boolean(),
    byGuest: Type.Boolean(),
  }),
});

const DockerDefaults = Open({
  cpu: Threshold,
  memory: Threshold,
  restartCount: ResettableCount('Restarts within restartWindow that make a restart loop'),
  restartWindow: Resettable('Seconds'),
  memoryWarnPct: Resettable('Percent of the memory limit', 100),
  memoryCriticalPct: Resettable('Percent of the memory limit, not below memoryWarnPct'),
});

const PMG_LIMITS = [
  'queueTotalWarning',
  'queueTotalCritical',
  'oldestMessageWarnMins',
  'oldestMessageCritMins',
  'deferredQueueWarn',
  'deferredQueueCritical',
  'holdQueueWarn',
  'holdQueueCritical',
  'quarantineSpamWarn',
  'quarantineSpamCritical',
  'quarantineVirusWarn',
  'quarantineVirusCritical',
  'quarantineGrowthWarnPct',
  'quarantineGrowthWarnMin',
  'quarantineGrowthCritPct',
  'quarantineGrowthCritMin',
] as const;
/** Mail gateway limits: queue sizes, message age (min), quarantine sizes and growth (wire-contract §5.1). */
const PmgDefaults = Open(
  Object.fromEntries(PMG_LIMITS.map((k) => [k, Resettable(k)])) as Record<(typeof PMG_LIMITS)[number], TNumber>,
);

/**
 * Switches that turn off every alert of a kind of resource (the `…Offline` ones: only its
 * connectivity alerts). The alert configuration's validation reads the same list.
 */
export const ALERT_DISABLE_FLAGS = [
  'disableAllNodes',
  'disableAllGuests',
  'disableAllStorage',
  'disableAllPBS',
  'disableAllPMG',
  'disableAllDockerHosts',
  'disableAllDockerContainers',
  'disableAllNodesOffline',
  'disableAllGuestsOffline',
  'disableAllPBSOffline',
  'disableAllPMGOffline',
  'disableAllDockerHostsOffline',
] as const;
export type AlertDisableFlag = (typeof ALERT_DISABLE_FLAGS)[number];
const flags = Object.fromEntries(ALERT_DISABLE_FLAGS.map((f) => [f, Type.Boolean()])) as Record<
  AlertDisableFlag,
  ReturnType<typeof Type.Boolean>
>;

/** The kinds of resource `timeThresholds` sets a grace period for (`all`: any kind without its own). */
export const TIME_TYPES = ['guest', 'node', 'storage', 'pbs', 'pmg', 'docker', 'all'] as const;

const Seconds = Type.Number({ minimum: 0, description: 'Seconds' });
const Days = (description: string) => Resettable(`Days ${description}`);

/**
 * The whole alert configuration as GET /api/alerts/config answers it: wire-contract §5.1 plus
 * Pulse's extras (docs/CONFIGURATION.md). Ranges are declared here once and hold for what a PUT
 * may send as well (AlertConfigUpdate is derived from this).
 */
export const AlertConfig = Open({
  enabled: Type.Boolean(),
  guestDefaults: ThresholdConfig,
  nodeDefaults: ThresholdConfig,
  pbsDefaults: ThresholdConfig,
  storageDefault: Threshold,
  dockerDefaults: DockerDefaults,
  dockerIgnoredContainerPrefixes: Type.Array(Type.String(), { description: 'Container names to skip' }),
  pmgDefaults: PmgDefaults,
  pmgThresholds: PmgDefaults,
  overrides: Type.Record(Type.String(), ThresholdConfig, { description: 'Keyed by resource id' }),
  customRules: Type.Array(Type.Unknown()),
  schedule: AlertSchedule,
  ...flags,
  minimumDelta: Resettable('Percentage points a re-fire within suppressionWindow must move to be sent again'),
  suppressionWindow: Resettable('Minutes'),
  hysteresisMargin: Resettable('Clear = trigger − margin for legacy numeric thresholds'),
  timeThreshold: Resettable('Seconds a breach must last before it fires (fallback of timeThresholds)'),
  timeThresholds: Open(
    Object.fromEntries(TIME_TYPES.map((k) => [k, Type.Optional(Resettable('Seconds'))])) as Record<
      (typeof TIME_TYPES)[number],
      TOptional<TNumber>
    >,
  ),
  metricTimeThresholds: Type.Union([Type.Record(Type.String(), Type.Record(Type.String(), Seconds)), Type.Null()], {
    description: '{resourceType: {metric | "default" | "*": seconds}}; null when empty',
  }),
  flapping: Open(
    {
      enabled: Type.Boolean(),
      window: Resettable('Seconds in which state changes are counted'),
      threshold: ResettableCount('State changes within window that make an alert flap (at least 2)'),
      cooldown: Resettable('Minutes a flapping alert stays muted'),
    },
    'Mutes alerts that fire and resolve over and over',
  ),
  aggregation: Open({ enabled: Type.Boolean() }, 'Folds guest and storage alerts under their offline node'),
  notifyOnResolve: Type.Boolean(),
  backupAge: Open({
    enabled: Type.Boolean(),
    warningDays: Days('since the last backup for a warning'),
    criticalDays: Days('since the last backup for a critical alert, not below warningDays'),
    alertOnMissing: Type.Boolean(),
  }),
  snapshotAge: Open({
    enabled: Type.Boolean(),
    warningDays: Days('a snapshot may age before a warning'),
    criticalDays: Days('a snapshot may age before a critical alert, not below warningDays'),
  }),
  storageForecast: Open(
    {
      enabled: Type.Boolean(),
      horizonDays: Days('ahead a storage forecast full raises a warning'),
      criticalDays: Type.Number({ minimum: 0, description: 'Days ahead that make it critical, at most horizonDays' }),
      minConfidence: Type.Number({ minimum: 0, maximum: 1 }),
    },
    'Fires when a storage is forecast full within horizonDays',
  ),
  backupCoverage: Open({ enabled: Type.Boolean() }, 'Fires for guests the backup coverage audit flags'),
});
export type AlertConfig = Static<typeof AlertConfig>;

type Json = { [key: string]: unknown };

/** `schema` that also takes null, written as a type list where it can be (see Maybe in common.ts). */
function withNull(s: Json): Json {
  if (typeof s.type === 'string') return { ...s, type: [s.type, 'null'] };
  if (Array.isArray(s.enum)) return { ...s, enum: [...s.enum, null] };
  if (Array.isArray(s.anyOf)) {
    return s.anyOf.some((b) => (b as Json).type === 'null') ? s : { ...s, anyOf: [...s.anyOf, { type: 'null' }] };
  }
  return Object.keys(s).length ? { anyOf: [s, { type: 'null' }] } : s;
}

/**
 * The PUT shape of a configuration schema: in every object each field may be left out or be null
 * (both keep the current value or take the default), thresholds may use their short forms, and
 * the items of a list stay as they are (a list is replaced whole).
 */
function asUpdate(s: Json): Json {
  if ((s.properties as unknown) === Threshold.properties) return ThresholdInput as unknown as Json;
  if (s.type === 'object') {
    const out: Json = { ...s };
    delete out.required;
    for (const key of ['properties', 'patternProperties'] as const) {
      const props = s[key] as Record<string, Json> | undefined;
      if (props) out[key] = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, withNull(asUpdate(p))]));
    }
    return out;
  }
  if (Array.isArray(s.anyOf)) return { ...s, anyOf: s.anyOf.map((b) => asUpdate(b as Json)) };
  return s;
}

/** A threshold as a PUT may write it. */
export type ThresholdUpdate = { trigger: number; clear?: number | null } | number;
/** `T` with every object field optional or null, thresholds in their short forms, lists whole. */
export type Update<T> = T extends Threshold
  ? ThresholdUpdate
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]?: Update<T[K]> | null }
      : T;

/**
 * PUT /api/alerts/config takes any part of the configuration in AlertConfig's shape: missing or
 * null fields keep their value, a field given replaces it (its own missing parts take the
 * defaults). Relations between fields and time zones are checked by the server.
 */
export const AlertConfigUpdate = Type.Unsafe<Update<AlertConfig>>({
  ...asUpdate(AlertConfig as unknown as Json),
  description: 'Any part of the alert configuration (see AlertConfig); null keeps a value',
});
export type AlertConfigUpdate = Update<AlertConfig>;

/** An alert with its metadata, as /api/alerts/active and history answer (wire-contract §5.3). */
export const FullAlert = Open({
  id: Type.String(),
  type: Type.String(),
  level: Type.Enum(['warning', 'critical']),
  resourceId: Type.String(),
  resourceName: Type.String(),
  node: Type.String(),
  instance: Type.String(),
  message: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()]),
  threshold: Type.Union([Type.Number(), Type.Null()]),
  startTime: Type.String({ description: 'RFC3339' }),
  acknowledged: Type.Boolean(),
  ackTime: Type.Optional(Type.String()),
  ackUser: Type.Optional(Type.String()),
  lastSeen: Type.String({ description: 'RFC3339' }),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const ActiveAlerts = Type.Array(FullAlert);

export const AlertHistoryEntry = Type.Intersect([
  FullAlert,
  Open({
    resolvedTime: Type.Optional(Type.String({ description: 'RFC3339' })),
    status: Type.Enum(['active', 'acknowledged', 'resolved']),
    durationSeconds: Type.Number(),
  }),
]);
export const AlertHistory = Type.Array(AlertHistoryEntry);

/** Times are RFC3339; `limit` 0 returns everything. Checked further by the server (time order, formats). */
export const AlertHistoryQuery = Open({
  limit: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10_000 }), Type.Literal('')])),
  offset: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('')])),
  startTime: Type.Optional(Type.String({ maxLength: 64 })),
  endTime: Type.Optional(Type.String({ maxLength: 64 })),
  severity: Type.Optional(Type.Enum(['warning', 'critical', 'all', ''])),
  resourceId: Type.Optional(Type.String({ maxLength: 500 })),
});

export const BulkAlertBody = Open({
  alertIds: Type.Array(Type.Unknown(), {
    minItems: 1,
    maxItems: 1000,
    description: 'Alert ids; an invalid one fails alone in the results',
  }),
  user: Type.Optional(Type.String({ maxLength: 200 })),
});

export const BulkAlertReply = Type.Object({
  results: Type.Array(
    Type.Object({ alertId: Type.String(), success: Type.Boolean(), error: Type.Optional(Type.String()) }),
  ),
});
export type BulkAlertReply = Static<typeof BulkAlertReply>;

/** `<id>/acknowledge|unacknowledge|clear`; the id is URL-decoded and may contain `/`. */
export const AlertActionParams = Type.Object({
  '*': Type.String({ description: '<alert id>/acknowledge, <alert id>/unacknowledge or <alert id>/clear' }),
});
export const AlertActionBody = OptionalBody(Open({ user: Type.Optional(Type.String({ maxLength: 200 })) }));
export const AlertActionReply = Type.Object({ success: Type.Literal(true) });
