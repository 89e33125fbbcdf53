/** /api/config/nodes: configured PVE/PBS/PMG instances (wire-contract §7.1). Secrets are never returned. */
import { type Static, Type } from 'typebox';
import { Maybe, Open } from './common.js';
import { MissingPrivilege, PermissionReport } from './permissions.js';

export const NodeType = Type.Enum(['pve', 'pbs', 'pmg']);
export type NodeType = Static<typeof NodeType>;

/** Feature switches per product; absent or null means on. */
export const MONITOR_FLAG_NAMES = [
  'monitorVMs',
  'monitorContainers',
  'monitorStorage',
  'monitorBackups',
  'monitorPhysicalDisks',
  'monitorDatastores',
  'monitorSyncJobs',
  'monitorVerifyJobs',
  'monitorPruneJobs',
  'monitorGarbageJobs',
  'monitorMailStats',
  'monitorQueues',
  'monitorQuarantine',
  'monitorDomainStats',
] as const;
export type MonitorFlag = (typeof MONITOR_FLAG_NAMES)[number];
const flagsOf = <S extends ReturnType<typeof Type.Optional>>(schema: () => S) =>
  Object.fromEntries(MONITOR_FLAG_NAMES.map((f) => [f, schema()])) as Record<MonitorFlag, S>;

/** One member of a PVE cluster, PascalCase as the contract has it. */
export const ClusterEndpoint = Open({
  NodeID: Type.String(),
  NodeName: Type.String(),
  Host: Type.String(),
  IP: Type.String(),
  Online: Type.Boolean(),
  LastSeen: Type.String(),
});

export const ConfiguredNode = Open({
  id: Type.String({ description: 'Positional: pve-0, pbs-1, … (shifts after a delete)' }),
  type: NodeType,
  name: Type.String(),
  host: Type.String({ description: 'https://host:port' }),
  user: Type.Optional(Type.String()),
  hasPassword: Type.Boolean(),
  tokenName: Type.Optional(Type.String({ description: 'Full token id user@realm!name' })),
  hasToken: Type.Boolean(),
  fingerprint: Type.Optional(Type.String()),
  verifySSL: Type.Boolean(),
  ...flagsOf(() => Type.Optional(Type.Boolean())),
  status: Type.Enum(['connected', 'disconnected']),
  isCluster: Type.Optional(Type.Boolean()),
  clusterName: Type.Optional(Type.String()),
  clusterEndpoints: Type.Optional(Type.Array(ClusterEndpoint)),
  error: Type.Optional(Type.String({ description: 'Why the last poll failed' })),
  errorKind: Type.Optional(Type.String()),
  presentedFingerprint: Type.Optional(Type.String()),
  warnings: Type.Optional(Type.Array(Type.String())),
  missingPrivileges: Type.Optional(Type.Array(MissingPrivilege)),
  grantCommand: Type.Optional(Type.String({ description: 'A command that grants exactly what is missing' })),
  permissions: Type.Optional(PermissionReport),
  lastPoll: Type.Optional(Type.Number({ description: 'Unix ms of the last finished poll' })),
  activeEndpoint: Type.Optional(Type.String({ description: 'The cluster member polled instead of host' })),
  duplicateOf: Type.Optional(Type.String()),
});
export type ConfiguredNode = Static<typeof ConfiguredNode>;
export const ConfiguredNodes = Type.Array(ConfiguredNode);

/**
 * Add, update and test bodies. Both spellings of the contract are accepted (`user`/`username`,
 * `tokenName`/`tokenId`); on update, missing fields and empty secrets keep their stored value.
 * The server normalises the host, realm and fingerprint and checks that credentials are complete.
 */
export const NodeBody = Open({
  type: Maybe(Type.String({ maxLength: 10, description: 'pve, pbs or pmg (required when adding)' })),
  name: Maybe(Type.String({ maxLength: 100 })),
  host: Maybe(Type.String({ maxLength: 2000, description: 'Host, host:port or URL (required when adding)' })),
  user: Maybe(Type.String({ maxLength: 200 })),
  username: Maybe(Type.String({ maxLength: 200 })),
  password: Maybe(Type.String({ maxLength: 1000 })),
  tokenName: Maybe(Type.String({ maxLength: 300, description: 'user@realm!name, or name with user' })),
  tokenId: Maybe(Type.String({ maxLength: 300 })),
  tokenValue: Maybe(Type.String({ maxLength: 1000 })),
  fingerprint: Maybe(Type.String({ maxLength: 200, description: 'SHA-256, 64 hex digits, colons allowed' })),
  verifySSL: Maybe(Type.Boolean()),
  ...flagsOf(() => Maybe(Type.Boolean())),
});

/** The node form of the web UI: what it sends when adding or editing a node. */
export type NodeForm = { type: NodeType; name: string; host: string; verifySSL: boolean } & Pick<
  Static<typeof NodeBody>,
  'user' | 'password' | 'tokenName' | 'tokenValue' | 'fingerprint'
>;

export const NodeParams = Type.Object({ id: Type.String({ maxLength: 20, description: 'pve-0, pbs-1, …' }) });

export const NodeAdded = Open({
  status: Type.Literal('success'),
  message: Type.Optional(Type.String()),
  mergedInto: Type.Optional(Type.String({ description: 'The cluster this host was added to as an endpoint' })),
});

const TestFindings = {
  warnings: Type.Optional(Type.Array(Type.String())),
  missingPrivileges: Type.Optional(Type.Array(MissingPrivilege)),
  grantCommand: Type.Optional(Type.String()),
  permissions: Type.Optional(PermissionReport),
};

export const ConnectionTestReply = Open({
  status: Type.Literal('success'),
  message: Type.String(),
  latency: Type.Number({ description: 'ms' }),
  isCluster: Type.Boolean(),
  nodeCount: Type.Integer(),
  clusterNodeCount: Type.Optional(Type.Integer()),
  clusterName: Type.Optional(Type.String()),
  datastoreCount: Type.Optional(Type.Integer()),
  version: Type.Optional(Type.String()),
  release: Type.Optional(Type.String()),
  ...TestFindings,
});
export type ConnectionTestReply = Static<typeof ConnectionTestReply>;

export const ConfigTestReply = Open({
  status: Type.Literal('success'),
  message: Type.String(),
  latency: Type.Number({ description: 'ms' }),
  ...TestFindings,
});
export type ConfigTestReply = Static<typeof ConfigTestReply>;

/** A failed test: `code` says what failed (tls, auth, dns, …); `fingerprint` is the one presented. */
export const NodeTestFailure = Open({
  error: Type.String(),
  status: Type.Literal('error'),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  fingerprint: Type.Optional(Type.String()),
  missingPrivilege: Type.Optional(Type.String()),
  feature: Type.Optional(Type.String()),
});
