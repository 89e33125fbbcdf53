/**
 * Pulse (the real `startPulse`) polling one simulated estate for a few cycles, measured: the
 * helper behind bench/estate-scale.ts, which runs it once per estate in a fresh process so every
 * estate's memory figures start from the same empty process.
 *
 * The simulator runs as a child process (sim/cli.ts), a `?deltas=2` WebSocket client (what the
 * web UI opens) in a second (bench/state-client.ts) and the fetch + parse floor in a third
 * (bench/floor-client.ts), so this process's CPU time and memory are Pulse's alone. Both clocks
 * (Pulse's ManualClock and the simulator's) move 10 s before each cycle, so cadences and metric
 * values behave as with the default interval; between cycles the interval is held at an hour so
 * the product's own timer never starts one during a measurement.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../src/clock.js';
import { startPulse } from '../src/server.js';
import { loadSettings } from '../src/settings/env.js';
import { isBackupPath } from './backup-paths.js';
import { startHelper } from './helper-process.js';
import { advanceSimClock, simNode, startSimProcess, startSimRequestLog, takeSimRequestLog } from './sim-process.js';

export interface CycleFigures {
  calls: number;
  /** pollNow: every request, normalising, the commit and its synchronous listeners. */
  wall: number;
  pollCpu: number;
  /** poll + the commit's deferred work (alerts, the /ws delta, history writes, reclaimer). */
  cycleCpu: number;
  floorWall: number;
  floorCpu: number;
}

export interface EstateFigures {
  estate: string;
  nodes: number;
  guests: number;
  cycles: CycleFigures[];
  /** Resident size sampled every 250 ms through the measured cycles. */
  rssSamples: number[];
  rssAfter: number;
  heapUsedAfter: number;
  /** After two full collections (only with --expose-gc). */
  rssAfterGc?: number;
  startSeconds: number;
}

const STEP_MS = 10_000;
const SETTLE_MS = 600;
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

export async function measureEstate(
  estate: string,
  opts: { cycles: number; backups: boolean; log: (s: string) => void },
): Promise<EstateFigures> {
  const t0 = performance.now();
  const sim = await startSimProcess(estate);
  const pve = sim.ready.pve[0];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `pulse-bench-scale-${estate}-`));
  const floorProc = startHelper('floor-client.ts');
  const clock = new ManualClock(Date.now());
  const pulse = await startPulse(
    loadSettings({ PULSE_DATA_DIR: dataDir, FRONTEND_PORT: '0', BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'silent' }),
    { clock },
  );
  const client = startHelper('state-client.ts', [pulse.url]);
  try {
    await client.call({ op: 'ws', path: '/ws?deltas=2' });
    const { monitoring: m, history } = pulse.deps;
    const hold = () => pulse.deps.systemSettings.save({ pvePollingInterval: 3600 });
    const release = () => pulse.deps.systemSettings.save({ pvePollingInterval: 10 });
    hold();
    const { created } = await m.addNode(simNode('pve', pve, opts.backups ? {} : { monitorBackups: false }));
    if (!created) throw new Error(`${estate}: the PVE instance was not created`);
    const uid = created.uid;
    const startSeconds = (performance.now() - t0) / 1000;

    const poll = async () => {
      clock.advance(STEP_MS);
      await advanceSimClock(sim.ready.control, STEP_MS / 1000);
      release();
      // The simulator logs the cycle's requests for the floor, so Pulse's process records nothing.
      await startSimRequestLog(sim.ready.control);
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      await m.pollNow();
      const wall = performance.now() - w0;
      const pollCpu = cpuMs(process.cpuUsage(c0));
      hold();
      const st = m.status(uid);
      if (!st?.connected) throw new Error(`${estate}: cycle failed: ${st?.error}`);
      // The deferred work of the commit, and the reclaimer's collection after the burst.
      await sleep(SETTLE_MS);
      while (history.queuedParts > 0 || pulse.deps.memory.pending) await sleep(20);
      const cycleCpu = cpuMs(process.cpuUsage(c0));
      const paths = await takeSimRequestLog(sim.ready.control);
      return { paths: paths.filter((p) => !isBackupPath(p)), wall, pollCpu, cycleCpu };
    };
    // Fetched as Pulse's client fetches (undici dispatch), so the ratio is Pulse's own work over it.
    const floor = (paths: string[]) =>
      floorProc.call<{ wall: number; cpu: number }>({ op: 'floor', pve, paths, how: 'dispatch' });
    const settleBackups = async () => {
      if (opts.backups) await (m.pollers()[0] as unknown as { settleBackups(): Promise<void> }).settleBackups();
    };

    // Warm-up: cluster detection, privileges, SMART and agent details, JIT; and the floor's sockets.
    for (let i = 1; i <= 2; i++) {
      const w = await poll();
      await settleBackups();
      opts.log(`${estate}: warm-up cycle ${i}: ${w.paths.length} calls, ${(w.wall / 1000).toFixed(2)} s`);
      if (i === 2) await floor(w.paths);
    }

    const rssSamples: number[] = [];
    const rssTimer = setInterval(() => rssSamples.push(process.memoryUsage().rss), 250);
    const cycles: CycleFigures[] = [];
    for (let i = 0; i < opts.cycles; i++) {
      const c = await poll();
      await settleBackups();
      const f = await floor(c.paths);
      cycles.push({
        calls: c.paths.length,
        wall: c.wall,
        pollCpu: c.pollCpu,
        cycleCpu: c.cycleCpu,
        floorWall: f.wall,
        floorCpu: f.cpu,
      });
      opts.log(
        `${estate}: cycle ${i + 1}: ${c.paths.length} calls, wall ${c.wall.toFixed(0)} ms, CPU ${c.cycleCpu.toFixed(0)} ms, floor CPU ${f.cpu.toFixed(0)} ms`,
      );
    }
    clearInterval(rssTimer);
    const mem = process.memoryUsage();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const s = pulse.deps.state.get();
    return {
      estate,
      nodes: s.nodes.length,
      guests: s.vms.length + s.containers.length,
      cycles,
      rssSamples,
      rssAfter: mem.rss,
      heapUsedAfter: mem.heapUsed,
      rssAfterGc: gc ? process.memoryUsage().rss : undefined,
      startSeconds,
    };
  } finally {
    client.stop();
    await pulse.close();
    sim.child.kill('SIGTERM');
    floorProc.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
