/**
 * GET /simple-stats: a small page with live counts from /ws (published API "Simple Statistics").
 *
 * Our Content-Security-Policy allows scripts from our own origin only (`script-src 'self'`), so
 * the page's script is served as a file of its own (/simple-stats.js) rather than inline, where
 * the browser would refuse to run it and the page would never leave "connecting…".
 */
import type { FastifyInstance } from 'fastify';

export function registerSimpleStatsRoutes(app: FastifyInstance): void {
  // Public like the published API says; it holds no data itself. The figures come over /ws,
  // which keeps its own authentication, so nothing leaks to an unauthenticated visitor.
  app.get('/simple-stats', { config: { guard: 'public' } }, async (_req, reply) => {
    reply.header('Cache-Control', 'no-cache, no-store, must-revalidate');
    return reply.type('text/html; charset=utf-8').send(SIMPLE_STATS_PAGE);
  });
  app.get('/simple-stats.js', { config: { guard: 'public' } }, async (_req, reply) => {
    reply.header('Cache-Control', 'no-cache, no-store, must-revalidate');
    return reply.type('text/javascript; charset=utf-8').send(SIMPLE_STATS_SCRIPT);
  });
}

const SIMPLE_STATS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pulse – simple stats</title><link rel="icon" href="data:,">
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
<script src="/simple-stats.js"></script>
</body></html>
`;

const SIMPLE_STATS_SCRIPT = `(function () {
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
`;
