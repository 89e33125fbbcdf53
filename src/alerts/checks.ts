/**
 * A Check is one signal the engine evaluates in a round: a measured value against a trigger/clear
 * pair (threshold checks), or a yes/no condition that must hold for N observations (condition
 * checks: offline, powered off, disk health …). Source modules (checks-pve.ts, checks-services.ts,
 * checks-backups.ts) turn the state into checks; the engine applies the alert rules to them.
 */
import type { AlertLevel, Guest } from '../model/state.js';
import type { AlertMemory } from './memory.js';
import type { AlertCategory } from './quiet-hours.js';
import type { RunningGuests } from './running-guests.js';

interface CheckBase {
  /** Alert id per wire-contract §5.3 */
  id: string;
  type: string;
  resourceId: string;
  resourceName: string;
  node: string;
  instance: string;
  /** metadata.resourceType: VM, Container, Node, Storage, PBS, PMG, Docker Container, DockerHost */
  resourceType: string;
  category: AlertCategory;
  /** Node id whose offline alert this check's alert folds under (guests, node-local storage). */
  parentNodeId?: string;
  /** Extra metadata merged into the alert. */
  extra?: Record<string, unknown>;
}

export interface ThresholdCheck extends CheckBase {
  kind: 'threshold';
  value: number;
  trigger: number;
  clear: number;
  /** Level becomes critical at ≥ this (default trigger + 10). */
  critical: number;
  /** ms a breach must last before it fires */
  delayMs: number;
  unit: string;
  /** Human label of the metric, e.g. "CPU" */
  label: string;
}

export interface ConditionCheck extends CheckBase {
  kind: 'condition';
  /** Whether the bad condition holds now. */
  bad: boolean;
  level: AlertLevel;
  /** Consecutive observations needed before the alert fires (1 = at once). */
  confirmations: number;
  message: string;
  value: number;
  threshold: number;
  /** The message gets " since HH:MM UTC" (when the condition was first seen bad) appended by the engine. */
  since?: boolean;
  /** What the notification shows instead of the numbers: the state seen and the state expected. */
  valueText?: string;
  thresholdText?: string;
}

export type Check = ThresholdCheck | ConditionCheck;

/** The checks of one round plus which resources were seen at all (absent ones keep their alerts). */
export class CheckSet {
  readonly checks: Check[] = [];
  /** Resource ids present in the state this round, but for guests (`observeGuests`); ask `isObserved`. */
  readonly observed = new Set<string>();
  /** Guest lists whose guests (but templates) are present this round. */
  readonly #guestLists: Array<readonly Guest[]> = [];
  #guestIds?: Set<string>;
  /** Node ids whose status is offline right now (for root-cause grouping). */
  readonly offlineNodes = new Set<string>();
  /** Resource ids whose figures are stale (their node is offline): their alerts stay as they are. */
  readonly frozen = new Set<string>();
  // Resources and types of active alerts whose data is missing this round, in pairs; looked up
  // (#unknownIndex) only for an active alert no check refreshed, which few rounds have.
  readonly #unknown: string[] = [];
  #unknownIndex?: Map<string, string[]>;
  // The types of the active alerts per resource, built on first use (and reused while the active
  // map is the same); asked once per metric of the same resource in a row, so the last answer is kept.
  #alerting?: AlertingIndex;
  #lastResource?: string;
  #lastTypes?: string[];

  constructor(
    private readonly memory: Pick<AlertMemory, 'active' | 'pending' | 'confirmations'>,
    /** The guests seen running, and which of them this round met. */
    readonly running: RunningGuests,
  ) {}

  /**
   * The guests of `list` (but templates) are present this round. Their ids are put in a set only
   * when `isObserved` needs it (few rounds do): 10,000 fresh ids a round cost more to insert than
   * anything else the checks do with them.
   */
  observeGuests(list: readonly Guest[]): void {
    this.#guestLists.push(list);
    this.#guestIds = undefined;
  }

  /** Whether the resource is present in the state this round. */
  isObserved(id: string): boolean {
    if (this.observed.has(id)) return true;
    if (this.#guestLists.length === 0) return false;
    if (!this.#guestIds) {
      this.#guestIds = new Set();
      for (const list of this.#guestLists) {
        for (let i = 0; i < list.length; i++) if (!list[i].template) this.#guestIds.add(list[i].id);
      }
    }
    return this.#guestIds.has(id);
  }

  /** Whether the engine holds state for this check id (active alert, grace period, confirmations). */
  keep(id: string): boolean {
    const m = this.memory;
    return m.active[id] !== undefined || m.pending[id] !== undefined || m.confirmations[id] !== undefined;
  }

  /**
   * Whether an alert of this resource and type is active. A check that cannot fire now
   * (threshold below its trigger, condition not bad) matters only to an active alert — grace
   * periods and confirmations of checks left out are forgotten just as when they clear — so
   * without one it is left out before its id is even built.
   */
  alerting(resourceId: string, type: string): boolean {
    this.#alerting ??= alertingIndex(this.memory.active);
    // No alert of this type is active anywhere (the usual answer): no lookup by a fresh id.
    if (!this.#alerting.types.has(type)) return false;
    if (resourceId !== this.#lastResource) {
      this.#lastResource = resourceId;
      this.#lastTypes = this.#alerting.byResource.get(resourceId);
    }
    return this.#lastTypes?.includes(type) === true;
  }

  /** Whether any alert of this type is active. */
  anyAlerting(type: string): boolean {
    this.#alerting ??= alertingIndex(this.memory.active);
    return this.#alerting.types.has(type);
  }

  /**
   * The data this alert type is judged on is missing for the resource this round (not fetched
   * yet, sensor not read yet, resource unreachable): an active alert of that type is "unknown",
   * kept as it is rather than resolved. Costs nothing unless such an alert is active.
   */
  unknown(resourceId: string, type: string): void {
    if (!this.alerting(resourceId, type)) return;
    this.#unknown.push(resourceId, type);
    this.#unknownIndex = undefined;
  }

  isUnknown(resourceId: string, type: string): boolean {
    if (this.#unknown.length === 0) return false;
    if (!this.#unknownIndex) {
      this.#unknownIndex = new Map();
      for (let i = 0; i < this.#unknown.length; i += 2) {
        const types = this.#unknownIndex.get(this.#unknown[i]);
        if (types) types.push(this.#unknown[i + 1]);
        else this.#unknownIndex.set(this.#unknown[i], [this.#unknown[i + 1]]);
      }
    }
    return this.#unknownIndex.get(resourceId)?.includes(type) === true;
  }
}

/** The types of the active alerts per resource id, and how many alerts of each type are active. */
interface AlertingIndex {
  byResource: Map<string, string[]>;
  types: Map<string, number>;
}

// Per active map: rounds that change no alert hand the identical map on (copy-on-write).
const alertingByActive = new WeakMap<AlertMemory['active'], AlertingIndex>();

function alertingIndex(active: AlertMemory['active']): AlertingIndex {
  let index = alertingByActive.get(active);
  if (!index) {
    index = { byResource: new Map(), types: new Map() };
    for (const id in active) addAlerting(index, active[id].alert);
    alertingByActive.set(active, index);
  }
  return index;
}

function addAlerting(index: AlertingIndex, a: AlertKey): void {
  index.types.set(a.type, (index.types.get(a.type) ?? 0) + 1);
  const types = index.byResource.get(a.resourceId);
  if (types) types.push(a.type);
  else index.byResource.set(a.resourceId, [a.type]);
}

/** What the index knows of an alert. */
export interface AlertKey {
  resourceId: string;
  type: string;
}

/** An alert raised (`added`) or resolved in a round, in the order they happened. */
export interface AlertingChange extends AlertKey {
  added: boolean;
}

/**
 * The index of a round's new active map, derived from the old map's (when one was made) and the
 * round's raises and resolutions: rebuilding it from a large map costs far more than a round's
 * few changes. The old index is left as it was (its lists are copied before they change).
 */
export function carryAlertingIndex(
  from: AlertMemory['active'],
  to: AlertMemory['active'],
  changes: readonly AlertingChange[],
): void {
  const prev = alertingByActive.get(from);
  if (from === to || !prev || alertingByActive.has(to)) return;
  const index: AlertingIndex = { byResource: new Map(prev.byResource), types: new Map(prev.types) };
  const own = new Set<string[]>();
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    let types = index.byResource.get(c.resourceId);
    if (types && !own.has(types)) {
      types = types.slice();
      own.add(types);
      index.byResource.set(c.resourceId, types);
    }
    if (c.added) {
      if (types) types.push(c.type);
      else {
        types = [c.type];
        own.add(types);
        index.byResource.set(c.resourceId, types);
      }
      index.types.set(c.type, (index.types.get(c.type) ?? 0) + 1);
      continue;
    }
    const at = types ? types.indexOf(c.type) : -1;
    if (!types || at < 0) continue;
    types.splice(at, 1);
    if (types.length === 0) index.byResource.delete(c.resourceId);
    const left = (index.types.get(c.type) ?? 0) - 1;
    if (left > 0) index.types.set(c.type, left);
    else index.types.delete(c.type);
  }
  alertingByActive.set(to, index);
}

export const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * Check ids, built once per resource and reused: an id built afresh every round costs an
 * allocation and, on its first use as a key in the engine's memory, a string-table lookup; a
 * reused one is found at once. Each table is forgotten wholesale past a size no estate reaches,
 * so resources that come and go cannot make it grow without bound.
 */
const IDS_MAX = 200_000;
/** `${resourceId}-${metric}` per resource, then metric: one lookup serves all metrics of a resource. */
const suffixed = new Map<string, Map<string, string>>();
const prefixed = new Map<string, Map<string, string>>();
// The resource metricId was last asked for: guests' metrics are asked one after the other.
let lastResource: string | undefined;
let lastSuffixed: Map<string, string> | undefined;

function cached(tables: Map<string, Map<string, string>>, key: string, sub: string, make: () => string): string {
  let table = tables.get(key);
  if (table === undefined) {
    table = new Map();
    tables.set(key, table);
  } else if (table.size >= IDS_MAX) table.clear();
  let id = table.get(sub);
  if (id === undefined) {
    id = make();
    table.set(sub, id);
  }
  return id;
}

/** `${resourceId}-${metric}`, cached. */
export function metricId(resourceId: string, metric: string): string {
  if (resourceId !== lastResource || lastSuffixed === undefined) {
    lastSuffixed = suffixed.get(resourceId);
    if (lastSuffixed === undefined) {
      if (suffixed.size >= IDS_MAX) suffixed.clear();
      lastSuffixed = new Map();
      suffixed.set(resourceId, lastSuffixed);
    }
    lastResource = resourceId;
  }
  let id = lastSuffixed.get(metric);
  if (id === undefined) {
    id = `${resourceId}-${metric}`;
    lastSuffixed.set(metric, id);
  }
  return id;
}

/** `${prefix}-${resourceId}`, cached. */
export function prefixedId(prefix: string, resourceId: string): string {
  const id = prefixed.get(prefix)?.get(resourceId);
  return id ?? cached(prefixed, prefix, resourceId, () => `${prefix}-${resourceId}`);
}

/** The fields a source module's checks of one resource share. */
export type CheckBaseFields = Pick<
  CheckBase,
  'resourceId' | 'resourceName' | 'node' | 'instance' | 'resourceType' | 'category' | 'parentNodeId'
>;

/**
 * A condition check of the resource `base` describes. Built field by field, not by spreading
 * `base` into a literal: such spreads made slow dictionary-mode objects, several KB each, and
 * some of these checks are built for every storage and disk in every round.
 */
export function conditionCheck(
  base: CheckBaseFields,
  c: Omit<ConditionCheck, keyof CheckBaseFields | 'kind'> & { category?: CheckBase['category'] },
): ConditionCheck {
  const out: ConditionCheck = {
    kind: 'condition',
    id: c.id,
    type: c.type,
    resourceId: base.resourceId,
    resourceName: base.resourceName,
    node: base.node,
    instance: base.instance,
    resourceType: base.resourceType,
    category: c.category ?? base.category,
    parentNodeId: base.parentNodeId,
    bad: c.bad,
    level: c.level,
    confirmations: c.confirmations,
    message: c.message,
    value: c.value,
    threshold: c.threshold,
    // Always set (undefined when absent), so every condition check has the one layout.
    since: c.since,
    valueText: c.valueText,
    thresholdText: c.thresholdText,
  };
  if (c.extra) out.extra = c.extra;
  return out;
}
