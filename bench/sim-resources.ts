/**
 * Benchmark: GET /cluster/resources of the simulator's `large` estate (200 nodes, 10,000 guests)
 * over HTTPS with a keep-alive client. Prints p50/p95; asserts nothing.
 *
 *   npx tsx bench/sim-resources.ts [--calls 200] [--cold 20]
 *
 * - warm: repeated calls as a poller makes them (served from the 10 s status cache, like pvestatd's),
 *   plain and gzip-compressed (what pveproxy sends clients that accept it);
 * - cold: the first call after an estate change (every entry rebuilt and serialised);
 * - type=vm and a token with a restricted ACL (per-entry privilege filtering).
 */
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { startSimulator } from '../sim/index.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const CALLS = arg('calls', 200);
const COLD = arg('cold', 20);

const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function get(url: string, headers: Record<string, string>): Promise<{ ms: number; bytes: number; status: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent, headers }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
        });
        res.on('end', () => resolve({ ms: performance.now() - t0, bytes, status: res.statusCode ?? 0 }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function series(
  label: string,
  n: number,
  call: () => Promise<{ ms: number; bytes: number; status: number }>,
  before?: () => Promise<void>,
) {
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    if (before) await before();
    const r = await call();
    if (r.status !== 200) throw new Error(`${label}: HTTP ${r.status}`);
    times.push(r.ms);
    bytes = r.bytes;
  }
  // CPU time per call (simulator and client share this process) does not depend on machine load.
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  console.log(
    `${label.padEnd(44)} p50 ${pct(times, 50).toFixed(1).padStart(7)} ms   p95 ${pct(times, 95).toFixed(1).padStart(7)} ms   cpu ${cpuMs.toFixed(1).padStart(6)} ms/call   ${(bytes / 1024 / 1024).toFixed(2)} MB   (${n} calls)`,
  );
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

async function main() {
  const t0 = performance.now();
  const sim = await startSimulator({ estate: 'large' });
  console.log(
    `large estate up in ${((performance.now() - t0) / 1000).toFixed(2)} s (200 HTTPS endpoints, 10,000 guests)`,
  );
  const pve = sim.ready.pve[0];
  const auth = { Authorization: `PVEAPIToken=${pve.tokenId}=${pve.tokenSecret}` };
  const url = `${pve.url}/api2/json/cluster/resources`;
  const change = async () => {
    await fetch(`${sim.controlUrl}/guests/pve-large/1000/metrics`, {
      method: 'PUT',
      body: JSON.stringify({ cpu: Math.random() }),
    });
  };
  await get(url, auth); // warm-up (JIT)
  await series('warm  /cluster/resources', CALLS, () => get(url, auth));
  await series('warm  /cluster/resources, gzip', CALLS, () => get(url, { ...auth, 'accept-encoding': 'gzip' }));
  await series('warm  /cluster/resources?type=vm', CALLS, () => get(`${url}?type=vm`, auth));
  await series('cold  /cluster/resources (after a change)', COLD, () => get(url, auth), change);
  await fetch(`${sim.controlUrl}/credentials`, {
    method: 'POST',
    body: JSON.stringify({
      target: 'pve-large',
      tokenId: 'mon@pve!half',
      secret: 's',
      acl: { '/vms': ['VM.Audit'], '/nodes': ['Sys.Audit'] },
    }),
  });
  await series('warm  restricted token (filtered per entry)', Math.min(CALLS, 50), () =>
    get(url, { Authorization: 'PVEAPIToken=mon@pve!half=s' }),
  );
  agent.destroy();
  await sim.stop();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
