/**
 * Who is calling: the client IP used for rate limits, lockout and audit, and whether the peer is
 * this machine. Forwarding headers (X-Forwarded-For, X-Real-IP) are believed only when the TCP
 * peer is a loopback address, i.e. a reverse proxy on the same host; anyone else could forge them
 * to dodge rate limits and lockout.
 */
import net from 'node:net';

export interface PeerInfo {
  /** The TCP peer address (IPv4-mapped IPv6 unwrapped). */
  peer: string;
  /** The client as far as we can trust: first X-Forwarded-For → X-Real-IP → peer. */
  client: string;
  /** True when the request came straight from loopback with no forwarding headers. */
  directLocal: boolean;
  /** True when forwarding headers were present (a proxy is in front). */
  proxied: boolean;
}

type Headers = Record<string, string | string[] | undefined>;

export function normaliseIp(ip: string | undefined): string {
  if (!ip) return '';
  const v = ip.trim();
  return v.startsWith('::ffff:') && net.isIPv4(v.slice(7)) ? v.slice(7) : v;
}

export function isLoopback(ip: string): boolean {
  const v = normaliseIp(ip);
  return v === '::1' || v.startsWith('127.');
}

/** RFC 1918, loopback, link-local, CGNAT and IPv6 ULA/link-local ranges. */
export function isPrivateIp(ip: string): boolean {
  const v = normaliseIp(ip);
  if (net.isIPv4(v)) {
    const [a, b] = v.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (net.isIPv6(v)) {
    const l = v.toLowerCase();
    return l === '::1' || l.startsWith('fc') || l.startsWith('fd') || l.startsWith('fe80');
  }
  return false;
}

function first(h: string | string[] | undefined): string | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  return v === undefined || v.trim() === '' ? undefined : v;
}

const PROXY_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded', 'x-forwarded-host', 'x-forwarded-proto'];

export function peerInfo(peerAddress: string | undefined, headers: Headers): PeerInfo {
  const peer = normaliseIp(peerAddress);
  const proxied = PROXY_HEADERS.some((h) => first(headers[h]) !== undefined);
  let client = peer;
  if (isLoopback(peer)) {
    const xff = first(headers['x-forwarded-for'])?.split(',')[0]?.trim();
    const real = first(headers['x-real-ip'])?.trim();
    const candidate = normaliseIp(xff || real);
    if (candidate && net.isIP(candidate)) client = candidate;
  }
  return { peer, client, directLocal: isLoopback(peer) && !proxied, proxied };
}

/** True when the request reached us over TLS, or through a local proxy that terminated TLS. */
export function isHttps(protocol: string, peer: string, headers: Headers): boolean {
  if (protocol === 'https') return true;
  if (!isLoopback(peer)) return false;
  const proto = first(headers['x-forwarded-proto'])?.split(',')[0]?.trim().toLowerCase();
  if (proto === 'https' || proto === 'wss') return true;
  return /(^|[;,\s])proto=https/i.test(first(headers.forwarded) ?? '');
}
