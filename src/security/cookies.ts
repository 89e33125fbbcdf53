/**
 * The two cookies of a login: `pulse_session` (HttpOnly, the session id) and `pulse_csrf`
 * (readable by the UI's JavaScript, echoed back in X-CSRF-Token). Both live 24 h.
 */
export const SESSION_COOKIE = 'pulse_session';
export const CSRF_COOKIE = 'pulse_csrf';
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    // First occurrence wins (the most specific path comes first in browsers).
    if (!(name in out)) {
      try {
        out[name] = decodeURIComponent(value);
      } catch {
        out[name] = value;
      }
    }
  }
  return out;
}

export interface CookieOptions {
  /** Set `Secure` (the request came over HTTPS). */
  secure: boolean;
  /** Behind a proxy over HTTPS, cross-site embedding needs SameSite=None. */
  sameSiteNone?: boolean;
}

function attrs(maxAgeSec: number, opts: CookieOptions, httpOnly: boolean): string {
  const parts = ['Path=/', `Max-Age=${maxAgeSec}`];
  if (httpOnly) parts.push('HttpOnly');
  if (opts.secure) parts.push('Secure');
  parts.push(opts.secure && opts.sameSiteNone ? 'SameSite=None' : 'SameSite=Lax');
  return parts.join('; ');
}

export function sessionCookie(value: string, opts: CookieOptions): string {
  return `${SESSION_COOKIE}=${value}; ${attrs(SESSION_TTL_MS / 1000, opts, true)}`;
}

export function csrfCookie(value: string, opts: CookieOptions): string {
  return `${CSRF_COOKIE}=${value}; ${attrs(SESSION_TTL_MS / 1000, opts, false)}`;
}

export function clearedCookie(name: string, opts: CookieOptions): string {
  return `${name}=; ${attrs(0, opts, name === SESSION_COOKIE)}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}
