/**
 * Which URLs a webhook may target. The contract: http(s) only; never localhost / 127.0.0.0/8 /
 * ::1, link-local (169.254/16, fe80::/10) or cloud metadata endpoints; private networks are fine
 * (self-hosted Gotify, ntfy, Mattermost live there). PULSE_ALLOW_LOOPBACK_WEBHOOKS=true lifts the
 * loopback ban (receivers on the same host, and tests); link-local and metadata stay banned.
 */
import net from 'node:net';

const METADATA_HOSTS = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  '100.100.100.200', // Alibaba Cloud
  'fd00:ec2::254', // AWS IPv6 metadata
]);

/** The refusal names the setting that lifts it, so whoever meets it knows where to look. */
const LOOPBACK_REFUSED =
  'URL targets localhost (refused unless Pulse runs with PULSE_ALLOW_LOOPBACK_WEBHOOKS=true, for receivers on the same host)';

function ipv4Parts(host: string): number[] | null {
  if (net.isIPv4(host)) return host.split('.').map(Number);
  return null;
}

/** Returns why the URL is refused, or null when it may be used. */
export function checkWebhookUrl(raw: string, allowLoopback: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'URL is not valid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'URL must use http or https';
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') return 'URL has no host';
  if (METADATA_HOSTS.has(host)) return 'URL targets a cloud metadata service';
  const v4 = ipv4Parts(host) ?? mappedV4(host);
  if (v4) {
    if (v4[0] === 169 && v4[1] === 254) return 'URL targets a link-local address';
    if (v4[0] === 0) return 'URL targets an unspecified address';
    if (v4[0] === 127 && !allowLoopback) return LOOPBACK_REFUSED;
    return null;
  }
  if (net.isIPv6(host)) {
    if (/^fe[89ab]/.test(host)) return 'URL targets a link-local address';
    if (host === '::') return 'URL targets an unspecified address';
    if ((host === '::1' || host === '0:0:0:0:0:0:0:1') && !allowLoopback) return LOOPBACK_REFUSED;
    return null;
  }
  if ((host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.localdomain') && !allowLoopback) {
    return LOOPBACK_REFUSED;
  }
  return null;
}

function mappedV4(host: string): number[] | null {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (m) return ipv4Parts(m[1]);
  const h = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!h) return null;
  const a = Number.parseInt(h[1], 16);
  const b = Number.parseInt(h[2], 16);
  return [a >> 8, a & 255, b >> 8, b & 255];
}
