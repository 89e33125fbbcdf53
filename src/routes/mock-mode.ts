/**
 * GET/POST/PUT /api/system/mock-mode (wire contract §7.8): GET reports `{enabled, config}` with the
 * PascalCase config Pulse 4.24 emits; writes take camelCase (PascalCase accepted) and are admin-only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { badRequest } from '../http/errors.js';
import { MockConfigError } from '../mock/fleet.js';
import { CLIENT_ERRORS } from '../schemas/common.js';
import { MockModeBody, MockModeView } from '../schemas/mock-mode.js';
import type { Services } from '../services.js';

export function registerMockModeRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'mockMode' | 'security' | 'wsHub'>,
): void {
  app.get(
    '/api/system/mock-mode',
    {
      config: { guard: 'authenticated' },
      schema: { summary: 'Whether mock mode is on, and its fleet', response: { 200: MockModeView, ...CLIENT_ERRORS } },
    },
    async () => deps.mockMode.view(),
  );

  const write = async (req: FastifyRequest<{ Body: Static<typeof MockModeBody> }>) => {
    const b = req.body;
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
  const writeOptions = (summary: string) => ({
    config: { guard: 'admin' as const },
    schema: { summary, body: MockModeBody, response: { 200: MockModeView, ...CLIENT_ERRORS } },
  });
  app.post('/api/system/mock-mode', writeOptions('Turn mock mode on or off, or change its fleet'), write);
  app.put('/api/system/mock-mode', writeOptions('Turn mock mode on or off, or change its fleet (regenerates)'), write);
}
