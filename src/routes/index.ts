/**
 * Registers every route area. One module per URL area; handlers stay thin. Each area is handed
 * only the services its register function declares.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { registerWsRoutes } from '../ws/routes.js';
import { registerAgentDownloadRoutes } from './agent-downloads.js';
import { registerAlertRoutes } from './alerts.js';
import { registerAuthRoutes } from './auth.js';
import { registerChartRoutes } from './charts.js';
import { registerConfigNodeRoutes } from './config-nodes.js';
import { registerConfigUiSettingsRoutes } from './config-ui-settings.js';
import { registerDiagnosticsRoutes } from './diagnostics.js';
import { registerDiscoveryRoutes } from './discovery.js';
import { registerDockerAgentRoutes } from './docker-agents.js';
import { registerExportImportRoutes } from './export-import.js';
import { registerGuestMetadataRoutes } from './guest-metadata.js';
import { registerInsightRoutes } from './insight.js';
import { registerMetricsRoutes } from './metrics.js';
import { registerMockModeRoutes } from './mock-mode.js';
import { registerNotificationRoutes } from './notifications.js';
import { registerOidcRoutes } from './oidc.js';
import { registerSecurityRoutes } from './security.js';
import { registerSetupScriptRoutes } from './setup-script.js';
import { registerSimpleStatsRoutes } from './simple-stats.js';
import { registerStateRoutes } from './state.js';
import { registerStorageBackupRoutes } from './storage-backups.js';
import { registerSystemRoutes } from './system.js';
import { registerSystemSettingsRoutes } from './system-settings.js';
import { registerTemperatureRoutes } from './temperature.js';
import { registerTlsRoutes } from './tls.js';
import { registerUpdateRoutes } from './updates.js';

export async function registerRoutes(app: FastifyInstance, s: Services): Promise<void> {
  registerSystemRoutes(app, {
    clock: s.clock,
    db: s.db,
    settings: s.settings,
    startedAt: s.startedAt,
    systemSettings: s.systemSettings,
    updates: s.updates,
  });
  registerStateRoutes(app, { snapshots: s.snapshots });
  registerSimpleStatsRoutes(app);
  registerChartRoutes(app, { clock: s.clock, history: s.history, state: s.state });
  await registerWsRoutes(app, { settings: s.settings, wsHub: s.wsHub });
  registerAuthRoutes(app, { security: s.security });
  registerSecurityRoutes(app, { security: s.security, settings: s.settings });
  registerOidcRoutes(app, { oidc: s.oidc, security: s.security });
  registerAlertRoutes(app, { alerts: s.alerts, wsHub: s.wsHub });
  registerNotificationRoutes(app, { notifications: s.notifications });
  registerConfigNodeRoutes(app, { events: s.events, monitoring: s.monitoring });
  registerStorageBackupRoutes(app, { clock: s.clock, snapshots: s.snapshots, state: s.state });
  registerSystemSettingsRoutes(app, { events: s.events, settings: s.settings, systemSettings: s.systemSettings });
  registerGuestMetadataRoutes(app, { guestMetadata: s.guestMetadata });
  registerDockerAgentRoutes(app, { docker: s.docker, settings: s.settings });
  registerAgentDownloadRoutes(app, { settings: s.settings });
  registerExportImportRoutes(app, { configTransfer: s.configTransfer, security: s.security, settings: s.settings });
  registerSetupScriptRoutes(app, {
    clock: s.clock,
    discovery: s.discovery,
    events: s.events,
    monitoring: s.monitoring,
    security: s.security,
    settings: s.settings,
    setupCodes: s.setupCodes,
  });
  registerConfigUiSettingsRoutes(app, {
    events: s.events,
    mockMode: s.mockMode,
    monitoring: s.monitoring,
    security: s.security,
    systemSettings: s.systemSettings,
    updates: s.updates,
    uiSettings: s.uiSettings,
  });
  registerUpdateRoutes(app, { settings: s.settings, systemSettings: s.systemSettings, updates: s.updates });
  registerDiscoveryRoutes(app, { discovery: s.discovery });
  registerDiagnosticsRoutes(app, {
    alerts: s.alerts,
    clock: s.clock,
    discovery: s.discovery,
    mockMode: s.mockMode,
    monitoring: s.monitoring,
    startedAt: s.startedAt,
    state: s.state,
    updates: s.updates,
    wsHub: s.wsHub,
  });
  registerMockModeRoutes(app, { mockMode: s.mockMode, security: s.security, wsHub: s.wsHub });
  registerTemperatureRoutes(app, {
    clock: s.clock,
    monitoring: s.monitoring,
    settings: s.settings,
    state: s.state,
    temperature: s.temperature,
    setupCodes: s.setupCodes,
  });
  registerMetricsRoutes(app, {
    monitoring: s.monitoring,
    state: s.state,
    systemSettings: s.systemSettings,
    wsHub: s.wsHub,
  });
  registerTlsRoutes(app, { tls: s.tls });
  registerInsightRoutes(app, { alerts: s.alerts, backupCoverage: s.backupCoverage, forecast: s.forecast });
  // Unknown /api paths are JSON 404s; everything else falls through to the web UI.
}
