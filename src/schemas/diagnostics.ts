/** GET /api/diagnostics (wire contract §7.7): live probes of every configured instance plus process facts. */
import { type Static, Type } from 'typebox';
import { Open } from './common.js';
import { PermissionReport } from './permissions.js';
import { UpdateStatus } from './updates.js';

/** One configured instance: its live test, what its poller last saw, and the permission doctor. */
export const InstanceDiagnostic = Open({
  id: Type.String(),
  name: Type.String(),
  host: Type.String(),
  type: Type.String({ description: 'pve, pbs or pmg' }),
  authMethod: Type.Enum(['api_token', 'username_password', 'none']),
  connected: Type.Boolean({ description: 'Whether the live test succeeded' }),
  latency: Type.Optional(Type.Number({ description: 'ms' })),
  error: Type.Optional(Type.String()),
  details: Type.Optional(
    Open({
      node_count: Type.Optional(Type.Integer()),
      version: Type.Optional(Type.String()),
      datastore_count: Type.Optional(Type.Integer()),
    }),
  ),
  lastPoll: Type.Optional(Type.String({ description: "RFC3339 of the poller's last cycle" })),
  pollerConnected: Type.Optional(Type.Boolean()),
  pollerError: Type.Optional(Type.String()),
  clusterInfo: Type.Optional(
    Open({
      isCluster: Type.Boolean(),
      clusterName: Type.Optional(Type.String()),
      nodeCount: Type.Optional(Type.Integer()),
    }),
  ),
  // The permission doctor: after a live answer, or from the poller's denials without one.
  permissions: Type.Optional(PermissionReport),
});
export type InstanceDiagnostic = Static<typeof InstanceDiagnostic>;

export const DiagnosticsReport = Open({
  version: Type.String(),
  runtime: Type.Literal('node'),
  uptime: Type.Number({ description: 'seconds' }),
  nodes: Type.Array(InstanceDiagnostic, { description: 'Proxmox VE instances' }),
  pbs: Type.Array(InstanceDiagnostic),
  pmg: Type.Array(InstanceDiagnostic, { description: 'Mail gateways (beyond the contract)' }),
  system: Open({
    os: Type.String(),
    platform: Type.String(),
    arch: Type.String(),
    nodeVersion: Type.String(),
    numCPU: Type.Integer(),
    memoryMB: Type.Number(),
    totalMemoryMB: Type.Number(),
    hostname: Type.String(),
  }),
  errors: Type.Array(Type.String()),
  services: Type.Optional(
    Open(
      {
        websocketClients: Type.Integer(),
        stateVersion: Type.Integer(),
        apiCalls: Open({ total: Type.Integer(), failed: Type.Integer() }),
        mockMode: Type.Boolean(),
        discovery: Open({
          scanning: Type.Boolean(),
          updated: Type.Integer({
            description: 'unix seconds of the last completed scan (−62135596800 before the first)',
          }),
          servers: Type.Integer({ description: 'How many Proxmox servers the last scan found' }),
        }),
        updates: UpdateStatus,
        activeAlerts: Type.Integer(),
      },
      'How the services of this process are doing (beyond the contract)',
    ),
  ),
});
export type DiagnosticsReport = Static<typeof DiagnosticsReport>;
