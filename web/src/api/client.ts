/**
 * The one way the UI talks HTTP to Pulse: JSON in and out, the CSRF header on writes, an
 * optional API token (API-token-only mode), and errors turned into readable words.
 * Everything here is what a script could do with curl.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The parsed JSON error body when there was one (e.g. login attempts, a fingerprint). */
    readonly body?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'pulse_api_token';

export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** The logout route keeps pulse_csrf; dropping it lets the next start skip a doomed auth probe. */
export function forgetCsrfCookie(): void {
  // biome-ignore lint/suspicious/noDocumentCookie: expiring one cookie; the Cookie Store API is not in every browser
  document.cookie = 'pulse_csrf=; Max-Age=0; Path=/';
}

export function storedApiToken(): string | undefined {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function setStoredApiToken(token: string | undefined): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token then lives only as long as this call chain
  }
}

/** Listeners told about a 401 on an authenticated call (the session store shows the login page). */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** Picks the words to show: Pulse's `error` field, or its `message` when `error` is a bare code. */
export function errorMessage(status: number, statusText: string, text: string): ApiError {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const body = JSON.parse(trimmed) as Record<string, unknown>;
      const err = typeof body.error === 'string' ? body.error : undefined;
      const msg = typeof body.message === 'string' ? body.message : undefined;
      const words = err && msg && /^[a-z_]+$/.test(err) ? msg : (err ?? msg);
      if (words) return new ApiError(status, words, body);
    } catch {
      // not JSON after all: fall through to the text
    }
  }
  if (trimmed) return new ApiError(status, trimmed.split('\n')[0]!);
  return new ApiError(status, `HTTP ${status} ${statusText}`.trim());
}

export interface RequestOptions {
  /** Do not raise the global "unauthorized" signal on 401 (login, probes). */
  quiet401?: boolean;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const csrf = readCookie('pulse_csrf');
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  const token = storedApiToken();
  if (token) headers['X-API-Token'] = token;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError(0, `Cannot reach Pulse: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401) {
      for (const fn of unauthorizedListeners) fn();
    }
    throw errorMessage(res.status, res.statusText, text);
  }
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** `a/b` ids (alerts may contain slashes) must travel as one path segment. */
export const seg = (id: string) => encodeURIComponent(id);
