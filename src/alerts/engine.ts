/**
 * The alert engine: `evaluate(config, state, memory, now) → {memory, changes}`. Pure: no I/O, no
 * clock reads; the input memory is not modified. The service persists and sends what it returns.
 *
 * A round: build the checks from the state → apply each (grace period / confirmations, hysteresis,
 * levels) → resolve alerts whose resource is gone → decide notifications (flapping, quiet hours,
 * cap per hour, cooldown, suppression window, escalation, upgrade to critical) → fold alerts of
 * guests and storage under their offline node (root cause) → prune what is remembered.
 *
 * Cheap when little changes (10,000 guests, thousands of active alerts, a round per poll): maps of
 * the memory are copied on a round's first change to them, an alert only when a public field
 * changes (lastSeen is kept outside the alerts: memory.ts `lastSeenOf`), and the check sources
 * decide on numbers before building anything (see CheckSet.alerting).
 */
import type { AlertLevel, AlertNotification, FullAlert, PulseState, ResolvedAlert } from '../model/state.js';
import {
  type AlertingChange,
  type Check,
  CheckSet,
  type ConditionCheck,
  carryAlertingIndex,
  prefixedId,
  type ThresholdCheck,
} from './checks.js';
import { backupChecker } from './checks-backups.js';
import { type InsightInputs, insightChecks } from './checks-insight.js';
import { pveChecks } from './checks-pve.js';
import { serviceChecks } from './checks-services.js';
import type { AlertConfig } from './config.js';
import type { AlertChange, AlertMemory, ResolveReason, TrackedAlert } from './memory.js';
import { copyAlert, lastSeenOf } from './memory.js';
import { inQuietHours, mutedDuringQuietHours } from './quiet-hours.js';
import { RunningGuests } from './running-guests.js';
import { disabledByConfig } from './thresholds.js';

/** Offline confirmations count observations at least this far apart (several pollers commit per cycle). */
export const CONFIRMATION_SPACING_MS = 5_000;
/** An alert whose resource has not been seen for this long is resolved silently. */
export const STALE_AFTER_MS = 10 * 60_000;
const HOUR = 3_600_000;
/** Stands for "no such time" in the prune bounds (JSON has no Infinity). */
const NEVER = Number.MAX_SAFE_INTEGER;
const MINUTE = 60_000;
/** Kept in recentlyResolved: threshold resolutions 5 min, others 1 h (at most 200 entries). */
const RECENT_THRESHOLD_MS = 5 * MINUTE;
const RECENT_OTHER_MS = HOUR;
const RECENT_MAX = 200;

export interface EvaluateResult {
  memory: AlertMemory;
  changes: AlertChange[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function buildChecks(
  config: AlertConfig,
  state: Readonly<PulseState>,
  memory: AlertMemory,
  now: number,
  insight?: InsightInputs,
): CheckSet {
  memory.seenRunning ??= {};
  const running = new RunningGuests(memory);
  const out = new CheckSet(memory, running);
  // Ages move by the day: measured at most once a minute (ageCheck still uses `now` when it
  // crosses a level, so an age alert is raised, upgraded or resolved in the same round as before).
  const ageClock = memory.ageClock;
  const ageNow = ageClock !== undefined && now >= ageClock && now - ageClock < AGE_CLOCK_MS ? ageClock : now;
  memory.ageClock = ageNow;
  // Backup ages are judged in the same pass over the guests, their checks kept for after the
  // service checks (the order of a round's checks is the order of its raises and notifications).
  const backups = backupChecker(config, state, out, now, ageNow);
  pveChecks(config, state, out, running, backups?.each);
  serviceChecks(config, state, out, memory.dockerRestarts, now, memory.startedAt ?? now);
  if (backups) for (let i = 0; i < backups.checks.length; i++) out.checks.push(backups.checks[i]);
  insightChecks(config, state, out, insight);
  return out;
}

/** How long measured backup/snapshot ages are reused (ms). */
export const AGE_CLOCK_MS = 60_000;

export function evaluate(
  config: AlertConfig,
  state: Readonly<PulseState>,
  memory: AlertMemory,
  now: number,
  insight?: InsightInputs,
): EvaluateResult {
  // Copy-on-write down to the maps: a map is copied when the round first changes it (Round.w),
  // so a round that changes nothing leaves every map the identical object.
  const mem: AlertMemory = { ...memory, dockerRestarts: { ...memory.dockerRestarts } };
  mem.startedAt ??= now;
  const changes: AlertChange[] = [];
  const round = new Round(config, mem, now, changes);

  const cs = buildChecks(config, state, mem, now, insight);
  const checks = config.enabled ? cs.checks : [];
  const touched = new Set<string>();
  // Nodes whose offline check is failing (confirmed or not yet): their children wait for the root.
  const suspectNodes = new Set<string>();
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i];
    touched.add(c.id);
    if (c.kind === 'threshold') round.threshold(c);
    else {
      round.condition(c);
      if (c.type === 'connectivity' && c.bad) suspectNodes.add(c.resourceId);
    }
  }
  const gone = cs.running.gone((id) => cs.observed.has(id));
  if (gone.length > 0) {
    mem.seenRunning = { ...mem.seenRunning };
    for (const id of gone) delete mem.seenRunning[id];
  }
  // Forget grace periods and confirmations of checks that no longer exist.
  for (const id in mem.pending) if (!touched.has(id)) delete round.w('pending')[id];
  for (const id in mem.confirmations) if (!touched.has(id)) delete round.w('confirmations')[id];

  // Active alerts no check refreshed: resolved, or kept with the lastSeen they had (`unseen`).
  const ids = round.activeIds();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (touched.has(id)) continue;
    const t = mem.active[id];
    const rid = t.alert.resourceId;
    if (!config.enabled) round.resolve(t, 'disabled');
    // Resolved only on fresh data that no longer shows the problem: a present resource whose data
    // for this alert is missing (not fetched yet after a start, sensor not read) is "unknown".
    else if (cs.isObserved(rid) && !cs.frozen.has(rid) && !cs.isUnknown(rid, t.alert.type)) {
      round.resolve(t, disabledByConfig(config, t.alert) ? 'disabled' : 'condition');
    } else {
      const seen = round.seenBefore(t);
      if (!cs.frozen.has(t.alert.resourceId) && now - Math.max(Date.parse(seen), mem.startedAt) > STALE_AFTER_MS) {
        round.resolve(t, 'removed');
      } else round.unseen[id] = seen;
    }
  }
  // Kept as it was when nothing differs (identity tells readers nothing moved).
  if (!sameRecord(memory.unseen ?? {}, round.unseen)) mem.unseen = round.unseen;
  mem.lastRound = round.nowIso;

  round.notifications(suspectNodes);
  round.prune();
  carryAlertingIndex(memory.active, mem.active, round.alertingChanges);
  return { memory: mem, changes };
}

// Loops, not closures: prune runs over every notified alert each round.
/** Whether every time is at most `limit` ms before `now`. */
function allWithin(times: number[], now: number, limit: number): boolean {
  for (let i = 0; i < times.length; i++) if (!(now - times[i] <= limit)) return false;
  return true;
}

/** Whether every time is less than `limit` ms before `now`. */
function allYounger(times: number[], now: number, limit: number): boolean {
  for (let i = 0; i < times.length; i++) if (!(now - times[i] < limit)) return false;
  return true;
}

/** A shallow copy; a keys loop copies large maps (dictionary-mode objects) about twice as fast as a spread. */
function copyRecord<T extends object>(o: T): T {
  const out = {} as Record<string, unknown>;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) out[keys[i]] = (o as Record<string, unknown>)[keys[i]];
  return out as T;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  let n = 0;
  for (const k in b) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in a) n--;
  return n === 0;
}

// The ids of active maps no round changes any more (Round.activeIds).
const activeIdsOf = new WeakMap<AlertMemory['active'], string[]>();

/** Maps of the memory a round copies on its first change (Round.w). */
type RoundMap = 'active' | 'pending' | 'confirmations' | 'notices' | 'flaps' | 'lastResolved';

/**
 * A copy of the memory for acknowledge/clear: its maps and lists are fresh, their entries shared
 * with the input (entries are replaced, never edited), so the input stays untouched.
 */
function roundCopy(memory: AlertMemory): AlertMemory {
  return {
    ...memory,
    active: { ...memory.active },
    pending: { ...memory.pending },
    confirmations: { ...memory.confirmations },
    notices: { ...memory.notices },
    flaps: { ...memory.flaps },
    lastResolved: { ...memory.lastResolved },
    recentlyResolved: [...memory.recentlyResolved],
    dockerRestarts: { ...memory.dockerRestarts },
    seenRunning: { ...memory.seenRunning },
  };
}

interface Candidate {
  t: TrackedAlert;
  kind: AlertNotification['kind'];
  channels?: Array<'email' | 'webhook'>;
  grouped: FullAlert[];
  /** For escalations: the level index reached (1-based). */
  escalation?: number;
}

class Round {
  /** Resolutions of this round that may be notified (notifyOnResolve). */
  readonly resolvedNow: Array<{ t: TrackedAlert; alert: FullAlert }> = [];
  /** Raises and resolutions in order, for the next round's index of active alerts (carryAlertingIndex). */
  readonly alertingChanges: AlertingChange[] = [];
  /** Active alerts this round did not refresh → their lastSeen (filled after the checks). */
  readonly unseen: Record<string, string> = {};
  /** lastSeen/unseen of the memory the round started from. */
  readonly #before: Pick<AlertMemory, 'lastRound' | 'unseen'>;
  /** Active alerts this round has already copied (or raised): these may be modified in place. */
  readonly #owned = new Set<string>();
  /** `now` as RFC3339, formatted once per round (every refreshed alert gets it). */
  readonly nowIso: string;

  constructor(
    readonly config: AlertConfig,
    readonly mem: AlertMemory,
    readonly now: number,
    readonly changes: AlertChange[],
  ) {
    this.nowIso = iso(now);
    this.#before = { lastRound: mem.lastRound, unseen: mem.unseen };
    // flapBounds.nextUntil is at most every `until` in flaps (prune, recordChange): NEVER, none has one.
    this.#noSuppression = !config.flapping.enabled || mem.flapBounds?.nextUntil === NEVER;
  }

  /** Whether no alert can be flapping this round (until recordChange starts a suppression). */
  #noSuppression: boolean;

  /**
   * The ids of the active map as it is now. A map no round changes any more (the input's, when
   * this round changed none) keeps its list: listing a large dictionary object costs more than
   * the steady round's whole pass over it.
   */
  activeIds(): readonly string[] {
    const active = this.mem.active;
    if (this.#copied.has('active')) return Object.keys(active);
    let ids = activeIdsOf.get(active);
    if (!ids) {
      ids = Object.keys(active);
      activeIdsOf.set(active, ids);
    }
    return ids;
  }

  /** When an alert was last seen before this round. */
  seenBefore(t: TrackedAlert): string {
    return lastSeenOf(this.#before as AlertMemory, t);
  }

  readonly #copied = new Set<RoundMap | 'recentlyResolved'>();

  /**
   * The memory's map `k`, copied on the round's first change to it: the input's stays as it was,
   * entries are replaced, never edited, and an alert the round did not change stays the
   * identical object.
   */
  w<K extends RoundMap>(k: K): AlertMemory[K] {
    if (!this.#copied.has(k)) {
      this.mem[k] = copyRecord(this.mem[k]);
      this.#copied.add(k);
    }
    return this.mem[k];
  }

  /**
   * The round's own copy of an active alert, to modify (the input memory's stays as it was),
   * with its current lastSeen: now, unless the round did not refresh it (checks come first, so
   * `unseen` is only filled once no check can refresh anything any more).
   */
  own(id: string): TrackedAlert {
    const t = this.mem.active[id];
    if (this.#owned.has(id)) return t;
    const copy: TrackedAlert = { ...t, alert: { ...t.alert, lastSeen: this.unseen[id] ?? this.nowIso } };
    this.w('active')[id] = copy;
    this.#owned.add(id);
    return copy;
  }

  /** An active alert with its current lastSeen, for a notification (copied when that differs). */
  current(t: TrackedAlert): FullAlert {
    const lastSeen = this.unseen[t.alert.id] ?? this.nowIso;
    return t.alert.lastSeen === lastSeen ? t.alert : { ...t.alert, lastSeen };
  }

  threshold(c: ThresholdCheck): void {
    const { mem, now } = this;
    const t = mem.active[c.id];
    if (t) {
      // Hysteresis: an active alert resolves only at or below the clear value — or at once below
      // a trigger just raised above the value (the alert was against the old threshold).
      if (c.value <= c.clear || (t.alert.threshold !== c.trigger && c.value < c.trigger)) {
        this.resolve(t, 'condition', c.value);
        return;
      }
      const level = c.value >= c.critical ? 'critical' : 'warning';
      const a = t.alert;
      // The usual steady round: nothing but lastSeen moves (kept outside the alert), no copy.
      // The message is a function of the fields compared (label and unit are fixed per check type).
      if (
        a.level === level &&
        Object.is(a.value, c.value) &&
        a.threshold === c.trigger &&
        a.resourceName === c.resourceName &&
        t.parentNodeId === c.parentNodeId &&
        a.metadata?.clearThreshold === c.clear &&
        a.metadata?.unit === c.unit &&
        a.metadata?.resourceType === c.resourceType &&
        (a.metadata?.flapping === true) === this.isFlapping(c.id)
      ) {
        return;
      }
      const own = this.own(c.id);
      this.refresh(own, c, level, thresholdMessage(c), c.value);
      // Thresholds may have been edited while the alert is active.
      own.alert.threshold = c.trigger;
      if (own.alert.metadata?.clearThreshold !== c.clear) {
        own.alert.metadata = { ...own.alert.metadata, clearThreshold: c.clear };
      }
      return;
    }
    if (c.value < c.trigger) {
      if (mem.pending[c.id] !== undefined) delete this.w('pending')[c.id];
      return;
    }
    if (mem.pending[c.id] === undefined) this.w('pending')[c.id] = now;
    const since = mem.pending[c.id];
    if (now - since < c.delayMs) return;
    delete this.w('pending')[c.id];
    this.raise(c, c.value >= c.critical ? 'critical' : 'warning', thresholdMessage(c), c.value, c.trigger, {
      clearThreshold: c.clear,
      unit: c.unit,
    });
  }

  condition(c: ConditionCheck): void {
    const { mem, now } = this;
    const t = mem.active[c.id];
    if (!c.bad) {
      if (mem.confirmations[c.id] !== undefined) delete this.w('confirmations')[c.id];
      if (t) this.resolve(t, 'condition', c.value);
      return;
    }
    const conf = mem.confirmations[c.id];
    if (!conf) this.w('confirmations')[c.id] = { count: 1, at: now, since: now };
    else if (now - conf.at >= CONFIRMATION_SPACING_MS) {
      this.w('confirmations')[c.id] = { count: conf.count + 1, at: now, since: conf.since ?? conf.at };
    }
    const message = c.since ? this.sinceMessage(c, t) : c.message;
    if (t) {
      const a = t.alert;
      const unchanged =
        a.level === c.level &&
        Object.is(a.value, c.value) &&
        a.message === message &&
        a.resourceName === c.resourceName &&
        t.parentNodeId === c.parentNodeId &&
        (a.metadata?.flapping === true) === this.isFlapping(c.id);
      if (!unchanged) {
        const own = this.own(c.id);
        this.refresh(own, c, c.level, message, c.value);
        if (c.valueText !== undefined && own.alert.metadata?.valueText !== c.valueText) {
          own.alert.metadata = { ...own.alert.metadata, valueText: c.valueText };
        }
      }
      return;
    }
    const confirmed = mem.confirmations[c.id];
    if (confirmed.count >= c.confirmations) {
      const meta: Record<string, unknown> = { confirmations: c.confirmations };
      if (c.since) meta.since = iso(confirmed.since ?? confirmed.at);
      if (c.valueText !== undefined) meta.valueText = c.valueText;
      if (c.thresholdText !== undefined) meta.thresholdText = c.thresholdText;
      this.raise(c, c.level, message, c.value, c.threshold, meta);
    }
  }

  /**
   * "… is offline since 10:42 UTC": since the condition was first seen bad (kept in the alert's
   * metadata once raised, so a restart, which forgets confirmations, does not move it).
   */
  private sinceMessage(c: ConditionCheck, t: TrackedAlert | undefined): string {
    // The steady round of an active alert: its message already is this one (no string built).
    const m = t?.alert.message;
    if (m !== undefined && m.length === c.message.length + SINCE_LENGTH && m.startsWith(c.message)) return m;
    const stored = t?.alert.metadata?.since;
    let since = typeof stored === 'string' ? Date.parse(stored) : Number.NaN;
    if (!Number.isFinite(since) && t) since = Date.parse(t.alert.startTime);
    if (!Number.isFinite(since)) {
      const conf = this.mem.confirmations[c.id];
      since = conf?.since ?? conf?.at ?? this.now;
    }
    return `${c.message} since ${clockTime(since)}`;
  }

  private refresh(t: TrackedAlert, c: Check, level: AlertLevel, message: string, value: number): void {
    const a = t.alert;
    a.level = level;
    a.value = value;
    a.message = message;
    a.resourceName = c.resourceName;
    a.lastSeen = this.nowIso;
    t.parentNodeId = c.parentNodeId;
    if (this.isFlapping(a.id)) a.metadata = { ...a.metadata, flapping: true };
    else if (a.metadata?.flapping) {
      const { flapping: _, ...rest } = a.metadata;
      a.metadata = rest;
    }
  }

  private raise(
    c: Check,
    level: AlertLevel,
    message: string,
    value: number,
    threshold: number,
    meta: Record<string, unknown>,
  ): void {
    const { mem, now, config } = this;
    const alert: FullAlert = {
      id: c.id,
      type: c.type,
      level,
      resourceId: c.resourceId,
      resourceName: c.resourceName,
      node: c.node,
      instance: c.instance,
      message,
      value,
      threshold,
      startTime: this.nowIso,
      acknowledged: false,
      lastSeen: this.nowIso,
      metadata: { resourceType: c.resourceType, category: c.category, ...meta, ...c.extra },
    };
    this.recordChange(c.id);
    if (this.isFlapping(c.id)) alert.metadata = { ...alert.metadata, flapping: true };
    // A threshold alert that comes back within the suppression window at about the same value
    // is the same problem as before: keep it visible, do not send it again.
    const last = mem.lastResolved[c.id];
    const repeat =
      c.kind === 'threshold' &&
      last !== undefined &&
      now - last.at <= config.suppressionWindow * MINUTE &&
      Math.abs(value - last.value) < config.minimumDelta;
    this.#owned.add(c.id);
    this.alertingChanges.push({ resourceId: c.resourceId, type: c.type, added: true });
    this.w('active')[c.id] = {
      alert,
      category: c.category,
      parentNodeId: c.parentNodeId,
      notify: repeat ? 'silent' : 'pending',
      // A silent repeat counts as already told at its level: turning critical later is news.
      ...(repeat ? { notifiedLevel: level } : {}),
    };
    this.changes.push({ kind: 'raised', alert: copyAlert(alert) });
  }

  resolve(t: TrackedAlert, reason: ResolveReason, value?: number): void {
    const { mem, now } = this;
    // A copy: the resolved alert gets its last value, the input memory's keeps its own. Nothing
    // refreshed it this round, so it was last seen when it was before.
    const a = { ...t.alert, lastSeen: this.seenBefore(t) };
    delete this.w('active')[a.id];
    this.alertingChanges.push({ resourceId: a.resourceId, type: a.type, added: false });
    // The suppression window compares a re-fire with the value the alert last fired with.
    this.w('lastResolved')[a.id] = { at: now, value: a.value };
    if (mem.oldestResolved !== undefined && now < mem.oldestResolved) mem.oldestResolved = now;
    if (value !== undefined) a.value = value;
    const resolvedTime = this.nowIso;
    const {
      ackTime: _t,
      ackUser: _u,
      lastSeen: _l,
      metadata: _m,
      lastNotified: _n,
      lastEscalation: _e,
      escalationTimes: _x,
      ...base
    } = a;
    const resolved: ResolvedAlert = { ...base, resolvedTime };
    if (!this.#copied.has('recentlyResolved')) {
      mem.recentlyResolved = [...mem.recentlyResolved];
      this.#copied.add('recentlyResolved');
    }
    mem.recentlyResolved.unshift({ alert: resolved, at: now, threshold: a.metadata?.clearThreshold !== undefined });
    this.recordChange(a.id);
    this.changes.push({ kind: 'resolved', alert: copyAlert(a), resolvedTime, reason });
    if (reason === 'condition') this.resolvedNow.push({ t, alert: a });
  }

  private recordChange(id: string): void {
    const { mem, now, config } = this;
    if (!config.flapping.enabled) return;
    // Replaced, not edited: the entry may be shared with the input memory.
    const f = { ...(mem.flaps[id] ?? { changes: [] }) };
    f.changes = f.changes.filter((x) => now - x <= config.flapping.window * 1000);
    f.changes.push(now);
    if (f.changes.length >= config.flapping.threshold) {
      f.until = now + config.flapping.cooldown * MINUTE;
      this.#noSuppression = false;
    }
    this.w('flaps')[id] = f;
    const b = mem.flapBounds;
    if (b && (now < b.oldestChange || (f.until !== undefined && f.until < b.nextUntil))) {
      mem.flapBounds = {
        oldestChange: Math.min(b.oldestChange, now),
        nextUntil: Math.min(b.nextUntil, f.until ?? NEVER),
      };
    }
  }

  isFlapping(id: string): boolean {
    // Asked for every refreshed alert: while no flap entry has a suppression, no lookup.
    if (this.#noSuppression) return false;
    const until = this.mem.flaps[id]?.until;
    return this.config.flapping.enabled && until !== undefined && until > this.now;
  }

  private muted(t: TrackedAlert): boolean {
    return this.mute(t.alert.level, t.category);
  }

  /** Quiet hours are looked up once per round. */
  #quiet?: boolean;
  private mute(level: AlertLevel, category: TrackedAlert['category']): boolean {
    const q = this.config.schedule.quietHours;
    this.#quiet ??= inQuietHours(q, this.now);
    return this.#quiet && mutedDuringQuietHours(q, level, category);
  }

  private noteSent(id: string): void {
    const { mem, now } = this;
    this.w('notices')[id] = [...(mem.notices[id] ?? []), now];
    if (mem.oldestNotice !== undefined && now < mem.oldestNotice) mem.oldestNotice = now;
  }

  private sentInLastHour(id: string): number {
    return (this.mem.notices[id] ?? []).filter((x) => this.now - x < HOUR).length;
  }

  notifications(suspectNodes: Set<string>): void {
    const { config, mem, now } = this;
    const schedule = config.schedule;
    const candidates: Candidate[] = [];

    const escalating = schedule.escalation.enabled;
    // A map this round has not copied is the input's, which no round changes any more: the
    // alerts in it that may have something to tell are remembered with it.
    const maybe = this.#copied.has('active') ? Object.values(mem.active) : untoldAlerts(mem.active, escalating);
    for (let t of maybe) {
      if (t.notify === 'grouped') {
        // Folded under its node's offline alert: once that alert is gone (the node is back, or it
        // was cleared), an alert still active is a problem of its own and is told as one.
        if (t.parentNodeId !== undefined && mem.active[prefixedId('node-offline', t.parentNodeId)]) continue;
        t = this.own(t.alert.id);
        t.notify = 'pending';
      }
      const a = t.alert;
      if (a.acknowledged) continue;
      // Most alerts: told already, nothing new to tell (the checks below could only skip too).
      const upgraded = t.notifiedLevel === 'warning' && a.level === 'critical';
      if (t.notify === 'sent' && !escalating && !upgraded) continue;
      if (t.notify === 'silent' && !upgraded) continue;
      if (this.isFlapping(a.id) || this.muted(t)) continue;
      if (t.notify === 'sent') {
        if (schedule.escalation.enabled) {
          const started = Date.parse(a.startTime);
          let reached = 0;
          schedule.escalation.levels.forEach((lv, i) => {
            if (now - started >= lv.after * MINUTE) reached = i + 1;
          });
          if (reached > (a.lastEscalation ?? 0)) {
            const notify = schedule.escalation.levels[reached - 1].notify;
            const channels: Array<'email' | 'webhook'> = notify === 'all' ? ['email', 'webhook'] : [notify];
            // An offline node's escalation still carries the alerts folded under it.
            const grouped =
              a.type === 'connectivity'
                ? Object.values(mem.active)
                    .filter((c) => c.notify === 'grouped' && c.parentNodeId === a.resourceId)
                    .map((c) => this.current(c))
                : [];
            candidates.push({ t: this.own(a.id), kind: 'escalated', channels, grouped, escalation: reached });
            continue;
          }
        }
        // Re-notify once when a warning becomes critical.
        if (!(t.notifiedLevel === 'warning' && a.level === 'critical')) continue;
      }
      if (schedule.maxAlertsHour > 0 && this.sentInLastHour(a.id) >= schedule.maxAlertsHour) continue;
      if (t.notify === 'pending') {
        const last = mem.notices[a.id]?.at(-1);
        if (schedule.cooldown > 0 && last !== undefined && now - last < schedule.cooldown * MINUTE) continue;
      }
      candidates.push({ t: this.own(a.id), kind: 'fired', grouped: [] });
    }

    const resolvedCandidates: Candidate[] = [];
    if (config.notifyOnResolve) {
      for (const { t, alert } of this.resolvedNow) {
        if (t.notify !== 'sent' && t.notify !== 'grouped') continue;
        if (this.isFlapping(alert.id)) continue;
        if (this.mute(alert.level, t.category)) continue;
        resolvedCandidates.push({ t: { ...t, alert }, kind: 'resolved', grouped: [] });
      }
    }

    const send = config.aggregation.enabled
      ? [...this.fold(candidates, suspectNodes, 'fired'), ...this.fold(resolvedCandidates, suspectNodes, 'resolved')]
      : [...candidates, ...resolvedCandidates.filter((c) => c.t.notify === 'sent')];

    for (const c of send) {
      const a = c.t.alert;
      if (c.kind === 'fired') {
        a.lastNotified = this.nowIso;
        c.t.notify = 'sent';
        c.t.notifiedLevel = a.level;
        this.noteSent(a.id);
      } else if (c.kind === 'escalated') {
        a.lastEscalation = c.escalation;
        a.escalationTimes = [...(a.escalationTimes ?? []), this.nowIso];
        a.lastNotified = this.nowIso;
      }
      const n: AlertNotification = { kind: c.kind, alert: copyAlert(a) };
      if (c.channels) n.channels = c.channels;
      if (c.grouped.length > 0) n.grouped = c.grouped.map((g) => copyAlert(g));
      this.changes.push({ kind: 'notify', notification: n });
    }
  }

  /**
   * Root cause first: a guest's or storage's notification waits while its node's offline check
   * is failing, and is carried inside the node's notification once that fires. Children raised
   * after the node's alert was sent are folded silently; resolutions of folded children travel
   * with the node's resolution or not at all. Once the node's alert is gone, a folded child that
   * is still active is told on its own (`notifications`).
   */
  private fold(candidates: Candidate[], suspectNodes: Set<string>, kind: 'fired' | 'resolved'): Candidate[] {
    const { mem, now } = this;
    const roots = new Map<string, Candidate>();
    for (const c of candidates) {
      if (c.t.alert.type === 'connectivity' && c.kind === kind) roots.set(c.t.alert.resourceId, c);
    }
    if (kind === 'fired' && roots.size > 0) this.foldTold(roots, candidates);
    const out: Candidate[] = [];
    for (const c of candidates) {
      const parent = c.t.parentNodeId;
      const isRoot = c.t.alert.type === 'connectivity';
      if (isRoot || !parent || c.kind === 'escalated') {
        if (kind === 'resolved' && c.t.notify === 'grouped') continue;
        out.push(c);
        continue;
      }
      const rootCandidate = roots.get(parent);
      if (rootCandidate) {
        if (kind === 'fired') {
          c.t.notify = 'grouped';
          c.t.alert.lastNotified = this.nowIso;
          this.noteSent(c.t.alert.id);
        }
        rootCandidate.grouped.push(c.t.alert);
        continue;
      }
      if (kind === 'resolved') {
        if (c.t.notify !== 'grouped') out.push(c);
        continue;
      }
      const root = mem.active[prefixedId('node-offline', parent)];
      if (root && (root.notify === 'sent' || root.notify === 'silent')) {
        c.t.notify = 'grouped';
        continue;
      }
      // The node looks offline but its alert has not been sent yet: hold the child back.
      if (root || suspectNodes.has(parent)) continue;
      out.push(c);
    }
    return out;
  }

  /**
   * A node's offline notification also carries its children's alerts that were told before it
   * went down (a guest's memory alert): from now on they are part of the root cause, so they
   * neither escalate nor resolve on their own. Runs only in a round where a node alert fires.
   */
  private foldTold(roots: Map<string, Candidate>, candidates: Candidate[]): void {
    const mem = this.mem;
    const inRound = new Set(candidates.map((c) => c.t.alert.id));
    for (const id in mem.active) {
      const t = mem.active[id];
      const parent = t.parentNodeId;
      if (parent === undefined || t.notify !== 'sent' || t.alert.type === 'connectivity' || inRound.has(id)) continue;
      const root = roots.get(parent);
      if (!root) continue;
      const own = this.own(id);
      own.notify = 'grouped';
      root.grouped.push(this.current(own));
    }
  }

  prune(): void {
    const { mem, now, config } = this;
    const recent = (r: AlertMemory['recentlyResolved'][number]) =>
      now - r.at <= (r.threshold ? RECENT_THRESHOLD_MS : RECENT_OTHER_MS);
    // Replaced only when something drops out (identity tells readers nothing moved).
    if (mem.recentlyResolved.length > RECENT_MAX || !mem.recentlyResolved.every(recent)) {
      mem.recentlyResolved = mem.recentlyResolved.filter(recent).slice(0, RECENT_MAX);
    }
    // Entries with nothing to drop are left as they are (no garbage for the common case), and
    // while even the oldest notice is younger than an hour, none are looked at.
    if (mem.oldestNotice === undefined || !(now - mem.oldestNotice < HOUR)) {
      let oldest: number | undefined;
      for (const id in mem.notices) {
        let times = mem.notices[id];
        if (times.length === 0 || !allYounger(times, now, HOUR)) {
          times = times.filter((x) => now - x < HOUR);
          if (times.length) this.w('notices')[id] = times;
          else delete this.w('notices')[id];
        }
        for (const x of times) if (oldest === undefined || x < oldest) oldest = x;
      }
      mem.oldestNotice = oldest;
    }
    const flapWindowMs = config.flapping.window * 1000;
    const fb = mem.flapBounds;
    // Until the oldest change leaves the window and the next suppression ends, nothing drops.
    if (!fb || !(now - fb.oldestChange <= flapWindowMs && fb.nextUntil > now)) {
      let oldestChange = NEVER;
      let nextUntil = NEVER;
      for (const id in mem.flaps) {
        const old = mem.flaps[id];
        const expired = old.until !== undefined && old.until <= now;
        let f = old;
        if (expired || old.changes.length === 0 || !allWithin(old.changes, now, flapWindowMs)) {
          f = { ...old, changes: old.changes.filter((x) => now - x <= flapWindowMs) };
          if (f.until !== undefined && f.until <= now) delete f.until;
          if (f.changes.length === 0 && f.until === undefined) {
            delete this.w('flaps')[id];
            continue;
          }
          this.w('flaps')[id] = f;
        }
        for (const x of f.changes) if (x < oldestChange) oldestChange = x;
        if (f.until !== undefined && f.until < nextUntil) nextUntil = f.until;
      }
      mem.flapBounds = { oldestChange, nextUntil };
    }
    const keepResolved = Math.max(config.suppressionWindow * MINUTE, HOUR);
    if (mem.oldestResolved === undefined || !(now - mem.oldestResolved <= keepResolved)) {
      let oldest: number | undefined;
      for (const id in mem.lastResolved) {
        const at = mem.lastResolved[id].at;
        if (now - at > keepResolved) delete this.w('lastResolved')[id];
        else if (oldest === undefined || at < oldest) oldest = at;
      }
      mem.oldestResolved = oldest;
    }
  }
}

/** Whether an active alert has nothing to tell whatever the round (the first skips of `notifications`). */
function toldAll(t: TrackedAlert, escalating: boolean): boolean {
  if (t.notify === 'grouped') return false;
  const a = t.alert;
  const upgraded = t.notifiedLevel === 'warning' && a.level === 'critical';
  return a.acknowledged || (t.notify === 'sent' && !escalating && !upgraded) || (t.notify === 'silent' && !upgraded);
}

// Per active map that no round changes any more (maps are copied on change, alerts replaced).
const untold = new WeakMap<AlertMemory['active'], { escalating: boolean; alerts: TrackedAlert[] }>();

/**
 * The active alerts that may have something to tell, in the map's order: a steady round then
 * looks at the few instead of all (most are told already).
 */
function untoldAlerts(active: AlertMemory['active'], escalating: boolean): TrackedAlert[] {
  const known = untold.get(active);
  if (known?.escalating === escalating) return known.alerts;
  const alerts: TrackedAlert[] = [];
  for (const id in active) if (!toldAll(active[id], escalating)) alerts.push(active[id]);
  untold.set(active, { escalating, alerts });
  return alerts;
}

const SINCE_LENGTH = ' since 00:00 UTC'.length;

/** "10:42 UTC": when a state began, in notifications read anywhere. */
function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
}

const fmt = (v: number) => String(Number(v.toFixed(1)));
const withUnit = (v: number, unit: string) =>
  unit === '%' || unit === '°C' ? `${fmt(v)}${unit}` : `${fmt(v)} ${unit}`;

function thresholdMessage(c: ThresholdCheck): string {
  return `${c.resourceType} '${c.resourceName}' ${c.label} at ${withUnit(c.value, c.unit)} (threshold ${withUnit(c.trigger, c.unit)})`;
}

/** Acknowledges an active alert; undefined when no such alert is active. */
export function acknowledgeAlert(
  memory: AlertMemory,
  id: string,
  user: string,
  now: number,
): { memory: AlertMemory; alert: FullAlert } | undefined {
  const mem = withOwnActive(memory, id);
  if (!mem) return undefined;
  const a = mem.active[id].alert;
  a.acknowledged = true;
  a.ackTime = iso(now);
  a.ackUser = user;
  return { memory: mem, alert: copyAlert(a) };
}

export function unacknowledgeAlert(
  memory: AlertMemory,
  id: string,
): { memory: AlertMemory; alert: FullAlert } | undefined {
  const mem = withOwnActive(memory, id);
  if (!mem) return undefined;
  const a = mem.active[id].alert;
  a.acknowledged = false;
  delete a.ackTime;
  delete a.ackUser;
  return { memory: mem, alert: copyAlert(a) };
}

/**
 * Drops an active alert without a recently-resolved entry. If the condition persists it comes
 * back after its grace period / confirmations, and cooldown still limits notifications.
 */
export function clearAlert(memory: AlertMemory, id: string): { memory: AlertMemory; alert?: FullAlert } {
  if (!memory.active[id]) return { memory };
  const mem = roundCopy(memory);
  const alert = copyAlert({ ...mem.active[id].alert, lastSeen: lastSeenOf(memory, mem.active[id]) });
  delete mem.active[id];
  delete mem.pending[id];
  delete mem.confirmations[id];
  return { memory: mem, alert };
}

/** A copy of `memory` whose active alert `id` is its own to modify (the rest shared); undefined when not active. */
function withOwnActive(memory: AlertMemory, id: string): AlertMemory | undefined {
  const t = memory.active[id];
  if (!t) return undefined;
  const mem = roundCopy(memory);
  mem.active[id] = { ...t, alert: { ...t.alert, lastSeen: lastSeenOf(memory, t) } };
  return mem;
}
