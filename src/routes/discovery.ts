/**
 * GET/POST /api/discover (wire contract §7.10): the cached discovery result; POST starts a scan of
 * the given (or configured) subnet and answers at once with `scanning:true`. Results also arrive
 * over the WebSocket as `discovery_update`.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { SubnetError } from '../discovery/subnet.js';
import { badRequest } from '../http/errors.js';
import { CLIENT_ERRORS, OptionalBody } from '../schemas/common.js';
import { DiscoverBody, DiscoveryResult } from '../schemas/setup.js';
import type { Services } from '../services.js';

export function registerDiscoveryRoutes(fastify: FastifyInstance, deps: Pick<Services, 'discovery'>): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/discover',
    {
      config: { guard: 'authenticated' },
      schema: { summary: 'The last discovery result', response: { 200: DiscoveryResult, ...CLIENT_ERRORS } },
    },
    async () => deps.discovery.result(),
  );

  app.post(
    '/api/discover',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'Start a scan of the given (or configured) subnet, or answer from the cache',
        body: OptionalBody(DiscoverBody),
        response: { 200: DiscoveryResult, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const subnet = req.body?.subnet;
      if (req.body?.use_cache === true && deps.discovery.hasResult) return deps.discovery.result();
      try {
        deps.discovery.startScan(typeof subnet === 'string' && subnet.trim() !== '' ? subnet.trim() : undefined);
      } catch (err) {
        if (err instanceof SubnetError) throw badRequest(err.message, { field: 'subnet' });
        throw err;
      }
      return deps.discovery.result();
    },
  );
}
