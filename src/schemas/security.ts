/** /api/security/*: status, quick setup, password, API tokens, lockout, recovery and audit (wire-contract §4). */
import { type Static, Type } from 'typebox';
import { Maybe, Open } from './common.js';

/** GET /api/security/status (public). With DISABLE_AUTH only the first group and `disabled`, `message` are sent. */
export const SecurityStatus = Open({
  requiresAuth: Type.Boolean(),
  hasAuthentication: Type.Boolean(),
  apiTokenConfigured: Type.Boolean(),
  apiTokenHint: Type.String({ description: 'prefix...suffix of the newest token, or empty' }),
  oidcEnabled: Type.Boolean(),
  oidcIssuer: Type.String(),
  oidcClientId: Type.String(),
  oidcLogoutURL: Type.String(),
  oidcUsername: Type.String(),
  passwordLoginDisabled: Type.Boolean({ description: 'OIDC is enabled and password sign-in is off' }),
  authMode: Type.String({ description: 'open, password, api-only or disabled' }),
  configured: Type.Optional(Type.Boolean()),
  disabled: Type.Optional(Type.Boolean({ description: 'DISABLE_AUTH is set' })),
  message: Type.Optional(Type.String()),
  exportProtected: Type.Optional(Type.Boolean()),
  unprotectedExportAllowed: Type.Optional(Type.Boolean()),
  configuredButPendingRestart: Type.Optional(Type.Boolean()),
  hasAuditLogging: Type.Optional(Type.Boolean()),
  credentialsEncrypted: Type.Optional(Type.Boolean()),
  hasHTTPS: Type.Optional(Type.Boolean()),
  clientIP: Type.Optional(Type.String()),
  isPrivateNetwork: Type.Optional(Type.Boolean()),
  isTrustedNetwork: Type.Optional(Type.Boolean()),
  publicAccess: Type.Optional(Type.Boolean()),
  hasProxyAuth: Type.Optional(Type.Boolean()),
  proxyAuthLogoutURL: Type.Optional(Type.String()),
  proxyAuthUsername: Type.Optional(Type.String()),
  proxyAuthIsAdmin: Type.Optional(Type.Boolean()),
  proxyAuthUserHeader: Type.Optional(Type.String()),
  proxyAuthRoleHeader: Type.Optional(Type.String()),
  proxyAuthAdminRole: Type.Optional(Type.String()),
  authUsername: Type.Optional(Type.String()),
  authLastModified: Type.Optional(Type.String({ description: 'RFC3339, or empty' })),
  authenticated: Type.Optional(Type.Boolean({ description: 'This request carried valid credentials' })),
  authMethod: Type.Optional(Type.String()),
  recoveryMode: Type.Optional(Type.Boolean()),
});
export type SecurityStatus = Static<typeof SecurityStatus>;

/** First run (or `force` when signed in): the admin account and optionally an API token. */
export const QuickSetupBody = Open({
  username: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^:\\s]+$', description: 'No spaces or colons' }),
  password: Type.String({ maxLength: 1024, description: 'At least the minimum password length' }),
  apiToken: Maybe(Type.String({ maxLength: 256, description: '16–256 characters without spaces' })),
  generateApiToken: Maybe(Type.Boolean()),
  force: Maybe(Type.Boolean()),
  enableNotifications: Maybe(Type.Boolean()),
  darkMode: Maybe(Type.Boolean()),
});
export const QuickSetupReply = Open({
  success: Type.Literal(true),
  skipped: Type.Optional(Type.Boolean()),
  message: Type.String(),
  method: Type.Optional(Type.String()),
  deploymentType: Type.Optional(Type.String()),
  requiresManualRestart: Type.Optional(Type.Boolean()),
  note: Type.Optional(Type.String()),
  apiToken: Type.Optional(Type.String({ description: 'The generated token, shown once' })),
});
export type QuickSetupReply = Static<typeof QuickSetupReply>;

export const ChangePasswordBody = Open({
  currentPassword: Maybe(Type.String({ maxLength: 1024 })),
  newPassword: Maybe(Type.String({ maxLength: 1024 })),
});
export const ChangePasswordReply = Open({
  success: Type.Literal(true),
  message: Type.String(),
  requiresRestart: Type.Boolean(),
});
export type ChangePasswordReply = Static<typeof ChangePasswordReply>;

export const ResetLockoutBody = Open({
  identifier: Type.String({ minLength: 1, maxLength: 256, description: 'A username or an IP address' }),
});

/** The plain `{success: true, message}` of the security writes. */
export const SecurityOk = Open({ success: Type.Literal(true), message: Type.String() });

export const TokenRecord = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'First 6 characters' }),
  suffix: Type.String({ description: 'Last 4 characters' }),
  createdAt: Type.String({ description: 'RFC3339' }),
  lastUsedAt: Type.Union([Type.String({ description: 'RFC3339' }), Type.Null()]),
});
export type TokenRecord = Static<typeof TokenRecord>;
export const TokenList = Type.Object({ tokens: Type.Array(TokenRecord) });
export type TokenList = Static<typeof TokenList>;
/**
 * `name` is declared without a JSON type on purpose: the validator would turn a number into text,
 * and the server refuses anything but a string of at most 128 characters.
 */
export const CreateTokenBody = Open({
  name: Type.Optional(Type.Unknown({ description: 'A string of at most 128 characters (default "API token")' })),
});
export const CreatedToken = Type.Object({
  token: Type.String({ description: 'The raw token, shown once' }),
  record: TokenRecord,
});
export type CreatedToken = Static<typeof CreatedToken>;
export const TokenParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

export const RegeneratedToken = Open({
  success: Type.Literal(true),
  token: Type.String(),
  deploymentType: Type.String(),
  requiresRestart: Type.Boolean(),
  message: Type.String(),
});

export const ValidateTokenBody = Open({ token: Type.String({ maxLength: 1024 }) });
export const ValidateTokenReply = Type.Object({ valid: Type.Boolean(), message: Type.String() });

export const RecoveryStatus = Type.Object({ recovery_mode: Type.Boolean(), message: Type.String() });
export const RecoveryBody = Open({
  action: Type.Enum(['generate_token', 'disable_auth', 'enable_auth']),
  duration: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, description: 'Minutes (generate_token)' })),
});
export const RecoveryReply = Open({
  success: Type.Literal(true),
  message: Type.String(),
  token: Type.Optional(Type.String({ description: 'Single use, in X-Recovery-Token' })),
  expires_in_minutes: Type.Optional(Type.Integer()),
});

export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export const AuditEvents = Type.Object({
  events: Type.Array(
    Open({
      id: Type.Integer(),
      timestamp: Type.String({ description: 'RFC3339' }),
      event: Type.String(),
      username: Type.String(),
      ip: Type.String(),
      success: Type.Boolean(),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});
export type AuditEvents = Static<typeof AuditEvents>;
export type AuditRecord = AuditEvents['events'][number];
