/**
 * GET /api/system/tls: whether Pulse serves HTTPS itself and which certificate is in service
 * (subject, issuer, validity, SHA-256 fingerprint, files, last reload problem) for Settings → System.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';

export function registerTlsRoutes(app: FastifyInstance, deps: Pick<Services, 'tls'>): void {
  app.get('/api/system/tls', { config: { guard: 'authenticated' } }, async () => deps.tls.status());
}
