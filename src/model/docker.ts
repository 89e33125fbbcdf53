/**
 * Docker hosts, containers and commands as /api/state shows them (wire contract §1.4, frontend
 * shape: times are unix ms). The raw shape (WS initialState) converts the same fields to RFC3339.
 */

export interface DockerPort {
  privatePort: number;
  publicPort?: number;
  protocol: string;
  ip?: string;
}

export interface DockerNetwork {
  name: string;
  ipv4?: string;
  ipv6?: string;
}

export interface DockerContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  health?: string;
  /** Percent of the whole host (Δcontainer/Δsystem × online CPUs × 100), as the agent reports. */
  cpuPercent: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
  memoryPercent: number;
  uptimeSeconds: number;
  restartCount: number;
  exitCode: number;
  /** unix ms */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  ports?: DockerPort[];
  labels?: Record<string, string>;
  networks?: DockerNetwork[];
  /** Problems seen now (published API; not in Pulse 4.24): failing health check, bad exit, memory pressure… */
  issues?: string[];
  /** Exit codes of recent runs, newest last (published API; not in Pulse 4.24). */
  recentExitCodes?: number[];
}

export type DockerCommandStatus = 'queued' | 'dispatched' | 'acknowledged' | 'completed' | 'failed' | 'expired';

export interface DockerCommand {
  id: string;
  type: 'stop';
  status: DockerCommandStatus;
  message: string;
  createdAt: number;
  updatedAt: number;
  dispatchedAt?: number;
  acknowledgedAt?: number;
  completedAt?: number;
  failedAt?: number;
  expiresAt?: number;
  failureReason?: string;
}

export interface DockerHost {
  id: string;
  agentId: string;
  hostname: string;
  displayName: string;
  machineId?: string;
  os?: string;
  kernelVersion?: string;
  architecture?: string;
  dockerVersion?: string;
  agentVersion?: string;
  cpus: number;
  totalMemoryBytes: number;
  uptimeSeconds: number;
  status: 'online' | 'offline';
  /** unix ms, from the agent's clock (the report's timestamp). */
  lastSeen: number;
  intervalSeconds: number;
  containers: DockerContainer[];
  /** Every container's issues as `<name>: <issue>` (published API; not in Pulse 4.24). */
  issues: string[];
  tokenId?: string;
  tokenName?: string;
  /** `abc123…wxyz` */
  tokenHint?: string;
  tokenLastUsedAt?: number;
  pendingUninstall: boolean;
  command?: DockerCommand;
}
