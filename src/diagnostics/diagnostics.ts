/**
 * GET /api/diagnostics (wire contract §7.7): a live connection test of every configured instance
 * (in parallel, within one time budget), what the pollers last saw, and facts about this process.
 * Secrets never appear: error texts are scrubbed of the node's password and token secret.
 */
import os from 'node:os';
import type { Clock } from '../clock.js';
import type { Monitoring } from '../collect/monitoring.js';
import { type PermissionReport, permissionReport } from '../proxmox/privileges.js';
import { authOf, type NodeConfig } from '../settings/node-config.js';

export interface NodeDiagnostic {
  id: string;
  name: string;
  host: string;
  type: string;
  authMethod: 'api_token' | 'username_password' | 'none';
  connected: boolean;
  /** ms, when the live test succeeded */
  latency?: number;
  error?: string;
  details?: { node_count?: number; version?: string; datastore_count?: number };
  /** RFC3339 of the poller's last cycle */
  lastPoll?: string;
  /** The poller's view, which can differ from the live test (e.g. failing for a while). */
  pollerConnected?: boolean;
  pollerError?: string;
  clusterInfo?: { isCluster: boolean; clusterName?: string; nodeCount?: number };
  /** The permission doctor: features these credentials cannot serve and the command granting them. */
  permissions?: PermissionReport;
}

export interface Diagnostics {
  version: string;
  runtime: 'node';
  uptime: number;
  /** PVE instances only (Pulse's UI shows every entry here as a Proxmox VE node). */
  nodes: NodeDiagnostic[];
  pbs: NodeDiagnostic[];
  /** Mail gateways, apart from both (the contract has no place for them; beyond it). */
  pmg: NodeDiagnostic[];
  system: {
    os: string;
    platform: string;
    arch: string;
    nodeVersion: string;
    numCPU: number;
    memoryMB: number;
    totalMemoryMB: number;
    hostname: string;
  };
  errors: string[];
  /** How the services of this process are doing (beyond the contract). */
  services?: Record<string, unknown>;
}

export interface DiagnosticsDeps {
  monitoring: Monitoring;
  clock: Clock;
  startedAt: number;
  version: string;
  /** Whole-request budget for the live tests (the contract's 30 s by default). */
  budgetMs?: number;
}

function authMethod(cfg: NodeConfig): NodeDiagnostic['authMethod'] {
  if (cfg.tokenName && cfg.tokenValue) return 'api_token';
  if (cfg.user && cfg.password) return 'username_password';
  return 'none';
}

/** Removes the node's secrets from a message, however an error came to include them. */
export function scrubSecrets(message: string, cfg: Pick<NodeConfig, 'password' | 'tokenValue'>): string {
  let out = message;
  for (const secret of [cfg.password, cfg.tokenValue]) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

class BudgetExceeded extends Error {}

export async function collectDiagnostics(deps: DiagnosticsDeps): Promise<Diagnostics> {
  const { monitoring, clock } = deps;
  const budgetMs = deps.budgetMs ?? 30_000;
  const counters: Record<string, number> = { pve: 0, pbs: 0, pmg: 0 };
  const configs = monitoring.nodes.list().map((cfg) => ({ cfg, id: `${cfg.type}-${counters[cfg.type]++}` }));
  const errors: string[] = [];

  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BudgetExceeded()), budgetMs);
  });
  budget.catch(() => undefined);

  const results = await Promise.all(
    configs.map(async ({ cfg, id }): Promise<NodeDiagnostic> => {
      const d: NodeDiagnostic = {
        id,
        name: cfg.name,
        host: cfg.host,
        type: cfg.type,
        authMethod: authMethod(cfg),
        connected: false,
      };
      const st = monitoring.status(cfg.uid);
      if (st?.lastPoll) d.lastPoll = new Date(st.lastPoll).toISOString();
      if (st) d.pollerConnected = st.connected;
      if (st?.error) d.pollerError = scrubSecrets(st.error, cfg);
      if (cfg.type === 'pve' && cfg.cluster) {
        d.clusterInfo = {
          isCluster: cfg.cluster.isCluster,
          ...(cfg.cluster.clusterName ? { clusterName: cfg.cluster.clusterName } : {}),
          ...(cfg.cluster.nodeNames ? { nodeCount: cfg.cluster.nodeNames.length } : {}),
        };
      }
      try {
        const r = await Promise.race([monitoring.test(cfg), budget]);
        d.connected = true;
        d.latency = r.latency;
        d.details = { node_count: r.clusterNodeCount ?? r.nodeCount };
        if (r.version) d.details.version = r.release ? `${r.version} (${r.release})` : r.version;
        if (r.datastoreCount !== undefined) d.details.datastore_count = r.datastoreCount;
        const major = r.version ? Number.parseInt(r.version, 10) : Number.NaN;
        // The live test's checks, with the 403s the poller actually met on top.
        d.permissions = permissionReport(cfg.type, authOf(cfg), r.permissions.features, [st?.problems], {
          pveMajor: Number.isFinite(major) ? major : undefined,
        });
      } catch (err) {
        // Without a live answer the doctor still says what the poller was denied.
        if (st) d.permissions = permissionReport(cfg.type, authOf(cfg), undefined, [st.problems]);
        if (err instanceof BudgetExceeded) {
          d.error = `no answer within the ${Math.round(budgetMs / 1000)} s diagnostics budget`;
          errors.push(`${id} (${cfg.name}): ${d.error}`);
        } else {
          d.error = scrubSecrets(err instanceof Error ? err.message : String(err), cfg);
        }
      }
      return d;
    }),
  );
  clearTimeout(timer);

  const now = clock.now();
  return {
    version: deps.version,
    runtime: 'node',
    uptime: Math.max(0, Math.floor((now - deps.startedAt) / 1000)),
    nodes: results.filter((r) => r.type === 'pve'),
    pbs: results.filter((r) => r.type === 'pbs'),
    pmg: results.filter((r) => r.type === 'pmg'),
    system: {
      os: `${os.type()} ${os.release()}`,
      platform: process.platform,
      arch: process.arch,
      nodeVersion: process.version,
      numCPU: os.cpus().length,
      memoryMB: Math.round(process.memoryUsage().rss / 1024 / 1024),
      totalMemoryMB: Math.round(os.totalmem() / 1024 / 1024),
      hostname: os.hostname(),
    },
    errors,
  };
}
