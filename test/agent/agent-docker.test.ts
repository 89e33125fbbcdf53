/**
 * The Docker agent's single executable against a real Docker Engine (a private dockerd, see
 * dockerd.ts) and a real Pulse: containers in each state show in /api/state with the right
 * fields, Pulse's container alerts fire, the stop command is carried out and acknowledged, and
 * the agent outlives Pulse being down and the Docker socket being missing. Also: the download
 * route and the install script Pulse hands out. Without a Docker daemon the Docker tests are
 * skipped with the reason; under CI=true they fail instead.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { packageAgent } from '../../scripts/package-agent.js';
import { startTestPulse } from '../helpers/pulse.js';
import { type Dockerd, dockerdMissing, IMAGE, startDockerd } from './dockerd.js';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;

const TOKEN = 'agent-test-token-0123456789abcdef';
const REPO = path.resolve(import.meta.dirname, '../..');
const AGENT_DIR = path.join(REPO, 'dist', 'agent');
const ARCH = os.arch() === 'x64' ? 'amd64' : 'arm64';

let exe: string;
let pulse: Pulse;
let dockerd: Dockerd | undefined;
let dockerWhy: string | undefined = dockerdMissing();
const agents: ChildProcess[] = [];
const extraPulses: Pulse[] = [];

/** Skips a test that needs the Docker daemon when there is none, with the reason; CI must have one. */
function needDocker(ctx: TestContext): Dockerd {
  if (dockerd) return dockerd;
  const why = dockerWhy ?? 'the Docker daemon did not start';
  if (process.env.CI === 'true') throw new Error(`CI needs a running Docker daemon for these tests: ${why}`);
  ctx.skip(why);
  throw new Error('unreachable');
}

interface Agent {
  child: ChildProcess;
  log: () => string;
  waitForLog(re: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

function startAgent(args: string[], env: Record<string, string> = {}): Agent {
  // No PATH and no Node around it: the executable carries its own runtime.
  const child = spawn(exe, args, { env: { PATH: '/nonexistent', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  agents.push(child);
  let text = '';
  const waiters: Array<() => void> = [];
  child.stderr?.on('data', (b: Buffer) => {
    text += b.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    log: () => text,
    exited,
    async waitForLog(re) {
      while (!re.test(text)) {
        if (child.exitCode !== null)
          throw new Error(`agent exited (${child.exitCode}) before /${re.source}/:\n${text}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 500);
        });
      }
    },
  };
}

/** Polls until check() returns a value (not undefined); the test's timeout bounds the wait. */
async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const api = async (p: Pulse, url: string, init: RequestInit = {}) =>
  fetch(`${p.url}${url}`, { ...init, headers: { 'X-API-Token': TOKEN, ...(init.headers ?? {}) } });

interface StateHost {
  id: string;
  hostname: string;
  dockerVersion?: string;
  agentVersion?: string;
  status: string;
  containers: Array<{
    id: string;
    name: string;
    image: string;
    state: string;
    health?: string;
    restartCount: number;
    exitCode: number;
    createdAt: number;
    memoryUsageBytes: number;
    labels?: Record<string, string>;
  }>;
}

async function host(p: Pulse, id: string): Promise<StateHost | undefined> {
  const state = (await (await api(p, '/api/state')).json()) as { dockerHosts: StateHost[] };
  return state.dockerHosts.find((h) => h.id === id);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  // Built where the running Pulse serves agents from (dist/agent), so the download route serves it too.
  exe = (await packageAgent(AGENT_DIR)).exe;
  pulse = await startTestPulse({ env: { API_TOKENS: TOKEN } });
  if (!dockerWhy) {
    try {
      dockerd = await startDockerd();
    } catch (err) {
      dockerWhy = (err as Error).message;
    }
  }
}, 300_000);

afterAll(async () => {
  for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
  for (const p of extraPulses) await p.close();
  await pulse?.close();
  await dockerd?.stop();
}, 120_000);

describe('agent against a real Docker Engine', () => {
  it('reports running, stopped, restarting and unhealthy containers; Pulse alerts on them', {
    timeout: 180_000,
  }, async (ctx) => {
    const d = needDocker(ctx);
    const run = (...args: string[]) => d.docker('run', '-d', '--network', 'none', ...args);
    const web = await run('--name', 'web', '--label', 'com.example.role=web', IMAGE, 'sleep', '100000');
    const batch = await run('--name', 'batch', IMAGE, 'sh', '-c', 'exit 3');
    const loop = await run('--name', 'crashloop', '--restart', 'always', IMAGE, 'sh', '-c', 'exit 1');
    const sick = await run(
      '--name',
      'sick',
      '--health-cmd',
      'false',
      '--health-interval',
      '1s',
      '--health-retries',
      '1',
      IMAGE,
      'sleep',
      '100000',
    );

    const agent = startAgent([
      '--url',
      pulse.url,
      '--token',
      TOKEN,
      '--interval',
      '1s',
      '--agent-id',
      'real-docker',
      '--hostname',
      'docker-test-host',
      '--docker-host',
      `unix://${d.socket}`,
    ]);

    const h = await until(async () => {
      const x = await host(pulse, 'real-docker');
      const byName = new Map(x?.containers.map((c) => [c.name, c]));
      const ok =
        byName.get('web')?.state === 'running' &&
        byName.get('batch')?.state === 'exited' &&
        byName.get('sick')?.health === 'unhealthy' &&
        (byName.get('crashloop')?.restartCount ?? 0) > 0;
      return ok ? x : undefined;
    }, 'the four containers in /api/state');
    expect(h.hostname).toBe('docker-test-host');
    expect(h.status).toBe('online');
    expect(h.dockerVersion).toBe(await d.docker('version', '--format', '{{.Server.Version}}'));
    const c = new Map(h.containers.map((x) => [x.name, x]));
    expect(c.get('web')).toMatchObject({ id: web, image: IMAGE, labels: { 'com.example.role': 'web' } });
    expect(c.get('web')!.memoryUsageBytes).toBeGreaterThan(0);
    expect(c.get('web')!.createdAt).toBe(Date.parse(await d.docker('inspect', '-f', '{{.Created}}', web)));
    expect(c.get('batch')).toMatchObject({ id: batch, exitCode: 3 });
    expect(c.get('sick')).toMatchObject({ id: sick, state: 'running' });
    expect(['restarting', 'running', 'exited']).toContain(c.get('crashloop')!.state);
    expect(c.get('crashloop')!.id).toBe(loop);

    // Alert IDs carry host and container: docker:<host>/<container>.
    const rid = (id: string) => `docker:real-docker/${id}`;
    const alerts = await until(async () => {
      const list = (await (await api(pulse, '/api/alerts/active')).json()) as Array<{ id: string; type: string }>;
      const ids = new Set(list.map((a) => a.id));
      const want = [
        `docker-container-state-${rid(batch)}`,
        `docker-container-health-${rid(sick)}`,
        `docker-container-restart-loop-${rid(loop)}`,
      ];
      return want.every((w) => ids.has(w)) ? list : undefined;
    }, 'the exit code, health and restart-loop alerts');
    const stateAlert = alerts.find((a) => a.id === `docker-container-state-${rid(batch)}`) as unknown as {
      value: number;
    };
    expect(stateAlert.value).toBe(3);
    expect(alerts.some((a) => a.id.includes(web))).toBe(false);
    expect(agent.child.exitCode).toBeNull();
  });

  it('carries out the stop command Pulse queues for a removed host and acknowledges it', {
    timeout: 120_000,
  }, async (ctx) => {
    const d = needDocker(ctx);
    const agent = startAgent([], {
      PULSE_URL: pulse.url,
      PULSE_TOKEN: TOKEN,
      PULSE_INTERVAL: '1',
      PULSE_AGENT_ID: 'to-remove',
      DOCKER_HOST: `unix://${d.socket}`,
    });
    await until(async () => ((await host(pulse, 'to-remove'))?.status === 'online' ? true : undefined), 'the host');
    const del = await api(pulse, '/api/agents/docker/hosts/to-remove', { method: 'DELETE' });
    expect(await del.json()).toMatchObject({ success: true, message: 'Stop command queued' });
    expect(await agent.exited).toBe(0);
    expect(agent.log()).toContain('Pulse asked this agent to stop');
    // The completed acknowledgement removes the host and blocks re-enrolment for 24 h.
    await until(async () => ((await host(pulse, 'to-remove')) ? undefined : true), 'the host to be removed');
  });

  it('keeps trying while Pulse is down and reports once it is up', { timeout: 120_000 }, async (ctx) => {
    const d = needDocker(ctx);
    const port = await freePort();
    const agent = startAgent(
      ['--url', `http://127.0.0.1:${port}`, '--token', TOKEN, '--interval', '1', '--agent-id', 'patient'],
      { DOCKER_HOST: `unix://${d.socket}` },
    );
    await agent.waitForLog(/cannot reach Pulse at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(agent.child.exitCode).toBeNull();
    const late = await startTestPulse({ env: { API_TOKENS: TOKEN, FRONTEND_PORT: String(port) } });
    extraPulses.push(late);
    await until(async () => ((await host(late, 'patient'))?.status === 'online' ? true : undefined), 'the report');
    await agent.waitForLog(/reporting again after \d+ failed attempt/);
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });

  it('reports the missing Docker socket and picks it up when it appears', { timeout: 120_000 }, async (ctx) => {
    const d = needDocker(ctx);
    const later = path.join(d.dir, 'later.sock');
    const agent = startAgent(['--url', pulse.url, '--token', TOKEN, '--interval', '1', '--agent-id', 'socketless'], {
      DOCKER_HOST: `unix://${later}`,
    });
    await agent.waitForLog(/cannot read Docker: Docker API at .*later\.sock unreachable: .*ENOENT/);
    expect(await host(pulse, 'socketless')).toBeUndefined();
    fs.symlinkSync(d.socket, later);
    await until(async () => ((await host(pulse, 'socketless'))?.containers.length ? true : undefined), 'the report');
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });
});

describe('what Pulse hands out', () => {
  it('serves the executable for its arch and a 404 naming the arches for another', async () => {
    const res = await fetch(`${pulse.url}/download/pulse-docker-agent?arch=${ARCH === 'amd64' ? 'x86_64' : 'aarch64'}`);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(body)).toBe(sha(fs.readFileSync(exe)));
    const other = await fetch(`${pulse.url}/download/pulse-docker-agent?arch=armv7`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({
      error: 'No Docker agent for arch "armv7" in this installation',
      availableArches: expect.arrayContaining([ARCH]),
    });
    const none = await fetch(`${pulse.url}/download/pulse-docker-agent`);
    expect(none.status).toBe(404);
  });

  it('gives the UI the command to copy', async () => {
    const r = (await (await api(pulse, '/api/agents/docker/install-command')).json()) as Record<string, unknown>;
    expect(r.command).toBe(
      `curl -fsSL ${pulse.url}/install-docker-agent.sh | sudo bash -s -- --url ${pulse.url} --token <TOKEN>`,
    );
    expect(r.availableArches).toContain(ARCH);
    expect((await fetch(`${pulse.url}/api/agents/docker/install-command`)).status).toBe(401);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'install script from Pulse installs the agent with its settings and uninstalls it',
    { timeout: 60_000 },
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-install-'));
      try {
        const script = path.join(dir, 'install.sh');
        fs.writeFileSync(script, await (await fetch(`${pulse.url}/install-docker-agent.sh`)).text(), { mode: 0o755 });
        const root = path.join(dir, 'root');
        const sh = (...args: string[]) =>
          new Promise<{ code: number; out: string }>((resolve) =>
            execFile('bash', [script, '--root', root, '--no-systemd', ...args], (err, stdout, stderr) =>
              resolve({ code: err ? 1 : 0, out: stdout + stderr }),
            ),
          );
        const r = await sh('--url', pulse.url, '--token', TOKEN, '--interval', '15s');
        expect(r.out).not.toContain('error');
        expect(r.code).toBe(0);
        const bin = path.join(root, 'usr', 'local', 'bin', 'pulse-docker-agent');
        expect(createHash('sha256').update(fs.readFileSync(bin)).digest('hex')).toBe(
          createHash('sha256').update(fs.readFileSync(exe)).digest('hex'),
        );
        const envFile = path.join(root, 'etc', 'pulse', 'docker-agent.env');
        expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
        expect(fs.readFileSync(envFile, 'utf8')).toBe(
          `PULSE_URL=${pulse.url}\nPULSE_TOKEN=${TOKEN}\nPULSE_INTERVAL=15s\n`,
        );
        const unit = fs.readFileSync(path.join(root, 'etc', 'systemd', 'system', 'pulse-docker-agent.service'), 'utf8');
        expect(unit).toContain('ExecStart=/usr/local/bin/pulse-docker-agent');
        expect(unit).toContain('EnvironmentFile=/etc/pulse/docker-agent.env');
        const u = await sh('--uninstall');
        expect(u.code).toBe(0);
        expect(fs.existsSync(bin)).toBe(false);
        expect(fs.existsSync(envFile)).toBe(false);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
