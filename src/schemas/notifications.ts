/**
 * /api/notifications/*: email, webhooks, tests, pipeline settings, delivery history and the
 * dead-letter list (wire-contract §6). Secrets are masked in replies.
 */
import { type Static, Type } from 'typebox';
import { ErrorReply, Maybe, Open } from './common.js';

const StringMap = Type.Record(Type.String(), Type.String());

export const Webhook = Open({
  id: Type.String(),
  name: Type.String(),
  url: Type.String({ description: 'Secrets in the URL are masked' }),
  method: Type.String(),
  headers: StringMap,
  enabled: Type.Boolean(),
  service: Type.String({ description: 'generic, discord, slack, telegram, teams, teams-adaptive, pagerduty, …' }),
  template: Type.String({ description: 'Custom payload template; empty = the service format' }),
  customFields: Type.Optional(StringMap),
});
export const Webhooks = Type.Array(Webhook);

/** What clients send to create, update or test a webhook; unknown services and bad templates are refused by the server. */
export const WebhookBody = Open({
  id: Maybe(Type.String({ maxLength: 100 })),
  name: Maybe(Type.String({ maxLength: 200 })),
  url: Maybe(Type.String({ maxLength: 4096 })),
  method: Maybe(Type.String({ maxLength: 10, description: 'POST (default), PUT, PATCH or GET' })),
  headers: Maybe(Type.Record(Type.String(), Type.Unknown(), { description: 'Header name → string value' })),
  enabled: Maybe(Type.Boolean()),
  service: Maybe(Type.String({ maxLength: 50 })),
  template: Maybe(Type.String({ maxLength: 65_536 })),
  payloadTemplate: Maybe(Type.String({ maxLength: 65_536 })),
  customFields: Maybe(Type.Record(Type.String(), Type.Unknown(), { description: 'Field name → string value' })),
});

export const WebhookParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const WebhookTestReply = Open({
  status: Type.Number({ description: 'HTTP status the receiver answered (0 = no answer)' }),
  response: Type.String(),
  success: Type.Optional(Type.Boolean()),
  error: Type.Optional(Type.String()),
});
export type WebhookTestReply = Static<typeof WebhookTestReply>;

/** The receiver refused the test (`status`, `response`), or the webhook itself was refused (`error`). */
export const WebhookTestFailure = Type.Union([WebhookTestReply, ErrorReply]);

export const WebhookTemplate = Open({
  service: Type.String(),
  name: Type.String(),
  urlPattern: Type.String(),
  method: Type.String(),
  headers: StringMap,
  payloadTemplate: Type.String(),
  instructions: Type.String(),
});
export const WebhookTemplates = Type.Array(WebhookTemplate);

export const EmailConfig = Open({
  enabled: Type.Boolean(),
  provider: Type.String(),
  server: Type.String(),
  port: Type.Integer(),
  username: Type.String(),
  password: Type.String({ description: 'Always empty: the password is never returned' }),
  passwordSet: Type.Boolean(),
  from: Type.String(),
  to: Type.Array(Type.String()),
  tls: Type.Boolean(),
  startTLS: Type.Boolean(),
  skipTlsVerify: Type.Boolean(),
});

/** `to` may be a list or a comma/space separated string; an empty password keeps the stored one. */
export const EmailConfigBody = Open({
  enabled: Maybe(Type.Boolean()),
  provider: Maybe(Type.String({ maxLength: 100 })),
  server: Maybe(Type.String({ maxLength: 255 })),
  smtpHost: Maybe(Type.String({ maxLength: 255 })),
  port: Maybe(Type.Integer({ minimum: 1, maximum: 65535 })),
  username: Maybe(Type.String({ maxLength: 320 })),
  password: Maybe(Type.String({ maxLength: 1024 })),
  from: Maybe(Type.String({ maxLength: 320 })),
  to: Maybe(Type.Union([Type.String(), Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 })])),
  recipients: Maybe(Type.Union([Type.String(), Type.Array(Type.String({ maxLength: 320 }), { maxItems: 100 })])),
  tls: Maybe(Type.Boolean()),
  startTLS: Maybe(Type.Boolean()),
  skipTlsVerify: Maybe(Type.Boolean()),
});

export const EmailProvider = Open({
  name: Type.String(),
  smtpHost: Type.String(),
  smtpPort: Type.Integer(),
  tls: Type.Boolean(),
  startTLS: Type.Boolean(),
  authRequired: Type.Boolean(),
  instructions: Type.String(),
});
export const EmailProviders = Type.Array(EmailProvider);

export const NotificationSettings = Open({
  enabled: Type.Boolean({ description: 'False stops new notifications from being queued' }),
  notifyOnResolve: Type.Boolean(),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 20 }),
  retryBaseSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  webhookRateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 10 }),
});
export type NotificationSettings = Static<typeof NotificationSettings>;

const SettingsFields = {
  enabled: Maybe(Type.Boolean()),
  notifyOnResolve: Maybe(Type.Boolean()),
  maxAttempts: Maybe(Type.Integer({ minimum: 1, maximum: 20 })),
  retryBaseSeconds: Maybe(Type.Integer({ minimum: 1, maximum: 3600 })),
  webhookRateLimitPerMinute: Maybe(Type.Integer({ minimum: 1, maximum: 10 })),
};
/** Any of the settings, at the top level or inside `settings`. */
export const NotificationSettingsBody = Open({ ...SettingsFields, settings: Type.Optional(Open(SettingsFields)) });
export const NotificationSettingsReply = Type.Object({
  status: Type.Literal('success'),
  settings: NotificationSettings,
});

const QueueStats = Open({
  pending: Type.Integer(),
  sending: Type.Integer(),
  dead: Type.Integer(),
  delivered: Type.Integer(),
  failedAttempts: Type.Integer(),
});

export const NotificationSummary = Open({
  settings: NotificationSettings,
  email: EmailConfig,
  webhooks: Webhooks,
  queue: QueueStats,
});
export type NotificationSummary = Static<typeof NotificationSummary>;

/** `method` (or `type`): email, webhook, or both when absent; `webhookId` tests one saved webhook. */
export const NotificationTestBody = Open({
  method: Maybe(Type.String({ maxLength: 20 })),
  type: Maybe(Type.String({ maxLength: 20 })),
  config: Maybe(EmailConfigBody),
  webhookId: Maybe(Type.String({ maxLength: 200 })),
});
export const NotificationTestReply = Open({
  status: Type.Literal('success'),
  message: Type.String(),
  queued: Type.Optional(Type.Integer()),
});
export type NotificationTestReply = Static<typeof NotificationTestReply>;

export const DeliveryRecord = Open({
  id: Type.Integer(),
  channel: Type.Enum(['email', 'webhook']),
  webhookName: Type.String(),
  webhookUrl: Type.String({ description: 'Masked URL, or the recipients for email' }),
  service: Type.String(),
  alertId: Type.String(),
  alertIds: Type.Array(Type.String()),
  event: Type.Enum(['alert', 'escalated', 'resolved', 'test']),
  timestamp: Type.String({ description: 'RFC3339' }),
  statusCode: Type.Integer(),
  success: Type.Boolean(),
  errorMessage: Type.Optional(Type.String()),
  retryAttempts: Type.Integer(),
  payloadSize: Type.Integer(),
});
export type DeliveryRecord = Static<typeof DeliveryRecord>;
export const DeliveryHistory = Type.Array(DeliveryRecord);

/**
 * `limit` 0 = all (at most 5000 kept); "" is the same as leaving a field out. Also
 * checked by NotificationService.historyList for callers without a request.
 */
export const DeliveryHistoryQuery = Open({
  limit: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 5000 }), Type.Literal('')])),
  offset: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000 }), Type.Literal('')])),
  // "" apart from the enum, so a refusal lists only the real channels.
  channel: Type.Optional(Type.Union([Type.Enum(['email', 'webhook']), Type.Literal('')])),
});

export const QueuedDelivery = Open({
  id: Type.Integer(),
  channel: Type.Enum(['email', 'webhook']),
  targetId: Type.String(),
  targetName: Type.String(),
  event: Type.Enum(['alert', 'escalated', 'resolved', 'test']),
  alertIds: Type.Array(Type.String()),
  status: Type.Enum(['pending', 'sending', 'dead']),
  attempts: Type.Integer(),
  createdAt: Type.String({ description: 'RFC3339' }),
  nextAttemptAt: Type.String({ description: 'RFC3339' }),
  lastError: Type.Optional(Type.String()),
  lastStatusCode: Type.Optional(Type.Integer()),
});
export type QueuedDelivery = Static<typeof QueuedDelivery>;
export const QueuedDeliveries = Type.Array(QueuedDelivery);

export const DeliveryParams = Type.Object({ id: Type.Integer({ minimum: 0, maximum: 999_999_999_999_999 }) });
