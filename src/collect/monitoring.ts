/**
 * The monitoring service: configured instances (NodesRepo), one runner per instance, and the
 * slices they publish into the StateStore. Polling intervals and the connection timeout come from
 * the system settings service it is handed.
 */
import type { Clock } from '../clock.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logging.js';
import type { ApiCallCounter } from '../proxmox/client.js';
import type { FeatureProblem } from '../proxmox/privileges.js';
import type { Settings } from '../settings/env.js';
import type { ClusterInfo, NodeConfig, NodeInput } from '../settings/node-config.js';
import { NodesRepo } from '../settings/nodes-repo.js';
import type { SystemSettingsService } from '../settings/system-settings.js';
import type { StateStore } from '../state/store.js';
import { probeCluster, type TestSuccess, testConnection } from './connection-test.js';
import { PbsPoller } from './pbs-poller.js';
import { PmgPoller } from './pmg-poller.js';
import type { PermissionCheck } from './pve-permissions.js';
import { type PollerEnv, PvePoller } from './pve-poller.js';
import { InstanceRunner, type RunnerStatus } from './scheduler.js';
import { SliceStore } from './slices.js';
import type { TemperatureSource } from './temperature.js';

export interface MonitoringDeps {
  db: Database;
  secrets: SecretBox;
  clock: Clock;
  logger: Logger;
  state: StateStore;
  settings: Settings;
  /** Polling intervals and connection timeout; a change reschedules every poller. */
  systemSettings: Pick<SystemSettingsService, 'get' | 'onChange'>;
  /** Node temperatures over SSH for the PVE pollers (absent: none). */
  temperature?: TemperatureSource;
}

export interface InstanceStatus extends RunnerStatus {
  problems: FeatureProblem[];
  activeHost?: string;
  /** Name of the configured instance that already publishes this cluster. */
  duplicateOf?: string;
  /** Live cluster membership (members' Online/LastSeen as of the last cycle). */
  cluster?: ClusterInfo;
  /** The poller's latest permission check (every feature; undefined until one answered). */
  permissions?: PermissionCheck;
}

function configKey(c: NodeConfig): string {
  // Cluster info changes on its own (detection) and must not restart the poller.
  const { cluster: _c, ...rest } = c;
  return JSON.stringify(rest);
}

export class Monitoring {
  readonly nodes: NodesRepo;
  readonly slices: SliceStore;
  readonly #deps: MonitoringDeps;
  readonly #runners = new Map<number, { key: string; runner: InstanceRunner; cfg: NodeConfig }>();
  #started = false;
  #startedAt = 0;
  #cycles = 0;
  #lastPollMs = 0;
  readonly #counter: ApiCallCounter = { total: 0, failed: 0 };

  /** The API call tally; set `paths` to an array to record every GET request (tests). */
  get apiCalls(): ApiCallCounter {
    return this.#counter;
  }
  #unsubscribe: (() => void) | undefined;

  constructor(deps: MonitoringDeps) {
    this.#deps = deps;
    this.nodes = new NodesRepo(deps.db, deps.secrets, () => deps.clock.now());
    this.slices = new SliceStore(deps.state, () => ({
      pollingCycles: this.#cycles,
      performance: {
        apiCallDuration: null,
        lastPollDuration: this.#lastPollMs / 1000,
        pollingStartTime: new Date(this.#startedAt).toISOString(),
        totalApiCalls: this.#counter.total,
        failedApiCalls: this.#counter.failed,
      },
    }));
  }

  /** Polling interval of a product, ms. */
  intervalMs(type: NodeConfig['type']): number {
    const s = this.#deps.systemSettings.get();
    const sec = type === 'pve' ? s.pvePollingInterval : type === 'pbs' ? s.pbsPollingInterval : s.pmgPollingInterval;
    return Math.max(0.2, Number(sec) || 10) * 1000;
  }

  /**
   * Per-request deadline: the configured connection timeout, but well inside the polling
   * interval (half of it, at least 3 s), so a host that accepts connections and never answers
   * cannot make its data look fresh for several intervals.
   */
  timeoutMs(type: NodeConfig['type']): number {
    const configured = this.#deps.systemSettings.get().connectionTimeout || this.#deps.settings.connectionTimeoutSec;
    return Math.min(configured * 1000, Math.max(3000, this.intervalMs(type) / 2));
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#startedAt = this.#deps.clock.now();
    this.#unsubscribe = this.#deps.systemSettings.onChange(() => {
      for (const { runner } of this.#runners.values()) runner.reschedule();
    });
    this.reload();
  }

  /** Brings runners in line with the stored configuration (after add/update/delete). */
  reload(): void {
    if (!this.#started) return;
    const configs = this.nodes.list();
    const seen = new Set<number>();
    for (const cfg of configs) {
      seen.add(cfg.uid);
      const key = configKey(cfg);
      const existing = this.#runners.get(cfg.uid);
      if (existing && existing.key === key) continue;
      if (existing) void existing.runner.stop();
      const runner = this.#createRunner(cfg);
      this.#runners.set(cfg.uid, { key, runner, cfg });
      runner.start();
    }
    for (const [uid, r] of this.#runners) {
      if (seen.has(uid)) continue;
      this.#runners.delete(uid);
      void r.runner.stop();
      this.slices.delete(uid);
    }
    this.slices.setOrder(configs.map((c) => c.uid));
  }

  #createRunner(cfg: NodeConfig): InstanceRunner {
    const { clock, logger } = this.#deps;
    const env: PollerEnv = {
      clock,
      logger,
      timeoutMs: () => this.timeoutMs(cfg.type),
      intervalMs: () => this.intervalMs(cfg.type),
      onCluster: (uid: number, cluster: ClusterInfo) => {
        this.nodes.setCluster(uid, cluster);
      },
      counter: this.#counter,
      temperature: this.#deps.temperature,
    };
    const poller =
      cfg.type === 'pve'
        ? new PvePoller(cfg, env, () => this.slices.pbsBackupTimes())
        : cfg.type === 'pbs'
          ? new PbsPoller(cfg, env)
          : new PmgPoller(cfg, env);
    const runner: InstanceRunner = new InstanceRunner(poller, {
      clock,
      logger,
      intervalMs: env.intervalMs,
      timeoutMs: env.timeoutMs,
      publish: (slice) => {
        this.#cycles++;
        this.#lastPollMs = runner.status.lastDuration ?? 0;
        this.slices.set(cfg.uid, slice);
      },
      onStale: (ageMs) => this.slices.markStale(cfg.uid, ageMs / 1000),
    });
    return runner;
  }

  /** The running pollers (diagnostics, tests). */
  pollers(): Array<InstanceRunner['poller']> {
    return [...this.#runners.values()].map((r) => r.runner.poller);
  }

  status(uid: number): InstanceStatus | undefined {
    const r = this.#runners.get(uid);
    if (!r) return undefined;
    const dup = this.slices.duplicates.get(uid);
    const p = r.runner.poller;
    const permissions =
      p instanceof PvePoller || p instanceof PbsPoller || p instanceof PmgPoller ? p.permissionCheck : undefined;
    return {
      ...r.runner.status,
      problems: [...r.runner.poller.problems.values()],
      activeHost: r.runner.poller.activeHost,
      ...(dup ? { duplicateOf: dup } : {}),
      ...(r.runner.poller instanceof PvePoller && r.runner.poller.cluster ? { cluster: r.runner.poller.cluster } : {}),
      ...(permissions ? { permissions } : {}),
    };
  }

  /** Polls one instance (or all) now and waits for the state to be committed. */
  async pollNow(uid?: number): Promise<void> {
    const targets =
      uid === undefined ? [...this.#runners.values()] : [this.#runners.get(uid)].filter((x) => x !== undefined);
    await Promise.all(targets.map((t) => t.runner.pollNow()));
    this.slices.flush();
  }

  /** Resolves after every instance (or `uid`) finished one more cycle. */
  async nextCycle(uid?: number): Promise<void> {
    const targets =
      uid === undefined ? [...this.#runners.values()] : [this.#runners.get(uid)].filter((x) => x !== undefined);
    await Promise.all(targets.map((t) => t.runner.nextCycle()));
    this.slices.flush();
  }

  test(input: NodeInput): Promise<TestSuccess> {
    return testConnection(input, {
      timeoutMs: Math.min(this.timeoutMs(input.type), 15_000),
      clock: this.#deps.clock,
    });
  }

  /**
   * Adding a PVE endpoint: when it belongs to a cluster that is already monitored, it becomes a
   * failover endpoint of that instance (no second copy of every guest). Returns the instance
   * it was merged into, or the newly created one.
   */
  async addNode(input: NodeInput): Promise<{ created?: NodeConfig; mergedInto?: NodeConfig }> {
    if (input.type === 'pve') {
      const probe = await probeCluster(input, {
        timeoutMs: Math.min(this.timeoutMs('pve'), 10_000),
        clock: this.#deps.clock,
      });
      if (probe) {
        const owner = this.nodes
          .list('pve')
          .find(
            (n) =>
              n.cluster?.clusterName === probe.clusterName &&
              (!n.cluster.nodeNames || n.cluster.nodeNames.some((x) => probe.nodeNames.includes(x))),
          );
        if (owner?.cluster) {
          const extra = (owner.cluster.extraEndpoints ?? []).filter((e) => e.host !== input.host);
          extra.push(input.fingerprint ? { host: input.host, fingerprint: input.fingerprint } : { host: input.host });
          this.nodes.setCluster(owner.uid, { ...owner.cluster, extraEndpoints: extra });
          const poller = this.#runners.get(owner.uid)?.runner.poller;
          if (poller instanceof PvePoller) poller.addEndpoint(input.host, input.fingerprint);
          return { mergedInto: owner };
        }
        input = {
          ...input,
          cluster: { isCluster: true, clusterName: probe.clusterName, nodeNames: probe.nodeNames, endpoints: [] },
        };
      }
    }
    const created = this.nodes.insert(input);
    this.reload();
    return { created };
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#started = false;
    const all = [...this.#runners.values()];
    this.#runners.clear();
    await Promise.all(all.map((r) => r.runner.stop()));
  }
}
