import type {
  WebhookConfig,
  WebhookTemplateInfo,
  EmailConfig as WireEmailConfig,
  EmailProvider as WireEmailProvider,
} from '@model/notifications';

/**
 * Shapes of the REST answers the UI reads beyond the state document (wire-contract §4–§7).
 * Only the fields the UI uses are typed; everything else passes through untouched.
 */

export interface SecurityStatus {
  requiresAuth?: boolean;
  hasAuthentication?: boolean;
  apiTokenConfigured?: boolean;
  apiTokenHint?: string;
  authUsername?: string;
  hasProxyAuth?: boolean;
  proxyAuthUsername?: string;
  proxyAuthLogoutURL?: string;
  oidcEnabled?: boolean;
  oidcIssuer?: string;
  oidcUsername?: string;
  oidcLogoutURL?: string;
  proxyAuthIsAdmin?: boolean;
  proxyAuthUserHeader?: string;
  proxyAuthRoleHeader?: string;
  proxyAuthAdminRole?: string;
  /** Beyond the contract: OIDC is enabled and password sign-in is turned off. */
  passwordLoginDisabled?: boolean;
  hasHTTPS?: boolean;
  clientIP?: string;
  isPrivateNetwork?: boolean;
  credentialsEncrypted?: boolean;
  hasAuditLogging?: boolean;
  disabled?: boolean;
  configured?: boolean;
  message?: string;
  /** Beyond the contract (this server): 'open' | 'password' | 'api-only' | 'disabled'. */
  authMode?: string;
  /** Beyond the contract: whether this very request carried valid credentials. */
  authenticated?: boolean;
}

export interface TokenRecord {
  id: string;
  name: string;
  prefix: string;
  suffix: string;
  createdAt: string;
  lastUsedAt?: string | null;
}

export type NodeType = 'pve' | 'pbs' | 'pmg';

export interface ConfiguredNode {
  id: string;
  type: NodeType;
  name: string;
  host: string;
  user?: string;
  hasPassword?: boolean;
  tokenName?: string;
  hasToken?: boolean;
  fingerprint?: string;
  verifySSL?: boolean;
  status?: string;
  isCluster?: boolean;
  clusterName?: string;
  clusterEndpoints?: Array<{ NodeName?: string; Host?: string; Online?: boolean }>;
  /** Beyond the contract: why the last poll failed, and what a missing privilege breaks. */
  error?: string;
  warnings?: string[];
  /** The permission doctor: what the credentials lack, and a command that grants exactly that. */
  missingPrivileges?: Array<{ feature: string; privilege: string; path?: string; message: string }>;
  grantCommand?: string;
  /** Every feature with whether these credentials serve it. */
  permissions?: PermissionReport;
  [monitorFlag: string]: unknown;
}

export interface NodeForm {
  type: NodeType;
  name: string;
  host: string;
  user?: string;
  password?: string;
  tokenName?: string;
  tokenValue?: string;
  fingerprint?: string;
  verifySSL: boolean;
}

export interface Threshold {
  trigger: number;
  clear: number;
}

export type ThresholdConfig = Partial<Record<string, Threshold | boolean | string | number>>;

export interface AlertConfig {
  enabled: boolean;
  guestDefaults: ThresholdConfig;
  nodeDefaults: ThresholdConfig;
  storageDefault: Threshold;
  overrides: Record<string, ThresholdConfig>;
  [key: string]: unknown;
}

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

/** The permission doctor: one feature of an instance and whether its credentials serve it. */
export interface FeatureStatus {
  feature: string;
  works: boolean | null;
  privilege: string;
  path?: string;
  evidence: 'permissions' | 'denied' | 'probe' | 'poller' | 'unknown';
}

export interface PermissionReport {
  features: FeatureStatus[];
  missing: Array<{ feature: string; privilege: string; path?: string; message: string }>;
  grantCommand?: string;
}
