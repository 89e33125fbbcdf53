/**
 * Benchmark: one PVE poll cycle against the simulator's `large` estate (200 nodes, 10,000
 * guests), compared with the bare floor of fetching and JSON-parsing the same responses.
 * Prints figures; asserts nothing.
 *
 *   npx tsx bench/poll-cycle.ts [--cycles 3] [--estate large]
 *
 * The simulator runs in a child process so that this process's CPU time is Pulse's alone.
 * Cycle CPU = process CPU (user+system) during `pollNow()`. Floor = the same request paths,
 * replayed with a plain undici Agent (same socket count and concurrency), each body parsed with
 * JSON.parse and nothing else. Backups (a background job) are disabled for the cycle figures.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Agent, request } from 'undici';
import { systemClock } from '../src/clock.js';
import { Monitoring } from '../src/collect/monitoring.js';
import { SecretBox } from '../src/crypto/secret-box.js';
import { openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logging.js';
import { loadSettings } from '../src/settings/env.js';
import { StateStore } from '../src/state/store.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}
const CYCLES = Number(arg('cycles', '3'));
const ESTATE = arg('estate', 'large');

const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', '--estate', ESTATE], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ready = await new Promise<{
  pve: Array<{ name: string; url: string; fingerprint: string; tokenId: string; tokenSecret: string }>;
}>((resolve, reject) => {
  readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
  child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-'));
const db = openDatabase(dir);
const state = new StateStore(systemClock);
const m = new Monitoring({
  db,
  secrets: new SecretBox(crypto.randomBytes(32)),
  clock: systemClock,
  logger: createLogger({ level: 'silent' }),
  state,
  settings: loadSettings({ PULSE_DATA_DIR: dir }),
});
m.settings.save({ pvePollingInterval: 3600 });
const pve = ready.pve[0];
m.nodes.insert({
  type: 'pve',
  name: pve.name,
  host: pve.url,
  tokenName: pve.tokenId,
  tokenValue: pve.tokenSecret,
  fingerprint: pve.fingerprint,
  verifySSL: false,
  monitor: { monitorBackups: false },
});
m.start();
await m.nextCycle(); // first cycle: cluster detection, SMART, privileges (5-minute cadences)

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const rows: Array<{ wall: number; cpu: number; calls: number; floorWall: number; floorCpu: number }> = [];
for (let i = 0; i < CYCLES; i++) {
  const paths: string[] = [];
  m.apiCalls.paths = paths;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await m.pollNow();
  const wall = performance.now() - w0;
  const cpu = cpuMs(process.cpuUsage(c0));
  m.apiCalls.paths = undefined;

  // The floor: the same GETs, fetched and parsed, nothing else.
  const agent = new Agent({ connect: { rejectUnauthorized: false }, connections: 8 });
  const auth = `PVEAPIToken=${pve.tokenId}=${pve.tokenSecret}`;
  const f0 = process.cpuUsage();
  const fw0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < paths.length) {
        const p = paths[next++];
        const res = await request(`${pve.url}/api2/json${p}`, { dispatcher: agent, headers: { authorization: auth } });
        const text = await res.body.text();
        if (res.statusCode === 200) JSON.parse(text);
      }
    }),
  );
  const floorWall = performance.now() - fw0;
  const floorCpu = cpuMs(process.cpuUsage(f0));
  await agent.close();
  rows.push({ wall, cpu, calls: paths.length, floorWall, floorCpu });
}

const s = state.get();
console.log(
  `estate ${ESTATE}: ${s.nodes.length} nodes, ${s.vms.length} VMs, ${s.containers.length} containers, ${s.storage.length} storage`,
);
console.log('cycle | calls | wall ms | CPU ms | floor wall ms | floor CPU ms | CPU / floor');
rows.forEach((r, i) =>
  console.log(
    `${i + 1} | ${r.calls} | ${r.wall.toFixed(0)} | ${r.cpu.toFixed(0)} | ${r.floorWall.toFixed(0)} | ${r.floorCpu.toFixed(0)} | ${(r.cpu / r.floorCpu).toFixed(2)}`,
  ),
);
console.log(`RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB, load ${os.loadavg()[0].toFixed(1)}`);
await m.stop();
db.close();
child.kill('SIGTERM');
