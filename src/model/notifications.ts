/** Wire types of /api/notifications/* (shared with the web UI). Secrets are masked in replies. */

/** The mask shown in place of a stored secret; sending it back keeps the stored value. */
export const SECRET_MASK = '********';

export type WebhookService =
  | 'generic'
  | 'discord'
  | 'slack'
  | 'telegram'
  | 'teams'
  | 'teams-adaptive'
  | 'pagerduty'
  | 'pushover'
  | 'gotify'
  | 'ntfy'
  | 'mattermost';

export interface WebhookConfig {
  id: string;
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  enabled: boolean;
  service: WebhookService;
  /** Custom Go text/template payload; empty = the service's built-in format. */
  template: string;
  customFields?: Record<string, string>;
}

export interface EmailConfig {
  enabled: boolean;
  provider: string;
  server: string;
  port: number;
  username: string;
  /** Always "" in replies; "" on PUT keeps the stored password. */
  password: string;
  from: string;
  to: string[];
  /** Implicit TLS (port 465). */
  tls: boolean;
  /** Upgrade a plain connection with STARTTLS (required when true). */
  startTLS: boolean;
}

export interface EmailProvider {
  name: string;
  smtpHost: string;
  smtpPort: number;
  tls: boolean;
  startTLS: boolean;
  authRequired: boolean;
  instructions: string;
}

export interface WebhookTemplateInfo {
  service: WebhookService;
  name: string;
  urlPattern: string;
  method: string;
  headers: Record<string, string>;
  payloadTemplate: string;
  instructions: string;
}

/** One delivery attempt (GET /api/notifications/webhook-history, /history). */
export interface DeliveryRecord {
  id: number;
  channel: 'email' | 'webhook';
  /** Webhook name, or "email". */
  webhookName: string;
  /** Masked URL, or the recipients for email. */
  webhookUrl: string;
  service: string;
  /** The first (root) alert of the batch. */
  alertId: string;
  alertIds: string[];
  event: NotificationEvent;
  /** RFC3339 */
  timestamp: string;
  statusCode: number;
  success: boolean;
  errorMessage?: string;
  /** Attempts before this one (0 = first try). */
  retryAttempts: number;
  payloadSize: number;
}

export type NotificationEvent = 'alert' | 'escalated' | 'resolved' | 'test';

/** POST /api/notifications/ — settings of the delivery pipeline. */
export interface NotificationSettings {
  /** Master switch: false stops new notifications from being queued (tests still send). */
  enabled: boolean;
  /** Send a resolve message (PagerDuty resolve event) when an alert clears. */
  notifyOnResolve: boolean;
  /** Attempts per delivery before it moves to the dead-letter list (1–20). */
  maxAttempts: number;
  /** First retry delay in seconds; doubles per attempt, capped at 15 minutes (1–3600). */
  retryBaseSeconds: number;
  /** Requests per minute per webhook URL (1–10); excess waits in the queue. */
  webhookRateLimitPerMinute: number;
}

/** A delivery that is queued, retrying, or dead (GET /api/notifications/dead-letter). */
export interface QueuedDelivery {
  id: number;
  channel: 'email' | 'webhook';
  targetId: string;
  targetName: string;
  event: NotificationEvent;
  alertIds: string[];
  status: 'pending' | 'sending' | 'dead';
  attempts: number;
  /** RFC3339 */
  createdAt: string;
  nextAttemptAt: string;
  lastError?: string;
  lastStatusCode?: number;
}

export interface QueueStats {
  pending: number;
  sending: number;
  dead: number;
  delivered: number;
  failedAttempts: number;
}
