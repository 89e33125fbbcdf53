/**
 * The client side of bench/state-api.ts, run as a separate process so that its own work (reading
 * megabytes of JSON) does not count as server latency. Driven over IPC:
 *   {op:'ws', path?} opens /ws (or `path`, e.g. /ws?deltas=2) and counts bytes per message type
 *   {op:'get', path, n} → {times: ms[], bytes (decoded), wireBytes (as sent)} — gzip accepted
 *     and inflated with zlib, as curl --compressed, Python requests or a browser do it
 *   {op:'fetch', path, n} → the same through Node's fetch, which inflates through web streams
 *     (several times slower than zlib on a 20-MB body: a cost of that client, shown for comparison)
 *   {op:'asSent', path, n} → {times: ms[], wireBytes} — gzip accepted but not decoded: the time
 *     until the last byte as the server sent it (the server's share, without the client's inflating)
 *   {op:'identity', path, n} → the same without accept-encoding: the uncompressed body, to its last byte
 *   Each read op also returns clientGc: ms[], this process's own GC pauses during each read.
 *   {op:'wsStats'} → {types: {type: {count, lastBytes}}}
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { request } from 'undici';
import WebSocket from 'ws';

const base = process.argv[2];
const gunzipAsync = promisify(gunzip);
const types: Record<string, { count: number; lastBytes: number }> = {};
let socket: WebSocket | undefined;
/** This process's own GC pauses (start, duration), so a read's time can say how much was ours. */
const pauses: Array<[number, number]> = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) pauses.push([e.startTime, e.duration]);
  if (pauses.length > 10_000) pauses.splice(0, 5_000);
}).observe({ entryTypes: ['gc'] });
/** Milliseconds of this process's GC pauses that began between `from` and `to`. */
function gcBetween(from: number, to: number): number {
  let ms = 0;
  for (const [start, d] of pauses) if (start >= from && start <= to) ms += d;
  return ms;
}

function typeOf(text: Buffer): string {
  // Messages start with {"type":"<name>" — read the name without parsing megabytes.
  const head = text.subarray(0, 64).toString('utf8');
  return /^\{"type":"([^"]+)"/.exec(head)?.[1] ?? 'unknown';
}

interface Reading {
  status: number;
  /** Body bytes as the client ends up with them (decoded when it decodes). */
  bytes: number;
  /** Body bytes as sent. */
  wireBytes: number;
}

/** One request per op, read to its last byte the way that op's client does. */
const READERS: Record<string, (url: string) => Promise<Reading>> = {
  // gzip accepted and inflated with zlib.
  async get(url) {
    const res = await request(url, { headers: { 'accept-encoding': 'gzip' } });
    const sent = Buffer.from(await res.body.arrayBuffer());
    const body = res.headers['content-encoding'] === 'gzip' ? await gunzipAsync(sent) : sent;
    return { status: res.statusCode, bytes: body.byteLength, wireBytes: sent.byteLength };
  },
  // Node's fetch: accepts gzip itself and inflates through web streams.
  async fetch(url) {
    const res = await fetch(url);
    const body = await res.arrayBuffer();
    const wireBytes = Number(res.headers.get('content-length') ?? body.byteLength);
    return { status: res.status, bytes: body.byteLength, wireBytes };
  },
  // gzip accepted, not decoded.
  async asSent(url) {
    const res = await request(url, { headers: { 'accept-encoding': 'gzip' } });
    const n = (await res.body.arrayBuffer()).byteLength;
    return { status: res.statusCode, bytes: n, wireBytes: n };
  },
  // No accept-encoding: the server sends the uncompressed JSON.
  async identity(url) {
    const res = await request(url);
    const n = (await res.body.arrayBuffer()).byteLength;
    return { status: res.statusCode, bytes: n, wireBytes: n };
  },
};

process.on('message', async (msg: { op: string; path?: string; n?: number; id: number }) => {
  const reply = (body: unknown) => process.send?.({ id: msg.id, ...(body as object) });
  if (msg.op === 'ws') {
    // `path` picks the protocol: /ws (rawData, the default) or /ws?deltas=2 (what the web UI opens).
    socket = new WebSocket(`${base.replace(/^http/, 'ws')}${msg.path ?? '/ws'}`);
    socket.on('message', (data: Buffer) => {
      const t = typeOf(data);
      types[t] ??= { count: 0, lastBytes: 0 };
      types[t].count++;
      types[t].lastBytes = data.length;
    });
    socket.once('open', () => reply({ ok: true }));
  } else if (msg.op === 'wsStats') {
    reply({ types });
  } else if (msg.op in READERS) {
    const read = READERS[msg.op];
    const times: number[] = [];
    const clientGc: number[] = [];
    let last: Reading | undefined;
    for (let i = 0; i < (msg.n ?? 1); i++) {
      const t = performance.now();
      last = await read(`${base}${msg.path}`);
      const end = performance.now();
      times.push(end - t);
      // GC entries are delivered after the pause: let this turn's entries arrive first.
      await new Promise((r) => setImmediate(r));
      clientGc.push(gcBetween(t, end));
      if (last.status !== 200) return reply({ error: `HTTP ${last.status}` });
    }
    reply({ times, clientGc, bytes: last?.bytes ?? 0, wireBytes: last?.wireBytes ?? 0 });
  } else if (msg.op === 'exit') {
    socket?.close();
    process.exit(0);
  }
});
