/**
 * Benchmark: bytes a browser receives per update and per chart refresh, at the scale of the
 * simulator's `large` estate (200 nodes, 10,000 guests, synthetic state). Prints figures; asserts
 * nothing.
 *
 *   node --expose-gc --import tsx bench/ws-deltas.ts [--nodes 200] [--guests-per-node 50] [--commits 360] [--visible 40]
 *   node --expose-gc --import tsx bench/ws-deltas.ts --polled large [--polls 3]
 *
 * 1. Commits the synthetic state `commits` times at 10-s steps (360 = one simulated hour), so the
 *    metric history holds an hour. Every commit replaces every node, guest and storage with new
 *    values, as a poll of the simulator does (every running guest's cpu, memory, counters and
 *    uptime move on each poll).
 * 2. Steady state over /ws: a plain client and a client of each delta encoding (`?deltas=1`,
 *    `?deltas=2`) on the same hub; for 6 updates, the bytes of each `rawData` and each
 *    `stateDelta` (uncompressed, as sent), the delta's size deflated (what permessage-deflate
 *    would send, without context takeover) and the time the hub spent on the update. Then the
 *    same with only 5 % of the guests changed per update.
 * 3. /api/charts?range=1h: the whole estate, and the visible rows only (`--visible` guests and
 *    their node, `metrics=cpu`, as the dashboard asks), uncompressed and gzipped.
 *
 * With `--polled <estate>` it measures instead the real polled document: Pulse polling the
 * simulator's estate (backups included), see bench/ws-deltas-polled.ts.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { deflateRawSync, gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { ManualClock } from '../src/clock.js';
import type { PulseState } from '../src/model/state.js';
import { startTestPulse } from '../test/helpers/pulse.js';
import { commitSynthetic, syntheticState } from './state-fixture.js';
import { measurePolled } from './ws-deltas-polled.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const NODES = arg('nodes', 200);
const PER_NODE = arg('guests-per-node', 50);
const COMMITS = arg('commits', 360);
const VISIBLE = arg('visible', 40);
const POLLED = process.argv.includes('--polled') ? process.argv[process.argv.indexOf('--polled') + 1] : undefined;

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A client that records the size of every message of the given type. */
function recorder(url: string, type: string): Promise<{ sizes: number[]; texts: string[]; ws: WebSocket }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const rec = { sizes: [] as number[], texts: [] as string[], ws };
  const prefix = `{"type":"${type}"`;
  ws.on('message', (data) => {
    const buf = data as Buffer;
    if (buf.subarray(0, prefix.length).toString() !== prefix) return;
    rec.sizes.push(buf.length);
    if (type === 'stateDelta') rec.texts.push(buf.toString('utf8'));
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(rec));
    ws.once('error', reject);
  });
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
}

async function main() {
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (POLLED) {
    await measurePolled(POLLED, arg('polls', 3), (s) => process.stderr.write(`[ws-deltas] ${s}\n`));
    return;
  }
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const pulse = await startTestPulse({ clock });
  const hub = pulse.deps.wsHub;
  hub.coalesceMs = 1e9; // updates only when the benchmark says
  const opts = { nodes: NODES, guestsPerNode: PER_NODE, now: clock.now() };
  console.log(`estate: ${NODES} nodes, ${NODES * PER_NODE} guests; ${COMMITS} commits at 10 s`);
  for (let i = 0; i <= COMMITS; i++) {
    commitSynthetic(pulse.deps.state, { ...opts, now: clock.now(), tick: i });
    if (i % 6 === 0) pulse.deps.history.flush();
    if (i % 30 === 0) pulse.deps.history.checkpoint();
    clock.advance(10_000);
    await new Promise((r) => setImmediate(r));
  }

  const wsBase = pulse.url.replace(/^http/, 'ws');
  const plain = await recorder(`${wsBase}/ws`, 'rawData');
  const deltas = [
    await recorder(`${wsBase}/ws?deltas=1`, 'stateDelta'),
    await recorder(`${wsBase}/ws?deltas=2`, 'stateDelta'),
  ];
  await until(() => hub.deltaVersion > 0);

  const steady = async (label: string, change: (tick: number) => void) => {
    const before = { plain: plain.sizes.length, deltas: deltas.map((d) => d.sizes.length) };
    const diffMs: number[] = [];
    for (let k = 1; k <= 6; k++) {
      change(COMMITS + k);
      clock.advance(10_000);
      const t = performance.now();
      hub.broadcastState();
      diffMs.push(performance.now() - t);
      await until(
        () => plain.sizes.length >= before.plain + k && deltas.every((d, i) => d.sizes.length >= before.deltas[i] + k),
      );
    }
    const full = median(plain.sizes.slice(before.plain));
    const parts = deltas.map((delta, i) => {
      const d = median(delta.sizes.slice(before.deltas[i]));
      const deflated = median(delta.texts.slice(before.deltas[i]).map((t) => deflateRawSync(t).length));
      return `encoding ${i + 1}: ${kb(d)} (${((d / full) * 100).toFixed(1)} % of rawData), ${kb(deflated)} deflated`;
    });
    console.log(
      `${label}: rawData ${mb(full)} per update; stateDelta ${parts.join('; ')}; ` +
        `broadcast (both deltas + rawData to 3 clients) median ${median(diffMs).toFixed(0)} ms`,
    );
  };

  // Every node, guest and storage re-polled with new values.
  await steady('every guest changed', (tick) => commitSynthetic(pulse.deps.state, { ...opts, now: clock.now(), tick }));
  // A quiet estate: 5 % of the guests changed, the rest kept (the same objects).
  await steady('5 % of guests changed', (tick) => {
    const next = syntheticState({ ...opts, now: clock.now(), tick });
    pulse.deps.state.commit((d: PulseState) => {
      d.vms = d.vms.map((g, i) => (i % 20 === tick % 20 ? (next.vms[i] ?? g) : g));
      d.containers = d.containers.map((g, i) => (i % 20 === tick % 20 ? (next.containers[i] ?? g) : g));
    });
  });

  // Charts: whole estate vs the rows on screen.
  const state = pulse.deps.state.get();
  const visibleIds = [state.nodes[0].id, ...[...state.vms, ...state.containers].slice(0, VISIBLE).map((g) => g.id)];
  const fetchBytes = async (query: string) => {
    const t = performance.now();
    const res = await fetch(`${pulse.url}/api/charts?${query}`, { headers: { 'accept-encoding': 'identity' } });
    const body = Buffer.from(await res.arrayBuffer());
    return { bytes: body.length, gzip: gzipSync(body).length, ms: performance.now() - t };
  };
  const whole = await fetchBytes('range=1h');
  const visible = await fetchBytes(`range=1h&metrics=cpu&ids=${visibleIds.map(encodeURIComponent).join(',')}`);
  console.log(
    `charts 1h whole estate: ${mb(whole.bytes)} (${mb(whole.gzip)} gzipped), ${whole.ms.toFixed(0)} ms; ` +
      `visible rows (${VISIBLE} guests + 1 node, cpu): ${kb(visible.bytes)} (${kb(visible.gzip)} gzipped), ${visible.ms.toFixed(0)} ms`,
  );

  plain.ws.close();
  for (const d of deltas) d.ws.close();
  await pulse.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
