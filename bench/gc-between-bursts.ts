/**
 * Benchmark: what one full garbage collection between two bursts of API calls costs the next
 * burst, with nothing of Pulse involved — bare undici requests to the simulator's `large`
 * estate through src/proxmox/fetch-text.ts (as Pulse's client), each body JSON.parse'd (the
 * poll-cycle floor's work). Prints figures; asserts nothing.
 *
 *   node --expose-gc --import tsx bench/gc-between-bursts.ts [--bursts 8]
 *
 * Why it exists: Pulse's memory reclaimer (src/runtime/memory-reclaim.ts) runs one full
 * collection after each burst of commits, when every object of the burst is dead. Optimised code
 * holds weak references to objects it was specialised for; when those die, V8 throws the code
 * away ("marking dependent code for deoptimization, reason: weak objects" under --trace-deopt) and
 * the next burst runs unoptimised until TurboFan has compiled it again. This measures that price
 * on the request path alone, side by side in one run: the same bursts in fresh processes of this
 * file (`--child`), one left to V8's own schedule, one calling `gc()` one second after each burst.
 * Per burst: process CPU (all threads), the main thread's share, the functions TurboFan compiled
 * during it (counted from `--trace-opt`, line-buffered through `stdbuf`) and the optimised code
 * thrown away for dead objects before it (`--trace-deopt`).
 *
 * Two more children show which collections do it. In both, a major collection that V8 starts on
 * its own (incremental marking, not `gc()`) runs at the same quiet point: the child provokes it by
 * allocating short-lived objects until one has run (a way to place it for this measurement, not
 * something Pulse does). The second of them runs with `--retain-maps-for-n-gc=0`, which turns off
 * V8's keeping of object layouts (maps) whose last object died.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { Pool, request } from 'undici';
import { fetchText } from '../src/proxmox/fetch-text.js';
import { startSimProcess } from './sim-process.js';

const argv = process.argv.slice(2);
const BURSTS = argv.includes('--bursts') ? Number(argv[argv.indexOf('--bursts') + 1]) : 8;
/** Bursts at the start of each child that only warm up (JIT, sockets); not counted. */
const WARM = 3;

interface Target {
  url: string;
  tokenId: string;
  tokenSecret: string;
}
interface Burst {
  cpu: number;
  main: number;
  compiled: number;
  deopts: number;
}

/** What runs one second after each burst. */
type Between = 'nothing' | 'gc' | 'own-major';

/**
 * Allocates objects that live a little while (so they reach the old generation) until V8 has run
 * a major collection of its own, or ~400 MB went by.
 */
async function provokeOwnMajorGc(): Promise<boolean> {
  let majors = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        majors++;
  });
  observer.observe({ entryTypes: ['gc'] });
  let held: object[] = [];
  for (let i = 0; i < 400 && majors === 0; i++) {
    for (let j = 0; j < 10_000; j++) held.push({ i, j, list: [j] });
    if (held.length >= 500_000) held = [];
    await new Promise((r) => setImmediate(r));
  }
  held = [];
  observer.disconnect();
  return majors > 0;
}

/** CPU ms of the main thread (Linux; 0 elsewhere). */
function mainThreadCpu(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/** The child: bursts over `paths`, markers on fd 1 (between V8's trace lines), figures on fd 2. */
async function child(target: Target, paths: string[], between: Between): Promise<void> {
  // A Pool, as Pulse's client: undici 7's Agent opens a connection per call once the host has closed one.
  const dispatcher = new Pool(target.url, {
    connect: { rejectUnauthorized: false },
    connections: 8,
    keepAliveTimeout: 30_000,
  });
  const headers = { accept: 'application/json', authorization: `PVEAPIToken=${target.tokenId}=${target.tokenSecret}` };
  for (let b = 0; b < WARM + BURSTS; b++) {
    fs.writeSync(1, `@@burst ${b}\n`);
    const c0 = process.cpuUsage();
    const m0 = mainThreadCpu();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < paths.length) {
          const res = await fetchText(dispatcher, {
            method: 'GET',
            path: `/api2/json${paths[next++]}`,
            headers,
            timeoutMs: 60_000,
          });
          if (res.status === 200) JSON.parse(res.text);
        }
      }),
    );
    const c = process.cpuUsage(c0);
    fs.writeSync(1, `@@end ${b}\n`);
    process.stderr.write(`${JSON.stringify({ b, cpu: (c.user + c.system) / 1000, main: mainThreadCpu() - m0 })}\n`);
    await new Promise((r) => setTimeout(r, 1000));
    if (between === 'gc') (globalThis as { gc?: () => void }).gc?.();
    else if (between === 'own-major' && !(await provokeOwnMajorGc())) throw new Error('V8 ran no major collection');
  }
  await dispatcher.close();
}

/** Runs one child and returns its counted bursts. */
function runChild(target: Target, pathsFile: string, between: Between, v8Flags: string[] = []): Promise<Burst[]> {
  const node = [process.execPath, ...process.execArgv, ...v8Flags, '--trace-opt', '--trace-deopt', process.argv[1]];
  const args = ['--child', between, pathsFile];
  const proc = spawn('stdbuf', ['-oL', ...node, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_TARGET: JSON.stringify(target) },
  });
  const compiled = new Map<number, number>();
  // Code thrown away for dead objects, counted for the burst that follows (the collection that
  // does it runs between bursts).
  const deopts = new Map<number, number>();
  let current = -1;
  let betweenDeopts = 0;
  readline.createInterface({ input: proc.stdout! }).on('line', (l) => {
    const m = /^@@(burst|end) (\d+)/.exec(l);
    if (m) {
      current = m[1] === 'burst' ? Number(m[2]) : -1;
      if (current >= 0) {
        deopts.set(current, betweenDeopts);
        betweenDeopts = 0;
      }
    } else if (l.includes('reason: weak objects')) {
      if (current >= 0) deopts.set(current, (deopts.get(current) ?? 0) + 1);
      else betweenDeopts++;
    } else if (current >= 0 && l.startsWith('[compiling method'))
      compiled.set(current, (compiled.get(current) ?? 0) + 1);
  });
  const figures: Array<{ b: number; cpu: number; main: number }> = [];
  readline.createInterface({ input: proc.stderr! }).on('line', (l) => {
    if (l.startsWith('{')) figures.push(JSON.parse(l));
    else process.stderr.write(`${l}\n`);
  });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => {
      if (code !== 0) reject(new Error(`child exited with ${code}`));
      else
        resolve(
          figures
            .filter((f) => f.b >= WARM)
            .map((f) => ({ cpu: f.cpu, main: f.main, compiled: compiled.get(f.b) ?? 0, deopts: deopts.get(f.b) ?? 0 })),
        );
    });
  });
}

if (argv[0] === '--child') {
  const target = JSON.parse(process.env.BENCH_TARGET ?? '{}') as Target;
  await child(target, JSON.parse(fs.readFileSync(argv[2], 'utf8')) as string[], argv[1] as Between);
} else {
  const log = (s: string) =>
    process.stderr.write(`[gc-between-bursts ${(performance.now() / 1000).toFixed(0)}s] ${s}\n`);
  log('starting the simulator (large)');
  const { child: sim, ready } = await startSimProcess('large');
  try {
    const pve = ready.pve[0];
    const target = { url: pve.url, tokenId: pve.tokenId, tokenSecret: pve.tokenSecret };
    const dispatcher = new Pool(pve.url, { connect: { rejectUnauthorized: false } });
    const res = await request(`${pve.url}/api2/json/cluster/resources`, {
      dispatcher,
      headers: { authorization: `PVEAPIToken=${pve.tokenId}=${pve.tokenSecret}` },
    });
    const resources = (JSON.parse(await res.body.text()) as { data: Array<Record<string, unknown>> }).data;
    await dispatcher.close();
    // What a poll cycle asks most often: each running VM's status, each node's status.
    const paths = [
      ...resources
        .filter((r) => r.type === 'qemu' && r.status === 'running')
        .map((r) => `/nodes/${r.node}/qemu/${r.vmid}/status/current`),
      ...resources.filter((r) => r.type === 'node').map((r) => `/nodes/${r.node}/status`),
    ];
    const pathsFile = fs.mkdtempSync(`${os.tmpdir()}/gc-bursts-`) + '/paths.json';
    fs.writeFileSync(pathsFile, JSON.stringify(paths));
    log(`${paths.length} calls per burst; ${WARM} warm-up bursts, then ${BURSTS} counted, one second apart`);
    const runs: Array<{ name: string; bursts: Burst[] }> = [];
    const variants: Array<[string, Between, string[]]> = [
      ['left to V8', 'nothing', []],
      ['`gc()` one second after each burst', 'gc', []],
      ["a major collection of V8's own at the same point", 'own-major', []],
      ['the same, `--retain-maps-for-n-gc=0`', 'own-major', ['--retain-maps-for-n-gc=0']],
    ];
    for (const [name, between, flags] of variants) {
      runs.push({ name, bursts: await runChild(target, pathsFile, between, flags) });
      log(`${name}: done`);
    }
    fs.rmSync(path.dirname(pathsFile), { recursive: true, force: true });

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const row = (name: string, k: keyof Burst, unit: string) =>
      `| ${name}, median of ${BURSTS} | ${runs.map((r) => `${median(r.bursts.map((x) => x[k])).toFixed(0)}${unit}`).join(' | ')} |`;
    console.log(
      `\n## gc-between-bursts: ${paths.length} calls per burst (large estate), bare undici dispatch (as Pulse's client) + JSON.parse\n` +
        `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)} at the end\n`,
    );
    console.log(`| per burst | ${runs.map((r) => r.name).join(' | ')} |`);
    console.log(`|---|${runs.map(() => '---').join('|')}|`);
    console.log(row('process CPU (all threads)', 'cpu', ' ms'));
    console.log(row('main thread CPU', 'main', ' ms'));
    console.log(row('functions TurboFan compiled', 'compiled', ''));
    console.log(row('code thrown away for dead objects ("weak objects") before it', 'deopts', ''));
    console.log(
      `| each burst's CPU, ms | ${runs.map((r) => r.bursts.map((x) => x.cpu.toFixed(0)).join(', ')).join(' | ')} |`,
    );
  } finally {
    sim.kill();
  }
}
