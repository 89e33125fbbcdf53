/**
 * Benchmark: /api/state, /ws and metric history at the scale of the simulator's `large` estate
 * (200 nodes, 10,000 guests). Prints figures; asserts nothing.
 *
 *   npx tsx bench/state-api.ts [--nodes 200] [--guests-per-node 50] [--commits 360]
 *
 * 1. Builds a synthetic state and commits it `commits` times, advancing a ManualClock by 10 s each
 *    time (360 commits = 1 h of simulated polling); every commit replaces every object, like a
 *    poll cycle, so history records every resource each time.
 * 2. Measures GET /api/state latency (p50/p95) and size, both served from the cache and right
 *    after a commit (serialisation included), and the bytes of one WS `rawData` update.
 * 3. Reports RSS and heap after the simulated hour, and /api/charts?range=1h latency and size.
 */
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../src/clock.js';
import { startTestPulse } from '../test/helpers/pulse.js';
import { TestWsClient, wsUrl } from '../test/ws/client.js';
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

async function timeGet(url: string): Promise<{ ms: number; bytes: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return { ms: performance.now() - t, bytes: body.byteLength };
}

async function main() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const pulse = await startTestPulse({ clock });
  const rssStart = process.memoryUsage().rss;
  const opts = { nodes: NODES, guestsPerNode: PER_NODE, now: clock.now() };
  console.log(`estate: ${NODES} nodes, ${NODES * PER_NODE} guests, ${NODES * 2} storages; ${COMMITS} commits at 10 s`);

  const ws = await TestWsClient.open(wsUrl(pulse.url));
  await ws.waitFor('initialState', 1, 60_000);
  const initialBytes = ws.rawSizes[ws.rawSizes.length - 1];

  let commitMs = 0;
  for (let i = 0; i < COMMITS; i++) {
    clock.advance(10_000);
    const t = performance.now();
    commitSynthetic(pulse.deps.state, { ...opts, now: clock.now(), tick: i });
    commitMs += performance.now() - t;
    // Let the hub coalesce and send, as it would between real polls.
    if (i % 30 === 29) await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, pulse.deps.wsHub.coalesceMs + 200));
  const wsUpdates = ws.messages.filter((m) => m.type === 'rawData').length;
  const wsUpdateBytes = ws.rawSizes[ws.rawSizes.length - 1];
  ws.messages.length = 0;

  // /api/state served from the cache.
  const cached: number[] = [];
  let stateBytes = 0;
  for (let i = 0; i < 100; i++) {
    const r = await timeGet(`${pulse.url}/api/state`);
    cached.push(r.ms);
    stateBytes = r.bytes;
  }
  // /api/state right after a commit: includes the one serialisation of the new version.
  const fresh: number[] = [];
  for (let i = 0; i < 20; i++) {
    clock.advance(10_000);
    commitSynthetic(pulse.deps.state, { ...opts, now: clock.now(), tick: COMMITS + i });
    fresh.push((await timeGet(`${pulse.url}/api/state`)).ms);
  }
  const serialisationsBefore = pulse.deps.snapshots.serialisations;
  const all = [...cached, ...fresh];

  const chart = await timeGet(`${pulse.url}/api/charts?range=1h`);
  const mem = process.memoryUsage();

  const serialiseStart = performance.now();
  JSON.stringify(pulse.deps.snapshots.frontendDocument());
  const serialiseMs = performance.now() - serialiseStart;

  const rows = (pulse.deps.db.prepare('SELECT COUNT(*) AS n, SUM(LENGTH(data)) AS b FROM metric_chunks').get() ?? {
    n: 0,
    b: 0,
  }) as { n: number; b: number };

  console.log('');
  console.log('| figure | value |');
  console.log('|---|---|');
  console.log(`| /api/state size | ${mb(stateBytes)} |`);
  console.log(
    `| /api/state p50 / p95 (cached, 100 requests) | ${pct(cached, 50).toFixed(1)} / ${pct(cached, 95).toFixed(1)} ms |`,
  );
  console.log(
    `| /api/state p50 / p95 (first after a commit, 20 requests) | ${pct(fresh, 50).toFixed(1)} / ${pct(fresh, 95).toFixed(1)} ms |`,
  );
  console.log(`| /api/state p95 overall | ${pct(all, 95).toFixed(1)} ms |`);
  console.log(`| one full serialisation (JSON.stringify) | ${serialiseMs.toFixed(1)} ms |`);
  console.log(`| WS initialState (raw shape) | ${mb(initialBytes)} |`);
  console.log(`| WS bytes per rawData update | ${mb(wsUpdateBytes)} |`);
  console.log(`| WS updates for ${COMMITS} back-to-back commits (coalesced) | ${wsUpdates} |`);
  console.log(`| commit + history record, mean per commit | ${(commitMs / COMMITS).toFixed(1)} ms |`);
  console.log(`| /api/charts?range=1h | ${chart.ms.toFixed(0)} ms, ${mb(chart.bytes)} |`);
  console.log(
    `| history: series in memory / chunks in SQLite | ${pulse.deps.history.size} / ${rows.n} (${mb(rows.b ?? 0)}) |`,
  );
  console.log(`| RSS at start / after 1 h of history | ${mb(rssStart)} / ${mb(mem.rss)} |`);
  console.log(`| heap used / external+arrayBuffers | ${mb(mem.heapUsed)} / ${mb(mem.external + mem.arrayBuffers)} |`);
  console.log(`| serialisations during the 20 fresh requests | ${serialisationsBefore} total so far |`);

  ws.close();
  await pulse.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
