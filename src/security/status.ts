/**
 * GET /api/security/status (public): what the login page and Settings → Security need to know
 * (wire contract §4.8). The admin's user name is only shown to an authenticated caller, so the
 * public endpoint does not hand half of the credentials to a stranger.
 */
import type { Settings } from '../settings/env.js';
import type { SecurityService } from './security-service.js';
import type { AuthContext } from './types.js';

export interface StatusRequest {
  clientIp: string;
  https: boolean;
  auth: AuthContext | null;
}

export function deploymentType(settings: Settings): string {
  return settings.isDocker ? 'docker' : 'manual';
}

export function securityStatus(security: SecurityService, req: StatusRequest, isPrivate: boolean) {
  const oidcOn = security.sso.oidcEnabled();
  const info = security.sso.oidcInfo();
  const oidc = {
    oidcEnabled: oidcOn,
    oidcIssuer: oidcOn ? info.issuerUrl : '',
    oidcClientId: oidcOn ? info.clientId : '',
    oidcLogoutURL: oidcOn ? info.logoutUrl : '',
    oidcUsername: '',
    // Beyond the contract, for the login page: whether the password form is offered.
    passwordLoginDisabled: security.sso.passwordLoginDisabled(),
  };
  const tokens = { apiTokenConfigured: security.tokens.hasTokens(), apiTokenHint: security.tokens.hint() };
  const mode = security.mode();
  if (mode === 'disabled') {
    return {
      configured: false,
      disabled: true,
      message: 'Authentication is disabled (DISABLE_AUTH). Every route is open; use only behind a trusted proxy.',
      ...tokens,
      hasAuthentication: false,
      requiresAuth: false,
      authMode: mode,
      ...oidc,
    };
  }
  const creds = security.credentials.get();
  const signedIn = req.auth !== null && ['session', 'token', 'basic', 'recovery', 'proxy'].includes(req.auth.method);
  const proxy = security.settings.proxyAuth;
  const viaProxy = req.auth?.method === 'proxy';
  // A session whose user is not the local admin can only come from an OIDC sign-in.
  if (oidcOn && req.auth?.method === 'session' && req.auth.username !== creds?.username) {
    oidc.oidcUsername = req.auth.username ?? '';
  }
  return {
    ...tokens,
    requiresAuth: security.requiresAuth(),
    exportProtected: security.requiresAuth(),
    unprotectedExportAllowed: false,
    hasAuthentication: creds !== undefined,
    configuredButPendingRestart: false,
    hasAuditLogging: true,
    credentialsEncrypted: true,
    hasHTTPS: req.https,
    clientIP: req.clientIp,
    isPrivateNetwork: isPrivate,
    isTrustedNetwork: false,
    publicAccess: !isPrivate,
    hasProxyAuth: proxy !== undefined,
    proxyAuthLogoutURL: proxy?.logoutUrl ?? '',
    proxyAuthUsername: viaProxy ? (req.auth?.username ?? '') : '',
    proxyAuthIsAdmin: viaProxy && req.auth?.admin === true,
    // Beyond the contract, for Settings → Security: which proxy headers are read (never the secret).
    proxyAuthUserHeader: proxy?.userHeader ?? '',
    proxyAuthRoleHeader: proxy?.roleHeader ?? '',
    proxyAuthAdminRole: proxy ? proxy.adminRole : '',
    authUsername: signedIn && req.auth?.method !== 'token' && !viaProxy ? (creds?.username ?? '') : '',
    authLastModified: creds?.updatedAt !== undefined ? new Date(creds.updatedAt).toISOString() : '',
    ...oidc,
    // Beyond the contract, for the UI: which mode is active and whether this caller is signed in.
    authMode: mode,
    authenticated: signedIn,
    authMethod: req.auth?.method ?? 'none',
    recoveryMode: security.recoveryMode(),
  };
}
