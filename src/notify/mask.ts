/**
 * Masking of secrets in replies. A masked value sent back unchanged on update means "keep the
 * stored secret", so the UI can round-trip a webhook without ever seeing its token.
 */
import { SECRET_MASK, type WebhookConfig } from '../model/notifications.js';

/** Header names whose values are not secret (shown as they are). */
const PLAIN_HEADERS = new Set([
  'content-type',
  'accept',
  'user-agent',
  'title',
  'priority',
  'tags',
  'x-title',
  'x-priority',
  'x-tags',
  'icon',
  'click',
  'markdown',
]);

/** Custom fields that hold credentials (Pushover app/user tokens, PagerDuty routing key …). */
const SECRET_FIELD = /token|key|secret|pass|auth|routing/i;

/** Query parameters that are not secret. */
const PLAIN_QUERY = new Set(['chat_id', 'priority', 'format']);

/** Path segments that look like tokens: long, with letters and digits (Discord, Slack, Telegram, Teams). */
const looksSecret = (seg: string) => seg.length >= 16 && /[A-Za-z]/.test(seg) && /\d/.test(seg);

function decoded(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg; // a stray % is not worth a 500
  }
}

export function maskUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return SECRET_MASK;
  }
  if (u.password) u.password = SECRET_MASK;
  u.pathname = u.pathname
    .split('/')
    .map((seg) => (looksSecret(decoded(seg)) ? SECRET_MASK : seg))
    .join('/');
  for (const key of [...u.searchParams.keys()]) {
    if (!PLAIN_QUERY.has(key.toLowerCase())) u.searchParams.set(key, SECRET_MASK);
  }
  return u.toString().replace(/%2A/gi, '*');
}

export function maskHeaders(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(h).map(([k, v]) => [k, PLAIN_HEADERS.has(k.toLowerCase()) ? v : SECRET_MASK]),
  );
}

export function maskCustomFields(f: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, SECRET_FIELD.test(k) ? SECRET_MASK : v]));
}

export function maskWebhook(w: WebhookConfig): WebhookConfig {
  return {
    ...w,
    url: maskUrl(w.url),
    headers: maskHeaders(w.headers),
    ...(w.customFields ? { customFields: maskCustomFields(w.customFields) } : {}),
  };
}

/**
 * Merges an update with the stored webhook: masked values (URL, header values, custom fields)
 * keep what is stored.
 */
export function unmaskWebhook(incoming: WebhookConfig, stored: WebhookConfig | undefined): WebhookConfig {
  if (!stored) return incoming;
  const keep = (m: Record<string, string> | undefined, old: Record<string, string> | undefined) =>
    m &&
    Object.fromEntries(
      Object.entries(m).map(([k, v]) => [k, v === SECRET_MASK && old?.[k] !== undefined ? old[k] : v]),
    );
  return {
    ...incoming,
    url: incoming.url === maskUrl(stored.url) || incoming.url === SECRET_MASK ? stored.url : incoming.url,
    headers: keep(incoming.headers, stored.headers) ?? {},
    ...(incoming.customFields ? { customFields: keep(incoming.customFields, stored.customFields) } : {}),
  };
}
