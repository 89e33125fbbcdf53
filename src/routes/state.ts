/**
 * GET /api/state (the frontend-shape state document). The body of /api/state is the cached serialisation shared with
 * the WebSocket hub: one JSON.stringify per state version, whatever the number of readers.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { StateDocument } from '../schemas/system.js';
import type { Services } from '../services.js';

const GZIP_MIN_BYTES = 16 * 1024;

/** True when Accept-Encoding lists gzip without `q=0`. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Writes a body that is kept in pieces (the cached state document) without first copying the
 * megabytes into one buffer.
 */
function sendPieces(reply: FastifyReply, pieces: Buffer[]): FastifyReply {
  if (pieces.length === 1) return reply.send(pieces[0]);
  let length = 0;
  for (const p of pieces) length += p.length;
  return reply.header('Content-Length', length).send(Readable.from(pieces));
}

export function registerStateRoutes(app: FastifyInstance, deps: Pick<Services, 'snapshots'>): void {
  const schema = {
    summary: 'The whole live picture (sent pre-serialised, gzip when accepted)',
    response: { 200: StateDocument },
  };
  app.get('/api/state', { config: { guard: 'authenticated' }, schema }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store').header('Vary', 'Accept-Encoding').type('application/json; charset=utf-8');
    // A large estate's document is megabytes of repetitive JSON: gzip shrinks it ~10×, and the
    // compressed body is also built once per version (in zlib's thread pool, not the event loop).
    // The uncompressed pieces are asked for only when they are sent: once the gzip body exists,
    // large pieces hold only their compressed form unless plain readers are about, and are
    // inflated again in zlib's thread pool as they are sent to one (state/snapshots.ts,
    // gzip-join.ts Piece.chunks).
    const length = deps.snapshots.frontendLength();
    const gzip = length > GZIP_MIN_BYTES && acceptsGzip(req.headers['accept-encoding']);
    // A HEAD probe reads nothing: it must not keep bodies built or whole for readers to come.
    const head = req.method === 'HEAD';
    if (!head) deps.snapshots.noteHttpRead(gzip);
    if (gzip) {
      const gz = await deps.snapshots.frontendGzip();
      reply.header('Content-Encoding', 'gzip');
      return sendPieces(reply, gz);
    }
    // HEAD (Fastify answers it with this handler and drains the body it is given): the length
    // alone, without inflating the pieces for a body nobody receives.
    if (head) return reply.header('Content-Length', length).send(Readable.from([]));
    const body = deps.snapshots.frontendStream();
    return reply.header('Content-Length', body.length).send(Readable.from(body.chunks));
  });
}
