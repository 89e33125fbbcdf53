/**
 * Mock mode (wire contract §7.8): while enabled, a generated fleet replaces the live picture and
 * real polling is paused; disabling resumes polling. The switch and the config are kept in SQLite
 * (`mock_mode`), so a restart keeps the mode. Entering it sets the real alerts aside (the
 * generated fleet gets alerts of its own); leaving it drops the fleet's alerts and brings the real
 * ones back as they were, so destinations are neither told they resolved nor told them again.
 */
import type { Database } from 'better-sqlite3';
import type { AlertService } from '../alerts/service.js';
import type { Clock } from '../clock.js';
import type { Monitoring } from '../collect/monitoring.js';
import type { Logger } from '../logging.js';
import type { MockConfigWire } from '../model/operations.js';
import type { StateStore } from '../state/store.js';
import {
  DEFAULT_MOCK_CONFIG,
  driftFleet,
  generateFleet,
  type MockConfig,
  MockConfigError,
  type MockFleet,
  mergeMockConfig,
  seededRandom,
} from './fleet.js';

export interface MockModeDeps {
  db: Database;
  clock: Clock;
  state: StateStore;
  monitoring: Monitoring;
  alerts: AlertService;
  logger: Logger;
  /** Metric drift interval (ms) when randomMetrics is on. */
  tickMs?: number;
}

export interface MockModeView {
  enabled: boolean;
  config: MockConfigWire;
}

export function toWire(c: MockConfig): MockConfigWire {
  return {
    NodeCount: c.nodeCount,
    VMsPerNode: c.vmsPerNode,
    LXCsPerNode: c.lxcsPerNode,
    DockerHostCount: c.dockerHostCount,
    DockerContainersPerHost: c.dockerContainersPerHost,
    RandomMetrics: c.randomMetrics,
    HighLoadNodes: c.highLoadNodes,
    StoppedPercent: c.stoppedPercent,
  };
}

export class MockModeService {
  readonly #deps: MockModeDeps;
  #enabled = false;
  #config: MockConfig = DEFAULT_MOCK_CONFIG;
  #fleet: MockFleet | undefined;
  #timer: NodeJS.Timeout | undefined;
  #random = seededRandom(1);
  /** Serialises toggles: each waits for the previous one (monitoring stop/start is async). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: MockModeDeps) {
    this.#deps = deps;
    const row = deps.db.prepare('SELECT enabled, config FROM mock_mode WHERE id = 1').get() as
      | { enabled: number; config: string }
      | undefined;
    if (row) {
      try {
        this.#config = mergeMockConfig(DEFAULT_MOCK_CONFIG, JSON.parse(row.config));
      } catch {
        this.#config = DEFAULT_MOCK_CONFIG;
      }
      this.#enabled = row.enabled === 1;
    }
  }

  view(): MockModeView {
    return { enabled: this.#enabled, config: toWire(this.#config) };
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** At start-up: re-enters mock mode if it was on. */
  async start(): Promise<void> {
    if (this.#enabled) await this.#run(() => this.#activate());
  }

  /** Validates first (throws MockConfigError), then applies. */
  async update(input: { enabled?: unknown; config?: unknown }): Promise<MockModeView> {
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean') {
      throw new MockConfigError('enabled', 'must be true or false');
    }
    const config = mergeMockConfig(this.#config, input.config);
    const enable = (input.enabled as boolean | undefined) ?? this.#enabled;
    await this.#run(async () => {
      const wasEnabled = this.#enabled;
      const changed = JSON.stringify(config) !== JSON.stringify(this.#config);
      this.#config = config;
      this.#enabled = enable;
      this.#deps.db
        .prepare(
          'INSERT INTO mock_mode (id, enabled, config) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled, config = excluded.config',
        )
        .run(enable ? 1 : 0, JSON.stringify(config));
      if (enable && (!wasEnabled || changed)) await this.#activate(!wasEnabled);
      else if (!enable && wasEnabled) await this.#deactivate();
    });
    return this.view();
  }

  async stop(): Promise<void> {
    await this.#queue;
    this.#stopTimer();
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #activate(pausePolling = true): Promise<void> {
    const { monitoring, clock } = this.#deps;
    if (pausePolling) {
      await monitoring.stop();
      // A commit queued by a poll that finished just before the stop must not land on top.
      monitoring.slices.flush();
      this.#deps.alerts.suspend();
    }
    this.#random = seededRandom(Math.floor(clock.now() / 1000));
    this.#fleet = generateFleet(this.#config, clock.now(), this.#random);
    this.#commit(this.#fleet);
    this.#stopTimer();
    if (this.#config.randomMetrics) {
      this.#timer = setInterval(() => {
        if (!this.#fleet || !this.#enabled) return;
        this.#fleet = driftFleet(this.#fleet, this.#config, clock.now(), this.#random);
        this.#commit(this.#fleet);
      }, this.#deps.tickMs ?? 5000);
      this.#timer.unref();
    }
    this.#deps.logger.info(
      { nodes: this.#fleet.nodes.length, guests: this.#fleet.vms.length + this.#fleet.containers.length },
      'mock mode on',
    );
  }

  async #deactivate(): Promise<void> {
    this.#stopTimer();
    this.#fleet = undefined;
    this.#commit({ nodes: [], vms: [], containers: [], storage: [], connectionHealth: {} });
    this.#deps.alerts.resume();
    // Real polling resumes; each instance publishes again on its first cycle.
    this.#deps.monitoring.start();
    this.#deps.logger.info('mock mode off: polling resumed');
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #commit(f: MockFleet): void {
    this.#deps.state.commit((d) => {
      d.nodes = f.nodes;
      d.vms = f.vms;
      d.containers = f.containers;
      d.storage = f.storage;
      d.cephClusters = [];
      d.physicalDisks = [];
      d.pbs = [];
      d.pmg = [];
      d.pveBackups = { backupTasks: [], storageBackups: [], guestSnapshots: [] };
      d.pbsBackups = [];
      const kept: Record<string, boolean> = {};
      for (const [k, v] of Object.entries(d.connectionHealth ?? {})) if (k.startsWith('docker-')) kept[k] = v;
      d.connectionHealth = { ...kept, ...f.connectionHealth };
    });
  }
}
