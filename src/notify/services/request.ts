/**
 * Turns a webhook's configuration and a batch into the exact HTTP request to send (pure).
 *
 * - Body: the webhook's custom template, else the generic live shape (service generic), else the
 *   service's built-in template. JSON services must produce valid JSON: the body is checked and
 *   re-serialised compactly. If a custom template does not escape its strings (the published
 *   example `"{{.Message}}"` breaks on a quote), it is rendered once more with every string of the
 *   data pre-escaped for JSON; only when that fails too is the payload refused.
 * - URL: may contain template placeholders; Telegram's `?chat_id=` is taken out of it.
 * - Headers: Content-Type and User-Agent, then the user's headers, except values containing `{{`
 *   (the contract drops them) and PagerDuty's `routing_key` (it belongs in the body).
 */
import type { WebhookConfig } from '../../model/notifications.js';
import { genericPayload, type NotificationBatch, templateData } from '../batch.js';
import { checkJson } from '../json-check.js';
import { compileTemplate, GoFloat, jsonEscape, TemplateError } from '../template/index.js';
import { serviceDef } from './catalog.js';

export interface WebhookRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** The payload cannot be built; retrying will not help (bad template, missing chat id …). */
export class PayloadError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(message);
    this.name = 'PayloadError';
  }
}

export const USER_AGENT = 'Pulse-Monitoring/2.0';

export interface RequestContext {
  now: number;
  publicUrl: string;
}

const NTFY_PRIORITY = { critical: '5', warning: '4', resolved: '3' } as const;

function escapeStrings(v: unknown): unknown {
  if (typeof v === 'string') return jsonEscape(v);
  if (Array.isArray(v)) return v.map(escapeStrings);
  if (v && typeof v === 'object' && !(v instanceof GoFloat)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeStrings(x)]));
  }
  return v;
}

function render(source: string, data: unknown, name: string): string {
  try {
    return compileTemplate(source, name).execute(data);
  } catch (err) {
    if (err instanceof TemplateError) throw new PayloadError(err.message, err.line, err.col);
    // Anything else (a string too long to build, …) is still this template's fault, not a 500.
    throw new PayloadError(`template could not be rendered: ${(err as Error).message}`);
  }
}

/** HTTP header values must be Latin-1; ntfy reads RFC 2047 encoded words for anything else. */
function headerText(s: string): string {
  const oneLine = s.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(oneLine) ? oneLine : `=?UTF-8?B?${Buffer.from(oneLine, 'utf8').toString('base64')}?=`;
}

/**
 * The Bot API takes a numeric chat id (negative for groups and channels) or a public channel's
 * username as `@name` (5–32 letters, digits or underscores, starting with a letter).
 */
const TELEGRAM_CHAT_ID = /^(-?\d+|@[A-Za-z][A-Za-z0-9_]{4,31})$/;

export function splitTelegramUrl(raw: string, fallbackChatId = ''): { url: string; chatId: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PayloadError('URL is not valid');
  }
  const chatId = url.searchParams.get('chat_id') ?? fallbackChatId;
  if (!TELEGRAM_CHAT_ID.test(chatId)) {
    throw new PayloadError('Telegram URL needs a ?chat_id= parameter: a numeric chat id or a channel as @channelname');
  }
  url.searchParams.delete('chat_id');
  return { url: url.toString(), chatId };
}

export function buildWebhookRequest(
  hook: WebhookConfig,
  batch: NotificationBatch,
  ctx: RequestContext,
): WebhookRequest {
  const service = hook.service || 'generic';
  const def = serviceDef(service);
  const customFields: Record<string, string> = { ...(hook.customFields ?? {}) };
  if (service === 'pagerduty') {
    const key = hook.headers.routing_key ?? hook.headers['Routing-Key'] ?? customFields.routing_key;
    if (!key) throw new PayloadError('PagerDuty needs a routing key (routing_key header or custom field)');
    customFields.routing_key = key;
  }

  let url = hook.url;
  let chatId = customFields.chat_id ?? '';
  const baseData = templateData(batch, { now: ctx.now, publicUrl: ctx.publicUrl, customFields, chatId });
  if (url.includes('{{')) url = render(url, baseData, 'url');
  if (service === 'telegram') {
    ({ url, chatId } = splitTelegramUrl(url, chatId));
  }
  const data = { ...baseData, ChatID: chatId };

  let body: string;
  const custom = hook.template?.trim() ? hook.template : '';
  if (custom) {
    body = render(custom, data, 'template');
    if (def.json && checkJson(body)) {
      const retry = render(custom, escapeStrings(data), 'template');
      if (!checkJson(retry)) body = retry;
    }
  } else if (service === 'generic') {
    body = JSON.stringify(genericPayload(batch, ctx.now));
  } else {
    body = render(def.payloadTemplate, data, service);
  }
  if (def.json) {
    const err = checkJson(body);
    if (err) {
      throw new PayloadError(`payload is not valid JSON at ${err.line}:${err.col}: ${err.message}`, err.line, err.col);
    }
    body = JSON.stringify(JSON.parse(body));
  }

  const headers: Record<string, string> = {
    'Content-Type': def.json ? 'application/json' : 'text/plain; charset=utf-8',
    'User-Agent': USER_AGENT,
  };
  for (const [k, v] of Object.entries(hook.headers ?? {})) {
    if (typeof v !== 'string' || v.includes('{{')) continue;
    if (service === 'pagerduty' && /^routing[_-]key$/i.test(k)) continue;
    // Same header in another case replaces ours instead of duplicating it.
    for (const existing of Object.keys(headers))
      if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
    headers[k] = v;
  }
  if (service === 'ntfy') {
    const first = batch.alerts[0];
    const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
    const level = batch.event === 'resolved' ? 'resolved' : first?.level === 'critical' ? 'critical' : 'warning';
    if (!has('title')) {
      const title = render(
        '{{if .Resolved}}Resolved: {{else}}Pulse Alert: {{end}}{{title .Level}}{{with .ResourceName}} - {{.}}{{end}}',
        data,
        'ntfy-title',
      );
      headers.Title = headerText(title);
    }
    if (!has('priority')) headers.Priority = NTFY_PRIORITY[level];
    if (!has('tags'))
      headers.Tags = level === 'resolved' ? 'white_check_mark' : level === 'critical' ? 'rotating_light' : 'warning';
  }
  return { url, method: (hook.method || 'POST').toUpperCase(), headers, body };
}
