/**
 * Structured logs (pino). Anything that can carry a secret is redacted by path, and free-text
 * messages are never built from secret values in the first place.
 */
import pino, { type Logger } from 'pino';

/** Pino's levels, plus `silent`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export type { Logger };

/** Paths whose values are replaced by "[redacted]" wherever they appear in a log object. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'pass',
  '*.pass',
  'token',
  '*.token',
  'tokenValue',
  '*.tokenValue',
  'tokenSecret',
  '*.tokenSecret',
  'secret',
  '*.secret',
  'apiToken',
  '*.apiToken',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'ticket',
  '*.ticket',
  'csrfToken',
  '*.csrfToken',
  'sessionId',
  '*.sessionId',
  'passwordHash',
  '*.passwordHash',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-token"]',
  'req.headers["x-csrf-token"]',
  'req.headers["x-proxy-secret"]',
  'req.headers["x-recovery-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-token"]',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; tests pass a stream to capture and scan them. */
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Query strings may carry ?token=…; log the path only.
      serializers: {
        req(req: { method?: string; url?: string; ip?: string }) {
          return { method: req.method, url: stripQuery(req.url), ip: req.ip };
        },
      },
    },
    opts.destination,
  );
}

export function stripQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const i = url.indexOf('?');
  return i === -1 ? url : `${url.slice(0, i)}?…`;
}
