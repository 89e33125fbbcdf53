/**
 * The security layer's entry points for the rest of the program:
 * - `SecurityService.create(...)` in the composition root (server.ts) → `deps.security`;
 * - `registerSecurity(app, deps)` in buildApp, before any route is registered;
 * - `req.auth` in handlers (AuthContext), `deps.security.audit.record(...)` for audit events.
 */
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../settings/env.js';
import type { SystemSettingsService } from '../settings/system-settings.js';
import { registerSecurityGate } from './gate.js';
import type { SecurityService } from './security-service.js';

export type { AuditEntry } from './audit-log.js';
export { SecurityService } from './security-service.js';
export type { AuthContext, SecurityOptions } from './types.js';

export function registerSecurity(
  app: FastifyInstance,
  deps: {
    security: SecurityService;
    settings: Pick<Settings, 'allowedOrigins'>;
    systemSettings?: Pick<SystemSettingsService, 'get'>;
  },
): void {
  deps.security.browser = {
    allowedOrigins: () => {
      const saved = deps.systemSettings?.get().allowedOrigins ?? '';
      const list = [...deps.settings.allowedOrigins, ...saved.split(',')];
      return list.map((o) => o.trim().replace(/\/$/, '')).filter((o) => o !== '');
    },
    allowEmbedding: () => deps.systemSettings?.get().allowEmbedding === true,
  };
  registerSecurityGate(app, deps.security);
}
