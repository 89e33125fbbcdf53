/**
 * GET /ws: the WebSocket endpoint, and the Socket.IO compatibility paths. The security gate
 * authenticates the upgrade like any 'authenticated' route (cookie, token header or `?token=`);
 * this module adds the origin check (§2) before the upgrade and hands accepted sockets to the hub.
 */
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { isOriginAllowed } from './origin.js';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export async function registerWsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  if (!app.hasDecorator('websocketServer')) {
    await app.register(fastifyWebsocket, {
      // Clients only send tiny control messages (ping, requestData). permessage-deflate is offered
      // to clients that negotiate it; the hub compresses only delta clients' messages.
      options: { maxPayload: 64 * 1024, perMessageDeflate: { threshold: 1024 } },
    });
  }

  // An upgrade refused by an earlier onRequest hook (the security gate's 401) never reaches the
  // plugin's own clean-up, and Node leaves a socket handed to 'upgrade' open after the reply: the
  // client would hang and app.close() would wait for it forever. Close it once the reply is out.
  app.addHook('onResponse', async (req) => {
    const socket = req.raw.socket;
    if (req.raw.headers.upgrade !== undefined && !socket.destroyed) socket.destroy();
  });

  /** Refuses the upgrade (403) when the origin is not allowed (§2); plain HTTP passes. */
  const checkOrigin = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.raw.headers.upgrade === undefined) return;
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
  };

  app.get('/ws', { websocket: true, config: { guard: 'authenticated' }, preValidation: checkOrigin }, (socket, req) =>
    deps.wsHub.attach(socket, { deltas: (req.query as { deltas?: string }).deltas === '1' }),
  );

  // Socket.IO compatibility (§2): the client script moves to the CDN, a websocket transport joins
  // the same hub, and the polling handshake answers like Engine.IO so such clients upgrade.
  // Both forms: with ignoreTrailingSlash, `/socket.io/` (the usual client path) is `/socket.io`.
  for (const url of ['/socket.io', '/socket.io/*']) registerSocketIo(url);
  function registerSocketIo(url: string): void {
    app.route({
      method: 'GET',
      url,
      config: { guard: 'authenticated' },
      preValidation: checkOrigin,
      wsHandler: (socket) => deps.wsHub.attach(socket),
      handler: async (req, reply) => {
        const path = req.url.split('?')[0];
        const query = req.query as Record<string, string | undefined>;
        if (path.endsWith('socket.io.js') || path.endsWith('socket.io.min.js')) {
          return reply.redirect(SOCKET_IO_CDN, 302);
        }
        if (query.transport === 'polling') {
          reply.type('text/plain; charset=utf-8');
          if (query.sid) return '6';
          const sid = String(BigInt(deps.clock.now()) * 1_000_000n);
          return `0${JSON.stringify({ sid, upgrades: ['websocket'], pingInterval: 25000, pingTimeout: 60000 })}`;
        }
        return reply.redirect('/ws', 302);
      },
    });
  }
}

const SOCKET_IO_CDN = 'https://cdn.socket.io/4.8.1/socket.io.min.js';
