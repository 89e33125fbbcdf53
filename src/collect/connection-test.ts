/**
 * "Test connection": one short round of calls with the given settings, reporting exactly what
 * failed (DNS, refused, timeout, TLS with the presented fingerprint, 401, or 403 with the
 * missing privilege and the feature it breaks) and, on success, what was found.
 */
import type { Clock } from '../clock.js';
import { ProxmoxClient } from '../proxmox/client.js';
import { ProxmoxError, type ProxmoxErrorKind } from '../proxmox/errors.js';
import { PbsApi } from '../proxmox/pbs.js';
import { PmgApi } from '../proxmox/pmg.js';
import {
  type FeatureProblem,
  type FeatureStatus,
  featureOfPath,
  type PermissionReport,
  permissionReport,
} from '../proxmox/privileges.js';
import { PveApi } from '../proxmox/pve.js';
import type { NodeInput } from '../settings/node-config.js';
import { checkPbsFeatures, checkPmgFeatures, checkPveFeatures, deniedProblem } from './pve-permissions.js';

export interface TestSuccess {
  status: 'success';
  message: string;
  /** ms */
  latency: number;
  isCluster: boolean;
  nodeCount: number;
  clusterNodeCount?: number;
  clusterName?: string;
  datastoreCount?: number;
  version?: string;
  release?: string;
  /** Features the credentials cannot serve (missing privileges). */
  warnings?: string[];
  missingPrivileges?: FeatureProblem[];
  /** A shell command (pveum / proxmox-backup-manager / pmgsh) granting what is missing. */
  grantCommand?: string;
  /** The permission doctor: every feature with whether these credentials serve it. */
  permissions: PermissionReport;
}

export class ConnectionTestError extends Error {
  constructor(
    message: string,
    readonly kind: ProxmoxErrorKind | 'config',
    readonly details: { presentedFingerprint?: string; privilege?: string; feature?: string; path?: string } = {},
  ) {
    super(message);
    this.name = 'ConnectionTestError';
  }
}

function describe(err: unknown, product: string): ConnectionTestError {
  if (!(err instanceof ProxmoxError)) {
    return new ConnectionTestError(err instanceof Error ? err.message : String(err), 'http');
  }
  switch (err.kind) {
    case 'auth':
      return new ConnectionTestError(
        `${err.message}. Check the user and password, or the token id and secret (and that the token is not expired or revoked).`,
        'auth',
      );
    case 'forbidden': {
      const feature = featureOfPath(product as 'pve', err.path ?? '');
      return new ConnectionTestError(
        `Missing privilege ${err.privilege ?? '(not named by the server)'}${err.privilegePath ? ` on ${err.privilegePath}` : ''}: ${feature} cannot be monitored`,
        'forbidden',
        { privilege: err.privilege, feature, path: err.path },
      );
    }
    case 'tls':
      return new ConnectionTestError(err.message, 'tls', { presentedFingerprint: err.presentedFingerprint });
    default:
      return new ConnectionTestError(err.message, err.kind);
  }
}

/** The doctor's report from the checked features and the 403s met, and the warnings it makes. */
function doctor(
  input: NodeInput,
  features: FeatureStatus[],
  denials: FeatureProblem[],
  version?: string,
): Pick<TestSuccess, 'warnings' | 'missingPrivileges' | 'grantCommand' | 'permissions'> & {
  problems: FeatureProblem[];
} {
  const auth = input.tokenName && input.tokenValue ? { tokenId: input.tokenName } : { user: input.user };
  const major = version ? Number.parseInt(version, 10) : Number.NaN;
  const report = permissionReport(input.type, auth, features, [denials], {
    pveMajor: Number.isFinite(major) ? major : undefined,
  });
  const problems = report.missing;
  if (!problems.length) return { permissions: report, problems };
  return {
    warnings: problems.map((p) => p.message),
    missingPrivileges: problems,
    ...(report.grantCommand ? { grantCommand: report.grantCommand } : {}),
    permissions: report,
    problems,
  };
}

/** "Connected …" plus, when privileges are missing, which ones and what they break. */
function withProblems(message: string, problems: FeatureProblem[]): string {
  if (!problems.length) return message;
  return `${message}, but some data cannot be read: ${problems.map((p) => `missing ${p.privilege} (${p.feature})`).join('; ')}`;
}

const forbidden = deniedProblem;

export async function testConnection(
  input: NodeInput,
  opts: { timeoutMs: number; clock: Clock },
): Promise<TestSuccess> {
  const useToken = Boolean(input.tokenName && input.tokenValue);
  let client: ProxmoxClient;
  try {
    client = new ProxmoxClient({
      product: input.type,
      baseUrl: input.host,
      verifySSL: input.verifySSL,
      fingerprint: input.fingerprint,
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      connections: 2,
      ...(useToken
        ? { tokenId: input.tokenName, tokenSecret: input.tokenValue }
        : { username: input.user, password: input.password }),
    });
  } catch (err) {
    throw new ConnectionTestError(err instanceof Error ? err.message : String(err), 'config');
  }
  const started = performance.now();
  const o = { timeoutMs: opts.timeoutMs };
  try {
    if (input.type === 'pve') {
      const api = new PveApi(client);
      const version = await api.version(o);
      const problems: FeatureProblem[] = [];
      let isCluster = false;
      let clusterName: string | undefined;
      let nodeCount = 1;
      let clusterNodeCount: number | undefined;
      try {
        const status = await api.clusterStatus(o);
        const cluster = status.find((e) => e.type === 'cluster');
        const nodes = status.filter((e) => e.type === 'node');
        nodeCount = Math.max(1, nodes.length);
        if (cluster) {
          isCluster = true;
          clusterName = cluster.name;
          clusterNodeCount = nodes.length;
        }
      } catch (err) {
        const p = forbidden(err, 'pve', 'Sys.Audit');
        if (!p) throw err;
        problems.push(p);
      }
      let firstNode: string | undefined;
      try {
        firstNode = (await api.nodes(o)).find((n) => n.status === 'online')?.node;
      } catch {
        // the probes below then only use /access/permissions
      }
      const features = await checkPveFeatures(api, firstNode, o);
      const latency = Math.round(performance.now() - started);
      const { problems: missing, ...doc } = doctor(input, features, problems, version.version);
      return {
        status: 'success',
        message: withProblems(
          isCluster
            ? `Connected to cluster ${clusterName} (${clusterNodeCount} nodes), PVE ${version.version}`
            : `Connected to standalone node, PVE ${version.version}`,
          missing,
        ),
        latency,
        isCluster,
        nodeCount,
        ...(clusterNodeCount !== undefined ? { clusterNodeCount, clusterName } : {}),
        version: version.version,
        release: version.release,
        ...doc,
      };
    }
    if (input.type === 'pbs') {
      const api = new PbsApi(client);
      const version = await api.version(o);
      const problems: FeatureProblem[] = [];
      let datastoreCount = 0;
      let stores: string[] = [];
      try {
        stores = (await api.datastores(o)).map((d) => d.store);
        datastoreCount = stores.length;
      } catch (err) {
        const p = forbidden(err, 'pbs', 'Datastore.Audit');
        if (!p) throw err;
        problems.push(p);
      }
      try {
        await api.nodeStatus(o);
      } catch (err) {
        const p = forbidden(err, 'pbs', 'Sys.Audit');
        if (!p) throw err;
        problems.push(p);
      }
      const features = await checkPbsFeatures(api, stores, o);
      const { problems: missing, ...doc } = doctor(input, features, problems, version.version);
      return {
        status: 'success',
        message: withProblems(
          `Connected to PBS ${version.version} (${datastoreCount} datastore${datastoreCount === 1 ? '' : 's'})`,
          missing,
        ),
        latency: Math.round(performance.now() - started),
        isCluster: false,
        nodeCount: 1,
        datastoreCount,
        version: version.version,
        release: version.release,
        ...doc,
      };
    }
    const api = new PmgApi(client);
    const version = await api.version(o);
    const problems: FeatureProblem[] = [];
    let nodeCount = 1;
    try {
      nodeCount = Math.max(1, (await api.clusterStatus(o)).length);
    } catch (err) {
      const p = forbidden(err, 'pmg', 'the Audit role');
      if (!p) throw err;
      problems.push(p);
    }
    try {
      const end = Math.floor(opts.clock.now() / 1000);
      await api.mailStats(end - 3600, end, o);
    } catch (err) {
      const p = forbidden(err, 'pmg', 'the Audit role');
      if (!p) throw err;
      problems.push(p);
    }
    const features = await checkPmgFeatures(api, opts.clock.now(), o);
    const { problems: missing, ...doc } = doctor(input, features, problems, version.version);
    return {
      status: 'success',
      message: withProblems(`Connected to PMG ${version.version}`, missing),
      latency: Math.round(performance.now() - started),
      isCluster: nodeCount > 1,
      nodeCount,
      version: version.version,
      release: version.release,
      ...doc,
    };
  } catch (err) {
    if (err instanceof ConnectionTestError) throw err;
    throw describe(err, input.type);
  } finally {
    await client.destroy();
  }
}

/** Which cluster (if any) the endpoint belongs to: name and sorted member names. */
export async function probeCluster(
  input: NodeInput,
  opts: { timeoutMs: number; clock: Clock },
): Promise<{ clusterName: string; nodeNames: string[] } | undefined> {
  if (input.type !== 'pve') return undefined;
  const useToken = Boolean(input.tokenName && input.tokenValue);
  const client = new ProxmoxClient({
    product: 'pve',
    baseUrl: input.host,
    verifySSL: input.verifySSL,
    fingerprint: input.fingerprint,
    timeoutMs: opts.timeoutMs,
    clock: opts.clock,
    connections: 1,
    ...(useToken
      ? { tokenId: input.tokenName, tokenSecret: input.tokenValue }
      : { username: input.user, password: input.password }),
  });
  try {
    const status = await new PveApi(client).clusterStatus({ timeoutMs: opts.timeoutMs });
    const cluster = status.find((e) => e.type === 'cluster');
    if (!cluster) return undefined;
    return {
      clusterName: cluster.name,
      nodeNames: status
        .filter((e) => e.type === 'node')
        .map((e) => e.name)
        .sort(),
    };
  } catch {
    return undefined;
  } finally {
    await client.destroy();
  }
}
