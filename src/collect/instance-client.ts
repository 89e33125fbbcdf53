/**
 * The HTTPS client of one Proxmox endpoint as a configured instance reaches it: its product, API
 * token or user and password, certificate pinning, and the pollers' timeout, clock and counter.
 * Every poller builds its clients here (PVE members and backup clients, PBS, PMG).
 */
import { ProxmoxClient } from '../proxmox/client.js';
import type { NodeConfig } from '../settings/node-config.js';
import type { PollerEnv } from './poller-env.js';

export function instanceClient(
  cfg: NodeConfig,
  baseUrl: string,
  env: PollerEnv,
  fingerprint: string | undefined,
  connections: number,
): ProxmoxClient {
  const useToken = Boolean(cfg.tokenName && cfg.tokenValue);
  return new ProxmoxClient({
    product: cfg.type,
    baseUrl,
    verifySSL: cfg.verifySSL,
    fingerprint,
    timeoutMs: env.timeoutMs(),
    clock: env.clock,
    connections,
    counter: env.counter,
    ...(useToken
      ? { tokenId: cfg.tokenName, tokenSecret: cfg.tokenValue }
      : { username: cfg.user, password: cfg.password }),
  });
}
