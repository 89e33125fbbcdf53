/**
 * The composition root: settings → db → secrets → services → HTTP. `startPulse` is what main.ts
 * runs and what integration tests start in-process on a free port.
 */
import type { FastifyInstance } from 'fastify';
import { AlertService } from './alerts/service.js';
import { buildApp } from './app.js';
import { BackupCoverageService } from './backups/service.js';
import { type Clock, systemClock } from './clock.js';
import { Monitoring } from './collect/monitoring.js';
import { TemperatureCollector } from './collect/temperature.js';
import { openSecretBox } from './crypto/key-guard.js';
import { openDatabase } from './db/database.js';
import type { AppDeps } from './deps.js';
import { DEFAULT_DISCOVERY_PORTS, DiscoveryService } from './discovery/service.js';
import { DockerService } from './docker/service.js';
import { PulseEvents } from './events.js';
import { ForecastService } from './forecast/service.js';
import { GuestMetadataService } from './guest-metadata/service.js';
import { MetricHistory } from './history/service.js';
import type { RouteRecord } from './http/guard.js';
import { createLogger, type Logger } from './logging.js';
import { MockModeService } from './mock/service.js';
import type { AlertNotification } from './model/state.js';
import { NotificationService } from './notify/service.js';
import { MemoryReclaimer } from './runtime/memory-reclaim.js';
import { SecurityService } from './security/security-service.js';
import type { SecurityOptions } from './security/types.js';
import type { Settings } from './settings/env.js';
import { SystemSettingsService } from './settings/system-settings.js';
import { TlsService } from './settings/tls.js';
import { ConfigTransfer } from './settings/transfer/service.js';
import { StateSnapshots } from './state/snapshots.js';
import { StateStore } from './state/store.js';
import { UpdateService } from './updates/service.js';
import { PACKAGE_VERSION } from './version.js';
import { WsHub } from './ws/hub.js';
import { startLiveServices } from './ws/live.js';

export interface PulseOptions {
  clock?: Clock;
  /** Rate-limit and lockout knobs (tests use small limits and turn off the loopback exemption). */
  security?: SecurityOptions;
  logger?: Logger;
}

export interface RunningPulse {
  app: FastifyInstance;
  deps: AppDeps;
  routes: RouteRecord[];
  /** Base URL, e.g. http://127.0.0.1:7655 */
  url: string;
  /** Stops work, closes sockets and the database. Safe to call twice. */
  close(): Promise<void>;
}

export async function startPulse(settings: Settings, opts: PulseOptions = {}): Promise<RunningPulse> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: settings.logLevel });
  // Before anything is opened: an unusable certificate stops start-up with the file's name.
  const tls = new TlsService(settings, logger, () => clock.now());
  const tlsMaterial = tls.load();
  const db = openDatabase(settings.dataDir);
  let secrets: AppDeps['secrets'];
  let security: SecurityService;
  try {
    secrets = openSecretBox(db, settings.dataDir);
    security = await SecurityService.create({ db, settings, clock, logger, options: opts.security });
  } catch (err) {
    db.close();
    throw err;
  }

  // Work that must stop before the HTTP server and the database close (pollers, timers, sockets).
  const stoppers: Array<() => Promise<void> | void> = [];
  const deps: AppDeps = {
    settings,
    logger,
    db,
    secrets,
    clock,
    startedAt: clock.now(),
    state: new StateStore(clock),
    security,
    events: new PulseEvents(),
    systemSettings: new SystemSettingsService(db),
    onClose: (stop) => {
      stoppers.push(stop);
    },
    snapshots: new StateSnapshots(),
    wsHub: new WsHub(),
    history: new MetricHistory({ db, clock, logger }),
    memory: new MemoryReclaimer(logger),
    // Email, webhooks and the persistent delivery queue; `notifier` is what the alert engine calls.
    notifications: new NotificationService({
      db,
      secrets,
      clock,
      logger,
      publicUrl: settings.publicUrl,
      allowLoopback: settings.allowLoopbackWebhooks,
    }),
    // Assigned right below: the alert service needs the state and events created above.
    alerts: undefined as unknown as AlertService,
    // Assigned right below, before the alerts that read them.
    forecast: undefined as unknown as ForecastService,
    backupCoverage: undefined as unknown as BackupCoverageService,
    // Assigned right below: node configuration, system settings and the pollers.
    monitoring: undefined as unknown as Monitoring,
    // Assigned right below, after monitoring: guest metadata, Docker agents, config export/import.
    guestMetadata: undefined as unknown as GuestMetadataService,
    docker: undefined as unknown as DockerService,
    configTransfer: undefined as unknown as ConfigTransfer,
    // Assigned right below: needs the events created above.
    updates: undefined as unknown as UpdateService,
    discovery: undefined as unknown as DiscoveryService,
    mockMode: undefined as unknown as MockModeService,
    // Node temperatures over SSH (`sensors -j`); makes no connection while no key file exists.
    temperature: new TemperatureCollector({
      dataDir: settings.dataDir,
      keyPath: settings.sensorsSshKey,
      user: settings.sensorsSshUser,
      port: settings.sensorsSshPort,
      hosts: settings.sensorsSshHosts,
      refreshMs: settings.sensorsRefreshSec * 1000,
      clock,
      logger,
    }),
    tls,
  };
  // First, so that pollers registered later stop before the hub and the history flush.
  startLiveServices(deps);

  // Services are created here, in dependency order, and register their stoppers via deps.onClose.

  // Notifications before alerts: queued jobs resume now, and the queue stops after the engine.
  deps.notifications.start();
  deps.onClose(() => deps.notifications.stop());

  // Alerts: evaluates every state change; notifications go to the persistent queue.
  const notifyAlerts = (events: AlertNotification[]) => deps.notifications.notifier.enqueue(events);
  // Forecasts and backup coverage are cached by their services; alert rounds read those caches.
  deps.forecast = new ForecastService({
    history: deps.history,
    state: deps.state,
    clock,
    thresholds: () => deps.alerts.getConfig(),
  });
  deps.forecast.start(deps.state);
  deps.onClose(() => deps.forecast.stop());
  deps.backupCoverage = new BackupCoverageService({ db, state: deps.state, clock });
  const insight = () => {
    const state = deps.state.get();
    return {
      forecasts: deps.forecast.current().forecasts,
      coverage: BackupCoverageService.backupsKnown(state) ? deps.backupCoverage.current().guests : undefined,
    };
  };
  deps.alerts = new AlertService({
    db,
    clock,
    state: deps.state,
    events: deps.events,
    logger,
    notify: notifyAlerts,
    insight,
  });
  deps.alerts.start();
  deps.onClose(() => deps.alerts.stop());

  // Monitoring: configured PVE/PBS/PMG instances, one poller each, committing into deps.state.
  deps.onClose(() => deps.temperature.close());
  deps.monitoring = new Monitoring({
    db,
    secrets,
    clock,
    logger,
    state: deps.state,
    settings,
    systemSettings: deps.systemSettings,
    temperature: deps.temperature,
  });
  deps.monitoring.start();
  deps.onClose(() => deps.monitoring.stop());

  // Guest metadata, Docker agents (liveness timer), configuration export/import.
  deps.guestMetadata = new GuestMetadataService(db, clock, () => deps.state.get());
  deps.docker = new DockerService({
    clock,
    db,
    state: deps.state,
    logger,
    alerts: deps.alerts,
    tokens: security.tokens,
  });
  deps.docker.start();
  deps.onClose(() => deps.docker.stop());
  // Update checks against the releases feed (no self-install in this build).
  deps.updates = new UpdateService({
    db,
    clock,
    events: deps.events,
    feedUrl: settings.updateFeedUrl,
    currentVersion: PACKAGE_VERSION,
    deploymentType: settings.isDocker ? 'docker' : process.env.INVOCATION_ID ? 'systemd' : 'manual',
    isDocker: settings.isDocker,
  });
  deps.updates.start(() => {
    const sys = deps.systemSettings.get();
    return {
      enabled: sys.autoUpdateEnabled,
      intervalHours: sys.autoUpdateCheckInterval ?? 24,
      channel: sys.updateChannel ?? 'stable',
    };
  });
  deps.onClose(() => deps.updates.stop());
  // Network discovery: on demand, plus every 5 min when DISCOVERY_ENABLED (or the system setting) says so.
  deps.discovery = new DiscoveryService({
    clock,
    logger,
    events: deps.events,
    ports: settings.discoveryPorts ?? DEFAULT_DISCOVERY_PORTS,
    subnet: () => settings.discoverySubnet ?? deps.systemSettings.get().discoverySubnet,
    enabled: () => settings.discoveryEnabled ?? deps.systemSettings.get().discoveryEnabled,
  });
  deps.discovery.start();
  deps.onClose(() => deps.discovery.stop());
  // Mock mode (persisted): when it was on, the generated fleet replaces polling again.
  deps.mockMode = new MockModeService({
    db,
    clock,
    state: deps.state,
    monitoring: deps.monitoring,
    alerts: deps.alerts,
    logger,
  });
  await deps.mockMode.start();
  deps.onClose(() => deps.mockMode.stop());
  deps.configTransfer = new ConfigTransfer({
    ...deps,
    nodes: deps.monitoring.nodes,
    reloadPollers: () => deps.monitoring.reload(),
  });
  await deps.configTransfer.importInitialConfig(process.env);

  const { app, routes } = await buildApp(deps, {
    https: tlsMaterial ? { cert: tlsMaterial.cert, key: tlsMaterial.key } : undefined,
  });
  await app.listen({ port: settings.port, host: settings.bindAddress });
  if (tlsMaterial) {
    tls.watch(app.server as unknown as import('node:tls').Server);
    deps.onClose(() => tls.stop());
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : settings.port;
  const host = settings.bindAddress === '0.0.0.0' || settings.bindAddress === '::' ? '127.0.0.1' : settings.bindAddress;
  const url = `${tlsMaterial ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const stop of stoppers.reverse()) {
        try {
          await stop();
        } catch (err) {
          logger.warn({ err }, 'error while stopping a service');
        }
      }
      await app.close();
      db.close();
    })();
    return closing;
  };

  return { app, deps, routes, url, close };
}
