/**
 * Validation of what clients send to /api/notifications/* (webhooks, email, settings). Each
 * parser returns a normalised value or throws a 400 HttpError naming the problem; template and
 * JSON problems carry `line` and `column`.
 */
import { badRequest } from '../http/errors.js';
import type { NotificationSettings, WebhookConfig, WebhookService } from '../model/notifications.js';
import { type NotificationBatch, testAlert } from './batch.js';
import { SERVICE_NAMES, serviceDef } from './services/catalog.js';
import { buildWebhookRequest, PayloadError } from './services/request.js';
import type { StoredEmail } from './store.js';
import { compileTemplate, TemplateError } from './template/index.js';
import { checkWebhookUrl } from './url-policy.js';

const METHODS = new Set(['POST', 'PUT', 'PATCH', 'GET']);

type Body = Record<string, unknown>;

function asObject(v: unknown, what: string): Body {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${what} must be a JSON object`);
  return v as Body;
}

function str(b: Body, key: string, fallback = ''): string {
  const v = b[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw badRequest(`${key} must be a string`);
  return v;
}

function bool(b: Body, key: string, fallback: boolean): boolean {
  const v = b[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw badRequest(`${key} must be true or false`);
  return v;
}

function stringMap(b: Body, key: string): Record<string, string> | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  const o = asObject(v, key);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== 'string') throw badRequest(`${key}.${k} must be a string`);
    if (/[\r\n]/.test(k) || (key === 'headers' && /[\r\n]/.test(x)))
      throw badRequest(`${key}.${k} contains a line break`);
    out[k] = x;
  }
  return out;
}

/** True when a URL carries user info (`user:password@`), also when it does not parse. */
export function hasUserInfo(raw: string): boolean {
  try {
    const u = new URL(raw);
    if (u.username !== '' || u.password !== '') return true;
  } catch {
    // a template or a broken URL: look at the authority part as text below
  }
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(raw.trim());
}

/** Reads a webhook from a request body (id optional: the caller decides). */
export function parseWebhook(body: unknown, id: string): WebhookConfig {
  const b = asObject(body, 'webhook');
  const service = (str(b, 'service', 'generic') || 'generic') as WebhookService;
  if (!SERVICE_NAMES.has(service)) throw badRequest(`unknown service "${service}"`);
  const method = (str(b, 'method', 'POST') || 'POST').toUpperCase();
  if (!METHODS.has(method)) throw badRequest(`method must be one of ${[...METHODS].join(', ')}`);
  const name = str(b, 'name').trim();
  const url = str(b, 'url').trim();
  if (!url) throw badRequest('url is required');
  if (hasUserInfo(url)) {
    // Such a URL would be stored, shown and quoted by HTTP errors with its password in it.
    throw badRequest(
      'url must not contain a user name or password (user:password@host); send credentials in a header such as Authorization instead',
    );
  }
  if (name.length > 200) throw badRequest('name is too long');
  const template = str(b, 'template', str(b, 'payloadTemplate'));
  if (template.length > 65_536) throw badRequest('template is too long (64 KiB at most)');
  const customFields = stringMap(b, 'customFields');
  return {
    id,
    name: name || serviceDef(service).name,
    url,
    method,
    headers: stringMap(b, 'headers') ?? {},
    enabled: bool(b, 'enabled', true),
    service,
    template,
    ...(customFields && Object.keys(customFields).length > 0 ? { customFields } : {}),
  };
}

function sampleBatch(event: NotificationBatch['event'], now: number): NotificationBatch {
  return { id: 'validation', event, alerts: [testAlert(now)], createdAt: now };
}

/**
 * Checks what can be checked before anything is sent: the URL policy, the service's required
 * settings, and that the template parses and renders valid JSON for both an alert and a resolve.
 */
export function validateWebhook(
  w: WebhookConfig,
  opts: { allowLoopback: boolean; now: number; publicUrl: string },
): void {
  if (w.template.trim()) {
    try {
      compileTemplate(w.template, 'template');
    } catch (err) {
      if (err instanceof TemplateError) {
        throw badRequest(`invalid template at ${err.line}:${err.col}: ${err.reason}`, {
          line: err.line,
          column: err.col,
        });
      }
      throw err;
    }
  }
  if (w.service === 'pushover' && (!w.customFields?.app_token || !w.customFields?.user_token)) {
    throw badRequest('Pushover needs customFields app_token and user_token');
  }
  for (const event of ['alert', 'resolved'] as const) {
    let url: string;
    try {
      url = buildWebhookRequest(w, sampleBatch(event, opts.now), { now: opts.now, publicUrl: opts.publicUrl }).url;
    } catch (err) {
      if (err instanceof PayloadError) {
        const pos = err.line !== undefined ? { line: err.line, column: err.col } : undefined;
        const where = event === 'resolved' ? ' (for a resolve message)' : '';
        throw badRequest(`${err.message}${where}`, pos);
      }
      throw err;
    }
    const refused = checkWebhookUrl(url, opts.allowLoopback);
    if (refused) throw badRequest(refused);
  }
}

export function parseEmail(body: unknown, stored: StoredEmail): StoredEmail {
  const b = asObject(body, 'email configuration');
  let to: string[];
  const rawTo = b.to ?? b.recipients;
  if (rawTo === undefined || rawTo === null) to = [];
  else if (typeof rawTo === 'string') to = rawTo.split(/[,;\s]+/).filter(Boolean);
  else if (Array.isArray(rawTo) && rawTo.every((x) => typeof x === 'string'))
    to = rawTo.map((x) => x.trim()).filter(Boolean);
  else throw badRequest('to must be a list of email addresses');
  const from = str(b, 'from').trim();
  const addr = /^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/;
  for (const a of [...to, ...(from ? [from] : [])])
    if (!addr.test(a)) throw badRequest(`"${a}" is not an email address`);
  const rawPort = b.port ?? stored.port;
  const port = typeof rawPort === 'string' && /^\d+$/.test(rawPort) ? Number(rawPort) : rawPort;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw badRequest('port must be a whole number between 1 and 65535');
  }
  const server = str(b, 'server', str(b, 'smtpHost')).trim();
  if (/[\s/]/.test(server)) throw badRequest('server must be a host name or address');
  const enabled = bool(b, 'enabled', false);
  if (enabled && (!server || !from)) throw badRequest('server and from are required when email is enabled');
  const password = str(b, 'password');
  const tls = bool(b, 'tls', port === 465);
  return {
    enabled,
    provider: str(b, 'provider'),
    server,
    port,
    username: str(b, 'username').trim(),
    // An empty password keeps the stored one (the reply never contains it).
    password: password === '' ? stored.password : password,
    from,
    to,
    tls,
    startTLS: bool(b, 'startTLS', !tls && port === 587),
    skipTlsVerify: bool(b, 'skipTlsVerify', stored.skipTlsVerify),
  };
}

function intIn(b: Body, key: string, min: number, max: number, fallback: number): number {
  const v = b[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw badRequest(`${key} must be a whole number between ${min} and ${max}`);
  }
  return v;
}

export function parseSettings(body: unknown, current: NotificationSettings): NotificationSettings {
  const outer = asObject(body, 'settings');
  const b = outer.settings !== undefined ? asObject(outer.settings, 'settings') : outer;
  return {
    enabled: bool(b, 'enabled', current.enabled),
    notifyOnResolve: bool(b, 'notifyOnResolve', current.notifyOnResolve),
    maxAttempts: intIn(b, 'maxAttempts', 1, 20, current.maxAttempts),
    retryBaseSeconds: intIn(b, 'retryBaseSeconds', 1, 3600, current.retryBaseSeconds),
    webhookRateLimitPerMinute: intIn(b, 'webhookRateLimitPerMinute', 1, 10, current.webhookRateLimitPerMinute),
  };
}
