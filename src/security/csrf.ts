/**
 * Cross-site request forgery defences for state-changing requests:
 *
 * - `crossSiteRefusal`: a browser always tells us where a request comes from (`Origin`, and in
 *   modern browsers `Sec-Fetch-Site`). Any state-changing request that is not authenticated by an
 *   explicit token header (which a foreign page cannot attach without a CORS preflight) must come
 *   from our own origin or an allowed one. Scripts send neither header and are not affected.
 * - `csrfTokenVariants`: the echoed token for session requests. Pulse 4.24's UI reads the cookie
 *   with `split('=')`, which drops the base64 padding, so both spellings are accepted.
 */

type Headers = Record<string, string | string[] | undefined>;

function first(h: string | string[] | undefined): string | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  const s = v?.split(',')[0]?.trim();
  return s ? s : undefined;
}

/** The host (with port) the browser used to reach us, as `host[:port]`, lowercased. */
function selfHost(headers: Headers): string | undefined {
  return (first(headers['x-forwarded-host']) ?? first(headers.host))?.toLowerCase();
}

function originHost(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a state-changing request looks cross-site, or undefined when it may proceed. The scheme is
 * not compared: behind a TLS-terminating proxy we may not know it, and host plus port already
 * name the site that served the page.
 */
export function crossSiteRefusal(headers: Headers, allowedOrigins: () => readonly string[]): string | undefined {
  const origin = first(headers.origin);
  const site = first(headers['sec-fetch-site'])?.toLowerCase();
  // The browser itself vouches for our own pages (no page can set this header), which also
  // covers a reverse proxy that rewrites Host without sending X-Forwarded-Host.
  if (site === 'same-origin') return undefined;
  if (origin !== undefined) {
    if (origin === 'null') return 'a request from an opaque origin';
    const host = originHost(origin);
    if (host !== undefined && host === selfHost(headers)) return undefined;
    // Read only when needed: the list comes from the settings in the database.
    const allowed = allowedOrigins();
    if (allowed.includes('*') || allowed.includes(origin.replace(/\/$/, ''))) return undefined;
    return `origin ${host ?? 'unknown'} is not this server`;
  }
  if (site === 'cross-site' || site === 'same-site') return `a ${site} request`;
  return undefined;
}

/** The spellings of a presented CSRF token to check: as sent, and with its padding restored. */
export function csrfTokenVariants(presented: string): string[] {
  const bare = presented.replace(/=+$/, '');
  if (bare === '') return [];
  const padded = bare + '='.repeat((4 - (bare.length % 4)) % 4);
  return presented === padded ? [padded] : [presented, padded];
}
