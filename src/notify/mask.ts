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

/**
 * Path words of the services' documented URL formats that are not credentials (Discord
 * `/api/webhooks/<id>/<token>`, Slack `/services/<T>/<B>/<token>`, Telegram `/bot<token>/sendMessage`,
 * Teams `/webhookb2/…/IncomingWebhook/…` and `/workflows/<id>/triggers/manual/paths/invoke`,
 * Mattermost `/hooks/<key>`, Gotify `/message?token=`, Pushover `/1/messages.json`, PagerDuty
 * `/v2/enqueue`). Every other segment can be a token, a key or a private ntfy topic, so it is
 * masked whatever it looks like.
 */
const PLAIN_SEGMENTS = new Set([
  'api',
  'webhooks',
  'webhook',
  'webhookb2',
  'incomingwebhook',
  'hooks',
  'hook',
  'services',
  'message',
  'messages',
  'messages.json',
  'sendmessage',
  'workflows',
  'triggers',
  'manual',
  'paths',
  'invoke',
  'enqueue',
  'v1',
  'v2',
  'v3',
  '1',
]);

/** Which path segments of a service's URL are credentials. */
function isSecretSegment(seg: string, index: number, segments: string[], service: string | undefined): boolean {
  if (seg === '') return false;
  // An ntfy topic is the only thing protecting it: whatever its name, it is the secret.
  if (service === 'ntfy') return true;
  const lower = seg.toLowerCase();
  if (PLAIN_SEGMENTS.has(lower)) return false;
  // Discord's webhook id (digits, right after /webhooks/) names the hook; the token follows it.
  if (/^\d{1,20}$/.test(seg) && segments[index - 1]?.toLowerCase() === 'webhooks') return false;
  return true;
}

export function maskUrl(raw: string, service?: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return SECRET_MASK;
  }
  if (u.username) u.username = SECRET_MASK;
  if (u.password) u.password = SECRET_MASK;
  const segments = u.pathname.split('/');
  u.pathname = segments.map((seg, i) => (isSecretSegment(seg, i, segments, service) ? SECRET_MASK : seg)).join('/');
  for (const key of [...u.searchParams.keys()]) {
    if (!PLAIN_QUERY.has(key.toLowerCase())) u.searchParams.set(key, SECRET_MASK);
  }
  return u.toString().replace(/%2A/gi, '*');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a stray % is not worth a 500
  }
}

/** Every secret a webhook holds, as it may appear in text (raw and URL-decoded). */
export function webhookSecrets(w: Pick<WebhookConfig, 'url' | 'service' | 'headers' | 'customFields'>): string[] {
  const out = new Set<string>();
  const add = (v: string | undefined) => {
    if (!v || v === SECRET_MASK) return;
    out.add(v);
    out.add(safeDecode(v));
  };
  add(w.url);
  try {
    const u = new URL(w.url);
    add(u.username);
    add(u.password);
    const segments = u.pathname.split('/');
    segments.forEach((seg, i) => {
      if (isSecretSegment(seg, i, segments, w.service)) add(seg);
    });
    for (const [k, v] of u.searchParams) if (!PLAIN_QUERY.has(k.toLowerCase())) add(v);
  } catch {
    // not a URL: the whole string was added above
  }
  for (const [k, v] of Object.entries(w.headers ?? {})) if (!PLAIN_HEADERS.has(k.toLowerCase())) add(v);
  for (const [k, v] of Object.entries(w.customFields ?? {})) if (SECRET_FIELD.test(k)) add(v);
  // Short values would blank out ordinary words in the message; they are not worth guessing.
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Removes a webhook's secrets from a text (an error message, a response body) before it is
 * stored, logged or returned: HTTP clients quote the URL they refused, receivers echo requests.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(SECRET_MASK);
  // A URL with user info is a secret however it was spelled.
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, `$1${SECRET_MASK}@`);
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
    url: maskUrl(w.url, w.service),
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
    url:
      incoming.url === maskUrl(stored.url, stored.service) || incoming.url === SECRET_MASK ? stored.url : incoming.url,
    headers: keep(incoming.headers, stored.headers) ?? {},
    ...(incoming.customFields ? { customFields: keep(incoming.customFields, stored.customFields) } : {}),
  };
}
