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
export type { AlertConfig, Threshold, ThresholdConfig } from '../../../src/schemas/alerts.js';
export type {
  ConfiguredNode,
  MonitorFlag,
  NodeForm,
  NodeType,
  PermissionReport,
} from '../../../src/schemas/config-nodes.js';

/** The permission doctor: one feature of an instance and whether its credentials serve it. */
export type FeatureStatus = import('../../../src/schemas/config-nodes.js').PermissionReport['features'][number];
export type { TokenRecord } from '../../../src/schemas/security.js';

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

export interface ChartPoint {
  timestamp: number;
  value: number;
}

export interface ChartsResponse {
  data: Record<string, Record<string, ChartPoint[]>>;
  nodeData: Record<string, Record<string, ChartPoint[]>>;
  storageData?: Record<string, Record<string, ChartPoint[]>>;
  timestamp: number;
}

// Settings → Maintenance, System and Exposure (web/src/pages/settings/{Maintenance,System,Exposure}.tsx).
export type { MockModeView } from '../../../src/schemas/mock-mode.js';
export type { TlsStatus } from '../../../src/schemas/tls.js';
export type {
  UpdateHistoryEntry,
  UpdateInfo,
  UpdatePlan,
  UpdateStatus,
} from '../../../src/schemas/updates.js';

type WireDiagnostics = import('../../../src/schemas/diagnostics.js').DiagnosticsReport;
/**
 * One probed instance. The schema leaves `permissions` open; the server fills it with the
 * permission doctor's report (src/diagnostics/diagnostics.ts), which the page renders.
 */
export type DiagnosedInstance = Omit<WireDiagnostics['nodes'][number], 'permissions'> & {
  permissions?: import('../../../src/schemas/config-nodes.js').PermissionReport;
};
export type Diagnostics = Omit<WireDiagnostics, 'nodes' | 'pbs' | 'pmg'> & {
  nodes: DiagnosedInstance[];
  pbs: DiagnosedInstance[];
  pmg: DiagnosedInstance[];
};
/**
 * GET /api/system/settings: the declared fields, plus the saved ones the open schema passes
 * through unnamed (theme, discovery subnet, …) as the update schema types them.
 */
export type SystemSettings = import('../../../src/schemas/system-settings.js').SystemSettingsReply &
  Omit<
    import('../../../src/schemas/system-settings.js').SystemSettingsUpdate,
    keyof import('../../../src/schemas/system-settings.js').SystemSettingsReply
  >;
