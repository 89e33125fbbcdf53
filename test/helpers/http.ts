/**
 * Talking to a running Pulse (or the simulator's control API) the way a script does: JSON over
 * HTTP, the /ws feed, and `waitFor`, which polls a condition until a deadline (never a fixed sleep).
 */
import WebSocket from 'ws';

/**
 * JSON over HTTP, with `headers` (a token, a cookie) on top: the reply's status, its body parsed
 * (undefined when it is not JSON), its text and its headers.
 */
export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const sent = new Headers(headers);
  // Headers made for other clients (a browser session's) may carry their own Content-Type already.
  if (body !== undefined && !sent.has('content-type')) sent.set('content-type', 'application/json');
  const res = await fetch(`${base}${path}`, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read reply bodies field by field
  return { status: res.status, body: json as any, text, headers: res.headers };
}

/**
 * Polls `fn` until it returns something truthy; fails after `ms` with `what` and, when given,
 * a description of what was seen last (so a timeout says why).
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what: string,
  ms = 20_000,
  seen?: () => unknown,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) {
      const extra = seen ? `; last seen: ${JSON.stringify(seen()).slice(0, 2000)}` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${extra}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface WsEnvelope {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: messages are read field by field
  data: any;
}

/** Opens /ws and records every message. */
export async function openWs(httpUrl: string): Promise<{ messages: WsEnvelope[]; close(): void }> {
  const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/ws`);
  const messages: WsEnvelope[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as WsEnvelope));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { messages, close: () => ws.close() };
}

/** A URL for a route pattern, with placeholder values for its parameters and wildcard. */
export function concretePath(url: string): string {
  return url
    .split('/')
    .map((seg) => (seg.startsWith(':') ? 'placeholder-id' : seg === '*' ? 'placeholder' : seg))
    .join('/')
    .replace(/:[A-Za-z_]+/g, 'placeholder-id');
}
