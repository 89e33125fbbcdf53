/**
 * A notification batch: what one queued delivery carries, and the pure helpers that turn it into
 * words (subject lines, one-line summaries, the message that lists grouped alerts) and into the
 * data a webhook template sees.
 */
import type { NotificationEvent } from '../model/notifications.js';
import type { AlertNotification, FullAlert } from '../model/state.js';
import { GoFloat } from './template/index.js';

export interface NotificationBatch {
  id: string;
  event: NotificationEvent;
  /** Root alert first, then alerts grouped under it or sent together. */
  alerts: FullAlert[];
  /** ms since epoch, when the batch was created. */
  createdAt: number;
}

/** Most alerts listed by name in one message; the rest are counted. */
const MAX_LISTED = 10;

export type Channel = 'email' | 'webhook';

/**
 * Splits one enqueue() call into batches: everything that fired or escalated goes into one batch,
 * resolutions into another (they read differently and PagerDuty needs a separate event), and
 * escalations that ask for particular channels form a batch per channel set.
 */
export function batchesFrom(
  events: AlertNotification[],
  now: number,
  newId: () => string,
): Array<{ batch: NotificationBatch; channels: Channel[] }> {
  // Alerts by id, in the order first met: listed once each without a scan of the group per alert.
  const groups = new Map<string, { event: NotificationEvent; channels: Channel[]; alerts: Map<string, FullAlert> }>();
  for (const ev of events) {
    const event: NotificationEvent =
      ev.kind === 'resolved' ? 'resolved' : ev.kind === 'escalated' ? 'escalated' : 'alert';
    const channels: Channel[] = ev.channels?.length ? [...new Set(ev.channels)].sort() : ['email', 'webhook'];
    const key = `${event === 'resolved' ? 'resolved' : 'alert'}|${channels.join(',')}`;
    let g = groups.get(key);
    if (!g) {
      g = { event, channels, alerts: new Map() };
      groups.set(key, g);
    } else if (event === 'escalated') g.event = 'escalated';
    for (const a of [ev.alert, ...(ev.grouped ?? [])]) if (!g.alerts.has(a.id)) g.alerts.set(a.id, a);
  }
  return [...groups.values()].map((g) => ({
    batch: { id: newId(), event: g.event, alerts: [...g.alerts.values()], createdAt: now },
    channels: g.channels,
  }));
}

const MBPS_TYPES = new Set(['diskRead', 'diskWrite', 'networkIn', 'networkOut']);

export function formatMetric(type: string, v: number): string {
  if (MBPS_TYPES.has(type)) return `${v.toFixed(1)} MB/s`;
  if (type === 'temperature') return `${v.toFixed(1)}°C`;
  return `${v.toFixed(1)}%`;
}

/**
 * An alert's value or threshold as people read it: state alerts carry what was seen and what was
 * expected ("offline since 10:42 UTC" / "online", "DEGRADED" / "ONLINE") in metadata instead of
 * numbers, other alerts print with their unit (days, messages) or as formatMetric does.
 */
export function formatAlertFigure(a: FullAlert, which: 'value' | 'threshold'): string {
  const text = a.metadata?.[which === 'value' ? 'valueText' : 'thresholdText'];
  if (typeof text === 'string' && text !== '') {
    return which === 'value' && typeof a.metadata?.since === 'string' && a.message.includes(' since ')
      ? `${text} ${a.message.slice(a.message.lastIndexOf(' since ') + 1)}`
      : text;
  }
  const v = which === 'value' ? a.value : a.threshold;
  const unit = a.metadata?.unit;
  if (typeof unit === 'string' && unit !== '%' && unit !== '°C' && unit !== 'MB/s' && unit !== '') {
    return `${Number(v.toFixed(1))} ${unit}`;
  }
  return formatMetric(a.type, v);
}

/** 45s / 12m / 3h 4m / 2d 5h */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

const titleCase = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

export function levelCounts(alerts: FullAlert[]): { critical: number; warning: number } {
  return {
    critical: alerts.filter((a) => a.level === 'critical').length,
    warning: alerts.filter((a) => a.level !== 'critical').length,
  };
}

/** The contract's subject: `[Pulse Alert] Critical: cpu on web-01` or `… N Critical, M Warning alerts`. */
export function subjectFor(batch: NotificationBatch): string {
  const [first] = batch.alerts;
  const prefix =
    batch.event === 'test' ? '[Pulse Test]' : batch.event === 'resolved' ? '[Pulse Resolved]' : '[Pulse Alert]';
  if (batch.alerts.length === 1 || !first) {
    if (!first) return `${prefix} Notification`;
    return `${prefix} ${titleCase(first.level)}: ${first.type} on ${first.resourceName}`;
  }
  const { critical, warning } = levelCounts(batch.alerts);
  if (batch.event === 'resolved') return `${prefix} ${batch.alerts.length} alerts resolved`;
  return `${prefix} ${critical} Critical, ${warning} Warning alerts`;
}

/** The root alert's message, with the other alerts of the batch listed under it. */
export function batchMessage(batch: NotificationBatch): string {
  const [first, ...rest] = batch.alerts;
  if (!first) return '';
  let msg = batch.event === 'resolved' ? `Resolved: ${first.message}` : first.message;
  if (rest.length > 0) {
    const listed = rest.slice(0, MAX_LISTED).map((a) => `• ${a.resourceName}: ${a.message}`);
    if (rest.length > MAX_LISTED) listed.push(`… and ${rest.length - MAX_LISTED} more`);
    msg += `\n\n${batch.event === 'resolved' ? 'Also resolved' : 'Also affected'} (${rest.length}):\n${listed.join('\n')}`;
  }
  return msg;
}

/** One line, at most 1024 characters (PagerDuty's summary limit). */
export function batchSummary(batch: NotificationBatch): string {
  const [first] = batch.alerts;
  if (!first) return 'Pulse notification';
  let s = `${batch.event === 'resolved' ? 'Resolved: ' : `[${first.level.toUpperCase()}] `}${first.resourceName}: ${first.message}`;
  if (batch.alerts.length > 1) s += ` (+${batch.alerts.length - 1} more)`;
  s = s.replace(/\s+/g, ' ');
  return s.length > 1024 ? `${s.slice(0, 1021)}...` : s;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString();

export interface TemplateContext {
  now: number;
  publicUrl: string;
  customFields: Record<string, string>;
  chatId: string;
}

/**
 * The data a webhook template sees (Go field names, as Pulse's templates use them).
 * Value and Threshold are float64 in Go, so they print like Go floats (80, 95.5, 1e+06).
 */
export function templateData(batch: NotificationBatch, ctx: TemplateContext): Record<string, unknown> {
  const first = batch.alerts[0];
  const start = first ? Date.parse(first.startTime) : ctx.now;
  const alertData = (a: FullAlert) => ({
    ID: a.id,
    Level: a.level,
    Type: a.type,
    ResourceName: a.resourceName,
    ResourceID: a.resourceId,
    Node: a.node,
    Instance: ctx.publicUrl,
    Message: a.message,
    Value: new GoFloat(a.value),
    Threshold: new GoFloat(a.threshold),
    ValueFormatted: formatAlertFigure(a, 'value'),
    ThresholdFormatted: formatAlertFigure(a, 'threshold'),
    StartTime: a.startTime,
    Duration: formatDuration(ctx.now - Date.parse(a.startTime)),
    ResourceType: typeof a.metadata?.resourceType === 'string' ? a.metadata.resourceType : '',
    Acknowledged: a.acknowledged,
    AckTime: a.ackTime ?? '',
    AckUser: a.ackUser ?? '',
    Metadata: a.metadata ?? {},
  });
  const root = first ? alertData(first) : {};
  return {
    ...root,
    Message: batchMessage(batch),
    Summary: batchSummary(batch),
    Timestamp: rfc3339(ctx.now),
    TimestampUnix: Math.floor(ctx.now / 1000),
    StartUnix: Math.floor((Number.isFinite(start) ? start : ctx.now) / 1000),
    Event: batch.event,
    Resolved: batch.event === 'resolved',
    CustomFields: ctx.customFields,
    ChatID: ctx.chatId,
    AlertCount: batch.alerts.length,
    Alerts: batch.alerts.map(alertData),
  };
}

/** What generic webhooks without a template receive (the contract's live-delivery shape). */
export function genericPayload(batch: NotificationBatch, now: number): Record<string, unknown> {
  return {
    alerts: batch.alerts,
    count: batch.alerts.length,
    timestamp: Math.floor(now / 1000),
    source: 'pulse-monitoring',
    grouped: true,
    event: batch.event,
  };
}

/** The alert the test routes send ("Test VM", 85.5 against 80). */
export function testAlert(now: number): FullAlert {
  const t = rfc3339(now);
  return {
    id: 'test-alert',
    type: 'cpu',
    level: 'warning',
    resourceId: 'test-vm-100',
    resourceName: 'Test VM',
    node: 'test-node',
    instance: 'test',
    message: 'This is a test notification from Pulse: VM cpu at 85.5% (threshold 80%)',
    value: 85.5,
    threshold: 80,
    startTime: t,
    lastSeen: t,
    acknowledged: false,
    metadata: { resourceType: 'VM', clearThreshold: 75, unit: '%' },
  };
}
