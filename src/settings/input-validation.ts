/**
 * Syntax checks for addresses people type into the configuration: a Proxmox host and the
 * browser origins allowed to call the API. They refuse what the WHATWG URL parser would accept
 * but nobody means (`true`, `nan`, `-1`, `1e400`, an emoji, port 0, a path in an origin), so
 * such values never reach the database.
 */
import net from 'node:net';

/** Words that are JSON/JS literals, not host names (a form posting `true` or `NaN` as text). */
const LITERAL_WORDS = new Set(['true', 'false', 'null', 'undefined', 'nan', 'infinity', '-infinity']);

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Why `hostname` (as typed, without brackets for IPv6) is not a usable host name, or undefined. */
export function hostnameProblem(hostname: string): string | undefined {
  const h = hostname.replace(/\.$/, '');
  if (h === '') return 'is empty';
  if (/[^\x21-\x7e]/.test(h)) return 'must be ASCII (use the xn-- form of an international name)';
  if (net.isIP(h) !== 0) return undefined;
  if (LITERAL_WORDS.has(h.toLowerCase())) return 'is not a host name';
  if (h.trim() !== '' && !Number.isNaN(Number(h))) return 'is a number, not a host name or IP address';
  if (/^[\d.]+$/.test(h)) return 'is not a valid IPv4 address';
  if (h.length > 253) return 'is longer than 253 characters';
  const labels = h.split('.');
  if (!labels.every((l) => LABEL.test(l))) return 'has characters or labels a host name cannot have';
  if (/^\d+$/.test(labels[labels.length - 1])) return 'ends in a numeric label';
  return undefined;
}

/** The host part of what was typed (`https://h:1/x`, `h:1`, `[::1]:8006`, `h`), or undefined. */
function typedHost(raw: string): { host: string; port?: string; bracketed?: boolean } | undefined {
  const withoutScheme = raw.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const authority = withoutScheme.split(/[/?#]/)[0];
  const at = authority.lastIndexOf('@');
  const hostPort = at === -1 ? authority : authority.slice(at + 1);
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(hostPort);
  if (v6) return { host: v6[1], port: v6[2], bracketed: true };
  const colon = hostPort.lastIndexOf(':');
  if (colon !== -1 && hostPort.indexOf(':') === colon)
    return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
  return { host: hostPort };
}

/**
 * Why a node's host (as typed) is unusable, or undefined. Checked on the text itself because the
 * URL parser rewrites some junk into addresses (`1` → 0.0.0.1, an emoji → punycode).
 */
export function nodeHostProblem(raw: string): string | undefined {
  const typed = typedHost(raw);
  if (!typed) return 'is not a host or URL';
  const problem =
    typed.bracketed || typed.host.includes(':')
      ? net.isIPv6(typed.host)
        ? undefined
        : 'is not a valid IPv6 address'
      : hostnameProblem(typed.host);
  if (problem) return problem;
  if (typed.port !== undefined && typed.port !== '') {
    if (!/^\d{1,5}$/.test(typed.port)) return 'has a port that is not a number';
    const n = Number(typed.port);
    if (n < 1 || n > 65535) return 'has a port outside 1–65535';
  }
  return undefined;
}

/**
 * Parses a comma-separated list of browser origins (`scheme://host[:port]`, or `*`) and returns
 * it normalised, or throws with the offending entry in the message.
 */
export function parseOriginList(raw: string): string {
  const out: string[] = [];
  for (const entry of raw.split(',').map((s) => s.trim())) {
    if (entry === '') continue;
    if (entry === '*') {
      out.push(entry);
      continue;
    }
    const problem = originProblem(entry);
    if (problem) throw new Error(`"${entry.slice(0, 100)}" ${problem}`);
    out.push(new URL(entry).origin);
  }
  return out.join(',');
}

function originProblem(entry: string): string | undefined {
  let u: URL;
  try {
    u = new URL(entry);
  } catch {
    return 'is not an origin (scheme://host[:port])';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https origin';
  if (u.username || u.password) return 'must not contain credentials';
  if (entry.replace(/\/$/, '').toLowerCase() !== u.origin.toLowerCase()) {
    return 'must be an origin only, without a path, query or fragment';
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return host.includes(':') ? undefined : hostnameProblem(typedHost(entry)?.host ?? host);
}
