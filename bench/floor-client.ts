/**
 * The floor of bench/poll-cycle.ts, run in its own process so that its garbage (13,000+ parsed
 * response bodies per cycle) does not land in the memory figures of the Pulse process being
 * measured. Driven over IPC:
 *   {op:'floor', pve, paths, how} → {wall, cpu} — `paths` fetched with plain undici Pools and
 *   parsed with JSON.parse, nothing else. `how`: 'request' (default) reads each body through
 *   undici's `request()` and `body.text()`, the plain way a script fetches; 'dispatch' through
 *   src/proxmox/fetch-text.ts, the way Pulse's client fetches. Live requests: 8 sockets, 16 in
 *   flight (as the poller); backup requests (tasks, backup listings, snapshots): 2 sockets, 2 in
 *   flight. The 'dispatch' pools also share one TLS context among their connections, as Pulse's
 *   client does; the 'request' pools keep Node's default of one per connection, as measured before.
 * The Pools live as long as the process, so sockets stay open between cycles like the poller's.
 * Pools, as the poller's client uses: undici 7's Agent opens a new connection for every call once
 * the host has closed one (PVE does every 100 requests; test/sim/connections.test.ts).
 */
import { performance } from 'node:perf_hooks';
import { createSecureContext } from 'node:tls';
import { Pool, request } from 'undici';
import { fetchText } from '../src/proxmox/fetch-text.js';
import { isBackupPath } from './backup-paths.js';

interface Target {
  url: string;
  tokenId: string;
  tokenSecret: string;
}

type How = 'request' | 'dispatch';

/** Per origin and way of fetching: the live requests' pool and the backup requests' pool. */
const pools = new Map<string, { live: Pool; backup: Pool }>();
function poolsFor(url: string, how: How): { live: Pool; backup: Pool } {
  const origin = new URL(url).origin;
  let p = pools.get(`${how} ${origin}`);
  if (!p) {
    const secureContext = how === 'dispatch' ? createSecureContext() : undefined;
    const pool = (connections: number) =>
      new Pool(origin, {
        connect: { rejectUnauthorized: false, secureContext },
        connections,
        keepAliveTimeout: 30_000,
      });
    p = { live: pool(8), backup: pool(2) };
    pools.set(`${how} ${origin}`, p);
  }
  return p;
}

async function floor(pve: Target, paths: string[], how: How) {
  const headers = { accept: 'application/json', authorization: `PVEAPIToken=${pve.tokenId}=${pve.tokenSecret}` };
  const pool = poolsFor(pve.url, how);
  const run = async (list: string[], dispatcher: Pool, inFlight: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < list.length) {
          const p = list[next++];
          if (how === 'dispatch') {
            const res = await fetchText(dispatcher, {
              method: 'GET',
              path: `/api2/json${p}`,
              headers,
              timeoutMs: 60_000,
            });
            if (res.status >= 200 && res.status < 300) JSON.parse(res.text);
            continue;
          }
          const res = await request(`${pve.url}/api2/json${p}`, { dispatcher, headers });
          const text = await res.body.text();
          if (res.statusCode >= 200 && res.statusCode < 300) JSON.parse(text);
        }
      }),
    );
  };
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await Promise.all([
    run(
      paths.filter((p) => !isBackupPath(p)),
      pool.live,
      16,
    ),
    run(paths.filter(isBackupPath), pool.backup, 2),
  ]);
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - w0, cpu: (c.user + c.system) / 1000 };
}

process.on('message', async (msg: { op: string; id: number; pve?: Target; paths?: string[]; how?: How }) => {
  if (msg.op === 'floor' && msg.pve && msg.paths) {
    process.send?.({ id: msg.id, ...(await floor(msg.pve, msg.paths, msg.how ?? 'request')) });
  } else if (msg.op === 'exit') {
    for (const p of pools.values()) await Promise.all([p.live.close(), p.backup.close()]);
    process.exit(0);
  }
});
