/** OIDC single sign-on: its configuration and the sign-in flow (wire-contract §4.10). */
import { type Static, Type } from 'typebox';
import { Maybe, Open } from './common.js';

export const OidcConfig = Open({
  enabled: Type.Boolean(),
  issuerUrl: Type.String(),
  clientId: Type.String(),
  redirectUrl: Type.String({ description: 'Must end in /api/oidc/callback' }),
  logoutUrl: Type.String(),
  scopes: Type.Array(Type.String()),
  usernameClaim: Type.String(),
  emailClaim: Type.String(),
  groupsClaim: Type.String(),
  allowedGroups: Type.Array(Type.String()),
  allowedDomains: Type.Array(Type.String()),
  allowedEmails: Type.Array(Type.String()),
  defaultRedirect: Type.String(),
  disablePasswordLogin: Type.Boolean(),
  clientSecretSet: Type.Boolean({ description: 'The secret itself is never returned' }),
});
export type OidcConfig = Static<typeof OidcConfig>;

/** A list given as an array or as one comma/space separated string. */
const List = Maybe(Type.Union([Type.String({ maxLength: 4096 }), Type.Array(Type.String({ maxLength: 512 }))]));
const Text = (description?: string) => Maybe(Type.String({ maxLength: 2048, ...(description ? { description } : {}) }));

/** Any of the fields; URLs, the callback path and what enabling needs are checked by the server. */
export const OidcConfigBody = Open({
  enabled: Maybe(Type.Boolean()),
  issuerUrl: Text('http(s) URL'),
  clientId: Text(),
  redirectUrl: Text('http(s) URL ending in /api/oidc/callback'),
  logoutUrl: Text(),
  scopes: List,
  usernameClaim: Text(),
  emailClaim: Text(),
  groupsClaim: Text(),
  allowedGroups: List,
  allowedDomains: List,
  allowedEmails: List,
  defaultRedirect: Text(),
  disablePasswordLogin: Maybe(Type.Boolean()),
  clientSecret: Text('Replaces the stored secret when not empty'),
  clearClientSecret: Maybe(Type.Boolean()),
});

export const OidcLoginBody = Open({ returnTo: Maybe(Type.String({ maxLength: 2048 })) });
export const OidcLoginQuery = Open({ returnTo: Type.Optional(Type.String({ maxLength: 2048 })) });
export const OidcLoginReply = Type.Object({ authorizationUrl: Type.String() });
/** oidc_disabled (404) or why the provider could not be reached (502). */
export const OidcLoginFailure = Open({ error: Type.String(), message: Type.Optional(Type.String()) });
/** The provider's answer (`code`, `state`, or `error`); checked against the state cookie. */
export const OidcCallbackQuery = Open({
  code: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});
export const Redirect = Type.Null({ description: 'Redirect (Location header)' });
