/**
 * Docker agent integration (wire contract §8): the report agents send, command acknowledgements,
 * host removal, the agent version, and the agent's download and install command. Reports come
 * from this project's agent and from Pulse's Go agent, which writes `null` for empty lists, maps
 * and unset times, so those fields accept null; the report's finer rules (lengths, RFC3339
 * times, minimums) stay in the report parser.
 */
import { type TSchema, Type } from 'typebox';
import { Open } from './common.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** RFC3339, or unix ms; null or Go's zero time mean unset. */
const ReportTime = Type.Optional(Nullable(Type.Union([Type.String(), Type.Number()])));
const OptNumber = Type.Optional(Type.Number());
const OptString = Type.Optional(Type.String());

const ReportedContainer = Open({
  id: Type.String({ description: 'Docker container id' }),
  name: OptString,
  image: OptString,
  state: OptString,
  status: OptString,
  health: OptString,
  cpuPercent: OptNumber,
  memoryUsageBytes: OptNumber,
  memoryLimitBytes: OptNumber,
  memoryPercent: OptNumber,
  uptimeSeconds: OptNumber,
  restartCount: OptNumber,
  exitCode: OptNumber,
  createdAt: ReportTime,
  startedAt: ReportTime,
  finishedAt: ReportTime,
  ports: Type.Optional(
    Nullable(Type.Array(Open({ privatePort: OptNumber, publicPort: OptNumber, protocol: OptString, ip: OptString }))),
  ),
  labels: Type.Optional(Nullable(Type.Record(Type.String(), Type.String()))),
  networks: Type.Optional(Nullable(Type.Array(Open({ name: OptString, ipv4: OptString, ipv6: OptString })))),
  issues: Type.Optional(Nullable(Type.Array(Type.String()))),
  recentExitCodes: Type.Optional(Nullable(Type.Array(Type.Integer()))),
});

export const DockerReportBody = Open(
  {
    agent: Type.Optional(
      Open({
        id: OptString,
        version: OptString,
        intervalSeconds: Type.Optional(Type.Number({ description: 'seconds' })),
      }),
    ),
    host: Open({
      hostname: Type.String({ description: 'Required; the host key when neither agent.id nor machineId is given' }),
      name: OptString,
      machineId: OptString,
      os: OptString,
      kernelVersion: OptString,
      architecture: OptString,
      dockerVersion: OptString,
      totalCpu: OptNumber,
      totalMemoryBytes: OptNumber,
      uptimeSeconds: OptNumber,
    }),
    containers: Type.Optional(Nullable(Type.Array(ReportedContainer))),
    timestamp: ReportTime,
  },
  'A Docker agent report; it replaces everything known about the host',
);

export const DockerReportReply = Open({
  success: Type.Literal(true),
  hostId: Type.String(),
  containers: Type.Integer({ description: 'How many containers the report carried' }),
  lastSeen: Type.String({ description: 'RFC3339' }),
  commands: Type.Optional(
    Type.Array(Open({ id: Type.String(), type: Type.Literal('stop'), payload: Type.Optional(Type.Unknown()) }), {
      description: 'Commands for the agent to run (a stop before uninstalling)',
    }),
  ),
});

export const DockerCommand = Open({
  id: Type.String(),
  type: Type.Literal('stop'),
  status: Type.Enum(['queued', 'dispatched', 'acknowledged', 'completed', 'failed', 'expired']),
  message: Type.String(),
  createdAt: Type.Number({ description: 'unix ms' }),
  updatedAt: Type.Number({ description: 'unix ms' }),
  dispatchedAt: OptNumber,
  acknowledgedAt: OptNumber,
  completedAt: OptNumber,
  failedAt: OptNumber,
  expiresAt: OptNumber,
  failureReason: OptString,
});

export const CommandParams = Type.Object({ id: Type.String({ description: 'Command id' }) });
export const DockerHostParams = Type.Object({ id: Type.String({ description: 'Docker host id' }) });

export const CommandAckBody = Open({
  hostId: Type.Optional(Type.String({ description: 'The host the command was for; checked when given' })),
  status: Type.String({
    description: 'ack, acknowledged, success, completed, fail, failed or error (any case)',
  }),
  message: Type.Optional(Type.String({ description: 'What the agent has to say, up to 1000 characters kept' })),
});

export const CommandAckReply = Open({ success: Type.Literal(true), hostId: Type.String(), command: DockerCommand });

export const DeleteHostQuery = Type.Object({
  hide: Type.Optional(Type.String({ description: 'true/1/yes: hide the host until its next report' })),
  force: Type.Optional(Type.String({ description: 'true/1/yes: remove an online host without stopping its agent' })),
});

export const DockerHostReply = Open({
  success: Type.Literal(true),
  hostId: Type.String(),
  message: OptString,
  command: Type.Optional(DockerCommand),
});

export const AgentVersionReply = Open({ version: Type.String({ description: 'e.g. v0.1.0, with the leading v' }) });
export const ServerInfoReply = Open({ isDevelopment: Type.Boolean(), version: Type.String() });

export const AgentDownloadQuery = Type.Object({
  arch: Type.Optional(Type.String({ description: 'amd64/x86_64/x64, arm64/aarch64 or armv7/armv7l/armhf' })),
});

export const AgentUnavailableReply = Open({
  error: Type.String(),
  code: Type.String(),
  availableArches: Type.Optional(Type.Array(Type.String())),
});

export const InstallCommandReply = Open({
  url: Type.String({ description: 'This server, as agents reach it' }),
  scriptUrl: Type.String(),
  availableArches: Type.Array(Type.String()),
  command: Type.String({ description: 'The install command; <TOKEN> stands for an API token' }),
  uninstallCommand: Type.String(),
});
