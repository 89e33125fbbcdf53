/**
 * GET /ws: the WebSocket endpoint. The security gate
 * authenticates the upgrade like any 'authenticated' route (cookie, token header or `?token=`);
 * this module adds the origin check (§2) before the upgrade and hands accepted sockets to the hub.
 */
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../settings/env.js';
import type { WsHub } from './hub.js';
import { isOriginAllowed } from './origin.js';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export async function registerWsRoutes(
  app: FastifyInstance,
  deps: { settings: Pick<Settings, 'allowedOrigins'>; wsHub: WsHub },
): Promise<void> {
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

  app.route({
    method: 'GET',
    url: '/ws',
    config: { guard: 'authenticated' },
    preValidation: checkOrigin,
    wsHandler: (socket, req) => {
      // `deltas=1` or `=2` picks the delta encoding (docs/WEBSOCKET.md); anything else: plain rawData.
      const asked = (req.query as { deltas?: string }).deltas;
      deps.wsHub.attach(socket, { deltas: asked === '1' ? 1 : asked === '2' ? 2 : undefined });
    },
    // A plain GET (a browser tab, curl without upgrade headers) learns what the endpoint wants.
    handler: async (_req, reply) =>
      reply
        .code(426)
        .header('Upgrade', 'websocket')
        .header('Connection', 'Upgrade')
        .send({ error: 'Upgrade required: /ws is a WebSocket endpoint (send Upgrade: websocket)' }),
  });

  // Socket.IO is not spoken here (docs/API-COMPATIBILITY.md): Pulse 4.24's own clients use plain
  // WebSockets on /ws, and its shim never framed messages as Engine.IO, so no Socket.IO client
  // ever received state from it. Say so clearly instead of half-answering a handshake.
  const gone = { error: 'Socket.IO is not supported: connect a plain WebSocket to /ws (same messages as Pulse 4.24)' };
  for (const url of ['/socket.io', '/socket.io/*']) {
    app.route({
      method: 'GET',
      url,
      config: { guard: 'authenticated' },
      // Refused before the websocket plugin would accept an upgrade, so a client sees the 410 too.
      preValidation: async (_req, reply) => reply.code(410).send(gone),
      handler: async (_req, reply) => reply.code(410).send(gone),
    });
  }
}
