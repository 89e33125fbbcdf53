/**
 * Everything the composition root (server.ts) builds, by name. Route modules declare the few
 * members they use as `Pick<Services, …>` and routes/index.ts hands each exactly those; tests
 * reach the running services through `RunningPulse.deps`. Nothing below routes/ imports this file.
 */
import type { Database } from 'better-sqlite3';
import type { AlertService } from './alerts/service.js';
import type { BackupCoverageService } from './backups/service.js';
import type { Clock } from './clock.js';
import type { Monitoring } from './collect/monitoring.js';
import type { TemperatureCollector } from './collect/temperature.js';
import type { SecretBox } from './crypto/secret-box.js';
import type { DiscoveryService } from './discovery/service.js';
import type { DockerService } from './docker/service.js';
import type { PulseEvents } from './events.js';
import type { ForecastService } from './forecast/service.js';
import type { GuestMetadataService } from './guest-metadata/service.js';
import type { MetricHistory } from './history/service.js';
import type { Logger } from './logging.js';
import type { MockModeService } from './mock/service.js';
import type { NotificationService } from './notify/service.js';
import type { MemoryReclaimer } from './runtime/memory-reclaim.js';
import type { OidcService } from './security/oidc.js';
import type { SecurityService } from './security/security-service.js';
import type { Settings } from './settings/env.js';
import type { SystemSettingsService } from './settings/system-settings.js';
import type { TlsService } from './settings/tls.js';
import type { ConfigTransfer } from './settings/transfer/service.js';
import type { UiSettingsRepo } from './settings/ui-settings.js';
import type { SetupCodes } from './setup/setup-codes.js';
import type { StateSnapshots } from './state/snapshots.js';
import type { StateStore } from './state/store.js';
import type { UpdateService } from './updates/service.js';
import type { WsHub } from './ws/hub.js';

export interface Services {
  settings: Settings;
  logger: Logger;
  db: Database;
  secrets: SecretBox;
  clock: Clock;
  /** Process start, ms since epoch (for /api/health uptime). */
  startedAt: number;
  /** The live picture (/api/state); pollers commit to it, ws/history/alerts listen. */
  state: StateStore;
  /** Authentication, sessions, tokens, lockout, rate limits, audit log (src/security/). */
  security: SecurityService;
  /** Discrete events between services (alert fired/resolved, node deleted, …). */
  events: PulseEvents;
  /** The serialised state document, one JSON.stringify per state version (src/state/snapshots.ts). */
  snapshots: StateSnapshots;
  /** The /ws hub: broadcast(type, data), broadcastState() (src/ws/hub.ts). */
  wsHub: WsHub;
  /** Metric history behind /api/charts (src/history/service.ts). */
  history: MetricHistory;
  /** A full GC after each burst of commits that left a lot of garbage (src/runtime/memory-reclaim.ts). */
  memory: MemoryReclaimer;
  /**
   * Email, webhooks, delivery queue and history (src/notify/service.ts). The alert engine sends
   * through `notifications.notifier.enqueue(events)` (src/notify/notifier.ts).
   */
  notifications: NotificationService;
  /** Alert engine, config, acknowledgements and history (src/alerts/service.ts). */
  alerts: AlertService;
  /** System settings (polling intervals, origins, discovery, updates), cached, with change listeners. */
  systemSettings: SystemSettingsService;
  /** Configured PVE/PBS/PMG instances and their pollers (src/collect/monitoring.ts). */
  monitoring: Monitoring;
  /** Custom console URLs, descriptions and tags per guest (src/guest-metadata/service.ts). */
  guestMetadata: GuestMetadataService;
  /** Docker agent reports, hosts, liveness and stop commands (src/docker/service.ts). */
  docker: DockerService;
  /** Encrypted configuration export/import (src/settings/transfer/service.ts). */
  configTransfer: ConfigTransfer;
  /** Release checks, update status and history (src/updates/service.ts). */
  updates: UpdateService;
  /** Network discovery of PVE/PBS/PMG servers (src/discovery/service.ts). */
  discovery: DiscoveryService;
  /** Mock mode: a generated fleet in place of the live picture (src/mock/service.ts). */
  mockMode: MockModeService;
  /** Node temperatures over SSH: the PVE pollers' cache and the verify route (src/collect/temperature.ts). */
  temperature: TemperatureCollector;
  /** Built-in HTTPS: the certificate in service, reloaded when its files change (src/settings/tls.ts). */
  tls: TlsService;
  /** Storage-full forecasts from the metric history, cached (src/forecast/service.ts). */
  forecast: ForecastService;
  /** Backup coverage audit and its policy (src/backups/service.ts). */
  backupCoverage: BackupCoverageService;
  /** OIDC sign-in: the stored provider settings and the logins in progress (src/security/oidc.ts). */
  oidc: OidcService;
  /** One-time setup codes for node onboarding and the temperature key check (src/setup/setup-codes.ts). */
  setupCodes: SetupCodes;
  /** The legacy UI preferences behind /api/settings (src/settings/ui-settings.ts). */
  uiSettings: UiSettingsRepo;
}
