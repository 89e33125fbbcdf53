/**
 * GET /api/state (the frontend-shape state document) and GET /simple-stats (a small page that
 * shows live counts from /ws). The body of /api/state is the cached serialisation shared with
 * the WebSocket hub: one JSON.stringify per state version, whatever the number of readers.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppDeps } from '../deps.js';

const GZIP_MIN_BYTES = 16 * 1024;

/** True when Accept-Encoding lists gzip without `q=0`. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Writes a body that is kept in pieces (the cached state document) without first copying the
 * megabytes into one buffer.
 */
function sendPieces(reply: FastifyReply, pieces: Buffer[]): FastifyReply {
  if (pieces.length === 1) return reply.send(pieces[0]);
  let length = 0;
  for (const p of pieces) length += p.length;
  return reply.header('Content-Length', length).send(Readable.from(pieces));
}

export function registerStateRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/api/state', { config: { guard: 'authenticated' } }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store').header('Vary', 'Accept-Encoding').type('application/json; charset=utf-8');
    deps.snapshots.noteHttpRead();
    const body = deps.snapshots.frontendPieces();
    // A large estate's document is megabytes of repetitive JSON: gzip shrinks it ~10×, and the
    // compressed body is also built once per version (in zlib's thread pool, not the event loop).
    if (body.length > GZIP_MIN_BYTES && acceptsGzip(req.headers['accept-encoding'])) {
      const gz = await deps.snapshots.frontendGzip();
      reply.header('Content-Encoding', 'gzip');
      return sendPieces(reply, gz);
    }
    return sendPieces(reply, body.pieces);
  });

  // Public like the published API says; it holds no data itself. The figures come over /ws,
  // which keeps its own authentication, so nothing leaks to an unauthenticated visitor.
  app.get('/simple-stats', { config: { guard: 'public' } }, async (_req, reply) => {
    reply.header('Cache-Control', 'no-cache, no-store, must-revalidate');
    return reply.type('text/html; charset=utf-8').send(SIMPLE_STATS_PAGE);
  });
}

const SIMPLE_STATS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pulse – simple stats</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;background:#111827;color:#e5e7eb}
h1{font-size:1.25rem;margin:0 0 1rem}
table{border-collapse:collapse}td,th{padding:.3rem .9rem;text-align:left;border-bottom:1px solid #374151}
td.n{text-align:right;font-variant-numeric:tabular-nums}#status{margin-top:1rem;color:#9ca3af}
</style></head>
<body><h1>Pulse</h1>
<table><tbody>
<tr><th>Nodes online</th><td class="n" id="nodes">–</td></tr>
<tr><th>VMs running</th><td class="n" id="vms">–</td></tr>
<tr><th>Containers running</th><td class="n" id="cts">–</td></tr>
<tr><th>Storage</th><td class="n" id="storage">–</td></tr>
<tr><th>Active alerts</th><td class="n" id="alerts">–</td></tr>
<tr><th>Last update</th><td class="n" id="updated">–</td></tr>
</tbody></table>
<p id="status">connecting…</p>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  function count(list, pred) { var n = 0; (list || []).forEach(function (x) { if (pred(x)) n++; }); return n; }
  function show(s) {
    var nodes = s.nodes || [], vms = s.vms || [], cts = s.containers || [];
    $('nodes').textContent = count(nodes, function (n) { return n.status === 'online'; }) + ' / ' + nodes.length;
    $('vms').textContent = count(vms, function (g) { return g.status === 'running'; }) + ' / ' + vms.length;
    $('cts').textContent = count(cts, function (g) { return g.status === 'running'; }) + ' / ' + cts.length;
    $('storage').textContent = (s.storage || []).length;
    $('alerts').textContent = (s.activeAlerts || []).length;
    var t = typeof s.lastUpdate === 'number' ? new Date(s.lastUpdate) : new Date(s.lastUpdate || 0);
    $('updated').textContent = t.getTime() > 0 ? t.toLocaleTimeString() : '–';
  }
  function connect() {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    ws.onopen = function () { $('status').textContent = 'live'; };
    ws.onmessage = function (ev) {
      var msg; try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === 'initialState' || msg.type === 'rawData') show(msg.data || {});
    };
    ws.onclose = function () { $('status').textContent = 'disconnected – retrying'; setTimeout(connect, 5000); };
  }
  connect();
})();
</script></body></html>
`;
