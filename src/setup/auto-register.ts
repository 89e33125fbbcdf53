/**
 * Auto-registration (POST /api/auto-register): a node's setup script reports the monitoring
 * credentials it created and Pulse adds the node, or updates it when the same host is already
 * configured. Unlike Pulse 4.24, a request is never trusted on its own: the caller proves itself
 * with a one-time setup code or an API token (the route decides; this module only registers).
 */
import type { Monitoring } from '../collect/monitoring.js';
import {
  type NodeConfig,
  type NodeInput,
  NodeValidationError,
  normaliseHost,
  parseNodeInput,
  parseType,
} from '../settings/node-config.js';

export interface AutoRegisterRequest {
  input: NodeInput;
  /** The setup code, if one was sent (setupCode, or authToken as 4.24's scripts call it). */
  setupCode?: string;
}

type Body = Record<string, unknown>;

function str(body: Body, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Parses the script's body into a node definition; throws NodeValidationError naming the field. */
export function parseAutoRegisterBody(raw: unknown): AutoRegisterRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new NodeValidationError('body', 'must be a JSON object');
  }
  const b = raw as Body;
  const type = parseType(b.type);
  const host = str(b, 'host');
  if (!host) throw new NodeValidationError('host', 'is required');
  if (b.requestToken === true) {
    // 4.24 could create the Proxmox token itself from a root password sent here; Pulse does
    // not take root credentials over the network.
    throw new NodeValidationError(
      'requestToken',
      'is not supported: create the token on the node (the setup script does)',
    );
  }
  const input = parseNodeInput({
    type,
    host,
    name: str(b, 'serverName') ?? str(b, 'name'),
    tokenName: str(b, 'tokenId') ?? str(b, 'tokenName'),
    tokenValue: str(b, 'tokenValue'),
    user: str(b, 'username') ?? str(b, 'user'),
    password: str(b, 'password'),
    fingerprint: str(b, 'fingerprint'),
    verifySSL: typeof b.verifySSL === 'boolean' ? b.verifySSL : false,
  });
  return { input, setupCode: str(b, 'setupCode') ?? str(b, 'authToken') };
}

/** The host as the code was issued for it (the same normalisation as node hosts). */
export function codeHost(type: string, host: string | undefined): string {
  if (!host) return '';
  return normaliseHost(host, parseType(type));
}

export interface RegisterOutcome {
  action: 'created' | 'updated' | 'merged';
  node: NodeConfig;
}

/** A name not yet used by another node of the type (the hostname, then hostname-2, …). */
function freeName(m: Monitoring, input: NodeInput, exceptUid?: number): string {
  let name = input.name;
  for (let i = 2; ; i++) {
    const clash = m.nodes.findByName(input.type, name);
    if (!clash || clash.uid === exceptUid) return name;
    name = `${input.name}-${i}`;
  }
}

export async function registerNode(m: Monitoring, input: NodeInput): Promise<RegisterOutcome> {
  const existing = m.nodes.list(input.type).find((n) => n.host === input.host);
  if (existing) {
    // Same host again (the script was re-run): new credentials replace the old ones.
    const next: NodeInput = {
      ...input,
      name: freeName(m, input, existing.uid),
      monitor: existing.monitor,
      cluster: existing.cluster,
      user: input.user,
      password: input.password,
      tokenName: input.tokenName,
      tokenValue: input.tokenValue,
    };
    const node = m.nodes.update(existing.uid, next) ?? existing;
    m.reload();
    return { action: 'updated', node };
  }
  const named = { ...input, name: freeName(m, input) };
  const { created, mergedInto } = await m.addNode(named);
  if (mergedInto) return { action: 'merged', node: mergedInto };
  return { action: 'created', node: created! };
}
