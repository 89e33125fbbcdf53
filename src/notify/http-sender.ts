/**
 * Sends one webhook request: a timeout, at most 3 redirects each re-checked against the URL
 * policy (a public URL must not bounce us to localhost or a metadata service), and the first
 * 2 KiB of the reply kept for history and the test route.
 */
import type { WebhookRequest } from './services/request.js';
import { checkWebhookUrl } from './url-policy.js';

export interface HttpResult {
  status: number;
  body: string;
  /** Seconds from a Retry-After header, when present. */
  retryAfterSec?: number;
}

export class HttpSendError extends Error {
  constructor(
    message: string,
    /** False when trying again cannot help (URL refused by policy). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'HttpSendError';
  }
}

const MAX_REDIRECTS = 3;
const MAX_BODY = 2048;

function retryAfter(h: string | null): number | undefined {
  if (!h) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h.trim());
  const t = Date.parse(h);
  return Number.isFinite(t) ? Math.max(0, Math.ceil((t - Date.now()) / 1000)) : undefined;
}

export async function sendHttp(
  req: WebhookRequest,
  opts: { timeoutMs: number; allowLoopback: boolean; signal?: AbortSignal },
): Promise<HttpResult> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let url = req.url;
  let method = req.method;
  let body: string | undefined = method === 'GET' || method === 'HEAD' ? undefined : req.body;
  for (let hop = 0; ; hop++) {
    const refused = checkWebhookUrl(url, opts.allowLoopback);
    if (refused) throw new HttpSendError(refused, false);
    let res: Response;
    try {
      res = await fetch(url, { method, headers: req.headers, body, redirect: 'manual', signal });
    } catch (err) {
      if (timeout.aborted) throw new HttpSendError(`request timed out after ${opts.timeoutMs / 1000}s`, true);
      if (opts.signal?.aborted) throw new HttpSendError('delivery stopped', true);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new HttpSendError(cause?.code ?? cause?.message ?? (err as Error).message, true);
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new HttpSendError('too many redirects', false);
      url = new URL(res.headers.get('location') as string, url).toString();
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    let text = '';
    try {
      text = (await res.text()).slice(0, MAX_BODY);
    } catch {
      // A reply body that breaks off does not change the status we got.
    }
    return { status: res.status, body: text, retryAfterSec: retryAfter(res.headers.get('retry-after')) };
  }
}
