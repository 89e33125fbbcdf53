/**
 * GET /api/system/tls: whether Pulse serves HTTPS itself and which certificate is in service
 * (subject, issuer, validity, SHA-256 fingerprint, files, last reload problem) for Settings → System.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { CLIENT_ERRORS } from '../schemas/common.js';
import { TlsStatus } from '../schemas/tls.js';

export function registerTlsRoutes(app: FastifyInstance, deps: AppDeps): void {
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
