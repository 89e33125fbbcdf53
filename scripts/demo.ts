/**
 * `npm run demo`: the Proxmox simulator's `demo` estate (a 3-node PVE cluster, a standalone PVE
 * node, a PBS and a PMG) and Pulse on http://127.0.0.1:7655 watching all of it, with its own data
 * directory (./data-demo) and a demo login. The web UI is built first if it is missing.
 *
 * Every run starts a fresh simulator (new ports and certificates), so the configured instances
 * are updated in place: same names, so the history of earlier runs stays attached.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startSimulator } from '../sim/index.js';
import { generateSshKeyPair } from '../sim/ssh-server.js';
import { createLogger } from '../src/logging.js';
import { verifyPassword } from '../src/security/passwords.js';
import { startPulse } from '../src/server.js';
import { loadSettings } from '../src/settings/env.js';
import type { NodeInput, NodeType } from '../src/settings/node-config.js';
import { PROJECT_ROOT } from '../src/version.js';

const webIndex = path.join(PROJECT_ROOT, 'dist', 'web', 'index.html');
if (!fs.existsSync(webIndex)) {
  console.log('Building the web UI (first run only, about a minute)…');
  // The build tool's own output is shown only when the build fails.
  try {
    execSync('npm run build:web', { cwd: PROJECT_ROOT, stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(e.stdout ?? '');
    process.stderr.write(e.stderr ?? '');
    console.error('Building the web UI failed (output above).');
    process.exit(1);
  }
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * Log lines for a person at a terminal ("12:04:05 warn  pve-cluster: poll failed — timeout")
 * instead of pino's JSON, which is meant for log collectors.
 */
let pointedAtSimulator = false;
const readableLogs = {
  write(line: string): void {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      process.stderr.write(line);
      return;
    }
    // Until this run's simulator addresses are saved, polls go to the last run's ports: expected.
    if (!pointedAtSimulator && typeof o.instance === 'string' && (o.level as number) < 50) return;
    const time = new Date(typeof o.time === 'number' ? o.time : Date.now()).toTimeString().slice(0, 8);
    const level = (LEVELS[o.level as number] ?? String(o.level)).padEnd(5);
    const err = o.err as { message?: string } | undefined;
    const where = typeof o.instance === 'string' ? `${o.instance}: ` : '';
    const detail = err?.message ? ` — ${err.message}` : '';
    process.stderr.write(`${time} ${level} ${where}${String(o.msg ?? '')}${detail}\n`);
  },
};

const DEMO_USER = process.env.PULSE_AUTH_USER ?? 'admin';
const DEMO_PASS = process.env.PULSE_AUTH_PASS ?? 'pulse-demo';

const dataDir = process.env.PULSE_DATA_DIR ?? path.join(PROJECT_ROOT, 'data-demo');

// Node temperatures: Pulse reads `sensors -j` over SSH with the key in its data directory; the
// simulator runs an SSH server per PVE node that accepts that key.
const keyFile = path.join(dataDir, '.ssh', 'id_ed25519');
if (!fs.existsSync(keyFile)) {
  const pair = generateSshKeyPair();
  fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(keyFile, pair.private, { mode: 0o600 });
  fs.writeFileSync(`${keyFile}.pub`, `${pair.public}\n`, { mode: 0o644 });
}
const publicKey = fs.readFileSync(`${keyFile}.pub`, 'utf8').trim();

const sim = await startSimulator({
  estate: process.env.PULSE_DEMO_ESTATE ?? 'demo',
  seed: 42,
  ssh: { authorizedKeys: [publicKey] },
});
// Every simulated node listens on 127.0.0.1 with a port of its own: tell Pulse where each one is.
const sshHosts = (sim.ssh?.list() ?? []).map((n) => `${n.instance}/${n.node}=${n.host}:${n.port}`).join(',');

const settings = loadSettings({
  ...process.env,
  PULSE_DATA_DIR: dataDir,
  PULSE_SENSORS_SSH_HOSTS: sshHosts,
  BIND_ADDRESS: process.env.BIND_ADDRESS ?? '127.0.0.1',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  PULSE_AUTH_USER: DEMO_USER,
  PULSE_AUTH_PASS: DEMO_PASS,
});
const pulse = await startPulse(settings, {
  logger: createLogger({ level: settings.logLevel, destination: readableLogs }),
});

// Point Pulse at every simulated instance, certificate fingerprint pinned: PVE and PBS with an
// API token, PMG with user@realm + password (PMG has no API tokens; Pulse renews its ticket).
const monitoring = pulse.deps.monitoring;
const instances: Array<{
  type: NodeType;
  name: string;
  url: string;
  fingerprint: string;
  credentials: Pick<NodeInput, 'tokenName' | 'tokenValue' | 'user' | 'password'>;
}> = [
  ...sim.ready.pve.map((i) => ({
    type: 'pve' as const,
    ...i,
    credentials: { tokenName: i.tokenId, tokenValue: i.tokenSecret },
  })),
  ...sim.ready.pbs.map((i) => ({
    type: 'pbs' as const,
    ...i,
    credentials: { tokenName: i.tokenId, tokenValue: i.tokenSecret },
  })),
  ...sim.ready.pmg.map((i) => ({ type: 'pmg' as const, ...i, credentials: { user: i.user, password: i.password } })),
];
for (const inst of instances) {
  const input: NodeInput = {
    type: inst.type,
    name: inst.name,
    host: inst.url,
    ...inst.credentials,
    fingerprint: inst.fingerprint,
    verifySSL: true,
    monitor: {},
  };
  const existing = monitoring.nodes.findByName(inst.type, inst.name);
  if (existing) monitoring.nodes.update(existing.uid, { ...input, cluster: undefined });
  else await monitoring.addNode(input);
}
monitoring.reload();
pointedAtSimulator = true;

console.log('');
console.log(`  Pulse demo is running: ${pulse.url}`);
// The demo password is shown only while it still works: once changed in Settings it is the
// user's own, and printing the old one would only mislead.
const creds = pulse.deps.security.credentials.get();
const demoPasswordWorks =
  creds?.username === DEMO_USER && (await verifyPassword(DEMO_PASS, creds.passwordHash, settings.bcryptCost));
console.log(
  demoPasswordWorks
    ? `  Log in as ${DEMO_USER} / ${DEMO_PASS}`
    : `  Log in as ${creds?.username ?? DEMO_USER} with the password you set`,
);
console.log(`  Watching the simulated estate: ${instances.map((i) => `${i.type} ${i.name}`).join(', ')}`);
console.log(`  Simulator control API: ${sim.controlUrl} (see sim/README.md)`);
console.log(`  Data directory:        ${settings.dataDir}`);
console.log('  Press Ctrl+C to stop.');
console.log('');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pulse.close();
  await sim.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
