/** GET /api/system/tls: whether Pulse serves HTTPS itself and with which certificate. */
import { type Static, Type } from 'typebox';
import { Open } from './common.js';

export const TlsStatus = Open({
  enabled: Type.Boolean(),
  certFile: Type.Optional(Type.String()),
  keyFile: Type.Optional(Type.String()),
  subject: Type.Optional(Type.String()),
  issuer: Type.Optional(Type.String()),
  subjectAltName: Type.Optional(Type.String()),
  validFrom: Type.Optional(Type.String()),
  validTo: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String({ description: 'RFC3339' })),
  fingerprint256: Type.Optional(Type.String()),
  loadedAt: Type.Optional(Type.String({ description: 'RFC3339' })),
  reloadError: Type.Optional(Type.String({ description: 'Why the last reload failed (the old certificate stays)' })),
});
export type TlsStatus = Static<typeof TlsStatus>;
