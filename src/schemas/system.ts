/** /api/health, /api/version and /api/state (wire-contract §3). */
import { Type } from 'typebox';
import { Open } from './common.js';

export const HealthReply = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('degraded')]),
  reason: Type.Optional(Type.String({ description: 'Why the server is degraded' })),
  timestamp: Type.Integer({ description: 'Unix seconds' }),
  uptime: Type.Number({ description: 'Seconds since the server started' }),
  database: Type.Object({ writable: Type.Boolean() }),
});

export const VersionReply = Type.Object({
  version: Type.String({ description: 'e.g. v0.1.0' }),
  buildTime: Type.String(),
  build: Type.String({ description: 'release or development' }),
  goVersion: Type.String({ description: 'The runtime version, kept for scripts written against Pulse 4' }),
  runtime: Type.Literal('node'),
  nodeVersion: Type.String(),
  channel: Type.String(),
  isDocker: Type.Boolean(),
  isDevelopment: Type.Boolean(),
  deploymentType: Type.String(),
  updateAvailable: Type.Boolean(),
  latestVersion: Type.Optional(Type.String()),
});

/** The whole live picture; its collections are described by the wire contract, not checked here. */
export const StateDocument = Open(
  {
    nodes: Type.Array(Type.Unknown()),
    vms: Type.Array(Type.Unknown()),
    containers: Type.Array(Type.Unknown()),
    storage: Type.Array(Type.Unknown()),
  },
  'The state document (wire-contract §1): nodes, vms, containers, storage, backups, PBS, PMG, Docker, alerts, …',
);
