/**
 * What the engine remembers between rounds. Plain JSON-able data: the service persists the
 * active alerts (with their acknowledgements) and rebuilds the rest from scratch after a restart.
 */
import type { Alert, AlertLevel, AlertNotification, FullAlert, ResolvedAlert } from '../model/state.js';
import type { AlertCategory } from './quiet-hours.js';

/** Restart counters seen per container: [time ms, restartCount] pairs inside the restart window. */
export type RestartSamples = Record<string, Array<[number, number]>>;

/**
 * Notification state of an active alert:
 * - pending: a notification is due as soon as nothing holds it back (quiet hours, flapping, cap, cooldown)
 * - sent:    notified (further sends: upgrade to critical, escalation levels)
 * - grouped: folded under its node's offline alert; never sent on its own
 * - silent:  a re-fire within the suppression window that moved less than minimumDelta
 */
export type NotifyState = 'pending' | 'sent' | 'grouped' | 'silent';

export interface TrackedAlert {
  alert: FullAlert;
  category: AlertCategory;
  parentNodeId?: string;
  notify: NotifyState;
  /** Level of the last notification (to re-notify on warning → critical). */
  notifiedLevel?: AlertLevel;
}

export interface RecentResolution {
  alert: ResolvedAlert;
  /** ms */
  at: number;
  /** Threshold resolutions are kept 5 minutes, others one hour. */
  threshold: boolean;
}

export interface AlertMemory {
  active: Record<string, TrackedAlert>;
  /** Threshold breaches waiting out their grace period: first seen (ms). */
  pending: Record<string, number>;
  /** Condition checks: consecutive bad observations, when the last one was counted and the first seen (ms). */
  confirmations: Record<string, { count: number; at: number; since?: number }>;
  /** Notification times (ms) per alert id within the last hour (cooldown, maxAlertsHour). */
  notices: Record<string, number[]>;
  /** Raise/resolve times per alert id within the flapping window; `until` = suppressed until (ms). */
  flaps: Record<string, { changes: number[]; until?: number }>;
  /** Last resolution per alert id (suppressionWindow / minimumDelta). */
  lastResolved: Record<string, { at: number; value: number }>;
  recentlyResolved: RecentResolution[];
  dockerRestarts: RestartSamples;
  /** Guests seen running (a guest stopped since first sight raises no powered-off alert). */
  seenRunning: Record<string, true>;
  /** First round evaluated with this memory (ms): restored alerts are not judged stale before the pollers had time. */
  startedAt?: number;
  /**
   * `lastSeen` lives outside the alert objects: an alert the latest round refreshed was seen at
   * `lastRound` (RFC3339), one it did not refresh (frozen or absent resource) keeps the time in
   * `unseen`. So a round that only moves `lastSeen` copies no alert; `alert.lastSeen` inside the
   * memory may be older than the truth — read it through `lastSeenOf`, export through
   * `exportAlert`/`activeAlerts`.
   */
  lastRound?: string;
  unseen?: Record<string, string>;
  /**
   * Time (ms) the backup/snapshot ages were last measured at. Ages move by the day: they are
   * measured at most once a minute, except when the current time crosses a level (raised on time).
   */
  ageClock?: number;
  /**
   * The oldest time in `notices` / the oldest `lastResolved` entry (ms), as of the last prune
   * that looked at them: until one of them expires, prune has nothing to drop and skips them.
   * Undefined means "not known": the next prune looks.
   */
  oldestNotice?: number;
  oldestResolved?: number;
  /** The same for `flaps`: the oldest change time and the earliest `until` (MAX_SAFE_INTEGER: none). */
  flapBounds?: { oldestChange: number; nextUntil: number };
}

export function emptyMemory(): AlertMemory {
  return {
    active: {},
    pending: {},
    confirmations: {},
    notices: {},
    flaps: {},
    lastResolved: {},
    recentlyResolved: [],
    dockerRestarts: {},
    seenRunning: {},
  };
}

export type ResolveReason = 'condition' | 'removed' | 'disabled';

export type AlertChange =
  /** A new active alert (history records its snapshot). */
  | { kind: 'raised'; alert: FullAlert }
  /** An active alert went away (condition cleared, resource removed or alerting disabled). */
  | { kind: 'resolved'; alert: FullAlert; resolvedTime: string; reason: ResolveReason }
  /** Something to send. */
  | { kind: 'notify'; notification: AlertNotification };

/**
 * A deep copy of an alert for handing out (events, notifications, history): what
 * structuredClone gives for this plain JSON data, without its serialisation cost — a busy round
 * hands out thousands.
 */
export function copyAlert<T extends FullAlert>(a: T): T {
  return copyPlain(a);
}

function copyPlain<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copyPlain) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyPlain((v as Record<string, unknown>)[k]);
  return out as T;
}

/** When an active alert was last seen (see AlertMemory.lastRound). */
/** Where an alert's lastSeen is kept outside it: the memory's last round and its unseen alerts. */
export type LastSeenSource = Pick<AlertMemory, 'unseen' | 'lastRound'>;

export function lastSeenOf(memory: LastSeenSource, t: TrackedAlert): string {
  return memory.unseen?.[t.alert.id] ?? memory.lastRound ?? t.alert.lastSeen;
}

/** The alert as readers see it: the identical object when its lastSeen is current, else a copy with it. */
export function exportAlert(memory: AlertMemory, t: TrackedAlert): FullAlert {
  const lastSeen = lastSeenOf(memory, t);
  return lastSeen === t.alert.lastSeen ? t.alert : { ...t.alert, lastSeen };
}

// Same order as String.prototype.localeCompare without arguments, without its per-call set-up.
const collate = new Intl.Collator().compare;
/** toISOString's shape: for two of these, code-unit order is collation order (they differ in digits only). */
const isoShaped = (s: string) => s.length === 24 && s.charCodeAt(23) === 90; /* Z */
const oldestFirst = (a: FullAlert, b: FullAlert) => {
  const x = a.startTime;
  const y = b.startTime;
  if (x !== y && isoShaped(x) && isoShaped(y)) return x < y ? -1 : 1;
  return collate(x, y) || collate(a.id, b.id);
};

/**
 * Active alerts as the memory holds them, oldest first; their lastSeen may be stale (for the
 * /api/state shape, which has none). Readers of full alerts use `activeAlerts`.
 */
export function storedActiveAlerts(memory: AlertMemory): FullAlert[] {
  const out: FullAlert[] = [];
  for (const id in memory.active) out.push(memory.active[id].alert);
  return out.sort(oldestFirst);
}

/**
 * What storedActiveAlerts returns, built from the list it returned before: alerts that kept
 * their startTime keep their relative order, only the newcomers are sorted and merged in (a
 * round raises a few alerts among thousands). `placed` maps the ids of `prev` to their
 * startTime and is updated to describe the result.
 */
export function resortActiveAlerts(memory: AlertMemory, prev: FullAlert[], placed: Map<string, string>): FullAlert[] {
  const kept: FullAlert[] = [];
  for (const a of prev) {
    const t = memory.active[a.id];
    if (t !== undefined && t.alert.startTime === a.startTime) kept.push(t.alert);
    else placed.delete(a.id);
  }
  const fresh: FullAlert[] = [];
  for (const id in memory.active) {
    const a = memory.active[id].alert;
    if (placed.get(id) !== a.startTime) fresh.push(a);
  }
  if (fresh.length === 0) return kept;
  fresh.sort(oldestFirst);
  for (const a of fresh) placed.set(a.id, a.startTime);
  const out: FullAlert[] = new Array(kept.length + fresh.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < kept.length && j < fresh.length) out[k++] = oldestFirst(kept[i], fresh[j]) <= 0 ? kept[i++] : fresh[j++];
  while (i < kept.length) out[k++] = kept[i++];
  while (j < fresh.length) out[k++] = fresh[j++];
  return out;
}

/** Active alerts as REST returns them, oldest first. */
export function activeAlerts(memory: AlertMemory): FullAlert[] {
  return Object.values(memory.active)
    .map((t) => exportAlert(memory, t))
    .sort(oldestFirst);
}

/** Active alerts in the /api/state shape (no lastSeen/metadata/notification fields). */
export function stateAlerts(memory: AlertMemory): Alert[] {
  return storedActiveAlerts(memory).map(toStateAlert);
}

export function toStateAlert(a: FullAlert): Alert {
  const out: Alert = {
    id: a.id,
    type: a.type,
    level: a.level,
    resourceId: a.resourceId,
    resourceName: a.resourceName,
    node: a.node,
    instance: a.instance,
    message: a.message,
    value: a.value,
    threshold: a.threshold,
    startTime: a.startTime,
    acknowledged: a.acknowledged,
  };
  if (a.ackTime) out.ackTime = a.ackTime;
  if (a.ackUser) out.ackUser = a.ackUser;
  return out;
}

// Per alert object of a memory a round has handed on: such objects are replaced, never changed.
const stateAlertOf = new WeakMap<FullAlert, Alert>();

/**
 * toStateAlert for an alert of the engine's memory, made once per alert object: a commit after a
 * round that changed a few alerts among thousands makes only theirs anew.
 */
export function committedStateAlert(a: FullAlert): Alert {
  let out = stateAlertOf.get(a);
  if (out === undefined) {
    out = toStateAlert(a);
    stateAlertOf.set(a, out);
  }
  return out;
}

export function recentlyResolved(memory: AlertMemory): ResolvedAlert[] {
  return memory.recentlyResolved.map((r) => r.alert);
}
