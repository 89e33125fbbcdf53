/**
 * GET/POST/PUT /api/system/mock-mode (wire contract §7.8): GET reports `{enabled, config}` with the
 * PascalCase config Pulse 4.24 emits; writes take camelCase (PascalCase accepted) and are admin-only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../http/errors.js';
import { MockConfigError } from '../mock/fleet.js';
import type { Services } from '../services.js';

export function registerMockModeRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'mockMode' | 'security' | 'wsHub'>,
): void {
  app.get('/api/system/mock-mode', { config: { guard: 'authenticated' } }, async () => deps.mockMode.view());

  const write = async (req: FastifyRequest) => {
    const body = req.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('body must be a JSON object');
    const b = body as Record<string, unknown>;
    let view: ReturnType<typeof deps.mockMode.view>;
    try {
      view = await deps.mockMode.update({ enabled: b.enabled, config: b.config });
    } catch (err) {
      if (err instanceof MockConfigError) throw badRequest(err.message, { field: err.field });
      throw err;
    }
    deps.security.audit.record({
      event: 'mock_mode_changed',
      username: req.auth?.username,
      ip: req.clientIp,
      success: true,
      details: { enabled: view.enabled },
    });
    deps.wsHub.broadcastState();
    return view;
  };
  app.post('/api/system/mock-mode', { config: { guard: 'admin' } }, write);
  app.put('/api/system/mock-mode', { config: { guard: 'admin' } }, write);
}
