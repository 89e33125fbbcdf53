/**
 * GET /api/system/tls: whether Pulse serves HTTPS itself and which certificate is in service
 * (subject, issuer, validity, SHA-256 fingerprint, files, last reload problem) for Settings → System.
 */
import type { FastifyInstance } from 'fastify';
import { CLIENT_ERRORS } from '../schemas/common.js';
import { TlsStatus } from '../schemas/tls.js';
import type { Services } from '../services.js';

export function registerTlsRoutes(app: FastifyInstance, deps: Pick<Services, 'tls'>): void {
  app.get(
    '/api/system/tls',
    {
      config: { guard: 'authenticated' },
      schema: {
        summary: 'HTTPS served by Pulse and the certificate in service',
        response: { 200: TlsStatus, ...CLIENT_ERRORS },
      },
    },
    async () => deps.tls.status(),
  );
}
