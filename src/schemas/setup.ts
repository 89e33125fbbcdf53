/**
 * Node onboarding (wire-contract §7.9), discovery (§7.10) and the temperature-over-SSH check:
 * one-time setup codes, the setup script, auto-registration and the network scan.
 */
import { type Static, Type } from 'typebox';
import { Maybe, Open } from './common.js';

const Text = (maxLength: number, description?: string) =>
  Maybe(Type.String({ maxLength, ...(description ? { description } : {}) }));

export const SetupScriptUrlBody = Open({
  type: Text(10, 'pve, pbs or pmg'),
  host: Text(2000, 'The node the code is bound to (optional)'),
  backupPerms: Maybe(Type.Boolean({ description: 'PVE: also grant backup read access' })),
});
export const SetupScriptUrlReply = Type.Object({
  url: Type.String({ description: 'The setup script URL (carries no secret)' }),
  command: Type.String({ description: 'curl -sSL "<url>" | bash' }),
  setupCode: Type.String({ description: 'One-time code, 5 minutes, bound to type and host' }),
  expires: Type.Integer({ description: 'Unix seconds' }),
});
export type SetupScriptUrlReply = Static<typeof SetupScriptUrlReply>;

export const SetupScriptQuery = Open({
  type: Type.Optional(Type.String({ maxLength: 10, description: 'pve, pbs or pmg' })),
  host: Type.Optional(Type.String({ maxLength: 2000 })),
  pulse_url: Type.Optional(Type.String({ maxLength: 2000, description: 'http(s) URL the node calls back' })),
  auth_token: Type.Optional(Type.String({ maxLength: 100, description: 'A setup code to embed' })),
  setup_code: Type.Optional(Type.String({ maxLength: 100 })),
  backup_perms: Type.Optional(Type.String({ maxLength: 10, description: 'true or 1' })),
});
export const ShellScript = Type.String({ description: 'A bash script (text/plain)' });

/** Sent by the setup script on the node: the token it created, and the code that allows it. */
export const AutoRegisterBody = Open({
  type: Text(10, 'pve, pbs or pmg'),
  host: Text(2000),
  tokenId: Text(300),
  tokenName: Text(300),
  tokenValue: Text(1000),
  serverName: Text(200),
  name: Text(200),
  user: Text(200),
  username: Text(200),
  password: Text(1000),
  fingerprint: Text(200),
  verifySSL: Maybe(Type.Boolean()),
  requestToken: Maybe(Type.Boolean()),
  setupCode: Text(100, 'The one-time setup code (or X-Setup-Token)'),
  authToken: Text(100, 'Older name of setupCode'),
});
export const AutoRegisterReply = Open({
  status: Type.Literal('success'),
  message: Type.String(),
  nodeId: Type.String({ description: 'The node host' }),
  action: Type.String({ description: 'added, updated or merged' }),
});

export const TestNotificationReply = Type.Object({ status: Type.String() });

export const DiscoveredServer = Open({
  ip: Type.String(),
  port: Type.Integer(),
  type: Type.String({ description: 'pve, pbs or pmg' }),
  version: Type.String(),
  hostname: Type.Optional(Type.String()),
  release: Type.Optional(Type.String()),
});
export type DiscoveredServer = Static<typeof DiscoveredServer>;
export const DiscoveryResult = Open({
  servers: Type.Array(DiscoveredServer),
  errors: Type.Array(Type.Unknown()),
  cached: Type.Boolean(),
  scanning: Type.Optional(Type.Boolean()),
  updated: Type.Optional(Type.Number({ description: 'Unix seconds of the last scan' })),
  age: Type.Optional(Type.Number({ description: 'Seconds since the last scan' })),
});
export type DiscoveryResult = Static<typeof DiscoveryResult>;
export const DiscoverBody = Open({
  subnet: Text(100, 'CIDR like 192.168.1.0/24, or auto; empty = the configured subnet'),
  use_cache: Maybe(Type.Boolean({ description: 'Answer from the last scan when there is one' })),
});

/**
 * `nodes`: names separated by spaces or commas, or a list of names. Declared without a JSON type
 * because the validator would turn a number into text; the server refuses anything else.
 */
export const VerifyTemperatureBody = Open({
  nodes: Type.Optional(Type.Unknown({ description: 'A string of node names, or a list of them' })),
});
export const TemperatureReport = Type.String({ description: 'A text report per node (text/plain)' });
