/**
 * Benchmark: GET /metrics on the simulator's `large` estate (one PVE cluster of 200 nodes and
 * 10,000 guests, a PBS, a PMG). Prints figures; asserts nothing.
 *
 *   node --expose-gc --import tsx bench/metrics.ts [--versions 8] [--cached 20]
 *
 * The simulator runs as a child process; Pulse is the real composition root (`startPulse`) in
 * this process, polling once (interval held at an hour, so no cycle runs during a measurement).
 * Then, for `versions` rounds of two state versions — one where every node, guest and storage
 * object is replaced (as a PVE poll does), one where only the alert list is (as a PBS, PMG or
 * alert commit does, leaving the guests' objects) — the first scrape of the version (render +
 * send), its server-side render time (`pulse_metrics_render_duration_seconds`), the process CPU
 * of that scrape, and `cached` more scrapes of the same version (served from the cache); then the
 * same with `Accept-Encoding: gzip` (the first compresses the cached estate text once). The
 * body's size, gzip size and series count are printed too. The client reads the body as text in
 * this process (cheap next to the render; its share is in the CPU figure).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { startPulse } from '../src/server.js';
import { loadSettings } from '../src/settings/env.js';
import { PROJECT_ROOT } from '../src/version.js';
import { simNode } from './sim-process.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const VERSIONS = opt('--versions', 8);
const CACHED = opt('--cached', 20);
const TOKEN = 'be'.repeat(32);

interface Ready {
  control: string;
  pve: Array<{ name: string; url: string; tokenId: string; tokenSecret: string; fingerprint: string }>;
  pbs: Array<{ name: string; url: string; tokenId: string; tokenSecret: string; fingerprint: string }>;
  pmg: Array<{ name: string; url: string; user: string; password: string; fingerprint: string }>;
}

async function startSim(): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'sim/cli.ts'), '--estate', 'large'],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ready = await new Promise<Ready>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { child, ready };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const mb = (x: number) => `${(x / 1e6).toFixed(1)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function scrape(url: string, gzip = false): Promise<{ wall: number; cpu: number; body: string; bytes: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (gzip) headers['accept-encoding'] = 'gzip';
  const res = await request(`${url}/metrics`, { headers });
  // Gzip bodies are read as bytes (what a scraper receives), not inflated here.
  const raw = Buffer.from(await res.body.arrayBuffer());
  const body = gzip ? '' : raw.toString('utf8');
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}`);
  return { wall, cpu: (c.user + c.system) / 1000, body, bytes: raw.length };
}

function gauge(body: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(body);
  return m ? Number(m[1]) : Number.NaN;
}

async function main() {
  const t0 = performance.now();
  const sim = await startSim();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-bench-metrics-'));
  const settings = loadSettings({
    PULSE_DATA_DIR: dataDir,
    FRONTEND_PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    LOG_LEVEL: 'silent',
    API_TOKENS: TOKEN,
  });
  const pulse = await startPulse(settings);
  try {
    const m = pulse.deps.monitoring;
    pulse.deps.systemSettings.save({ pvePollingInterval: 3600, pbsPollingInterval: 3600, pmgPollingInterval: 3600 });
    const pve = sim.ready.pve[0];
    await m.addNode(simNode('pve', pve, { monitorBackups: false }));
    for (const p of sim.ready.pbs) await m.addNode(simNode('pbs', p));
    for (const p of sim.ready.pmg) {
      await m.addNode({
        type: 'pmg',
        name: p.name,
        host: p.url,
        user: p.user,
        password: p.password,
        fingerprint: p.fingerprint,
        verifySSL: true,
        monitor: {},
      });
    }
    await m.pollNow();
    const state = pulse.deps.state.get();

    const first: Array<{ wall: number; cpu: number; render: number }> = [];
    const cached: number[] = [];
    const firstGzip: Array<{ wall: number; cpu: number }> = [];
    const cachedGzip: number[] = [];
    let gzipBytes = 0;
    let body = '';
    const replaced: Array<{ wall: number; cpu: number; render: number }> = [];
    for (let v = 0; v < VERSIONS; v++) {
      // Like a PVE poll: every node, guest and storage object is new (metrics moved).
      pulse.deps.state.commit((d) => {
        d.nodes = d.nodes.map((n) => ({ ...n, cpu: n.cpu * 0.9 }));
        d.vms = d.vms.map((g) => ({ ...g, cpu: g.cpu * 0.9 }));
        d.containers = d.containers.map((g) => ({ ...g, cpu: g.cpu * 0.9 }));
        d.storage = d.storage.map((x) => ({ ...x }));
      });
      (globalThis as { gc?: () => void }).gc?.();
      const r = await scrape(pulse.url);
      replaced.push({
        wall: r.wall,
        cpu: r.cpu,
        render: gauge(r.body, 'pulse_metrics_render_duration_seconds') * 1000,
      });

      // Like a PBS, PMG or alert commit: the guests' objects stay.
      pulse.deps.state.commit((d) => {
        d.activeAlerts = [...d.activeAlerts];
      });
      (globalThis as { gc?: () => void }).gc?.();
      const s = await scrape(pulse.url);
      body = s.body;
      first.push({ wall: s.wall, cpu: s.cpu, render: gauge(s.body, 'pulse_metrics_render_duration_seconds') * 1000 });
      for (let i = 0; i < CACHED; i++) cached.push((await scrape(pulse.url)).wall);
      const g = await scrape(pulse.url, true);
      gzipBytes = g.bytes;
      firstGzip.push({ wall: g.wall, cpu: g.cpu });
      for (let i = 0; i < CACHED; i++) cachedGzip.push((await scrape(pulse.url, true)).wall);
    }
    const series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
    const bytes = Buffer.byteLength(body);
    const gz = gzipSync(body).length;
    const rss = process.memoryUsage().rss;

    const out: string[] = [];
    out.push(
      `## metrics: large estate — ${state.nodes.length} nodes, ${state.vms.length} VMs, ${state.containers.length} containers, ${state.storage.length} storage, ${state.activeAlerts.length} alerts`,
    );
    out.push(
      `${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')} at the end, run ${ms(performance.now() - t0)}`,
    );
    out.push('');
    out.push(
      `body: ${mb(bytes)} (${mb(gz)} gzipped here, ${mb(gzipBytes)} as served with gzip), ${series} series; RSS at the end ${mb(rss)}`,
    );
    out.push('');
    out.push('| | median | min | max |');
    out.push('|---|---|---|---|');
    const row = (label: string, xs: number[]) =>
      out.push(`| ${label} | ${ms(median(xs))} | ${ms(Math.min(...xs))} | ${ms(Math.max(...xs))} |`);
    row(
      `render, every resource object new (server, ${VERSIONS} versions)`,
      replaced.map((f) => f.render),
    );
    row(
      'first scrape of such a version (wall, render + send + read)',
      replaced.map((f) => f.wall),
    );
    row(
      'first scrape of such a version (process CPU)',
      replaced.map((f) => f.cpu),
    );
    row(
      `render, resource objects kept (server, ${VERSIONS} versions)`,
      first.map((f) => f.render),
    );
    row(
      'first scrape of such a version (wall, render + send + read)',
      first.map((f) => f.wall),
    );
    row(
      'first scrape of such a version (process CPU)',
      first.map((f) => f.cpu),
    );
    row(`cached scrape (wall, ${cached.length} scrapes)`, cached);
    row(
      'first gzip scrape of a version (wall, compresses the cached text)',
      firstGzip.map((f) => f.wall),
    );
    row(
      'first gzip scrape of a version (process CPU)',
      firstGzip.map((f) => f.cpu),
    );
    row(`cached gzip scrape (wall, ${cachedGzip.length} scrapes)`, cachedGzip);
    console.log(out.join('\n'));
  } finally {
    await pulse.close();
    sim.child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
