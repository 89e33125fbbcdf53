/**
 * The composition root: settings → db → secrets → services → HTTP. Every service is a local
 * constant built after what it needs; `startPulse` is what main.ts runs and what integration
 * tests start in-process on a free port.
 */
import type { FastifyInstance } from 'fastify';
import { AlertService } from './alerts/service.js';
import { buildApp } from './app.js';
import { BackupCoverageService } from './backups/service.js';
import { type Clock, systemClock } from './clock.js';
import { Monitoring } from './collect/monitoring.js';
import { TemperatureCollector } from './collect/temperature.js';
import { openSecretBox } from './crypto/key-guard.js';
import type { SecretBox } from './crypto/secret-box.js';
import { openDatabase } from './db/database.js';
import { DEFAULT_DISCOVERY_PORTS, DiscoveryService } from './discovery/service.js';
import { DockerService } from './docker/service.js';
import { PulseEvents } from './events.js';
import { ForecastService } from './forecast/service.js';
import { GuestMetadataService } from './guest-metadata/service.js';
import { MetricHistory } from './history/service.js';
import type { RouteRecord } from './http/guard.js';
import { createLogger, type Logger } from './logging.js';
import { MockModeService } from './mock/service.js';
import { NotificationService } from './notify/service.js';
import { MemoryReclaimer } from './runtime/memory-reclaim.js';
import { OidcService } from './security/oidc.js';
import { SecurityService } from './security/security-service.js';
import type { SecurityOptions } from './security/types.js';
import type { Services } from './services.js';
import type { Settings } from './settings/env.js';
import { SystemSettingsService } from './settings/system-settings.js';
import { TlsService } from './settings/tls.js';
import { ConfigTransfer } from './settings/transfer/service.js';
import { UiSettingsRepo } from './settings/ui-settings.js';
import { SetupCodes } from './setup/setup-codes.js';
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
  /** The services that were built, by name (tests reach into them). */
  deps: Services;
  routes: RouteRecord[];
  /** Base URL, e.g. http://127.0.0.1:7655 */
  url: string;
  /** Stops work, closes sockets and the database. Safe to call twice. */
  close(): Promise<void>;
}

export async function startPulse(settings: Settings, opts: PulseOptions = {}): Promise<RunningPulse> {
  const clock = opts.clock ?? systemClock;
  const startedAt = clock.now();
  const logger = opts.logger ?? createLogger({ level: settings.logLevel });
  // Before anything is opened: an unusable certificate stops start-up with the file's name.
  const tls = new TlsService(settings, logger, () => clock.now());
  const tlsMaterial = tls.load();
  const db = openDatabase(settings.dataDir);
  let secrets: SecretBox;
  let security: SecurityService;
  try {
    secrets = openSecretBox(db, settings.dataDir);
    security = await SecurityService.create({ db, settings, clock, logger, options: opts.security });
  } catch (err) {
    db.close();
    throw err;
  }

  // Work that must stop before the HTTP server and the database close (pollers, timers, sockets);
  // stoppers run in reverse order of registration.
  const stoppers: Array<() => Promise<void> | void> = [];
  const onClose = (stop: () => Promise<void> | void) => {
    stoppers.push(stop);
  };

  const events = new PulseEvents();
  const systemSettings = new SystemSettingsService(db);

  // The live picture and what listens to it. Started first, so that pollers registered later
  // stop before the hub and the history flush.
  const state = new StateStore(clock);
  const snapshots = new StateSnapshots();
  const wsHub = new WsHub();
  const history = new MetricHistory({ db, clock, logger });
  const memory = new MemoryReclaimer(logger);
  startLiveServices({ settings, logger, clock, startedAt, state, snapshots, events, history, wsHub, memory, onClose });

  // Notifications before alerts: queued jobs resume now, and the queue stops after the engine.
  const notifications = new NotificationService({
    db,
    secrets,
    clock,
    logger,
    publicUrl: settings.publicUrl,
    allowLoopback: settings.allowLoopbackWebhooks,
  });
  notifications.start();
  onClose(() => notifications.stop());

  // Alerts evaluate every state change and send through the persistent queue. Forecasts project
  // to the alert config's storage thresholds, and the alert rounds read the cached forecasts and
  // coverage: so the alert service is built first and handed those caches when it starts.
  const alerts = new AlertService({
    db,
    clock,
    state,
    events,
    logger,
    notify: (batch) => notifications.notifier.enqueue(batch),
  });
  const forecast = new ForecastService({ history, state, clock, thresholds: () => alerts.getConfig() });
  forecast.start(state);
  onClose(() => forecast.stop());
  const backupCoverage = new BackupCoverageService({ db, state, clock });
  alerts.start(() => ({
    forecasts: forecast.current().forecasts,
    coverage: BackupCoverageService.backupsKnown(state.get()) ? backupCoverage.current().guests : undefined,
  }));
  onClose(() => alerts.stop());

  // Node temperatures over SSH (`sensors -j`); makes no connection while no key file exists.
  const temperature = new TemperatureCollector({
    dataDir: settings.dataDir,
    keyPath: settings.sensorsSshKey,
    user: settings.sensorsSshUser,
    port: settings.sensorsSshPort,
    hosts: settings.sensorsSshHosts,
    refreshMs: settings.sensorsRefreshSec * 1000,
    clock,
    logger,
  });
  onClose(() => temperature.close());

  // Monitoring: configured PVE/PBS/PMG instances, one poller each, committing into the state.
  const monitoring = new Monitoring({ db, secrets, clock, logger, state, settings, systemSettings, temperature });
  monitoring.start();
  onClose(() => monitoring.stop());

  // Guest metadata, Docker agents (liveness timer).
  const guestMetadata = new GuestMetadataService(db, clock, () => state.get());
  const docker = new DockerService({ clock, db, state, logger, alerts, tokens: security.tokens });
  docker.start();
  onClose(() => docker.stop());

  // Update checks against the releases feed, on the schedule the system settings give.
  const updates = new UpdateService({
    db,
    clock,
    events,
    feedUrl: settings.updateFeedUrl,
    currentVersion: PACKAGE_VERSION,
    deploymentType: settings.isDocker ? 'docker' : settings.underSystemd ? 'systemd' : 'manual',
    isDocker: settings.isDocker,
  });
  updates.start(() => {
    const sys = systemSettings.get();
    return {
      enabled: sys.autoUpdateEnabled,
      intervalHours: sys.autoUpdateCheckInterval ?? 24,
      channel: sys.updateChannel ?? 'stable',
    };
  });
  onClose(() => updates.stop());

  // Network discovery: on demand, plus every 5 min when DISCOVERY_ENABLED (or the system setting) says so.
  const discovery = new DiscoveryService({
    clock,
    logger,
    events,
    ports: settings.discoveryPorts ?? DEFAULT_DISCOVERY_PORTS,
    subnet: () => settings.discoverySubnet ?? systemSettings.get().discoverySubnet,
    enabled: () => settings.discoveryEnabled ?? systemSettings.get().discoveryEnabled,
  });
  discovery.start();
  onClose(() => discovery.stop());

  // Mock mode (persisted): when it was on, the generated fleet replaces polling again.
  const mockMode = new MockModeService({ db, clock, state, monitoring, alerts, logger });
  await mockMode.start();
  onClose(() => mockMode.stop());

  // Configuration export/import; PULSE_INIT_CONFIG_* is imported once, before the first request.
  const configTransfer = new ConfigTransfer({
    db,
    clock,
    logger,
    settings,
    nodes: monitoring.nodes,
    systemSettings,
    reloadPollers: () => monitoring.reload(),
    alerts,
    notifications,
    guestMetadata,
    events,
  });
  await configTransfer.importInitialConfig();

  // What only routes use: OIDC sign-in state, setup codes, the legacy UI preferences.
  const oidc = new OidcService(db, secrets, () => clock.now(), settings.publicUrl);
  const setupCodes = new SetupCodes(db, clock);
  const uiSettings = new UiSettingsRepo(db);

  const services: Services = {
    settings,
    logger,
    db,
    secrets,
    clock,
    startedAt,
    state,
    security,
    events,
    snapshots,
    wsHub,
    history,
    memory,
    notifications,
    alerts,
    systemSettings,
    monitoring,
    guestMetadata,
    docker,
    configTransfer,
    updates,
    discovery,
    mockMode,
    temperature,
    tls,
    forecast,
    backupCoverage,
    oidc,
    setupCodes,
    uiSettings,
  };
  const { app, routes } = await buildApp(services, {
    https: tlsMaterial ? { cert: tlsMaterial.cert, key: tlsMaterial.key } : undefined,
  });
  await app.listen({ port: settings.port, host: settings.bindAddress });
  if (tlsMaterial) {
    tls.watch(app.server as unknown as import('node:tls').Server);
    onClose(() => tls.stop());
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

  return { app, deps: services, routes, url, close };
}
