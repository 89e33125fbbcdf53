/**
 * Guest metadata (published API "Guest Metadata", wire contract §7.3):
 *   GET    /api/guests/metadata                       → {guestId: metadata}
 *   GET    /api/guests/metadata/{id}                  → metadata (empty for unknown guests)
 *   PUT|POST /api/guests/metadata/{id}                → stored metadata
 *   DELETE /api/guests/metadata/{id}                  → 204
 * and the same per guest as /api/guests/metadata/{node}/{vmid}.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { MetadataValidationError, withAliases } from '../guest-metadata/metadata.js';
import { badRequest } from '../http/errors.js';
import { ErrorReply } from '../schemas/common.js';
import {
  GuestIdParams,
  GuestMetadataBody,
  GuestMetadataMap,
  GuestMetadataReply,
  GuestNodeParams,
} from '../schemas/guest-metadata.js';
import type { Services } from '../services.js';

type IdParams = { id: string };
type NodeParams = { node: string; vmid: string };

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof MetadataValidationError) throw badRequest(err.message);
    throw err;
  }
}

export function registerGuestMetadataRoutes(app: FastifyInstance, deps: Pick<Services, 'guestMetadata'>): void {
  const svc = () => deps.guestMetadata;
  const byId = (req: FastifyRequest) => (req.params as IdParams).id;
  const byNode = (req: FastifyRequest) => {
    const p = req.params as NodeParams;
    return wrap(() => svc().resolveId(p.node, p.vmid));
  };

  // Every reply carries both spellings (customUrl/consoleUrl, description/notes): see metadata.ts.
  const listSchema = { summary: 'Metadata of every guest, by guest id', response: { 200: GuestMetadataMap } };
  app.get('/api/guests/metadata', { config: { guard: 'authenticated' }, schema: listSchema }, async () =>
    Object.fromEntries(Object.entries(svc().all()).map(([id, m]) => [id, withAliases(m)])),
  );

  for (const [path, idOf, params] of [
    ['/api/guests/metadata/:id', byId, GuestIdParams],
    ['/api/guests/metadata/:node/:vmid', byNode, GuestNodeParams],
  ] as const) {
    const reply = { 200: GuestMetadataReply, 400: ErrorReply };
    const getSchema = { summary: 'One guest’s metadata (empty when none)', params, response: reply };
    app.get(path, { config: { guard: 'authenticated' }, schema: getSchema }, async (req) =>
      wrap(() => withAliases(svc().get(idOf(req)))),
    );
    for (const method of ['PUT', 'POST'] as const) {
      app.route({
        method,
        url: path,
        config: { guard: 'authenticated' },
        schema: { summary: 'Replace one guest’s metadata', params, body: GuestMetadataBody, response: reply },
        handler: async (req) => wrap(() => withAliases(svc().set(idOf(req), req.body))),
      });
    }
    const deleteSchema = {
      summary: 'Forget one guest’s metadata',
      params,
      response: { 204: Type.Null(), 400: ErrorReply },
    };
    app.delete(path, { config: { guard: 'authenticated' }, schema: deleteSchema }, async (req, reply) => {
      wrap(() => svc().delete(idOf(req)));
      return reply.code(204).send();
    });
  }
}
