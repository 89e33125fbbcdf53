/**
 * Benchmark: /api/state, /ws and metric history at the scale of the simulator's `large` estate
 * (200 nodes, 10,000 guests). Prints figures; asserts nothing.
 *
 *   node --expose-gc --import tsx bench/state-api.ts [--nodes 200] [--guests-per-node 50] [--commits 360]
 *
 * (`npx tsx bench/state-api.ts` works too; --expose-gc adds the live-memory figures after a GC.)
 *
 * The server runs in this process; HTTP and WebSocket clients run in a child process
 * (bench/state-client.ts) so their JSON handling does not count as server latency.
 * 1. Builds a synthetic state and commits it `commits` times, advancing a ManualClock by 10 s each
 *    time (360 commits = 1 h of simulated polling). Every commit replaces every object, like a
 *    poll cycle, so history records every resource each time; history's flush (60 s) and
 *    checkpoint (5 min) run on the simulated schedule.
 * 2. Measures GET /api/state latency (p50/p95) and size, served from the cache and as the first
 *    request after a commit (serialisation included), and the bytes of WS messages.
 * 3. Reports RSS and heap after the simulated hour, and /api/charts latency and size.
 */
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../src/clock.js';
import { startTestPulse } from '../test/helpers/pulse.js';
import { type Get, startHelper, type WsStats } from './helper-process.js';
import { commitSynthetic } from './state-fixture.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const NODES = arg('nodes', 200);
const PER_NODE = arg('guests-per-node', 50);
const COMMITS = arg('commits', 360);

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const tick = () => new Promise((r) => setImmediate(r));

async function main() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const pulse = await startTestPulse({ clock });
  const rssStart = process.memoryUsage().rss;
  const opts = { nodes: NODES, guestsPerNode: PER_NODE, now: clock.now() };
  console.log(`estate: ${NODES} nodes, ${NODES * PER_NODE} guests, ${NODES * 2} storages; ${COMMITS} commits at 10 s`);
  commitSynthetic(pulse.deps.state, { ...opts, tick: 0 });

  const client = startHelper('state-client.ts', [pulse.url]);
  const call = client.call;

  await call({ op: 'ws' });
  let commitMs = 0;
  let commitMax = 0;
  let writeMax = 0;
  for (let i = 1; i <= COMMITS; i++) {
    clock.advance(10_000);
    const t = performance.now();
    commitSynthetic(pulse.deps.state, { ...opts, now: clock.now(), tick: i });
    const dt = performance.now() - t;
    commitMs += dt;
    commitMax = Math.max(commitMax, dt);
    const w = performance.now();
    if (i % 6 === 0) pulse.deps.history.flush(); // the 60-s flush timer
    if (i % 30 === 0) pulse.deps.history.checkpoint(); // the 5-min checkpoint timer
    writeMax = Math.max(writeMax, performance.now() - w);
    await tick();
  }
  await new Promise((r) => setTimeout(r, pulse.deps.wsHub.coalesceMs + 500));
  const queued = pulse.deps.history.queuedParts;
  while (pulse.deps.history.queuedParts > 0) await new Promise((r) => setTimeout(r, 50));
  // Memory after the simulated hour, before the request measurements allocate their replies.
  const memHour = process.memoryUsage();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const memLive = gc ? process.memoryUsage() : undefined;

  const cached = await call<Get>({ op: 'get', path: '/api/state', n: 100 });
  const fresh: number[] = [];
  for (let i = 0; i < 20; i++) {
    clock.advance(10_000);
    commitSynthetic(pulse.deps.state, { ...opts, now: clock.now(), tick: COMMITS + i + 1 });
    fresh.push(...(await call<Get>({ op: 'get', path: '/api/state', n: 1 })).times);
  }
  // Requests arriving a second after a commit: the hub's coalesced tick has pre-built the body.
  const later: number[] = [];
  for (let i = 0; i < 20; i++) {
    clock.advance(10_000);
    commitSynthetic(pulse.deps.state, { ...opts, now: clock.now(), tick: COMMITS + 100 + i });
    await new Promise((r) => setTimeout(r, 1000));
    later.push(...(await call<Get>({ op: 'get', path: '/api/state', n: 1 })).times);
  }
  await new Promise((r) => setTimeout(r, pulse.deps.wsHub.coalesceMs + 500));
  const ws = await call<WsStats>({ op: 'wsStats' });
  const charts: Record<string, Get> = {};
  for (const range of ['1h', '24h', '7d'])
    charts[range] = await call<Get>({ op: 'get', path: `/api/charts?range=${range}`, n: 3 });

  const t0 = performance.now();
  JSON.stringify(pulse.deps.snapshots.frontendDocument());
  const serialiseMs = performance.now() - t0;
  // Serialising a version in which every guest is new (a PVE poll) vs one in which only another
  // slice changed (PBS, alerts): the second reuses the cached per-object fragments.
  clock.advance(10_000);
  commitSynthetic(pulse.deps.state, { ...opts, now: clock.now(), tick: COMMITS + 500 });
  let t1 = performance.now();
  pulse.deps.snapshots.frontendPieces();
  const allNewMs = performance.now() - t1;
  pulse.deps.state.commit((d) => {
    d.connectionHealth = { ...d.connectionHealth, 'pbs-backup': true };
  });
  t1 = performance.now();
  pulse.deps.snapshots.frontendPieces();
  const reuseMs = performance.now() - t1;
  const slabs = pulse.deps.db.prepare('SELECT COUNT(*) AS n, SUM(LENGTH(data)) AS b FROM metric_slabs').get() as {
    n: number;
    b: number | null;
  };
  const all = [...cached.times, ...fresh, ...later];

  console.log('');
  console.log('| figure | value |');
  console.log('|---|---|');
  console.log(`| /api/state size (JSON / gzip on the wire) | ${mb(cached.bytes)} / ${mb(cached.wireBytes)} |`);
  console.log(
    `| /api/state p50 / p95, cached (100 requests) | ${pct(cached.times, 50).toFixed(1)} / ${pct(cached.times, 95).toFixed(1)} ms |`,
  );
  console.log(
    `| /api/state p50 / p95, first after a commit (20) | ${pct(fresh, 50).toFixed(1)} / ${pct(fresh, 95).toFixed(1)} ms |`,
  );
  console.log(
    `| /api/state p50 / p95, 1 s after a commit (20) | ${pct(later, 50).toFixed(1)} / ${pct(later, 95).toFixed(1)} ms |`,
  );
  console.log(`| /api/state p95, all ${all.length} requests | ${pct(all, 95).toFixed(1)} ms |`);
  console.log(`| one JSON.stringify of the whole document | ${serialiseMs.toFixed(1)} ms |`);
  console.log(
    `| serialising a new version: every guest new / only another slice changed | ${allNewMs.toFixed(1)} / ${reuseMs.toFixed(1)} ms |`,
  );
  console.log(`| WS initialState (raw shape) | ${mb(ws.types.initialState?.lastBytes ?? 0)} |`);
  console.log(`| WS bytes per rawData update | ${mb(ws.types.rawData?.lastBytes ?? 0)} |`);
  console.log(`| WS rawData updates for ${COMMITS + 40} commits (coalesced) | ${ws.types.rawData?.count ?? 0} |`);
  console.log(
    `| commit (state + history + listeners), mean / max | ${(commitMs / COMMITS).toFixed(1)} / ${commitMax.toFixed(1)} ms |`,
  );
  console.log(`| history flush/checkpoint call, longest (queues only) | ${writeMax.toFixed(1)} ms |`);
  console.log(
    `| longest single history write (one part, ≤ 512 resources) | ${pulse.deps.history.counters.maxWriteMs.toFixed(1)} ms |`,
  );
  console.log(`| history parts still queued after the hour (drained before measuring) | ${queued} |`);
  for (const [range, r] of Object.entries(charts)) {
    console.log(
      `| /api/charts?range=${range}: first / repeated (cached until the next commit) | ${r.times[0].toFixed(0)} / ${pct(r.times.slice(1), 50).toFixed(0)} ms, ${mb(r.bytes)} (${mb(r.wireBytes)} gzip) |`,
    );
  }
  console.log(
    `| history: resources / slabs in SQLite | ${pulse.deps.history.size} / ${slabs.n} (${mb(slabs.b ?? 0)}) |`,
  );
  console.log(`| RSS at start / after the simulated hour | ${mb(rssStart)} / ${mb(memHour.rss)} |`);
  console.log(
    `| heap used / heap total / array buffers after the hour | ${mb(memHour.heapUsed)} / ${mb(memHour.heapTotal)} / ${mb(memHour.arrayBuffers)} |`,
  );
  if (memLive) {
    console.log(
      `| after a full GC: RSS / live heap / array buffers | ${mb(memLive.rss)} / ${mb(memLive.heapUsed)} / ${mb(memLive.arrayBuffers)} |`,
    );
  }
  console.log(`| full-state serialisations in the run | ${pulse.deps.snapshots.serialisations} |`);

  client.stop();
  await pulse.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
