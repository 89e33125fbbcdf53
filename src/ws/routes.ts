/**
 * GET /ws: the WebSocket endpoint. The security gate authenticates the upgrade like any
 * 'authenticated' route (cookie, token header or `?token=`); this module adds the origin check
 * (§2) before the upgrade and hands accepted sockets to the hub.
 */
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { isOriginAllowed } from './origin.js';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export async function registerWsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  if (!app.hasDecorator('websocketServer')) {
    await app.register(fastifyWebsocket, {
      // Clients only send tiny control messages (ping, requestData).
      options: { maxPayload: 64 * 1024, perMessageDeflate: false },
    });
  }

  // An upgrade refused by an earlier onRequest hook (the security gate's 401) never reaches the
  // plugin's own clean-up, and Node leaves a socket handed to 'upgrade' open after the reply: the
  // client would hang and app.close() would wait for it forever. Close it once the reply is out.
  app.addHook('onResponse', async (req) => {
    const socket = req.raw.socket;
    if (req.raw.headers.upgrade !== undefined && !socket.destroyed) socket.destroy();
  });

  app.get(
    '/ws',
    {
      websocket: true,
      config: { guard: 'authenticated' },
      preValidation: async (req, reply) => {
        const ok = isOriginAllowed(
          {
            origin: header(req, 'origin'),
            host: header(req, 'host'),
            forwardedProto: header(req, 'x-forwarded-proto'),
            forwardedScheme: header(req, 'x-forwarded-scheme'),
            forwardedHost: header(req, 'x-forwarded-host'),
            encrypted: 'encrypted' in req.raw.socket && Boolean(req.raw.socket.encrypted),
          },
          deps.settings.allowedOrigins,
        );
        if (!ok) {
          req.log.warn({ origin: header(req, 'origin') }, 'websocket origin rejected');
          return reply.code(403).send({ error: 'Origin not allowed' });
        }
      },
    },
    (socket) => deps.wsHub.attach(socket),
  );
}
