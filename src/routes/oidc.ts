/**
 * GET /api/security/oidc (wire contract §4.10): the OIDC single-sign-on configuration, which
 * Pulse 4.24's Security settings page reads on load. Sign-in through OIDC is not built yet, so
 * this answers the configuration of a server without it: disabled, with Pulse's defaults, in the
 * contract's field names. Saving (PUT) belongs to the OIDC feature itself.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';

/** Where an identity provider sends users back to (Pulse's callback path). */
export const OIDC_CALLBACK_PATH = '/api/oidc/callback';

export interface OidcConfigView {
  enabled: boolean;
  issuerUrl: string;
  clientId: string;
  redirectUrl: string;
  logoutUrl: string;
  scopes: string[];
  usernameClaim: string;
  emailClaim: string;
  groupsClaim: string;
  allowedGroups: string[];
  allowedDomains: string[];
  allowedEmails: string[];
  clientSecretSet: boolean;
  defaultRedirect: string;
}

/** The configuration of a Pulse without OIDC: off, Pulse's default scopes and claims. */
export function disabledOidcConfig(publicUrl?: string): OidcConfigView {
  return {
    enabled: false,
    issuerUrl: '',
    clientId: '',
    // Known only when the public URL is: the provider needs an absolute address.
    redirectUrl: publicUrl ? `${publicUrl.replace(/\/+$/, '')}${OIDC_CALLBACK_PATH}` : '',
    logoutUrl: '',
    scopes: ['openid', 'profile', 'email'],
    usernameClaim: 'preferred_username',
    emailClaim: 'email',
    groupsClaim: 'groups',
    allowedGroups: [],
    allowedDomains: [],
    allowedEmails: [],
    clientSecretSet: false,
    defaultRedirect: '/',
  };
}

export function registerOidcRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/api/security/oidc', { config: { guard: 'admin' } }, async () =>
    disabledOidcConfig(deps.settings.publicUrl),
  );
}
