/**
 * Validation of what clients send to /api/notifications/* (webhooks, email, settings), also used
 * by config import. Each parser checks the route's body schema (types, lengths, ranges) and then
 * what a schema cannot say, and returns a normalised value or throws a 400 HttpError naming the
 * problem; template and JSON problems carry `line` and `column`.
 */
import { badRequest } from '../http/errors.js';
import { conforming, type SchemaProblem } from '../http/schema-check.js';
import type { NotificationSettings, WebhookConfig, WebhookService } from '../model/notifications.js';
import { EmailConfigBody, NotificationSettingsBody, WebhookBody } from '../schemas/notifications.js';
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

const refuse = (p: SchemaProblem) => badRequest(`${p.field} ${p.rule}`, { field: p.field });

/** A header or custom-field map: string values (which the schema leaves open) without line breaks. */
function stringMap(v: Record<string, unknown> | null | undefined, key: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
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
  const b = conforming(WebhookBody, asObject(body, 'webhook'), refuse);
  const service = (b.service || 'generic') as WebhookService;
  if (!SERVICE_NAMES.has(service)) throw badRequest(`unknown service "${service}"`);
  const method = (b.method || 'POST').toUpperCase();
  if (!METHODS.has(method)) throw badRequest(`method must be one of ${[...METHODS].join(', ')}`);
  const name = (b.name ?? '').trim();
  const url = (b.url ?? '').trim();
  if (!url) throw badRequest('url is required');
  if (hasUserInfo(url)) {
    // Such a URL would be stored, shown and quoted by HTTP errors with its password in it.
    throw badRequest(
      'url must not contain a user name or password (user:password@host); send credentials in a header such as Authorization instead',
    );
  }
  const template = b.template ?? b.payloadTemplate ?? '';
  const customFields = stringMap(b.customFields, 'customFields');
  return {
    id,
    name: name || serviceDef(service).name,
    url,
    method,
    headers: stringMap(b.headers, 'headers') ?? {},
    enabled: b.enabled ?? true,
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
  const b = conforming(EmailConfigBody, asObject(body, 'email configuration'), refuse);
  const rawTo = b.to ?? b.recipients;
  const to =
    rawTo === undefined || rawTo === null
      ? []
      : typeof rawTo === 'string'
        ? rawTo.split(/[,;\s]+/).filter(Boolean)
        : rawTo.map((x) => x.trim()).filter(Boolean);
  const from = (b.from ?? '').trim();
  const addr = /^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/;
  for (const a of [...to, ...(from ? [from] : [])])
    if (!addr.test(a)) throw badRequest(`"${a}" is not an email address`);
  const port = b.port ?? stored.port;
  const server = (b.server ?? b.smtpHost ?? '').trim();
  if (/[\s/]/.test(server)) throw badRequest('server must be a host name or address');
  const enabled = b.enabled ?? false;
  if (enabled && (!server || !from)) throw badRequest('server and from are required when email is enabled');
  const password = b.password ?? '';
  const tls = b.tls ?? port === 465;
  return {
    enabled,
    provider: b.provider ?? '',
    server,
    port,
    username: (b.username ?? '').trim(),
    // An empty password keeps the stored one (the reply never contains it).
    password: password === '' ? stored.password : password,
    from,
    to,
    tls,
    startTLS: b.startTLS ?? (!tls && port === 587),
    skipTlsVerify: b.skipTlsVerify ?? stored.skipTlsVerify,
  };
}

export function parseSettings(body: unknown, current: NotificationSettings): NotificationSettings {
  const outer = conforming(NotificationSettingsBody, asObject(body, 'settings'), refuse);
  const b = outer.settings ?? outer;
  return {
    enabled: b.enabled ?? current.enabled,
    notifyOnResolve: b.notifyOnResolve ?? current.notifyOnResolve,
    maxAttempts: b.maxAttempts ?? current.maxAttempts,
    retryBaseSeconds: b.retryBaseSeconds ?? current.retryBaseSeconds,
    webhookRateLimitPerMinute: b.webhookRateLimitPerMinute ?? current.webhookRateLimitPerMinute,
  };
}
