import type {
  WebhookConfig,
  WebhookTemplateInfo,
  EmailConfig as WireEmailConfig,
  EmailProvider as WireEmailProvider,
} from '@model/notifications';
import type { SecurityStatus as WireSecurityStatus } from '../../../src/schemas/security.js';

/**
 * Shapes of the REST answers the UI reads beyond the state document (wire-contract §4–§7): the
 * server's own route schemas (src/schemas/) where they exist.
 */

/** The status as the UI holds it: empty until the server first answers. */
export type SecurityStatus = Partial<WireSecurityStatus>;
export type { AlertConfig, BulkAlertReply, Threshold, ThresholdConfig } from '../../../src/schemas/alerts.js';
export type {
  ConfigTestReply,
  ConfiguredNode,
  ConnectionTestReply,
  MonitorFlag,
  NodeForm,
  NodeType,
} from '../../../src/schemas/config-nodes.js';
export type { FeatureStatus, PermissionReport } from '../../../src/schemas/permissions.js';

/** Notification shapes come from the server's wire types (src/model/notifications.ts). */
export type EmailConfig = WireEmailConfig;
export type EmailProvider = WireEmailProvider;
export type WebhookTemplate = WebhookTemplateInfo;
/** A webhook as the editor holds it: no id until saved, any service name the server lists. */
export type Webhook = Omit<WebhookConfig, 'id' | 'service' | 'template'> & {
  id?: string;
  service: string;
  template?: string;
};

// Charts (stores/charts, HistoryPanel), Backups → Coverage, ForecastHint, quick setup (stores/session).
export type { ChartsReply as ChartsResponse } from '../../../src/schemas/charts.js';
/** One point of a chart series: ms since epoch and the value. */
export type ChartPoint = import('../../../src/schemas/charts.js').ChartsReply['data'][string][string][number];

export type { DiagnosticsReport as Diagnostics } from '../../../src/schemas/diagnostics.js';
export type { CoverageReply, ForecastReply } from '../../../src/schemas/insight.js';
// Settings → Maintenance, System and Exposure (web/src/pages/settings/{Maintenance,System,Exposure}.tsx).
export type { MockModeView } from '../../../src/schemas/mock-mode.js';
// NotifyDelivery, Backup, NodeOnboarding and Security (settings pages): their REST replies.
export type {
  DeliveryRecord,
  NotificationSettings,
  NotificationSummary,
  NotificationTestReply,
  QueuedDelivery,
  WebhookTestReply,
} from '../../../src/schemas/notifications.js';
export type { OidcConfig } from '../../../src/schemas/oidc.js';
export type {
  AuditEvents,
  AuditRecord,
  ChangePasswordReply,
  CreatedToken,
  QuickSetupReply,
  TokenList,
  TokenRecord,
} from '../../../src/schemas/security.js';
export type { DiscoveredServer, DiscoveryResult, SetupScriptUrlReply } from '../../../src/schemas/setup.js';
// Storage (ZFS pool health per storage) and Backups (PBS backups, which the live state lacks).
export type { BackupsReply, StorageOneReply } from '../../../src/schemas/storage.js';
export type { SystemSettingsReply as SystemSettings } from '../../../src/schemas/system-settings.js';
export type { TlsStatus } from '../../../src/schemas/tls.js';
export type {
  ExportReply,
  ImportNodeBrief,
  ImportPreview,
  ImportReply,
  ImportSummary,
} from '../../../src/schemas/transfer.js';
export type {
  UpdateHistoryEntry,
  UpdateInfo,
  UpdatePlan,
  UpdateStatus,
} from '../../../src/schemas/updates.js';
