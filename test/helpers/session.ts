/**
 * Signed-in sessions against Pulse: the admin credentials the suites configure, and a client with
 * a cookie jar that can echo the CSRF cookie, as the web UI does.
 */

export const ADMIN = 'admin';
export const ADMIN_PASS = 'correct-horse-battery';

/** Settings that configure the admin account from the environment (password auth on). */
export const passwordEnv = { PULSE_AUTH_USER: ADMIN, PULSE_AUTH_PASS: ADMIN_PASS };

export interface Res {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply bodies field by field
  body: any;
  text: string;
}

/** A client with a cookie jar; `csrf: true` echoes the pulse_csrf cookie in X-CSRF-Token. */
export class Client {
  readonly jar = new Map<string, string>();

  constructor(readonly base: string) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  async req(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string>; csrf?: boolean; cookies?: boolean } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.cookies !== false && this.jar.size > 0) {
      headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (opts.csrf && this.jar.has('pulse_csrf')) headers['x-csrf-token'] = this.jar.get('pulse_csrf')!;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attrs.some((a) => a.trim().toLowerCase() === 'max-age=0') || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.req('GET', path, { headers });
  }

  post(path: string, body?: unknown, opts: { headers?: Record<string, string>; csrf?: boolean } = {}) {
    return this.req('POST', path, { body, csrf: opts.csrf ?? true, headers: opts.headers });
  }

  async login(username = ADMIN, password = ADMIN_PASS): Promise<Res> {
    return this.req('POST', '/api/login', { body: { username, password } });
  }
}
