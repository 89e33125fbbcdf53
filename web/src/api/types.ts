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

export interface EmailConfig {
  enabled: boolean;
  provider: string;
  server: string;
  port: number;
  username: string;
  password: string;
  from: string;
  to: string[] | null;
  tls: boolean;
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

export interface Webhook {
  id?: string;
  name: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  enabled: boolean;
  service: string;
  template?: string;
  customFields?: Record<string, string>;
}

export interface WebhookTemplate {
  service: string;
  name: string;
  urlPattern: string;
  method: string;
  headers: Record<string, string>;
  payloadTemplate: string;
  instructions: string;
}

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
