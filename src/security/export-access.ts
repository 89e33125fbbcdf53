/**
 * Who may export or import the configuration (published API, Export/Import): a signed-in caller
 * (session, API token — also as `?token=` on these paths —, Basic or an authenticating proxy). Without any credentials
 * configured, the published API lets callers on a private network in, and anyone when
 * ALLOW_UNPROTECTED_EXPORT is set. Once a password or token exists, credentials are always
 * required: the network position of a caller is not an identity.
 */
import { isPrivateIp } from './client-ip.js';
import type { SecurityService } from './security-service.js';
import type { AuthContext } from './types.js';

const SIGNED_IN = new Set(['session', 'token', 'basic', 'recovery', 'disabled', 'proxy']);

export function canExport(
  security: Pick<SecurityService, 'requiresAuth'>,
  req: { auth: AuthContext | null; clientIp: string },
  allowUnprotected = false,
): boolean {
  if (req.auth && SIGNED_IN.has(req.auth.method)) return true;
  if (security.requiresAuth()) return false;
  return allowUnprotected || isPrivateIp(req.clientIp);
}
