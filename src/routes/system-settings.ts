/**
 * System settings (wire-contract §7.2): GET /api/system/settings (effective values + env overrides),
 * POST /api/system/settings/update (partial, validated), GET/PUT /api/config/system.
 * Polling intervals saved here take effect on the next cycle of every instance.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '../http/errors.js';
import { ErrorReply, SuccessReply } from '../schemas/common.js';
import { SystemSettingsReply, SystemSettingsUpdate } from '../schemas/system-settings.js';
import type { Services } from '../services.js';
import { SettingsValidationError, validateSettingsUpdate } from '../settings/system-settings.js';

export function registerSystemSettingsRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'events' | 'settings' | 'systemSettings'>,
): void {
  const repo = () => deps.systemSettings;

  const envOverrides = () => {
    const o: Record<string, boolean> = {};
    if (deps.settings.allowedOrigins.length) o.allowedOrigins = true;
    if (deps.settings.connectionTimeoutSec !== 60) o.connectionTimeout = true;
    return o;
  };

  const save = (body: unknown) => {
    let partial: ReturnType<typeof validateSettingsUpdate>;
    try {
      partial = validateSettingsUpdate(body);
    } catch (err) {
      if (err instanceof SettingsValidationError) throw badRequest(err.message, { field: err.field });
      throw err;
    }
    repo().save(partial);
    if (partial.theme !== undefined) deps.events.emit('settingsUpdate', { theme: partial.theme });
  };

  // The effective values (defaults and environment filled in), not only what was saved: before
  // the first save the settings page would otherwise show empty fields (issue 18).
  const getSchema = (summary: string) => ({ summary, response: { 200: SystemSettingsReply } });
  const writeSchema = (summary: string, reply: object) => ({
    summary,
    body: SystemSettingsUpdate,
    response: { 200: reply, 400: ErrorReply },
  });

  app.get(
    '/api/system/settings',
    { config: { guard: 'authenticated' }, schema: getSchema('Effective system settings') },
    async () => {
      const overrides = envOverrides();
      const s = repo().get();
      const base = {
        ...s,
        connectionTimeout: s.connectionTimeout || deps.settings.connectionTimeoutSec,
        logLevel: s.logLevel ?? deps.settings.logLevel,
      };
      return Object.keys(overrides).length ? { ...base, envOverrides: overrides } : base;
    },
  );

  const updated = Type.Object({ success: Type.Literal(true) });
  app.post(
    '/api/system/settings/update',
    { config: { guard: 'admin' }, schema: writeSchema('Change some system settings', updated) },
    async (req) => {
      save(req.body);
      return { success: true };
    },
  );

  app.get(
    '/api/config/system',
    { config: { guard: 'authenticated' }, schema: getSchema('System settings (older endpoint)') },
    async () => {
      const s = repo().get();
      return {
        ...s,
        connectionTimeout: s.connectionTimeout || deps.settings.connectionTimeoutSec,
        allowedOrigins: s.allowedOrigins ?? deps.settings.allowedOrigins.join(','),
      };
    },
  );

  app.put(
    '/api/config/system',
    {
      config: { guard: 'admin' },
      schema: writeSchema('Change system settings (deprecated: use POST /api/system/settings/update)', SuccessReply),
    },
    async (req) => {
      save(req.body);
      return {
        status: 'success',
        message: 'Settings saved (deprecated endpoint: use POST /api/system/settings/update)',
      };
    },
  );
}
