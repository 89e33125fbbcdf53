/**
 * GET/POST /api/discover (wire contract §7.10): the cached discovery result; POST starts a scan of
 * the given (or configured) subnet and answers at once with `scanning:true`. Results also arrive
 * over the WebSocket as `discovery_update`.
 */
import type { FastifyInstance } from 'fastify';
import { SubnetError } from '../discovery/subnet.js';
import { badRequest } from '../http/errors.js';
import type { Services } from '../services.js';

export function registerDiscoveryRoutes(app: FastifyInstance, deps: Pick<Services, 'discovery'>): void {
  app.get('/api/discover', { config: { guard: 'authenticated' } }, async () => deps.discovery.result());

  app.post('/api/discover', { config: { guard: 'authenticated' } }, async (req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('body must be a JSON object');
    const subnet = body.subnet;
    if (subnet !== undefined && subnet !== null && (typeof subnet !== 'string' || subnet.length > 100)) {
      throw badRequest('subnet must be a CIDR string like 192.168.1.0/24, or auto');
    }
    if (body.use_cache === true && deps.discovery.hasResult) return deps.discovery.result();
    try {
      deps.discovery.startScan(typeof subnet === 'string' && subnet.trim() !== '' ? subnet.trim() : undefined);
    } catch (err) {
      if (err instanceof SubnetError) throw badRequest(err.message);
      throw err;
    }
    return deps.discovery.result();
  });
}
