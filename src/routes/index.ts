/** Registers every route area. One module per URL area; handlers stay thin. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { registerWsRoutes } from '../ws/routes.js';
import { registerAlertRoutes } from './alerts.js';
import { registerAuthRoutes } from './auth.js';
import { registerChartRoutes } from './charts.js';
import { registerConfigNodeRoutes } from './config-nodes.js';
import { registerDiagnosticsRoutes } from './diagnostics.js';
import { registerDiscoveryRoutes } from './discovery.js';
import { registerDockerAgentRoutes } from './docker-agents.js';
import { registerExportImportRoutes } from './export-import.js';
import { registerGuestMetadataRoutes } from './guest-metadata.js';
import { registerInsightRoutes } from './insight.js';
import { registerMockModeRoutes } from './mock-mode.js';
import { registerNotificationRoutes } from './notifications.js';
import { registerSecurityRoutes } from './security.js';
import { registerSetupScriptRoutes } from './setup-script.js';
import { registerStateRoutes } from './state.js';
import { registerStorageBackupRoutes } from './storage-backups.js';
import { registerSystemRoutes } from './system.js';
import { registerSystemExtraRoutes } from './system-extra.js';
import { registerSystemSettingsRoutes } from './system-settings.js';
import { registerTemperatureRoutes } from './temperature.js';
import { registerUpdateRoutes } from './updates.js';

export async function registerRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  registerSystemRoutes(app, deps);
  registerStateRoutes(app, deps);
  registerChartRoutes(app, deps);
  await registerWsRoutes(app, deps);
  registerAuthRoutes(app, deps);
  registerSecurityRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerNotificationRoutes(app, deps);
  registerConfigNodeRoutes(app, deps);
  registerStorageBackupRoutes(app, deps);
  registerSystemSettingsRoutes(app, deps);
  registerGuestMetadataRoutes(app, deps);
  registerDockerAgentRoutes(app, deps);
  registerExportImportRoutes(app, deps);
  registerSetupScriptRoutes(app, deps);
  registerSystemExtraRoutes(app, deps);
  registerUpdateRoutes(app, deps);
  registerDiscoveryRoutes(app, deps);
  registerDiagnosticsRoutes(app, deps);
  registerMockModeRoutes(app, deps);
  registerTemperatureRoutes(app, deps);
  registerInsightRoutes(app, deps);
  // Unknown /api paths are JSON 404s; everything else falls through to the web UI.
}
