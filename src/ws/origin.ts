/**
 * The WebSocket origin check (wire contract §2). Browsers attach `Origin` to WebSocket upgrades
 * and, unlike fetch, the server cannot rely on CORS to stop a foreign page from opening a socket
 * with the user's cookies; so the upgrade is refused unless the origin is this server itself, an
 * explicitly allowed origin, or (when none are configured) a local/private address.
 */
import { isIP } from 'node:net';

export interface UpgradeOriginInfo {
  origin?: string;
  host?: string;
  forwardedProto?: string;
  forwardedScheme?: string;
  forwardedHost?: string;
  /** The connection itself is TLS. */
  encrypted: boolean;
}

const first = (v: string | undefined): string | undefined => {
  const s = v?.split(',')[0]?.trim();
  return s ? s : undefined;
};

/** `<scheme>://<host>` this server is reached at, as the client sees it. */
export function selfOrigin(info: UpgradeOriginInfo): string | undefined {
  let scheme = first(info.forwardedProto)?.toLowerCase();
  if (scheme === 'ws') scheme = 'http';
  else if (scheme === 'wss') scheme = 'https';
  scheme ??= first(info.forwardedScheme)?.toLowerCase() ?? (info.encrypted ? 'https' : 'http');
  const host = first(info.forwardedHost) ?? info.host;
  return host ? `${scheme}://${host.toLowerCase()}` : undefined;
}

function isPrivateIPv4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

function isPrivateIPv6(ip: string): boolean {
  const lower = ip.toLowerCase();
  if (lower === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return isPrivateIPv4(mapped[1]);
  // fc00::/7 (unique local addresses)
  return /^f[cd][0-9a-f]{0,2}:/.test(lower);
}

/** localhost, loopback and private IPs, and `*.local` / `*.lan` names. */
export function isLocalHostname(hostname: string): boolean {
  const h = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h.endsWith('.local') || h.endsWith('.lan')) return true;
  const kind = isIP(h);
  if (kind === 4) return isPrivateIPv4(h);
  if (kind === 6) return isPrivateIPv6(h);
  return false;
}

/** True when a WebSocket upgrade with these headers may proceed. */
export function isOriginAllowed(info: UpgradeOriginInfo, allowedOrigins: readonly string[]): boolean {
  const origin = info.origin?.trim();
  if (!origin) return true; // non-browser clients (scripts, agents) send none
  if (origin.toLowerCase() === selfOrigin(info)) return true;
  if (allowedOrigins.length > 0) {
    return allowedOrigins.includes('*') || allowedOrigins.includes(origin);
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return isLocalHostname(url.hostname);
}
