/**
 * The floor of bench/poll-cycle.ts, run in its own process so that its garbage (13,000+ parsed
 * response bodies per cycle) does not land in the memory figures of the Pulse process being
 * measured. Driven over IPC:
 *   {op:'floor', pve, paths} → {wall, cpu} — `paths` fetched with plain undici Agents and parsed
 *   with JSON.parse, nothing else. Live requests: 8 sockets, 16 in flight (as the poller); backup
 *   requests (tasks, backup listings, snapshots): 2 sockets, 2 in flight.
 * The Agents live as long as the process, so sockets stay open between cycles like the poller's.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { isBackupPath } from './backup-paths.js';

interface Target {
  url: string;
  tokenId: string;
  tokenSecret: string;
}

const agents = {
  live: new Agent({ connect: { rejectUnauthorized: false }, connections: 8, keepAliveTimeout: 30_000 }),
  backup: new Agent({ connect: { rejectUnauthorized: false }, connections: 2, keepAliveTimeout: 30_000 }),
};

async function floor(pve: Target, paths: string[]) {
  const headers = { accept: 'application/json', authorization: `PVEAPIToken=${pve.tokenId}=${pve.tokenSecret}` };
  const run = async (list: string[], dispatcher: Agent, inFlight: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < list.length) {
          const p = list[next++];
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
      agents.live,
      16,
    ),
    run(paths.filter(isBackupPath), agents.backup, 2),
  ]);
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - w0, cpu: (c.user + c.system) / 1000 };
}

process.on('message', async (msg: { op: string; id: number; pve?: Target; paths?: string[] }) => {
  if (msg.op === 'floor' && msg.pve && msg.paths) {
    process.send?.({ id: msg.id, ...(await floor(msg.pve, msg.paths)) });
  } else if (msg.op === 'exit') {
    await agents.live.close();
    await agents.backup.close();
    process.exit(0);
  }
});
