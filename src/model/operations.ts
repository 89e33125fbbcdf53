/** Wire types of the operations routes: setup script and auto-registration, discovery, updates, diagnostics and mock mode. */

/** WS `node_auto_registered` data (wire contract §2). */
export interface NodeAutoRegistered {
  type: string;
  host: string;
  name: string;
  tokenId: string;
  hasToken: boolean;
  verifySSL: boolean;
  status: string;
}

/** One server found by discovery (wire contract §7.10). */
export interface DiscoveredServer {
  ip: string;
  /** The published API's spelling of `ip`. */
  host: string;
  /** The published API's display name: the hostname when known, else the address. */
  name: string;
  port: number;
  type: 'pve' | 'pbs' | 'pmg';
  version: string;
  hostname?: string;
  release?: string;
}

/** WS `discovery_update` data. */
export interface DiscoveryUpdate {
  servers: DiscoveredServer[];
  errors: string[];
  /** unix seconds */
  timestamp: number;
  immediate?: boolean;
}

export type UpdateState =
  | 'idle'
  | 'checking'
  | 'available'
  | 'downloading'
  | 'verifying'
  | 'extracting'
  | 'backing-up'
  | 'applying'
  | 'restarting'
  | 'completed'
  | 'error';

/** GET /api/updates/status and WS `update:progress` data (wire contract §7.5). */
export interface UpdateStatus {
  status: UpdateState;
  progress: number;
  message: string;
  error?: string;
  /** RFC3339 */
  updatedAt: string;
}

/** GET /api/updates/check (wire contract §7.5). */
export interface UpdateInfo {
  available: boolean;
  currentVersion: string;
  latestVersion: string;
  releaseNotes: string;
  releaseDate: string;
  downloadUrl: string;
  isPrerelease: boolean;
  warning?: string;
  deploymentType: string;
}

/** GET /api/updates/history entries: snake_case as in Pulse 4.24. */
export interface UpdateHistoryEntry {
  event_id: string;
  timestamp: string;
  action: string;
  channel: string;
  version_from: string;
  version_to: string;
  deployment_type: string;
  initiated_by: string;
  initiated_via: string;
  status: 'in_progress' | 'success' | 'failed' | 'rolled_back' | 'cancelled';
  duration_ms: number;
  error?: { message: string; code?: string };
  notes?: string;
}

/** GET /api/system/mock-mode config: PascalCase as in Pulse 4.24. */
export interface MockConfigWire {
  NodeCount: number;
  VMsPerNode: number;
  LXCsPerNode: number;
  DockerHostCount: number;
  DockerContainersPerHost: number;
  RandomMetrics: boolean;
  HighLoadNodes: string[];
  StoppedPercent: number;
}
