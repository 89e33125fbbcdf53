/**
 * DockerService: hosts reported by Docker agents (wire contract §1.4, §8).
 *
 * Each report replaces its host in memory and republishes `dockerHosts` and the
 * `connectionHealth["docker-<id>"]` keys in the StateStore. A timer (every 10 s, reading the
 * injected clock) marks hosts offline when reports stop, and expires stop commands nobody
 * collected. Removing a host blocks its agent from re-enrolling for 24 h, so an agent that is
 * being uninstalled cannot bring the host straight back with a late report.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type { DockerCommand, DockerHost } from '../model/docker.js';
import type { StateStore } from '../state/store.js';
import { annotate, hostIssues } from './issues.js';
import { DockerHostRepo } from './repo.js';
import { type DockerReport, hostKey, offlineAfterMs, parseReport, ReportError } from './report.js';

export const LIVENESS_CHECK_MS = 10_000;
export const COMMAND_TTL_MS = 10 * 60_000;
export const REENROLL_BLOCK_MS = 24 * 60 * 60_000;

/** A refusal with the status and machine-readable code the route answers with. */
export class DockerError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DockerError';
  }
}

/** Who sent a report: the API token the agent authenticated with, when it used one. */
export interface ReportCaller {
  tokenId?: string;
  tokenName?: string;
}

interface TokenLookup {
  list(): Array<{ id: string; name: string; prefix: string; suffix: string; lastUsedAt: string | null }>;
}

interface AlertLookup {
  activeAlerts(): Array<{ id: string; resourceId: string }>;
  clear(id: string): boolean;
}

export interface DockerServiceDeps {
  clock: Clock;
  state: StateStore;
  logger: Logger;
  alerts?: AlertLookup;
  tokens?: TokenLookup;
  /** Where hosts and re-enrolment blocks survive restarts; without it they live in memory only. */
  db?: Database;
}

interface Entry {
  host: DockerHost;
  /** Server clock when the last report arrived (liveness is judged by our clock, not the agent's). */
  receivedAt: number;
  hidden: boolean;
}

export interface ReportReply {
  success: true;
  hostId: string;
  containers: number;
  /** RFC3339 */
  lastSeen: string;
  commands?: Array<{ id: string; type: 'stop' }>;
}

const ACK_STATUS: Record<string, 'acknowledged' | 'completed' | 'failed'> = {
  ack: 'acknowledged',
  acknowledged: 'acknowledged',
  success: 'completed',
  completed: 'completed',
  fail: 'failed',
  failed: 'failed',
  error: 'failed',
};

const ACTIVE: ReadonlySet<DockerCommand['status']> = new Set(['queued', 'dispatched', 'acknowledged']);

export class DockerService {
  readonly #deps: DockerServiceDeps;
  readonly #hosts = new Map<string, Entry>();
  /** hostId → when it was removed (re-enrolment blocked for 24 h). */
  readonly #removed = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  readonly #repo: DockerHostRepo | undefined;

  constructor(deps: DockerServiceDeps) {
    this.#deps = deps;
    if (deps.db) {
      this.#repo = new DockerHostRepo(deps.db);
      for (const h of this.#repo.loadHosts()) this.#hosts.set(h.host.id, h);
      for (const [id, at] of this.#repo.loadRemoved()) this.#removed.set(id, at);
    }
  }

  start(): void {
    if (this.#timer) return;
    if (this.#hosts.size > 0) {
      // Hosts restored from the database: judged by when their last report arrived.
      this.checkLiveness();
      this.#publish();
    }
    this.#timer = setInterval(() => this.checkLiveness(), LIVENESS_CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #now(): number {
    return this.#deps.clock.now();
  }

  /** Every known host, hidden ones included (copies). */
  hosts(): Array<DockerHost & { hidden: boolean }> {
    return [...this.#hosts.values()].map((e) => ({ ...structuredClone(e.host), hidden: e.hidden }));
  }

  report(body: unknown, caller: ReportCaller = {}): ReportReply {
    let r: DockerReport;
    try {
      r = parseReport(body);
    } catch (err) {
      if (err instanceof ReportError) throw new DockerError(400, 'invalid_report', err.message);
      throw err;
    }
    const now = this.#now();
    const id = hostKey(r);
    const removedAt = this.#removed.get(id);
    if (removedAt !== undefined) {
      if (now - removedAt < REENROLL_BLOCK_MS) {
        throw new DockerError(
          400,
          'invalid_report',
          `Docker host ${id} was removed less than 24 hours ago; allow re-enrolment to accept its reports`,
        );
      }
      this.#unblock(id);
    }

    const previous = this.#hosts.get(id);
    const before = new Map((previous?.host.containers ?? []).map((c) => [c.id, c]));
    const containers = r.containers.map((c) => annotate(c, before.get(c.id)));
    const host: DockerHost = {
      id,
      agentId: r.agent.id,
      hostname: r.host.hostname,
      displayName: r.host.name || r.host.hostname,
      cpus: r.host.totalCpu,
      totalMemoryBytes: r.host.totalMemoryBytes,
      uptimeSeconds: r.host.uptimeSeconds,
      status: 'online',
      lastSeen: r.timestamp ?? now,
      intervalSeconds: r.agent.intervalSeconds,
      containers,
      issues: hostIssues(containers),
      pendingUninstall: false,
    };
    for (const key of ['machineId', 'os', 'kernelVersion', 'architecture', 'dockerVersion'] as const) {
      const v = r.host[key];
      if (v !== undefined) host[key] = v;
    }
    if (r.agent.version) host.agentVersion = r.agent.version;
    this.#applyToken(host, caller);

    // A report replaces the host (hidden and pendingUninstall reset); a stop that is still in
    // flight is kept, and handed to the agent in this reply if it has not been yet.
    const replyCommands: ReportReply['commands'] = [];
    const cmd = previous?.host.command;
    if (cmd && ACTIVE.has(cmd.status) && !this.#expire(cmd, now)) {
      if (cmd.status === 'queued') {
        cmd.status = 'dispatched';
        cmd.dispatchedAt = now;
        cmd.updatedAt = now;
        cmd.message = 'Stop command dispatched to agent';
      }
      if (cmd.status === 'dispatched') replyCommands.push({ id: cmd.id, type: cmd.type });
      host.command = cmd;
      // The host is still on its way out while its stop is in flight.
      host.pendingUninstall = previous?.host.pendingUninstall ?? false;
    }

    this.#hosts.set(id, { host, receivedAt: now, hidden: false });
    this.#persist(id);
    this.#publish();
    const reply: ReportReply = {
      success: true,
      hostId: id,
      containers: host.containers.length,
      lastSeen: new Date(host.lastSeen).toISOString(),
    };
    if (replyCommands.length) reply.commands = replyCommands;
    return reply;
  }

  #applyToken(host: DockerHost, caller: ReportCaller): void {
    if (!caller.tokenId) return;
    host.tokenId = caller.tokenId;
    const rec = this.#deps.tokens?.list().find((t) => t.id === caller.tokenId);
    const name = rec?.name ?? caller.tokenName;
    if (name) host.tokenName = name;
    if (rec) {
      host.tokenHint = `${rec.prefix}…${rec.suffix}`;
      const used = rec.lastUsedAt ? Date.parse(rec.lastUsedAt) : Number.NaN;
      if (Number.isFinite(used)) host.tokenLastUsedAt = used;
    }
  }

  /** Marks a command expired when its TTL passed; true when it did. */
  #expire(cmd: DockerCommand, now: number): boolean {
    if (!ACTIVE.has(cmd.status) || cmd.expiresAt === undefined || now < cmd.expiresAt) return false;
    cmd.status = 'expired';
    cmd.updatedAt = now;
    cmd.message = 'Stop command expired before the agent confirmed it';
    return true;
  }

  /** Marks silent hosts offline and expires stale commands; publishes when anything changed. */
  checkLiveness(): void {
    const now = this.#now();
    let changed = false;
    for (const e of this.#hosts.values()) {
      const silentFor = now - e.receivedAt;
      const status = silentFor > offlineAfterMs(e.host.intervalSeconds) ? 'offline' : 'online';
      if (status !== e.host.status) {
        e.host.status = status;
        changed = true;
        this.#deps.logger.info({ hostId: e.host.id, silentForMs: silentFor }, `docker host ${status}`);
      }
      if (e.host.command && this.#expire(e.host.command, now)) {
        changed = true;
        this.#persist(e.host.id);
      }
    }
    for (const [id, at] of this.#removed) if (now - at >= REENROLL_BLOCK_MS) this.#unblock(id);
    if (changed) this.#publish();
  }

  #entry(id: string): Entry {
    const e = this.#hosts.get(id);
    if (!e) throw new DockerError(404, 'docker_host_not_found', 'Docker host not found');
    return e;
  }

  /**
   * DELETE /hosts/{id}: hide it (until its next report), ask an online agent to stop (and
   * uninstall) first, or forget it.
   */
  deleteHost(
    id: string,
    opts: { hide?: boolean; force?: boolean },
  ): { success: true; hostId: string; message: string; command?: DockerCommand } {
    const e = this.#entry(id);
    if (opts.hide) {
      e.hidden = true;
      this.#persist(id);
      this.#publish();
      return { success: true, hostId: id, message: 'Docker host hidden' };
    }
    if (e.host.status === 'online' && !opts.force) {
      const now = this.#now();
      const active = e.host.command && ACTIVE.has(e.host.command.status) && !this.#expire(e.host.command, now);
      if (!active) {
        e.host.command = {
          id: randomUUID(),
          type: 'stop',
          status: 'queued',
          message: 'Stop command queued',
          createdAt: now,
          updatedAt: now,
          expiresAt: now + COMMAND_TTL_MS,
        };
      }
      e.host.pendingUninstall = true;
      this.#persist(id);
      this.#publish();
      return { success: true, hostId: id, message: 'Stop command queued', command: structuredClone(e.host.command!) };
    }
    this.#remove(id);
    return { success: true, hostId: id, message: 'Docker host removed' };
  }

  #remove(id: string): void {
    this.#hosts.delete(id);
    const now = this.#now();
    this.#removed.set(id, now);
    this.#repo?.deleteHost(id);
    this.#repo?.setRemoved(id, now);
    const alerts = this.#deps.alerts;
    if (alerts) {
      for (const a of alerts.activeAlerts()) {
        if (a.resourceId === id || a.resourceId.startsWith(`docker:${id}/`)) alerts.clear(a.id);
      }
    }
    this.#publish();
  }

  allowReenroll(id: string): { success: true; hostId: string } {
    this.#unblock(id);
    return { success: true, hostId: id };
  }

  unhide(id: string): { success: true; hostId: string; message: string } {
    const e = this.#entry(id);
    e.hidden = false;
    this.#persist(id);
    this.#publish();
    return { success: true, hostId: id, message: 'Docker host unhidden' };
  }

  markPendingUninstall(id: string): { success: true; hostId: string; message: string } {
    const e = this.#entry(id);
    e.host.pendingUninstall = true;
    this.#persist(id);
    this.#publish();
    return { success: true, hostId: id, message: 'Docker host marked as pending uninstall' };
  }

  /** The agent's answer to a command; a completed stop removes the host. */
  ack(commandId: string, body: unknown): { success: true; hostId: string; command: DockerCommand } {
    const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<
      string,
      unknown
    >;
    const statusRaw = typeof b.status === 'string' ? b.status.trim().toLowerCase() : '';
    const status = ACK_STATUS[statusRaw];
    if (!status) {
      throw new DockerError(400, 'invalid_status', `status must be one of ${Object.keys(ACK_STATUS).join(', ')}`);
    }
    if (b.message !== undefined && typeof b.message !== 'string') {
      throw new DockerError(400, 'invalid_request', 'message must be a string');
    }
    const wantHost = typeof b.hostId === 'string' && b.hostId !== '' ? b.hostId : undefined;
    const e = [...this.#hosts.values()].find((x) => x.host.command?.id === commandId);
    if (!e || (wantHost !== undefined && e.host.id !== wantHost)) {
      throw new DockerError(404, 'docker_command_not_found', 'Docker command not found');
    }
    const cmd = e.host.command!;
    const now = this.#now();
    if (!ACTIVE.has(cmd.status)) {
      throw new DockerError(409, 'docker_command_finished', `Docker command is already ${cmd.status}`);
    }
    cmd.status = status;
    cmd.updatedAt = now;
    const message = typeof b.message === 'string' ? b.message.slice(0, 1000) : '';
    if (status === 'acknowledged') {
      cmd.acknowledgedAt = now;
      cmd.message = message || 'Stop command acknowledged by agent';
    } else if (status === 'completed') {
      cmd.completedAt = now;
      cmd.message = message || 'Agent stopped';
    } else {
      cmd.failedAt = now;
      cmd.failureReason = message || 'Agent reported a failure';
      cmd.message = 'Stop command failed';
    }
    const hostId = e.host.id;
    if (status === 'completed' && cmd.type === 'stop') this.#remove(hostId);
    else {
      this.#persist(hostId);
      this.#publish();
    }
    return { success: true, hostId, command: structuredClone(cmd) };
  }

  #persist(id: string): void {
    const e = this.#hosts.get(id);
    if (e) this.#repo?.saveHost(e);
  }

  #unblock(id: string): void {
    this.#removed.delete(id);
    this.#repo?.clearRemoved(id);
  }

  #publish(): void {
    const visible = [...this.#hosts.values()]
      .filter((e) => !e.hidden)
      .map((e) => structuredClone(e.host))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
    this.#deps.state.commit((draft) => {
      const health: Record<string, boolean> = {};
      for (const [k, v] of Object.entries(draft.connectionHealth ?? {})) if (!k.startsWith('docker-')) health[k] = v;
      for (const h of visible) health[`docker-${h.id}`] = h.status === 'online';
      draft.connectionHealth = health;
      draft.dockerHosts = visible;
    });
  }
}
