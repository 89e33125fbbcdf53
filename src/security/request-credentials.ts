/**
 * Pulls credentials out of a request: X-API-Token, Authorization (Bearer or Basic), the session
 * cookie, and `?token=` — the query form only on the paths the published API allows it
 * (export/import and the WebSocket upgrade), since URLs end up in proxy logs and browser history.
 */
import { parseCookies, SESSION_COOKIE } from './cookies.js';
import type { PresentedCredentials } from './security-service.js';

type Headers = Record<string, string | string[] | undefined>;

const QUERY_TOKEN_PATHS = /^\/(api\/(config\/)?(export|import)|ws|socket\.io)(\/|$)/;

export function queryTokenAllowed(path: string): boolean {
  return QUERY_TOKEN_PATHS.test(path);
}

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
}

export function presentedCredentials(path: string, rawUrl: string, headers: Headers): PresentedCredentials {
  const out: PresentedCredentials = {};
  const apiToken = header(headers, 'x-api-token');
  const authz = header(headers, 'authorization');
  if (apiToken !== undefined) out.token = apiToken;
  if (authz) {
    const [scheme, ...rest] = authz.split(' ');
    const value = rest.join(' ').trim();
    if (scheme.toLowerCase() === 'bearer' && value && out.token === undefined) out.token = value;
    if (scheme.toLowerCase() === 'basic' && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) out.basic = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
  }
  if (out.token === undefined && queryTokenAllowed(path)) {
    const q = rawUrl.indexOf('?');
    if (q !== -1) {
      const t = new URLSearchParams(rawUrl.slice(q + 1)).get('token');
      if (t) out.token = t;
    }
  }
  const sid = parseCookies(header(headers, 'cookie'))[SESSION_COOKIE];
  if (sid) out.sessionId = sid;
  return out;
}
