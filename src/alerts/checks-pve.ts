/**
 * Checks for Proxmox VE resources: nodes (metrics, connectivity), guests (metrics, per-filesystem
 * disks, powered off), storage (usage, offline, ZFS) and physical disks (health, wearout).
 * Units per wire-contract §5.2: cpu fraction ×100, memory/disk/usage %, I/O MB/s (2²⁰ bytes).
 */
import type { Guest, Node, PulseState } from '../model/state.js';
import type { Check, CheckSet, ConditionCheck, ThresholdCheck } from './checks.js';
import { conditionCheck, metricId, prefixedId, round4 } from './checks.js';
import type { AlertConfig, HysteresisThreshold, MetricKey, ThresholdConfig } from './config.js';
import type { RunningGuests } from './running-guests.js';
import { delayMs, effectiveThresholds, enabledPair, hasOverrides, type TimeType } from './thresholds.js';

const MIB = 1024 * 1024;
/** A guest's I/O rates (bytes/s), each checked against its own threshold. */
const IO_RATES = ['diskRead', 'diskWrite', 'networkIn', 'networkOut'] as const;

type Base = Omit<
  ThresholdCheck,
  'kind' | 'value' | 'trigger' | 'clear' | 'critical' | 'delayMs' | 'unit' | 'label' | 'id' | 'type'
>;

const LABELS: Record<MetricKey, [string, string]> = {
  cpu: ['CPU', '%'],
  memory: ['Memory', '%'],
  disk: ['Disk', '%'],
  diskRead: ['Disk read', 'MB/s'],
  diskWrite: ['Disk write', 'MB/s'],
  networkIn: ['Network in', 'MB/s'],
  networkOut: ['Network out', 'MB/s'],
  usage: ['Usage', '%'],
  temperature: ['Temperature', '°C'],
};

export function metricCheck(
  out: CheckSet,
  config: AlertConfig,
  timeType: TimeType,
  base: Base,
  metric: MetricKey,
  value: number | undefined,
  pair: HysteresisThreshold | undefined,
  idOverride?: string,
): ThresholdCheck | undefined {
  const th = enabledPair(pair);
  if (!th || value === undefined || !Number.isFinite(value) || value < 0) return undefined;
  const v = round4(value);
  // Most values are far from their trigger: only build a check when it can change something,
  // decided on numbers before any string or object is made.
  if (v < th.trigger && !out.alerting(base.resourceId, metric)) return undefined;
  const id = idOverride ?? metricId(base.resourceId, metric);
  if (v < th.trigger && !out.keep(id)) return undefined;
  const [label, unit] = LABELS[metric];
  const c: ThresholdCheck = {
    kind: 'threshold',
    id,
    type: metric,
    resourceId: base.resourceId,
    resourceName: base.resourceName,
    node: base.node,
    instance: base.instance,
    resourceType: base.resourceType,
    category: base.category,
    value: v,
    trigger: th.trigger,
    clear: th.clear,
    critical: th.trigger + 10,
    delayMs: delayMs(config, timeType, metric),
    unit,
    label,
  };
  if ('parentNodeId' in base) c.parentNodeId = base.parentNodeId;
  if (base.extra) c.extra = base.extra;
  return c;
}

/** `/` → `root`, other characters outside [A-Za-z0-9] → `-` (for per-filesystem alert ids). */
export function sanitizeMount(mount: string): string {
  if (mount === '/' || mount === '') return 'root';
  return (
    mount
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'root'
  );
}

/** Node ids by instance and name, per nodes list (state snapshots are immutable). */
const nodeIndex = new WeakMap<readonly Node[], Map<string, Map<string, string>>>();

export function nodeIdFor(state: Readonly<PulseState>, nodeName: string, instance: string): string {
  let index = nodeIndex.get(state.nodes);
  if (!index) {
    index = new Map();
    // Backwards, so the first node of a duplicate name wins (as with a search from the front).
    for (let i = state.nodes.length - 1; i >= 0; i--) {
      const n = state.nodes[i];
      let byName = index.get(n.instance);
      if (!byName) {
        byName = new Map();
        index.set(n.instance, byName);
      }
      byName.set(n.name, n.id);
    }
    nodeIndex.set(state.nodes, index);
  }
  return index.get(instance)?.get(nodeName) ?? `${instance}-${nodeName}`;
}

/**
 * `guests`: the guests this engine has seen running (`mark` adds one). A guest that is
 * stopped the first time it is seen is taken as intentionally off: only a running → stopped
 * change raises a powered-off alert, so a first start does not flood the user with every idle VM.
 * `alsoForEachGuest` runs for every guest right after its own checks (see backupChecker).
 */
export function pveChecks(
  config: AlertConfig,
  state: Readonly<PulseState>,
  out: CheckSet,
  guests: RunningGuests,
  alsoForEachGuest?: (g: Guest) => void,
): void {
  nodeChecks(config, state, out);
  const running = { guests, overrides: hasOverrides(config) };
  // Index loops: this runs once per round, often before it is optimised, and an iterator there
  // allocates a result object per guest.
  for (const list of [state.vms, state.containers]) {
    out.observeGuests(list);
    for (let i = 0; i < list.length; i++) {
      const g = list[i];
      guestChecks(config, state, g, out, running);
      alsoForEachGuest?.(g);
    }
  }
  storageChecks(config, state, out);
  diskChecks(config, state, out);
}

function push(out: CheckSet, c: Check | undefined): void {
  if (c) out.checks.push(c);
}

function nodeChecks(config: AlertConfig, state: Readonly<PulseState>, out: CheckSet): void {
  for (const node of state.nodes) {
    out.observed.add(node.id);
    if (node.status === 'offline') out.offlineNodes.add(node.id);
    const override = config.overrides[node.id];
    if (config.disableAllNodes || override?.disabled) continue;
    const name = node.displayName || node.name;
    // A node whose status Proxmox cannot tell ('unknown') is neither offline nor back.
    const statusKnown = node.status === 'online' || node.status === 'offline';
    if (!statusKnown) out.unknown(node.id, 'connectivity');
    else if (!config.disableAllNodesOffline && !override?.disableConnectivity) {
      out.checks.push({
        kind: 'condition',
        id: prefixedId('node-offline', node.id),
        type: 'connectivity',
        resourceId: node.id,
        resourceName: name,
        node: node.name,
        instance: node.instance,
        resourceType: 'Node',
        category: 'offline',
        bad: node.status === 'offline',
        level: 'critical',
        confirmations: 3,
        message: `Node '${name}' is offline`,
        since: true,
        valueText: node.status,
        thresholdText: 'online',
        value: 0,
        threshold: 0,
      });
    }
    if (node.status !== 'online') {
      // No fresh figures from a node that is not online: its metric alerts stay as they are.
      out.frozen.add(node.id);
      continue;
    }
    const th = effectiveThresholds(config.nodeDefaults, override);
    const base: Base = {
      resourceId: node.id,
      resourceName: name,
      node: node.name,
      instance: node.instance,
      resourceType: 'Node',
      category: 'performance',
    };
    push(out, metricCheck(out, config, 'node', base, 'cpu', node.cpu * 100, th.cpu));
    if (node.memory && node.memory.total > 0) {
      push(out, metricCheck(out, config, 'node', base, 'memory', node.memory.usage, th.memory));
    } else out.unknown(node.id, 'memory');
    if (node.disk && node.disk.total > 0)
      push(out, metricCheck(out, config, 'node', base, 'disk', node.disk.usage, th.disk));
    else out.unknown(node.id, 'disk');
    const temp = node.temperature?.available ? (node.temperature.cpuPackage ?? node.temperature.cpuMax) : undefined;
    // Temperatures come from a background SSH read: missing after a start until it has run.
    if (temp !== undefined && temp > 0)
      push(out, metricCheck(out, config, 'node', base, 'temperature', temp, th.temperature));
    else out.unknown(node.id, 'temperature');
  }
}

/** What every check of a guest shares. */
function guestBase(g: Guest, resourceType: string, parentNodeId: string): Base {
  return {
    resourceId: g.id,
    resourceName: g.name,
    node: g.node,
    instance: g.instance,
    resourceType,
    category: 'performance',
    parentNodeId,
  };
}

/**
 * metricCheck's early-out on numbers alone (a disabled signal, no usable value, a value below
 * the trigger without an active alert), for a caller that would otherwise build its arguments.
 */
function mayAlert(
  out: CheckSet,
  resourceId: string,
  metric: MetricKey,
  value: number,
  pair: HysteresisThreshold | undefined,
): boolean {
  const th = enabledPair(pair);
  if (!th || !Number.isFinite(value) || value < 0) return false;
  return round4(value) >= th.trigger || out.alerting(resourceId, metric);
}

function guestChecks(
  config: AlertConfig,
  state: Readonly<PulseState>,
  g: Guest,
  out: CheckSet,
  running: { guests: RunningGuests; overrides: boolean },
): void {
  if (g.template) return;
  // Observed through its list (CheckSet.observeGuests), met here for seenRunning.
  const wasRunning = running.guests.meet(g.id);
  const parentNodeId = nodeIdFor(state, g.node, g.instance);
  // On an offline node (or with status unknown) the guest's figures are stale: it counts as down,
  // and its metric alerts are left as they are rather than resolved on old values.
  const nodeOffline = out.offlineNodes.has(parentNodeId);
  const unreachable = nodeOffline || g.status === 'unknown';
  if (g.status === 'running' && !unreachable) running.guests.mark(g.id, wasRunning);
  const override = running.overrides ? config.overrides[g.id] : undefined;
  if (config.disableAllGuests || override?.disabled) return;
  const th: ThresholdConfig = effectiveThresholds(config.guestDefaults, override);
  const resourceType = g.type === 'qemu' ? 'VM' : 'Container';
  // Built on first need: most guests get no check at all.
  let base: Base | undefined;
  const down = g.status === 'stopped' || unreachable;
  // An active powered-off alert means it was seen running (seenRunning is empty after a restart).
  const powerOffBad = down && (wasRunning || out.alerting(g.id, 'powered-off'));
  const powerOffId =
    powerOffBad || out.alerting(g.id, 'powered-off') ? prefixedId('guest-powered-off', g.id) : undefined;
  if (
    powerOffId &&
    !config.disableAllGuestsOffline &&
    !th.disableConnectivity &&
    (powerOffBad || out.keep(powerOffId))
  ) {
    base ??= guestBase(g, resourceType, parentNodeId);
    const powerOff: ConditionCheck = conditionCheck(base, {
      id: powerOffId,
      type: 'powered-off',
      category: 'offline',
      bad: powerOffBad,
      level: th.poweredOffSeverity ?? 'warning',
      confirmations: 2,
      message: unreachable
        ? `${resourceType} '${g.name}' is unreachable${nodeOffline ? ` (node ${g.node} is offline)` : ''}`
        : `${resourceType} '${g.name}' is powered off`,
      since: true,
      valueText: g.status,
      thresholdText: 'running',
      value: 0,
      threshold: 0,
    });
    out.checks.push(powerOff);
  }
  if (unreachable) {
    out.frozen.add(g.id);
    return;
  }
  // Stopped or paused guests have no meaningful metrics: their metric alerts resolve.
  if (g.status !== 'running') return;
  // Each metric is judged on its number first (mayAlert): no check, base or boxed number is made
  // for the many figures far below their trigger.
  const cpu = g.cpu * 100;
  if (mayAlert(out, g.id, 'cpu', cpu, th.cpu)) {
    base ??= guestBase(g, resourceType, parentNodeId);
    push(out, metricCheck(out, config, 'guest', base, 'cpu', cpu, th.cpu));
  }
  if (!(g.memory && g.memory.total > 0)) out.unknown(g.id, 'memory');
  else if (mayAlert(out, g.id, 'memory', g.memory.usage, th.memory)) {
    base ??= guestBase(g, resourceType, parentNodeId);
    push(out, metricCheck(out, config, 'guest', base, 'memory', g.memory.usage, th.memory));
  }
  // Index loops here and below: unoptimised, a for-of allocates an iterator and a result per step.
  const disks = g.disks;
  let filesystems = 0;
  if (disks) for (let i = 0; i < disks.length; i++) if (disks[i].mountpoint && disks[i].total > 0) filesystems++;
  // Filesystems come from the guest agent, which may not have answered yet: their alerts wait.
  if (filesystems === 0) out.unknown(g.id, 'disk');
  if (filesystems > 0) {
    // One alert per filesystem instead of the aggregate, so a full /var is named as such.
    const pair = enabledPair(th.disk);
    for (let i = 0; i < disks!.length; i++) {
      const fs = disks![i];
      if (!fs.mountpoint || !(fs.total > 0)) continue;
      // Same early-out as metricCheck's, before the id and names are built.
      if (pair && round4(fs.usage) < pair.trigger && !out.alerting(g.id, 'disk')) continue;
      base ??= guestBase(g, resourceType, parentNodeId);
      push(
        out,
        metricCheck(
          out,
          config,
          'guest',
          { ...base, resourceName: `${g.name} (${fs.mountpoint})`, extra: { mountpoint: fs.mountpoint } },
          'disk',
          fs.usage,
          th.disk,
          `${g.id}-disk-${sanitizeMount(fs.mountpoint)}-disk`,
        ),
      );
    }
  } else if (g.disk && g.disk.total > 0 && g.disk.usage >= 0) {
    if (mayAlert(out, g.id, 'disk', g.disk.usage, th.disk)) {
      base ??= guestBase(g, resourceType, parentNodeId);
      push(out, metricCheck(out, config, 'guest', base, 'disk', g.disk.usage, th.disk));
    }
  }
  for (let i = 0; i < IO_RATES.length; i++) {
    const metric = IO_RATES[i];
    const rate = g[metric] / MIB; // thresholds are in MiB/s
    if (mayAlert(out, g.id, metric, rate, th[metric])) {
      base ??= guestBase(g, resourceType, parentNodeId);
      push(out, metricCheck(out, config, 'guest', base, metric, rate, th[metric]));
    }
  }
}

const BAD_ZFS = new Set(['FAULTED', 'UNAVAIL']);

function storageChecks(config: AlertConfig, state: Readonly<PulseState>, out: CheckSet): void {
  for (const s of state.storage) {
    out.observed.add(s.id);
    const override = config.overrides[s.id];
    if (config.disableAllStorage || override?.disabled) continue;
    const localNode = !s.shared && s.node !== 'cluster';
    const parentNodeId = localNode ? nodeIdFor(state, s.node, s.instance) : undefined;
    if (parentNodeId && out.offlineNodes.has(parentNodeId)) {
      // Last values of an offline node: keep what is active, judge nothing new.
      out.frozen.add(s.id);
      continue;
    }
    const base: Base = {
      resourceId: s.id,
      resourceName: s.name,
      node: s.node,
      instance: s.instance,
      resourceType: 'Storage',
      category: 'storage',
      parentNodeId,
    };
    const offline = s.enabled !== false && s.status !== 'disabled' && (s.status === 'inactive' || s.active === false);
    if (!override?.disableConnectivity) {
      out.checks.push(
        conditionCheck(base, {
          id: `storage-offline-${s.id}`,
          type: 'offline',
          bad: offline,
          level: 'warning',
          confirmations: 2,
          message: `Storage '${s.name}' on ${s.node} is unavailable`,
          since: true,
          valueText: s.status,
          thresholdText: 'active',
          value: 0,
          threshold: 0,
        }),
      );
    }
    if (!offline && s.total > 0) {
      const pair = override?.usage ?? config.storageDefault;
      push(out, metricCheck(out, config, 'storage', base, 'usage', s.usage, pair));
    } else out.unknown(s.id, 'usage');
    const pool = s.zfsPool;
    if (!pool) {
      // ZFS health is fetched on its own cadence: absent until its first fetch.
      out.unknown(s.id, 'zfs-pool-state');
      out.unknown(s.id, 'zfs-pool-errors');
      out.unknown(s.id, 'zfs-device');
      continue;
    }
    const poolState = pool.state.toUpperCase();
    out.checks.push(
      conditionCheck(base, {
        id: `zfs-pool-state-${s.id}`,
        type: 'zfs-pool-state',
        bad: poolState !== 'ONLINE',
        level: BAD_ZFS.has(poolState) ? 'critical' : 'warning',
        confirmations: 1,
        message: `ZFS pool '${pool.name}' is ${poolState}`,
        valueText: poolState,
        thresholdText: 'ONLINE',
        value: 0,
        threshold: 0,
        extra: { poolState },
      }),
    );
    const errors = pool.readErrors + pool.writeErrors + pool.checksumErrors;
    out.checks.push(
      conditionCheck(base, {
        id: `zfs-pool-errors-${s.id}`,
        type: 'zfs-pool-errors',
        bad: errors > 0,
        level: 'warning',
        confirmations: 1,
        message: `ZFS pool '${pool.name}' has errors (read ${pool.readErrors}, write ${pool.writeErrors}, checksum ${pool.checksumErrors})`,
        valueText: errors > 0 ? `${errors} errors` : undefined,
        thresholdText: '0 errors',
        value: errors,
        threshold: 0,
      }),
    );
    for (const dev of pool.devices ?? []) {
      const devState = dev.state.toUpperCase();
      const devErrors = dev.readErrors + dev.writeErrors + dev.checksumErrors;
      out.checks.push(
        conditionCheck(base, {
          id: `zfs-device-${s.id}-${dev.name}`,
          type: 'zfs-device',
          bad: devState !== 'ONLINE' || devErrors > 0,
          level: BAD_ZFS.has(devState) ? 'critical' : 'warning',
          confirmations: 1,
          message: `ZFS device '${dev.name}' in pool '${pool.name}' is ${devState}${devErrors > 0 ? ` with ${devErrors} errors` : ''}`,
          valueText: devErrors > 0 ? `${devState}, ${devErrors} errors` : devState,
          thresholdText: 'ONLINE',
          value: devErrors,
          threshold: 0,
          extra: { device: dev.name, deviceState: devState },
        }),
      );
    }
  }
}

const HEALTHY = new Set(['PASSED', 'OK', 'UNKNOWN', '']);

function diskChecks(config: AlertConfig, state: Readonly<PulseState>, out: CheckSet): void {
  for (const d of state.physicalDisks) {
    out.observed.add(d.id);
    if (config.disableAllNodes || config.overrides[d.id]?.disabled) continue;
    const parentNodeId = nodeIdFor(state, d.node, d.instance);
    if (out.offlineNodes.has(parentNodeId)) {
      out.frozen.add(d.id);
      continue;
    }
    const base: Base = {
      resourceId: d.id,
      resourceName: `${d.devPath} (${d.model || 'disk'})`,
      node: d.node,
      instance: d.instance,
      resourceType: 'Disk',
      category: 'health',
      parentNodeId,
    };
    const health = (d.health ?? '').toUpperCase();
    out.checks.push(
      conditionCheck(base, {
        id: `disk-health-${d.id}`,
        type: 'disk-health',
        bad: !HEALTHY.has(health),
        level: 'critical',
        confirmations: 1,
        message: `Disk ${d.devPath} on ${d.node} reports health ${health}`,
        valueText: health,
        thresholdText: 'PASSED',
        value: 0,
        threshold: 0,
        extra: { health },
      }),
    );
    out.checks.push(
      conditionCheck(base, {
        id: `disk-wearout-${d.id}`,
        type: 'disk-wearout',
        bad: d.wearout > 0 && d.wearout < 10,
        level: 'warning',
        confirmations: 1,
        message: `Disk ${d.devPath} on ${d.node} has ${d.wearout}% life left`,
        valueText: d.wearout > 0 && d.wearout < 10 ? `${d.wearout}% life left` : undefined,
        thresholdText: '10% life left',
        value: d.wearout,
        threshold: 10,
      }),
    );
  }
}
