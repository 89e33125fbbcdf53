/**
 * Benchmark: how a poll cycle's cost grows with the estate — Pulse polling the simulator's
 * `small`, `large` (200 nodes, 10,000 guests) and `xlarge` (500 nodes, 15,000 guests) estates in
 * one run, side by side. Prints figures; asserts nothing.
 *
 *   node --expose-gc --import tsx bench/estate-scale.ts [--cycles 6] [--estates small,large,xlarge] [--backups]
 *
 * Each estate runs in a fresh process of its own (this file re-run with `--one <estate>`, so the
 * same bundle and Node flags), so no estate's memory carries over into the next one's figures;
 * bench/estate-cycles.ts does the measuring there (two warm-up cycles, then `cycles` measured
 * ones, each followed by its fetch + parse floor). A `?deltas=2` WebSocket client is connected, as
 * the web UI is. Backups are not monitored unless `--backups` (the background backup fetch is not
 * part of a cycle; bench/poll-cycle.ts measures it).
 *
 * Per estate: guests, calls per cycle; cycle wall and CPU (median); the floor's CPU; CPU per
 * guest (µs) for Pulse and for the floor, so growth shows as a rising per-guest figure; wall
 * over the 10-s interval; RSS (median of samples every 250 ms through the cycles, and at the end).
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { type EstateFigures, measureEstate } from './estate-cycles.js';

const argv = process.argv.slice(2);
const opt = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const CYCLES = Number(opt('--cycles') ?? 6);
const ESTATES = (opt('--estates') ?? 'small,large,xlarge').split(',');
const BACKUPS = argv.includes('--backups');
const INTERVAL_MS = 10_000;

const log = (s: string) => process.stderr.write(`[estate-scale ${(performance.now() / 1000).toFixed(0)}s] ${s}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const secs = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

/** Runs one estate in a child process (this file, `--one`) and returns its figures. */
function runOne(estate: string): Promise<EstateFigures> {
  const args = ['--one', estate, '--cycles', String(CYCLES), ...(BACKUPS ? ['--backups'] : [])];
  const child = fork(process.argv[1], args, { execArgv: process.execArgv });
  return new Promise((resolve, reject) => {
    let result: EstateFigures | undefined;
    child.on('message', (m) => {
      result = m as EstateFigures;
    });
    child.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`${estate}: measuring process exited with ${code}`)),
    );
  });
}

function report(all: EstateFigures[], started: number): string {
  const out: string[] = [];
  const loads = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
  out.push(`## estate-scale: ${all.map((f) => f.estate).join(', ')} — ${CYCLES} measured cycles each`);
  out.push(
    `${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, ` +
      `load average ${loads} at the end, run ${secs(performance.now() - started)}; backups ${BACKUPS ? 'monitored' : 'not monitored'}`,
  );
  out.push('');
  const row = (label: string, f: (e: EstateFigures) => string) =>
    out.push(`| ${label} | ${all.map((e) => f(e)).join(' | ')} |`);
  out.push(`| median of ${CYCLES} cycles | ${all.map((e) => `\`${e.estate}\``).join(' | ')} |`);
  out.push(`|---|${all.map(() => '---').join('|')}|`);
  const m = (e: EstateFigures, k: keyof EstateFigures['cycles'][number]) => median(e.cycles.map((c) => c[k]));
  row('nodes / guests', (e) => `${e.nodes} / ${e.guests.toLocaleString('en')}`);
  row('API calls per cycle', (e) => String(m(e, 'calls')));
  row('cycle wall (pollNow)', (e) => secs(m(e, 'wall')));
  row('**cycle / 10-s interval**', (e) => {
    const share = (100 * m(e, 'wall')) / INTERVAL_MS;
    return `**${share.toFixed(share < 10 ? 1 : 0)} %**`;
  });
  row('poll CPU (pollNow)', (e) => secs(m(e, 'pollCpu')));
  row('cycle CPU (poll + deferred work)', (e) => secs(m(e, 'cycleCpu')));
  row('fetch + parse floor: wall / CPU', (e) => `${secs(m(e, 'floorWall'))} / ${secs(m(e, 'floorCpu'))}`);
  row('cycle CPU / floor CPU', (e) => (m(e, 'cycleCpu') / m(e, 'floorCpu')).toFixed(2));
  row('**cycle CPU per guest**', (e) => `**${((1000 * m(e, 'cycleCpu')) / e.guests).toFixed(0)} µs**`);
  row('floor CPU per guest', (e) => `${((1000 * m(e, 'floorCpu')) / e.guests).toFixed(0)} µs`);
  row('cycle CPU per API call', (e) => `${((1000 * m(e, 'cycleCpu')) / m(e, 'calls')).toFixed(0)} µs`);
  row('cycle CPU, min – max', (e) => {
    const xs = e.cycles.map((c) => c.cycleCpu);
    return `${secs(Math.min(...xs))} – ${secs(Math.max(...xs))}`;
  });
  row('RSS through the cycles: median / max', (e) => `${mb(median(e.rssSamples))} / ${mb(Math.max(...e.rssSamples))}`);
  row(
    'RSS after the cycles (after a full GC)',
    (e) => `${mb(e.rssAfter)}${e.rssAfterGc === undefined ? '' : ` (${mb(e.rssAfterGc)})`}`,
  );
  row('heap used after the cycles', (e) => mb(e.heapUsedAfter));
  row('simulator + Pulse start, node added', (e) => `${e.startSeconds.toFixed(1)} s`);
  return out.join('\n');
}

async function main() {
  const one = opt('--one');
  if (one) {
    const figures = await measureEstate(one, { cycles: CYCLES, backups: BACKUPS, log });
    // Exit once the figures are sent: nothing of this process is needed after them.
    process.send?.(figures, () => process.exit(0));
    return;
  }
  const started = performance.now();
  log(`load average at the start ${os.loadavg()[0].toFixed(1)}`);
  const all: EstateFigures[] = [];
  for (const estate of ESTATES) all.push(await runOne(estate));
  console.log(report(all, started));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
