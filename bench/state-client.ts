/**
 * The client side of bench/state-api.ts, run as a separate process so that its own work (reading
 * megabytes of JSON) does not count as server latency. Driven over IPC:
 *   {op:'ws'} opens /ws and counts bytes per message type
 *   {op:'get', path, n} → {times: ms[], bytes (decoded), wireBytes (as sent)} — gzip accepted
 *     and inflated with zlib, as curl --compressed, Python requests or a browser do it
 *   {op:'fetch', path, n} → the same through Node's fetch, which inflates through web streams
 *     (several times slower than zlib on a 20-MB body: a cost of that client, shown for comparison)
 *   {op:'asSent', path, n} → {times: ms[], wireBytes} — gzip accepted but not decoded: the time
 *     until the last byte as the server sent it (the server's share, without the client's inflating)
 *   {op:'identity', path, n} → the same without accept-encoding: the uncompressed body, to its last byte
 *   {op:'wsStats'} → {types: {type: {count, lastBytes}}}
 */
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { request } from 'undici';
import WebSocket from 'ws';

const base = process.argv[2];
const gunzipAsync = promisify(gunzip);
const types: Record<string, { count: number; lastBytes: number }> = {};
let socket: WebSocket | undefined;

function typeOf(text: Buffer): string {
  // Messages start with {"type":"<name>" — read the name without parsing megabytes.
  const head = text.subarray(0, 64).toString('utf8');
  return /^\{"type":"([^"]+)"/.exec(head)?.[1] ?? 'unknown';
}

process.on('message', async (msg: { op: string; path?: string; n?: number; id: number }) => {
  const reply = (body: unknown) => process.send?.({ id: msg.id, ...(body as object) });
  if (msg.op === 'ws') {
    socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
    socket.on('message', (data: Buffer) => {
      const t = typeOf(data);
      types[t] ??= { count: 0, lastBytes: 0 };
      types[t].count++;
      types[t].lastBytes = data.length;
    });
    socket.once('open', () => reply({ ok: true }));
  } else if (msg.op === 'wsStats') {
    reply({ types });
  } else if (msg.op === 'get') {
    const times: number[] = [];
    let bytes = 0;
    let wireBytes = 0;
    for (let i = 0; i < (msg.n ?? 1); i++) {
      const t = performance.now();
      const res = await request(`${base}${msg.path}`, { headers: { 'accept-encoding': 'gzip' } });
      const sent = Buffer.from(await res.body.arrayBuffer());
      const body = res.headers['content-encoding'] === 'gzip' ? await gunzipAsync(sent) : sent;
      times.push(performance.now() - t);
      bytes = body.byteLength;
      wireBytes = sent.byteLength;
      if (res.statusCode !== 200) return reply({ error: `HTTP ${res.statusCode}` });
    }
    reply({ times, bytes, wireBytes });
  } else if (msg.op === 'fetch') {
    const times: number[] = [];
    let bytes = 0;
    let wireBytes = 0;
    for (let i = 0; i < (msg.n ?? 1); i++) {
      const t = performance.now();
      const res = await fetch(`${base}${msg.path}`);
      const body = await res.arrayBuffer();
      times.push(performance.now() - t);
      bytes = body.byteLength;
      wireBytes = Number(res.headers.get('content-length') ?? body.byteLength);
      if (res.status !== 200) return reply({ error: `HTTP ${res.status}` });
    }
    reply({ times, bytes, wireBytes });
  } else if (msg.op === 'asSent' || msg.op === 'identity') {
    const times: number[] = [];
    let wireBytes = 0;
    // identity: no accept-encoding, so the server sends the uncompressed JSON.
    const headers: Record<string, string> = msg.op === 'asSent' ? { 'accept-encoding': 'gzip' } : {};
    for (let i = 0; i < (msg.n ?? 1); i++) {
      const t = performance.now();
      const res = await request(`${base}${msg.path}`, { headers });
      const body = await res.body.arrayBuffer();
      times.push(performance.now() - t);
      wireBytes = body.byteLength;
      if (res.statusCode !== 200) return reply({ error: `HTTP ${res.statusCode}` });
    }
    reply({ times, wireBytes });
  } else if (msg.op === 'exit') {
    socket?.close();
    process.exit(0);
  }
});
