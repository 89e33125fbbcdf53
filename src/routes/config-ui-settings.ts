/**
 * GET /api/config (what the UI needs to know about the server) and the legacy UI settings
 * (GET /api/settings, POST /api/settings/update).
 */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../http/errors.js';
import { CLIENT_ERRORS } from '../schemas/common.js';
import {
  ServerConfigReply,
  UiSettingsReply,
  UiSettingsUpdateBody,
  UiSettingsUpdateReply,
} from '../schemas/ui-settings.js';
import type { Services } from '../services.js';
import { UiSettingsError, uiDefaults, validateUiSettings } from '../settings/ui-settings.js';

export function registerConfigUiSettingsRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'events' | 'mockMode' | 'monitoring' | 'security' | 'systemSettings' | 'updates' | 'uiSettings'>,
): void {
  const ui = deps.uiSettings;

  app.get(
    '/api/config',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'What the UI needs to know about the server: nodes, system settings, update channel',
        response: { 200: ServerConfigReply, ...CLIENT_ERRORS },
      },
    },
    async () => {
      const s = deps.systemSettings.get();
      const counters: Record<string, number> = { pve: 0, pbs: 0, pmg: 0 };
      return {
        // The gate checks X-CSRF-Token on every state-changing request made with a session.
        csrfProtection: true,
        autoUpdateEnabled: s.autoUpdateEnabled,
        updateChannel: s.updateChannel ?? 'stable',
        // The published API describes this as the complete configuration: nodes (never their
        // secrets, only whether they are set) and the system settings.
        version: deps.updates.currentVersion,
        nodes: deps.monitoring.nodes.list().map((n) => ({
          id: `${n.type}-${counters[n.type]++}`,
          type: n.type,
          name: n.name,
          host: n.host,
          verifySSL: n.verifySSL,
          hasToken: Boolean(n.tokenValue),
          hasPassword: Boolean(n.password),
          status: deps.monitoring.status(n.uid)?.connected ? 'connected' : 'disconnected',
        })),
        system: s,
        mockMode: deps.mockMode.enabled,
      };
    },
  );

  app.get(
    '/api/settings',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'UI preferences, their defaults and server capabilities',
        response: { 200: UiSettingsReply, ...CLIENT_ERRORS },
      },
    },
    async () => ({
      current: ui.get(),
      defaults: uiDefaults(),
      capabilities: {
        autoUpdate: false,
        updateCheck: true,
        discovery: true,
        mockMode: true,
        dockerAgents: true,
        websocket: true,
      },
    }),
  );

  app.post(
    '/api/settings/update',
    {
      config: { guard: 'admin' },
      schema: {
        summary: 'Change some UI preferences',
        body: UiSettingsUpdateBody,
        response: { 200: UiSettingsUpdateReply, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      let partial: ReturnType<typeof validateUiSettings>;
      try {
        partial = validateUiSettings(req.body);
      } catch (err) {
        if (err instanceof UiSettingsError) throw badRequest(err.message, { field: err.field });
        throw err;
      }
      const current = ui.save(partial);
      if (partial.theme === 'light' || partial.theme === 'dark')
        deps.events.emit('settingsUpdate', { theme: partial.theme });
      deps.security.audit.record({
        event: 'settings_changed',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
        details: { area: 'ui', fields: Object.keys(partial).join(',') },
      });
      return { success: true, current };
    },
  );
}
