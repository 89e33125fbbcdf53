/**
 * GET /api/diagnostics (wire contract §7.7): a live connection test of every configured instance
 * (in parallel, within one time budget), what the pollers last saw, and facts about this process.
 * Secrets never appear: error texts are scrubbed of the node's password and token secret.
 */
import os from 'node:os';
import type { Clock } from '../clock.js';
import type { Monitoring } from '../collect/monitoring.js';
import { permissionReport } from '../proxmox/privileges.js';
// The report is typed by its reply schema, so what is built here is what the route declares.
import type { DiagnosticsReport, InstanceDiagnostic } from '../schemas/diagnostics.js';
import { authOf, type NodeConfig } from '../settings/node-config.js';

export interface DiagnosticsDeps {
  monitoring: Monitoring;
  clock: Clock;
  startedAt: number;
  version: string;
  /** Whole-request budget for the live tests (the contract's 30 s by default). */
  budgetMs?: number;
}

function authMethod(cfg: NodeConfig): InstanceDiagnostic['authMethod'] {
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

export async function collectDiagnostics(deps: DiagnosticsDeps): Promise<DiagnosticsReport> {
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
    configs.map(async ({ cfg, id }): Promise<InstanceDiagnostic> => {
      const d: InstanceDiagnostic = {
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
