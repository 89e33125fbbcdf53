/**
 * Helpers for the security tests: a Pulse started with security options (small rate limits, no
 * loopback exemption) and a tiny HTTP client with a cookie jar that can send the CSRF header.
 */
import type { Clock } from '../../src/clock.js';
import { createLogger } from '../../src/logging.js';
import type { SecurityOptions } from '../../src/security/types.js';
import { type RunningPulse, startPulse } from '../../src/server.js';
import { loadSettings } from '../../src/settings/env.js';
import { type LogCapture, tempDir } from '../helpers/pulse.js';

export const ADMIN = 'admin';
export const ADMIN_PASS = 'correct-horse-battery';

export interface SecuredOptions {
  dataDir?: string;
  env?: Record<string, string>;
  clock?: Clock;
  logs?: LogCapture;
  security?: SecurityOptions;
}

export type TestPulse = RunningPulse & { dataDir: string };

export async function startSecured(opts: SecuredOptions = {}): Promise<TestPulse> {
  const dataDir = opts.dataDir ?? tempDir('pulse-sec-');
  const settings = loadSettings({
    PULSE_DATA_DIR: dataDir,
    FRONTEND_PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    LOG_LEVEL: opts.logs ? 'debug' : 'silent',
    PULSE_BCRYPT_COST: '4',
    ...opts.env,
  });
  const logger = createLogger({ level: settings.logLevel, destination: opts.logs });
  const pulse = await startPulse(settings, { logger, clock: opts.clock, security: opts.security });
  return Object.assign(pulse, { dataDir });
}

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

export const passwordEnv = { PULSE_AUTH_USER: ADMIN, PULSE_AUTH_PASS: ADMIN_PASS };

/** A URL for a route pattern with placeholder values for its parameters. */
export function concretePath(url: string): string {
  return url
    .split('/')
    .map((seg) => (seg.startsWith(':') ? 'placeholder-id' : seg === '*' ? 'placeholder' : seg))
    .join('/')
    .replace(/:[A-Za-z_]+/g, 'placeholder-id');
}
