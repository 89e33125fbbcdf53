/**
 * Checks for PBS servers (offline, cpu, memory, datastore usage), PMG gateways (offline, mail
 * queues, oldest message, quarantine) and Docker hosts/containers (offline, state, health,
 * restart loops, OOM kills, memory limit, cpu, memory).
 */
import { offlineAfterMs } from '../docker/report.js';
import type { PulseState } from '../model/state.js';
import type { CheckSet, ThresholdCheck } from './checks.js';
import { conditionCheck, round4 } from './checks.js';
import { metricCheck } from './checks-pve.js';
import type { AlertConfig } from './config.js';
import type { RestartSamples } from './memory.js';
import { delayMs, effectiveThresholds } from './thresholds.js';

export function serviceChecks(
  config: AlertConfig,
  state: Readonly<PulseState>,
  out: CheckSet,
  restarts: RestartSamples,
  now: number,
  startedAt = now,
): void {
  pbsChecks(config, state, out);
  pmgChecks(config, state, out);
  dockerChecks(config, state, out, restarts, now, startedAt);
}

/**
 * The fields every check of a PBS or PMG server shares. Alerts name the instance (its name in
 * `node` and `instance`, as people read it in a notification); the host URL is in metadata.host.
 */
function serverBase(kind: 'PBS' | 'PMG', s: { id: string; name: string; host: string }) {
  return {
    resourceId: s.id,
    resourceName: s.name,
    node: s.name,
    instance: s.name,
    resourceType: kind,
    category: 'performance' as const,
    extra: { host: s.host },
  };
}

/** `pbs-offline-<id>` / `pmg-offline-<id>`: critical after three offline polls (wire contract §5.3). */
function offlineCheck(base: ReturnType<typeof serverBase>, s: { id: string; name: string; status: string }) {
  return {
    ...base,
    kind: 'condition' as const,
    id: `${base.resourceType.toLowerCase()}-offline-${s.id}`,
    type: 'offline',
    category: 'offline' as const,
    bad: s.status === 'offline',
    level: 'critical' as const,
    confirmations: 3,
    message: `${base.resourceType} '${s.name}' is offline`,
    since: true,
    valueText: s.status,
    thresholdText: 'online',
    value: 0,
    threshold: 0,
  };
}

function pbsChecks(config: AlertConfig, state: Readonly<PulseState>, out: CheckSet): void {
  for (const p of state.pbs) {
    out.observed.add(p.id);
    const override = config.overrides[p.id];
    if (config.disableAllPBS || override?.disabled) continue;
    const base = serverBase('PBS', p);
    if (!config.disableAllPBSOffline && !override?.disableConnectivity) out.checks.push(offlineCheck(base, p));
    if (p.status !== 'online') {
      // No fresh figures from a server that is not online: its metric alerts stay as they are.
      out.frozen.add(p.id);
      continue;
    }
    const th = effectiveThresholds(config.pbsDefaults, override);
    const cpu = metricCheck(out, config, 'pbs', base, 'cpu', p.cpu * 100, th.cpu);
    if (cpu) out.checks.push(cpu);
    if (p.memoryTotal > 0) {
      const mem = metricCheck(out, config, 'pbs', base, 'memory', p.memory, th.memory);
      if (mem) out.checks.push(mem);
    } else out.unknown(p.id, 'memory');
    for (const ds of p.datastores ?? []) {
      const dsId = `${p.id}-${ds.name}`;
      out.observed.add(dsId);
      const dsOverride = config.overrides[dsId];
      if (dsOverride?.disabled) continue;
      if (!(ds.total > 0)) {
        out.unknown(dsId, 'usage');
        continue;
      }
      const c = metricCheck(
        out,
        config,
        'pbs',
        {
          ...base,
          resourceId: dsId,
          resourceName: `${p.name}/${ds.name}`,
          resourceType: 'PBS Datastore',
          category: 'storage',
        },
        'usage',
        ds.usage,
        dsOverride?.usage ?? config.storageDefault,
      );
      if (c) out.checks.push(c);
    }
  }
}

/** A count check with explicit warning/critical levels; clears at 90 % of the warning level. */
function levelCheck(
  config: AlertConfig,
  base: Omit<
    ThresholdCheck,
    'kind' | 'id' | 'type' | 'value' | 'trigger' | 'clear' | 'critical' | 'delayMs' | 'unit' | 'label'
  >,
  id: string,
  type: string,
  label: string,
  unit: string,
  value: number,
  warn: number,
  crit: number,
): ThresholdCheck | undefined {
  if (!(warn > 0) || !Number.isFinite(value)) return undefined;
  return {
    ...base,
    kind: 'threshold',
    id,
    type,
    label,
    unit,
    value: round4(value),
    trigger: warn,
    clear: Math.floor(warn * 0.9 * 100) / 100,
    critical: Math.max(crit, warn),
    delayMs: delayMs(config, 'pmg', type),
  };
}

function pmgChecks(config: AlertConfig, state: Readonly<PulseState>, out: CheckSet): void {
  const pd = config.pmgDefaults;
  for (const m of state.pmg) {
    out.observed.add(m.id);
    const override = config.overrides[m.id];
    if (config.disableAllPMG || override?.disabled) continue;
    const base = serverBase('PMG', m);
    if (!config.disableAllPMGOffline && !override?.disableConnectivity) out.checks.push(offlineCheck(base, m));
    if (m.status !== 'online') {
      out.frozen.add(m.id);
      continue;
    }
    const queues = (m.nodes ?? []).map((n) => n.queueStatus).filter((q) => q !== undefined);
    if (queues.length === 0) {
      // Queue figures not fetched (yet): their alerts are unknown, not resolved.
      for (const type of QUEUE_TYPES) out.unknown(m.id, type);
    } else {
      const sum = (f: (q: (typeof queues)[number]) => number) => queues.reduce((a, q) => a + f(q), 0);
      const oldestMin = Math.max(...queues.map((q) => q.oldestAge)) / 60;
      const list = [
        levelCheck(
          config,
          base,
          `${m.id}-queue-total`,
          'queue-depth',
          'Mail queue',
          'messages',
          sum((q) => q.total),
          pd.queueTotalWarning,
          pd.queueTotalCritical,
        ),
        levelCheck(
          config,
          base,
          `${m.id}-queue-deferred`,
          'queue-deferred',
          'Deferred queue',
          'messages',
          sum((q) => q.deferred),
          pd.deferredQueueWarn,
          pd.deferredQueueCritical,
        ),
        levelCheck(
          config,
          base,
          `${m.id}-queue-hold`,
          'queue-hold',
          'Hold queue',
          'messages',
          sum((q) => q.hold),
          pd.holdQueueWarn,
          pd.holdQueueCritical,
        ),
        levelCheck(
          config,
          base,
          `${m.id}-oldest-message`,
          'message-age',
          'Oldest queued message',
          'min',
          oldestMin,
          pd.oldestMessageWarnMins,
          pd.oldestMessageCritMins,
        ),
      ];
      // In a cluster, one node can hold most of the queue: each node is also checked, against
      // 60 % of the warning and 80 % of the critical level.
      const nodes = (m.nodes ?? []).filter((n) => n.queueStatus);
      if (nodes.length > 1) {
        for (const n of nodes) {
          const q = n.queueStatus!;
          const nodeBase = { ...base, resourceName: `${m.name}/${n.name}`, node: n.name };
          const per = (suffix: string, type: string, label: string, value: number, warn: number, crit: number) =>
            levelCheck(
              config,
              nodeBase,
              `${m.id}-${n.name}-${suffix}`,
              type,
              label,
              'messages',
              value,
              warn * 0.6,
              crit * 0.8,
            );
          list.push(
            per('queue-total', 'queue-depth', 'Mail queue', q.total, pd.queueTotalWarning, pd.queueTotalCritical),
            per(
              'queue-deferred',
              'queue-deferred',
              'Deferred queue',
              q.deferred,
              pd.deferredQueueWarn,
              pd.deferredQueueCritical,
            ),
            per('queue-hold', 'queue-hold', 'Hold queue', q.hold, pd.holdQueueWarn, pd.holdQueueCritical),
          );
        }
      }
      for (const c of list) if (c) out.checks.push(c);
    }
    if (m.quarantine) {
      const list = [
        levelCheck(
          config,
          base,
          `${m.id}-quarantine-spam`,
          'quarantine-spam',
          'Spam quarantine',
          'messages',
          m.quarantine.spam,
          pd.quarantineSpamWarn,
          pd.quarantineSpamCritical,
        ),
        levelCheck(
          config,
          base,
          `${m.id}-quarantine-virus`,
          'quarantine-virus',
          'Virus quarantine',
          'messages',
          m.quarantine.virus,
          pd.quarantineVirusWarn,
          pd.quarantineVirusCritical,
        ),
      ];
      for (const c of list) if (c) out.checks.push(c);
    } else {
      out.unknown(m.id, 'quarantine-spam');
      out.unknown(m.id, 'quarantine-virus');
    }
  }
}

const QUEUE_TYPES = ['queue-depth', 'queue-deferred', 'queue-hold', 'message-age'];

interface DockerContainerLike {
  id: string;
  name: string;
  state?: string;
  health?: string;
  cpuPercent?: number;
  memoryPercent?: number;
  memoryUsageBytes?: number;
  memoryLimitBytes?: number;
  restartCount?: number;
  exitCode?: number;
}

interface DockerHostLike {
  id: string;
  hostname?: string;
  displayName?: string;
  status?: string;
  /** ms of the last report */
  lastSeen?: number;
  intervalSeconds?: number;
  containers?: DockerContainerLike[];
}

const isHost = (h: unknown): h is DockerHostLike =>
  typeof h === 'object' && h !== null && typeof (h as { id?: unknown }).id === 'string';

function dockerChecks(
  config: AlertConfig,
  state: Readonly<PulseState>,
  out: CheckSet,
  restarts: RestartSamples,
  now: number,
  startedAt: number,
): void {
  const dd = config.dockerDefaults;
  const seenContainers = new Set<string>();
  for (const h of state.dockerHosts) {
    if (!isHost(h)) continue;
    out.observed.add(h.id);
    const display = h.displayName || h.hostname || h.id;
    const hostOverride = config.overrides[h.id];
    const instance = `Docker:${display}`;
    if (config.disableAllDockerHosts || hostOverride?.disabled) continue;
    // Silent since before this engine started, and not yet given the time to report since: the
    // silence may be Pulse's own downtime, so "offline" is not known yet.
    const silentSinceStart =
      h.status === 'offline' &&
      typeof h.lastSeen === 'number' &&
      h.lastSeen < startedAt &&
      now - startedAt < offlineAfterMs(h.intervalSeconds ?? 0);
    if (silentSinceStart) out.unknown(h.id, 'docker-host-offline');
    else if (!config.disableAllDockerHostsOffline && !hostOverride?.disableConnectivity) {
      out.checks.push({
        kind: 'condition',
        id: `docker-host-offline-${h.id}`,
        type: 'docker-host-offline',
        resourceId: h.id,
        resourceName: display,
        node: h.hostname ?? display,
        instance,
        resourceType: 'DockerHost',
        category: 'offline',
        bad: h.status === 'offline',
        level: 'critical',
        confirmations: 3,
        message: `Docker host '${display}' is offline`,
        since: true,
        valueText: h.status,
        thresholdText: 'online',
        value: 0,
        threshold: 0,
      });
    }
    if (h.status === 'offline' || config.disableAllDockerContainers) continue;
    for (const c of h.containers ?? []) {
      if (typeof c?.id !== 'string') continue;
      const name = (c.name ?? c.id).replace(/^\//, '');
      if (config.dockerIgnoredContainerPrefixes.some((p) => name.startsWith(p))) continue;
      const rid = `docker:${h.id}/${c.id}`;
      out.observed.add(rid);
      seenContainers.add(rid);
      const override = config.overrides[rid];
      if (override?.disabled) continue;
      const base = {
        resourceId: rid,
        resourceName: name,
        node: h.hostname ?? display,
        instance,
        resourceType: 'Docker Container',
        category: 'performance' as const,
      };
      const state = (c.state ?? '').toLowerCase();
      const stopped = state === 'exited' || state === 'dead';
      out.checks.push(
        conditionCheck(base, {
          id: `docker-container-state-${rid}`,
          type: 'docker-container-state',
          category: 'offline',
          bad: stopped && !override?.disableConnectivity,
          level: 'warning',
          confirmations: 2,
          message: `Container '${name}' on ${display} is ${state}`,
          since: true,
          valueText: stopped ? `${state} (exit ${c.exitCode ?? 0})` : undefined,
          thresholdText: 'running',
          value: c.exitCode ?? 0,
          threshold: 0,
        }),
      );
      out.checks.push(
        conditionCheck(base, {
          id: `docker-container-health-${rid}`,
          type: 'docker-container-health',
          category: 'health',
          bad: (c.health ?? '').toLowerCase() === 'unhealthy',
          level: 'critical',
          confirmations: 1,
          message: `Container '${name}' on ${display} is unhealthy`,
          value: 0,
          threshold: 0,
        }),
      );
      out.checks.push(
        conditionCheck(base, {
          id: `docker-container-oom-${rid}`,
          type: 'docker-container-oom-kill',
          category: 'health',
          bad: stopped && c.exitCode === 137,
          level: 'warning',
          confirmations: 1,
          message: `Container '${name}' on ${display} was killed (exit 137, out of memory)`,
          value: 137,
          threshold: 0,
        }),
      );
      // Restart loop: more than restartCount restarts within restartWindow seconds.
      const windowMs = dd.restartWindow * 1000;
      const samples = (restarts[rid] ?? []).filter(([t]) => now - t <= windowMs);
      const count = c.restartCount ?? 0;
      if (samples.length === 0 || samples[samples.length - 1][1] !== count) samples.push([now, count]);
      restarts[rid] = samples;
      const increase = count - Math.min(...samples.map(([, n]) => n));
      // Restarts are counted over a window this engine has watched: after a start, a quiet
      // stretch shorter than the window proves nothing about an active restart-loop alert.
      if (increase <= dd.restartCount && now - startedAt < windowMs) {
        out.unknown(rid, 'docker-container-restart-loop');
      } else
        out.checks.push(
          conditionCheck(base, {
            id: `docker-container-restart-loop-${rid}`,
            type: 'docker-container-restart-loop',
            category: 'health',
            bad: increase > dd.restartCount,
            level: 'critical',
            confirmations: 1,
            message: `Container '${name}' on ${display} restarted ${increase} times in ${Math.round(dd.restartWindow / 60)} min`,
            value: increase,
            threshold: dd.restartCount,
          }),
        );
      if (state !== 'running') continue;
      const th = effectiveThresholds({ cpu: dd.cpu, memory: dd.memory }, override);
      const cpu = metricCheck(out, config, 'docker', base, 'cpu', c.cpuPercent, th.cpu);
      if (cpu) out.checks.push(cpu);
      else if (c.cpuPercent === undefined) out.unknown(rid, 'cpu');
      const mem = metricCheck(out, config, 'docker', base, 'memory', c.memoryPercent, th.memory);
      if (mem) out.checks.push(mem);
      else if (c.memoryPercent === undefined) out.unknown(rid, 'memory');
      if (!((c.memoryLimitBytes ?? 0) > 0 && c.memoryUsageBytes !== undefined)) {
        out.unknown(rid, 'docker-container-memory-limit');
      } else {
        const pct = (c.memoryUsageBytes / c.memoryLimitBytes!) * 100;
        const lc = levelCheck(
          config,
          base,
          `docker-container-memory-limit-${rid}`,
          'docker-container-memory-limit',
          'Memory limit usage',
          '%',
          pct,
          dd.memoryWarnPct,
          dd.memoryCriticalPct,
        );
        if (lc) out.checks.push({ ...lc, delayMs: delayMs(config, 'docker', 'memory') });
      }
    }
  }
  for (const rid of Object.keys(restarts)) if (!seenContainers.has(rid)) delete restarts[rid];
}
