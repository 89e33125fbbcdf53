/**
 * AlertService: runs the pure engine against the live state and does the I/O around it —
 * commits `activeAlerts`/`recentlyResolved` into the StateStore, emits `alert`/`alertResolved`
 * events, persists config, active alerts (with acknowledgements) and history in SQLite, and hands
 * notifications to the `notify` callback (batched per `schedule.grouping.window`).
 *
 *   const alerts = new AlertService({ db, clock, state, events, logger, notify });
 *   alerts.start();  …  alerts.stop();
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { PulseEvents } from '../events.js';
import type { Logger } from '../logging.js';
import type { AlertNotification, FullAlert } from '../model/state.js';
import type { StateStore } from '../state/store.js';
import type { InsightInputs } from './checks-insight.js';
import { type AlertConfig, defaultAlertConfig, normaliseAlertConfig } from './config.js';
import { acknowledgeAlert, clearAlert, evaluate, unacknowledgeAlert } from './engine.js';
import type { HistoryQuery } from './history-query.js';
import {
  type AlertChange,
  type AlertMemory,
  activeAlerts,
  committedStateAlert,
  emptyMemory,
  recentlyResolved,
  resortActiveAlerts,
  type TrackedAlert,
} from './memory.js';
import { AlertRepo, type HistoryEntry } from './repo.js';

export interface AlertServiceOptions {
  db: Database;
  clock: Clock;
  state: StateStore;
  events: PulseEvents;
  logger: Logger;
  /** Receives what should be sent (one call per batch). */
  notify: (events: AlertNotification[]) => void;
  /**
   * Re-evaluates this often even without state changes, so grace periods and escalation levels
   * advance (ms; 0 = only on state changes), once no round ran for one and a half of it. Default
   * 10 s.
   */
  tickMs?: number;
}

/** Restored alerts older than this (last seen) are dropped at start. */
const RESTORE_MAX_AGE_MS = 24 * 3_600_000;
const HISTORY_PRUNE_EVERY_MS = 3_600_000;
const FULL_PERSIST_MS = 5 * 60_000;

export class AlertService {
  readonly #opts: AlertServiceOptions;
  readonly #repo: AlertRepo;
  #config: AlertConfig;
  #memory: AlertMemory = emptyMemory();
  #unsubscribe?: () => void;
  #tick?: NodeJS.Timeout;
  #insight?: () => InsightInputs;
  #scheduled?: NodeJS.Immediate;
  #committing = false;
  /**
   * What the last commit held: the active map and alerts it was built from, and the
   * recently-resolved list (the engine replaces what it changes, so identity means unchanged).
   */
  #lastCommitted?: {
    active: Record<string, TrackedAlert>;
    sources: FullAlert[];
    resolved: AlertMemory['recentlyResolved'];
    resolvedKeys: string[];
  };
  /** startTime per id of the last committed sources (resortActiveAlerts). */
  readonly #placed = new Map<string, string>();
  #batch: AlertNotification[] = [];
  #batchTimer?: NodeJS.Timeout;
  #lastPrune = 0;
  /** Clock time of the last engine round (the timer skips a round when polls just ran one). */
  #lastRound = Number.NEGATIVE_INFINITY;
  #lastFullPersist = 0;
  /** The active map last handed to syncActive. */
  #lastSynced?: AlertMemory['active'];
  #running = false;
  /**
   * The real alerts while mock mode shows a generated fleet (suspend/resume): kept aside, not
   * resolved, and brought back untouched — still told, still acknowledged — when it ends.
   */
  #suspended?: AlertMemory;

  constructor(opts: AlertServiceOptions) {
    this.#opts = opts;
    this.#repo = new AlertRepo(opts.db);
    this.#config = this.#loadConfig();
    const now = opts.clock.now();
    for (const t of this.#repo.loadActive()) {
      if (now - Date.parse(t.alert.lastSeen) > RESTORE_MAX_AGE_MS) {
        // Not brought back: its history entry must not read "active" for ever.
        this.#repo.resolveHistory(t.alert.id, now, 'expired');
        continue;
      }
      this.#memory.active[t.alert.id] = t;
    }
  }

  #loadConfig(): AlertConfig {
    const stored = this.#repo.loadConfig();
    if (stored === undefined) return defaultAlertConfig();
    try {
      // Stored configs are normalised over the defaults so fields added later get their defaults.
      return normaliseAlertConfig(stored);
    } catch (err) {
      this.#opts.logger.warn({ err }, 'stored alert config is invalid; using defaults');
      return defaultAlertConfig();
    }
  }

  /**
   * `insight`: cached forecasts and backup coverage for their checks (checks-insight.ts), read
   * every round. Handed in here rather than at construction because the forecasts themselves
   * read this service's config (storage thresholds).
   */
  start(insight?: () => InsightInputs): void {
    if (this.#running) return;
    this.#running = true;
    this.#insight = insight;
    this.#unsubscribe = this.#opts.state.onChange(() => {
      // Our own commits change the state too; they must not trigger another round.
      if (this.#committing) return;
      this.#schedule();
    });
    const tickMs = this.#opts.tickMs ?? 10_000;
    if (tickMs > 0) {
      // The timer exists for time-based transitions (grace periods, offline confirmations) while
      // no state arrives; when polls keep committing, their rounds already cover it. A round one
      // tick old is normal while the next poll runs (the default polling interval is 10 s too):
      // a round then would only be repeated by the poll's own a moment later, so the tick waits
      // until one and a half ticks passed without one.
      this.#tick = setInterval(() => {
        if (this.#opts.clock.now() - this.#lastRound >= tickMs * 1.5) this.evaluateNow();
      }, tickMs);
      this.#tick.unref();
    }
    this.#pruneHistory();
    // Restored alerts show up in /api/state before the first poll.
    this.#commitState();
  }

  stop(): void {
    this.#running = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#tick) clearInterval(this.#tick);
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#tick = undefined;
    this.#scheduled = undefined;
    this.#persistActive(this.#opts.clock.now(), true);
    this.flushNotifications();
  }

  /** Coalesces bursts of commits (one per poller) into one round, outside the emitter's call stack. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = setImmediate(() => {
      this.#scheduled = undefined;
      if (this.#running) this.evaluateNow();
    });
  }

  /** Runs one engine round against the current state. */
  evaluateNow(): void {
    try {
      const now = this.#opts.clock.now();
      this.#lastRound = now;
      const result = evaluate(this.#config, this.#opts.state.get(), this.#memory, now, this.#insight?.());
      this.#memory = result.memory;
      this.#apply(result.changes, now);
      if (now - this.#lastPrune > HISTORY_PRUNE_EVERY_MS) this.#pruneHistory();
    } catch (err) {
      this.#opts.logger.error({ err }, 'alert evaluation failed');
    }
  }

  #apply(changes: AlertChange[], now: number): void {
    const { events } = this.#opts;
    const emitted = new Set<string>();
    const notifications: AlertNotification[] = [];
    // The round's history rows commit together (one transaction instead of one per row).
    // (Notifications are history facts too: when each alert was handed to the destinations.)
    if (changes.length > 0) {
      // An alert raised and told in the same round gets its notification facts with its row.
      const told = toldOnRaise(changes);
      const raised = new Set<string>();
      this.#repo.inTransaction(() => {
        for (const c of changes) {
          if (c.kind === 'raised') {
            const count = told.get(c.alert.id);
            this.#repo.addHistory(c.alert, count === undefined ? undefined : { count, at: now });
            raised.add(c.alert.id);
          } else if (c.kind === 'resolved') {
            this.#repo.resolveHistory(c.alert.id, Date.parse(c.resolvedTime), c.reason);
          } else {
            const n = c.notification;
            const note =
              n.kind === 'resolved'
                ? (id: string) => this.#repo.notedResolveNotified(id, now)
                : (id: string) => {
                    if (!raised.has(id)) this.#repo.notedNotified(id, now);
                  };
            note(n.alert.id);
            for (const g of n.grouped ?? []) note(g.id);
          }
        }
      });
    }
    for (const c of changes) {
      if (c.kind === 'raised') {
        events.emit('alert', c.alert);
        emitted.add(c.alert.id);
      } else if (c.kind === 'resolved') {
        events.emit('alertResolved', { alertId: c.alert.id });
      } else {
        notifications.push(c.notification);
        const n = c.notification;
        // Re-notifications and escalations are `alert` messages too (wire-contract §2).
        if (n.kind !== 'resolved' && !emitted.has(n.alert.id)) {
          events.emit('alert', n.alert);
          emitted.add(n.alert.id);
        }
      }
    }
    this.#persistActive(now);
    this.#commitState();
    if (notifications.length) this.#queue(notifications);
  }

  /** Writes active alerts; live figures alone are written at most every FULL_PERSIST_MS (and on stop). */
  #persistActive(now: number, force = false): void {
    // In mock mode the table keeps the real alerts as they were (a restart restores those).
    if (this.#suspended) return;
    const full = force || now - this.#lastFullPersist >= FULL_PERSIST_MS;
    if (full) this.#lastFullPersist = now;
    const memory = this.#memory;
    // The same active map as synced last: the same alert objects, nothing but lastSeen moved.
    if (!full && memory.active === this.#lastSynced) return;
    this.#repo.syncActive(Object.values(memory.active), now, full, memory);
    this.#lastSynced = memory.active;
  }

  #commitState(): void {
    const memory = this.#memory;
    const last = this.#lastCommitted;
    // The steady round: the same alert objects and resolutions as committed (lastSeen is not in
    // the state shape) — decided without sorting or comparing fields.
    if (last && last.resolved === memory.recentlyResolved && sameEntries(last.active, memory.active)) {
      last.active = memory.active;
      return;
    }
    const sources = resortActiveAlerts(memory, last?.sources ?? [], this.#placed);
    const resolved = recentlyResolved(memory);
    const resolvedKeys = resolved.map((r) => r.id + r.resolvedTime);
    const same = last && sameStateAlerts(last.sources, sources) && sameStrings(last.resolvedKeys, resolvedKeys);
    this.#lastCommitted = { active: memory.active, sources, resolved: memory.recentlyResolved, resolvedKeys };
    if (same) return;
    const active = sources.map(committedStateAlert);
    this.#committing = true;
    try {
      this.#opts.state.commit((d) => {
        d.activeAlerts = active;
        d.recentlyResolved = resolved;
      });
    } finally {
      this.#committing = false;
    }
  }

  #queue(notifications: AlertNotification[]): void {
    const grouping = this.#config.schedule.grouping;
    this.#batch.push(...notifications);
    if (!grouping.enabled || !(grouping.window > 0)) {
      this.flushNotifications();
      return;
    }
    // The first event opens the window; everything arriving within it goes out as one batch.
    if (!this.#batchTimer) {
      this.#batchTimer = setTimeout(() => this.flushNotifications(), grouping.window * 1000);
      this.#batchTimer.unref();
    }
  }

  /** Sends what is batched now (also called on stop, so nothing waits in memory at shutdown). */
  flushNotifications(): void {
    if (this.#batchTimer) clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    try {
      this.#opts.notify(batch);
    } catch (err) {
      this.#opts.logger.error({ err }, 'alert notification hand-off failed');
    }
  }

  /** Notifications waiting for the grouping window. */
  pendingNotifications(): readonly AlertNotification[] {
    return this.#batch;
  }

  #pruneHistory(): void {
    const now = this.#opts.clock.now();
    this.#lastPrune = now;
    this.#repo.pruneHistory(now);
  }

  getConfig(): AlertConfig {
    return structuredClone(this.#config);
  }

  /** Validates and stores a config (partial input is laid over the current one). Throws ConfigError. */
  updateConfig(input: unknown): AlertConfig {
    const next = normaliseAlertConfig(input, this.#config);
    this.#repo.saveConfig(next, this.#opts.clock.now());
    this.#config = next;
    if (this.#running) this.evaluateNow();
    return structuredClone(next);
  }

  activeAlerts(): FullAlert[] {
    return activeAlerts(this.#memory);
  }

  history(q: HistoryQuery): HistoryEntry[] {
    return this.#repo.queryHistory(q, this.#opts.clock.now());
  }

  /**
   * Mock mode begins: the real alerts are set aside (persisted as they are), the generated fleet
   * gets a memory of its own. Nothing is resolved and nobody is told anything.
   */
  suspend(): void {
    if (this.#suspended) return;
    this.#persistActive(this.#opts.clock.now(), true);
    const real = this.#memory;
    this.#suspended = real;
    // Docker hosts stay real in mock mode (agents keep reporting): their alerts go on as they
    // are, with what was told about them, instead of being raised and sent a second time.
    this.#memory = {
      ...emptyMemory(),
      active: pick(real.active, true),
      notices: real.notices,
      flaps: real.flaps,
      lastResolved: real.lastResolved,
      dockerRestarts: real.dockerRestarts,
      startedAt: real.startedAt,
    };
    this.#commitState();
  }

  /**
   * Mock mode ends: the fleet's alerts go (history rows closed as 'mock'), the real ones come
   * back as they were — still told, still acknowledged, so nothing is sent again. Their
   * resources are judged again only on fresh data, with the staleness clock restarted as after
   * a restart; grace periods and confirmations begin anew.
   */
  resume(): void {
    const real = this.#suspended;
    if (!real) return;
    const now = this.#opts.clock.now();
    const during = this.#memory;
    const mock = pick(during.active, false);
    this.#repo.inTransaction(() => {
      for (const id in mock) this.#repo.resolveHistory(id, now, 'mock');
    });
    this.#suspended = undefined;
    const docker = pick(during.active, true);
    // lastSeen of the alerts kept outside them: the real ones' as they were, the Docker ones' as
    // of the last round in mock mode.
    const unseen: Record<string, string> = { ...real.unseen };
    for (const id in docker) {
      const seen = during.unseen?.[id] ?? during.lastRound;
      if (seen !== undefined) unseen[id] = seen;
      else delete unseen[id];
    }
    this.#memory = {
      ...real,
      // Docker alerts as they are now (they went on during mock mode), the rest as they were.
      active: { ...pick(real.active, false), ...docker },
      notices: { ...real.notices, ...during.notices },
      flaps: { ...real.flaps, ...during.flaps },
      lastResolved: { ...real.lastResolved, ...during.lastResolved },
      dockerRestarts: during.dockerRestarts,
      unseen,
      lastRound: real.lastRound,
      startedAt: now,
      pending: {},
      confirmations: {},
      oldestNotice: undefined,
      oldestResolved: undefined,
      flapBounds: undefined,
    };
    for (const id in mock) {
      if (!this.#memory.active[id]) this.#opts.events.emit('alertResolved', { alertId: id });
    }
    this.#persistActive(now, true);
    this.#commitState();
  }

  /** Whether mock mode holds the real alerts aside. */
  get suspended(): boolean {
    return this.#suspended !== undefined;
  }

  clearHistory(): void {
    this.#repo.clearHistory();
  }

  /** undefined when the alert is not active. */
  acknowledge(id: string, user = 'admin'): FullAlert | undefined {
    const now = this.#opts.clock.now();
    const r = acknowledgeAlert(this.#memory, id, user, now);
    if (!r) return undefined;
    this.#memory = r.memory;
    this.#repo.ackHistory(id, now, user);
    this.#persistActive(now);
    this.#commitState();
    return r.alert;
  }

  unacknowledge(id: string): FullAlert | undefined {
    const r = unacknowledgeAlert(this.#memory, id);
    if (!r) return undefined;
    this.#memory = r.memory;
    this.#repo.ackHistory(id, null, null);
    this.#persistActive(this.#opts.clock.now());
    this.#commitState();
    return r.alert;
  }

  /** Drops an active alert (no recently-resolved entry); true when it was active. */
  clear(id: string): boolean {
    const r = clearAlert(this.#memory, id);
    this.#memory = r.memory;
    if (!r.alert) return false;
    const now = this.#opts.clock.now();
    this.#repo.resolveHistory(id, now, 'cleared');
    this.#persistActive(now);
    this.#commitState();
    this.#opts.events.emit('alertResolved', { alertId: id });
    return true;
  }
}

/**
 * How often each alert raised in `changes` is told after its raise in the same round (in the
 * notifications, alone or folded into its node's): the counts `#apply` writes with its new row.
 */
function toldOnRaise(changes: readonly AlertChange[]): Map<string, number> {
  const counts = new Map<string, number>();
  const raised = new Set<string>();
  const count = (id: string) => {
    if (raised.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  };
  for (const c of changes) {
    if (c.kind === 'raised') raised.add(c.alert.id);
    else if (c.kind === 'notify' && c.notification.kind !== 'resolved') {
      count(c.notification.alert.id);
      for (const g of c.notification.grouped ?? []) count(g.id);
    }
  }
  return counts;
}

const DOCKER_TYPES = new Set(['DockerHost', 'Docker Container']);

/** The active alerts of Docker resources (`docker` true) or of everything else. */
function pick(active: AlertMemory['active'], docker: boolean): AlertMemory['active'] {
  const out: AlertMemory['active'] = {};
  for (const id in active) {
    const type = active[id].alert.metadata?.resourceType;
    if (DOCKER_TYPES.has(typeof type === 'string' ? type : '') === docker) out[id] = active[id];
  }
  return out;
}

/**
 * True when two sorted active lists give the same /api/state alerts. The engine never modifies
 * an alert it handed out, so an identical object is equal; others compare by the fields
 * `toStateAlert` keeps (live figures outside them, like lastSeen, do not count).
 */
function sameStateAlerts(a: FullAlert[], b: FullAlert[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (
      x.id !== y.id ||
      x.type !== y.type ||
      x.level !== y.level ||
      x.resourceId !== y.resourceId ||
      x.resourceName !== y.resourceName ||
      x.node !== y.node ||
      x.instance !== y.instance ||
      x.message !== y.message ||
      !Object.is(x.value, y.value) ||
      !Object.is(x.threshold, y.threshold) ||
      x.startTime !== y.startTime ||
      x.acknowledged !== y.acknowledged ||
      (x.ackTime || undefined) !== (y.ackTime || undefined) ||
      (x.ackUser || undefined) !== (y.ackUser || undefined)
    )
      return false;
  }
  return true;
}

/** True when both maps hold the identical alert objects under the same ids. */
function sameEntries(a: Record<string, TrackedAlert>, b: Record<string, TrackedAlert>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const id in b) {
    if (a[id]?.alert !== b[id].alert) return false;
    n++;
  }
  for (const _ in a) n--;
  return n === 0;
}

function sameStrings(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
