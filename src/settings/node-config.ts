/**
 * Configured PVE/PBS/PMG instances: the in-memory shape, and validation of the API's
 * add/update/test bodies (wire-contract §7.1), also used by config import and auto-registration.
 * Types and lengths come from the route schema (NodeBody); host, realm, token id, fingerprint and
 * complete credentials are checked here. Validation is pure and names the offending field.
 */
import type { Static } from 'typebox';
import { conforming } from '../http/schema-check.js';
import { DEFAULT_PORTS, normaliseFingerprint, type ProxmoxProduct } from '../proxmox/client.js';
import { type MonitorFlag, NodeBody, NodeType as NodeTypeSchema } from '../schemas/config-nodes.js';
import { nodeHostProblem } from './input-validation.js';

export type NodeType = ProxmoxProduct;
export const NODE_TYPES: readonly NodeType[] = NodeTypeSchema.enum;

export const MONITOR_FLAGS: Record<NodeType, readonly MonitorFlag[]> = {
  pve: ['monitorVMs', 'monitorContainers', 'monitorStorage', 'monitorBackups', 'monitorPhysicalDisks'],
  pbs: ['monitorDatastores', 'monitorSyncJobs', 'monitorVerifyJobs', 'monitorPruneJobs', 'monitorGarbageJobs'],
  pmg: ['monitorMailStats', 'monitorQueues', 'monitorQuarantine', 'monitorDomainStats'],
};

/** One member of a PVE cluster, PascalCase as the contract's `clusterEndpoints` items. */
export interface ClusterEndpoint {
  NodeID: string;
  NodeName: string;
  Host: string;
  IP: string;
  Online: boolean;
  LastSeen: string;
  /** Certificate fingerprint from /nodes, used to pin members when the entry point is pinned. */
  Fingerprint?: string;
}

export interface ClusterInfo {
  isCluster: boolean;
  clusterName?: string;
  /** Member names, sorted (to recognise the same cluster reached through another member). */
  nodeNames?: string[];
  endpoints: ClusterEndpoint[];
  /**
   * Other members the user added (their URL as given, with its own pinned fingerprint): tried
   * first when the configured endpoint fails, since member IPs may not be reachable from Pulse.
   */
  extraEndpoints?: Array<{ host: string; fingerprint?: string }>;
}

export interface NodeConfig {
  /** Stable row id (positional API ids `pve-<i>` are derived from order). */
  uid: number;
  type: NodeType;
  name: string;
  host: string;
  user?: string;
  password?: string;
  /** Full token id `user@realm!name`. */
  tokenName?: string;
  tokenValue?: string;
  fingerprint?: string;
  verifySSL: boolean;
  /** Feature flags; absent/null = on. */
  monitor: Record<string, boolean | null>;
  cluster?: ClusterInfo;
}

export type NodeInput = Omit<NodeConfig, 'uid'>;

export class NodeValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'NodeValidationError';
  }
}

type Body = Static<typeof NodeBody>;

/** A text field trimmed, with "" meaning not given (its type and length are the schema's). */
function text(v: string | null | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

export function parseType(v: unknown): NodeType {
  if (typeof v !== 'string' || !NODE_TYPES.includes(v.toLowerCase() as NodeType)) {
    throw new NodeValidationError('type', 'must be one of pve, pbs, pmg');
  }
  return v.toLowerCase() as NodeType;
}

/** Adds `https://` and the product's default port; drops any path. */
export function normaliseHost(raw: string, type: NodeType): string {
  const problem = nodeHostProblem(raw);
  if (problem) throw new NodeValidationError('host', `"${raw.slice(0, 100)}" ${problem}`);
  let s = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) s = `https://${s}`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new NodeValidationError('host', `"${raw}" is not a valid host or URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new NodeValidationError('host', 'must be an http(s) URL');
  }
  if (!url.hostname || /[\s]/.test(url.hostname)) throw new NodeValidationError('host', `"${raw}" has no host name`);
  if (url.username || url.password) throw new NodeValidationError('host', 'must not contain credentials');
  const port = url.port || String(DEFAULT_PORTS[type]);
  return `${url.protocol}//${url.hostname}:${port}`;
}

/** What Pulse says when a token is given for PMG, whose API has no tokens (wire-contract §10). */
export const PMG_NO_TOKENS =
  'PMG has no API tokens; use user@realm and password (e.g. pulse-monitor@pmg with the Audit role)';

const REALM_OF: Record<NodeType, string> = { pve: 'pam', pbs: 'pbs', pmg: 'pmg' };

export function withRealm(user: string, type: NodeType): string {
  return user.includes('@') ? user : `${user}@${REALM_OF[type]}`;
}

export function hostName(host: string): string {
  try {
    return new URL(host).hostname;
  } catch {
    return host;
  }
}

/**
 * Parses an add/test body (or, with `existing`, an update: missing fields keep their value and
 * empty secrets keep the stored ones).
 */
export function parseNodeInput(raw: unknown, existing?: NodeConfig): NodeInput {
  const body: Body = conforming(NodeBody, raw, (p) => new NodeValidationError(p.field, p.rule));
  const type = body.type === undefined && existing ? existing.type : parseType(body.type);
  if (existing && type !== existing.type) throw new NodeValidationError('type', 'cannot be changed');

  const hostRaw = text(body.host);
  if (!hostRaw && !existing) throw new NodeValidationError('host', 'is required');
  const host = hostRaw ? normaliseHost(hostRaw, type) : existing!.host;

  const name = text(body.name) ?? existing?.name ?? hostName(host);

  let user = text(body.user) ?? text(body.username);
  let tokenName = text(body.tokenName) ?? text(body.tokenId);
  let password = text(body.password);
  let tokenValue = text(body.tokenValue);

  if (type === 'pmg' && (tokenName || tokenValue)) {
    throw new NodeValidationError(tokenName ? 'tokenName' : 'tokenValue', PMG_NO_TOKENS);
  }
  if (existing) {
    if (body.user === undefined && body.username === undefined) user ??= existing.user;
    // A token stored for PMG before tokens were refused is dropped: PMG never accepted it.
    if (type !== 'pmg') {
      if (body.tokenName === undefined && body.tokenId === undefined) tokenName ??= existing.tokenName;
      tokenValue ??= existing.tokenValue;
    }
    password ??= existing.password;
  }
  if (user) user = withRealm(user, type);
  if (tokenName && !tokenName.includes('!')) {
    if (!user) throw new NodeValidationError('tokenName', 'must be the full token id user@realm!name');
    tokenName = `${user}!${tokenName}`;
  }
  if (tokenName && !/^[^\s!@]+@[^\s!@]+![A-Za-z0-9._-]+$/.test(tokenName)) {
    throw new NodeValidationError('tokenName', 'must look like user@realm!name');
  }

  const hasToken = Boolean(tokenName && tokenValue);
  const hasPassword = Boolean(user && password);
  if (!hasToken && !hasPassword) {
    if (tokenName && !tokenValue) throw new NodeValidationError('tokenValue', 'is required with tokenName');
    if (tokenValue && !tokenName) throw new NodeValidationError('tokenName', 'is required with tokenValue');
    if (type === 'pmg') {
      if (user && !password)
        throw new NodeValidationError('password', 'is required with user (PMG logs in with a password)');
      throw new NodeValidationError('user', `credentials required: ${PMG_NO_TOKENS}`);
    }
    if (user && !password)
      throw new NodeValidationError('password', 'is required with user (or give tokenName and tokenValue)');
    throw new NodeValidationError('tokenName', 'credentials required: tokenName and tokenValue, or user and password');
  }

  let fingerprint = body.fingerprint === undefined && existing ? existing.fingerprint : text(body.fingerprint);
  if (fingerprint) {
    const hex = normaliseFingerprint(fingerprint);
    if (hex.length !== 64 || !/^[0-9A-Fa-f:\s]+$/.test(fingerprint)) {
      throw new NodeValidationError('fingerprint', 'must be a SHA-256 fingerprint (64 hex digits, colons allowed)');
    }
    fingerprint = hex.toUpperCase().match(/.{2}/g)!.join(':');
  }

  const verifySSL = body.verifySSL ?? existing?.verifySSL ?? false;

  const monitor: Record<string, boolean | null> = { ...(existing?.monitor ?? {}) };
  for (const f of MONITOR_FLAGS[type]) {
    if (f in body) monitor[f] = body[f] ?? null;
  }

  return {
    type,
    name,
    host,
    user,
    password: hasPassword || (existing && password) ? password : undefined,
    tokenName: hasToken ? tokenName : tokenName,
    tokenValue: hasToken ? tokenValue : undefined,
    fingerprint,
    verifySSL,
    monitor,
    cluster: existing?.host === host ? existing.cluster : undefined,
  };
}

export function isMonitored(cfg: Pick<NodeConfig, 'monitor'>, flagName: string): boolean {
  return cfg.monitor[flagName] !== false;
}

/** Whom an instance's privileges belong to: the API token when one is set, else the user. */
export function authOf(cfg: { tokenName?: string; tokenValue?: string; user?: string }): {
  tokenId?: string;
  user?: string;
} {
  return cfg.tokenName && cfg.tokenValue ? { tokenId: cfg.tokenName } : { user: cfg.user };
}
