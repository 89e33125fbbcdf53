/** /api/alerts: the alert configuration, active alerts, history and acknowledgements (wire-contract §5). */
import { type Static, Type } from 'typebox';
import { Open, OptionalBody } from './common.js';

/** `{trigger, clear}`: fires at ≥ trigger, resolves at ≤ clear; trigger ≤ 0 switches the metric off. */
export const Threshold = Type.Object({ trigger: Type.Number(), clear: Type.Number() });
export type Threshold = Static<typeof Threshold>;

/**
 * Per-metric thresholds (`cpu`, `memory`, `disk`, … as `{trigger, clear}`), switches (`disabled`,
 * `disableConnectivity`), `poweredOffSeverity`, and the legacy numeric `<metric>Legacy` values.
 */
export const ThresholdConfig = Type.Record(
  Type.String(),
  Type.Union([Threshold, Type.Boolean(), Type.String(), Type.Number(), Type.Null()]),
);
export type ThresholdConfig = Static<typeof ThresholdConfig>;

const QuietHours = Open({
  enabled: Type.Boolean(),
  start: Type.String({ description: 'HH:MM in `timezone`' }),
  end: Type.String({ description: 'HH:MM in `timezone`' }),
  timezone: Type.String({ description: 'IANA zone, e.g. America/New_York' }),
  days: Type.Record(Type.String(), Type.Boolean()),
  suppress: Open({ performance: Type.Boolean(), storage: Type.Boolean(), offline: Type.Boolean() }),
});

const AlertSchedule = Open({
  quietHours: QuietHours,
  cooldown: Type.Number({ description: 'Minutes between notifications of the same alert' }),
  groupingWindow: Type.Number({ description: 'Seconds (deprecated twin of grouping.window)' }),
  maxAlertsHour: Type.Number({ description: 'Notifications per alert per hour; 0 = unlimited' }),
  escalation: Open({
    enabled: Type.Boolean(),
    levels: Type.Array(
      Open({ after: Type.Number({ description: 'Minutes' }), notify: Type.Enum(['email', 'webhook', 'all']) }),
    ),
  }),
  grouping: Open({
    enabled: Type.Boolean(),
    window: Type.Number({ description: 'Seconds' }),
    byNode: Type.Boolean(),
    byGuest: Type.Boolean(),
  }),
});

const DockerDefaults = Open({
  cpu: Threshold,
  memory: Threshold,
  restartCount: Type.Number(),
  restartWindow: Type.Number({ description: 'Seconds' }),
  memoryWarnPct: Type.Number(),
  memoryCriticalPct: Type.Number(),
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
  Object.fromEntries(PMG_LIMITS.map((k) => [k, Type.Number()])) as Record<
    (typeof PMG_LIMITS)[number],
    ReturnType<typeof Type.Number>
  >,
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

/** The whole alert configuration as GET /api/alerts/config answers it (wire-contract §5.1 plus Pulse's extras). */
export const AlertConfig = Open({
  enabled: Type.Boolean(),
  guestDefaults: ThresholdConfig,
  nodeDefaults: ThresholdConfig,
  pbsDefaults: ThresholdConfig,
  storageDefault: Threshold,
  dockerDefaults: DockerDefaults,
  dockerIgnoredContainerPrefixes: Type.Array(Type.String()),
  pmgDefaults: PmgDefaults,
  pmgThresholds: PmgDefaults,
  overrides: Type.Record(Type.String(), ThresholdConfig, { description: 'Keyed by resource id' }),
  customRules: Type.Array(Type.Unknown()),
  schedule: AlertSchedule,
  ...flags,
  minimumDelta: Type.Number({ description: 'Percentage points' }),
  suppressionWindow: Type.Number({ description: 'Minutes' }),
  hysteresisMargin: Type.Number(),
  timeThreshold: Type.Number({ description: 'Seconds a breach must last before it fires' }),
  timeThresholds: Type.Record(Type.String(), Type.Number()),
  metricTimeThresholds: Type.Union([
    Type.Record(Type.String(), Type.Record(Type.String(), Type.Number())),
    Type.Null(),
  ]),
});
export type AlertConfig = Static<typeof AlertConfig>;

/**
 * PUT /api/alerts/config takes any part of the configuration: missing fields keep their value,
 * and the server checks ranges and relations field by field.
 */
export const AlertConfigUpdate = Open({}, 'Any part of the alert configuration (see AlertConfig)');

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

/** `<id>/acknowledge|unacknowledge|clear`; the id is URL-decoded and may contain `/`. */
export const AlertActionParams = Type.Object({
  '*': Type.String({ description: '<alert id>/acknowledge, <alert id>/unacknowledge or <alert id>/clear' }),
});
export const AlertActionBody = OptionalBody(Open({ user: Type.Optional(Type.String({ maxLength: 200 })) }));
export const AlertActionReply = Type.Object({ success: Type.Literal(true) });
