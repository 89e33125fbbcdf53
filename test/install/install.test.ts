/**
 * The release as a user gets it: `npm run package` builds the tarball once, then scripts/install.sh
 * installs it into a temporary root (--root, --no-systemd: a background process instead of a
 * unit), upgrades it in place keeping a configured node, rolls a broken release back, refuses bad
 * checksums, non-root callers and a missing or old Node, and uninstalls. The unit it ships passes
 * `systemd-analyze verify` where systemd is installed. The Dockerfile builds from the same tarball
 * on a private dockerd, from a Node base image made here with `docker import`; without a Docker
 * daemon that test is skipped with the reason, and under CI=true it fails.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRelease } from '../../scripts/package.js';
import type { Simulator } from '../../sim/index.js';
import { type Dockerd, dockerdMissing, importNodeBaseImage, startDockerd } from '../agent/dockerd.js';
import { pveBody, startSim } from '../helpers/sim.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const INSTALL = path.join(REPO, 'scripts', 'install.sh');
const isRoot = process.getuid?.() === 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 240_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

let work: string;
let tarball: string;
let stage: string;
let root: string;
let port: number;
let sim: Simulator | undefined;

const base = () => `http://127.0.0.1:${port}`;
const install = (file: string, ...extra: string[]) =>
  run(INSTALL, [file, '--root', root, '--no-systemd', '--port', String(port), ...extra]);

/** A release made from the built one with a different version and, optionally, changed files. */
/** Copies are hard links (fast, little disk), so a file to change is replaced, never written in place. */
function replaceFile(file: string, content: string): void {
  fs.rmSync(file);
  fs.writeFileSync(file, content, { mode: 0o755 });
}

async function variantDir(version: string): Promise<string> {
  const dir = path.join(work, `stage-${version}`);
  const cp = await run('cp', ['-al', stage, dir]);
  if (cp.code !== 0) throw new Error(cp.stderr);
  replaceFile(path.join(dir, 'VERSION'), `${version}\n`);
  const pkgFile = path.join(dir, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  replaceFile(pkgFile, JSON.stringify({ ...pkg, version }));
  return dir;
}

async function variant(version: string, change?: (dir: string) => void): Promise<string> {
  const dir = await variantDir(version);
  change?.(dir);
  return writeRelease(dir, path.join(work, `out-${version}`)).tarball;
}

async function version(): Promise<string | undefined> {
  try {
    const r = await fetch(`${base()}/api/version`, { signal: AbortSignal.timeout(3000) });
    return ((await r.json()) as { version: string }).version;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-install-test-'));
  const built = await run('npx', ['tsx', path.join(REPO, 'scripts', 'package.ts'), path.join(work, 'release')]);
  if (built.code !== 0) throw new Error(`npm run package failed:\n${built.stderr}`);
  tarball = fs.readdirSync(path.join(work, 'release')).find((f) => f.endsWith('.tar.gz'))!;
  tarball = path.join(work, 'release', tarball);
  fs.mkdirSync(path.join(work, 'unpacked'));
  await run('tar', ['-xzf', tarball, '-C', path.join(work, 'unpacked')]);
  stage = path.join(work, 'unpacked', fs.readdirSync(path.join(work, 'unpacked'))[0]);
  root = path.join(work, 'root');
  port = await freePort();
}, 600_000);

afterAll(async () => {
  if (root && fs.existsSync(path.join(root, 'opt', 'pulse'))) {
    await run(INSTALL, ['--uninstall', '--root', root, '--no-systemd']);
  }
  await sim?.stop();
  if (work) await run('rm', ['-rf', work]);
}, 180_000);

describe('the release tarball', () => {
  it('holds the bundled server, web UI, production modules, agent, unit, VERSION and a manifest', () => {
    const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
    expect(path.basename(tarball)).toMatch(new RegExp(`^pulse-${version}-linux-(amd64|arm64)\\.tar\\.gz$`));
    for (const f of [
      'dist/src/main.js',
      'dist/web/index.html',
      'node_modules/better-sqlite3/package.json',
      'node_modules/fastify/package.json',
      'bin/pulse',
      'systemd/pulse.service',
      'scripts/install.sh',
      'scripts/install-docker-agent.sh',
      'VERSION',
      'SHA256SUMS',
      'NODE_ABI',
    ]) {
      expect(fs.existsSync(path.join(stage, f)), f).toBe(true);
    }
    // The Node the native modules were built for (they load on no other major version).
    expect(fs.readFileSync(path.join(stage, 'NODE_ABI'), 'utf8')).toBe(
      `${process.versions.modules} ${process.version}\n`,
    );
    expect(fs.readdirSync(path.join(stage, 'dist', 'agent'))).toContain(
      `pulse-docker-agent-linux-${os.arch() === 'x64' ? 'amd64' : 'arm64'}`,
    );
    // Development tools stay out of the release.
    for (const dev of ['vitest', 'typescript', 'vite', '@biomejs']) {
      expect(fs.existsSync(path.join(stage, 'node_modules', dev)), dev).toBe(false);
    }
    const sums = fs.readFileSync(path.join(stage, 'SHA256SUMS'), 'utf8');
    expect(sums).toMatch(/^[0-9a-f]{64} {2}dist\/src\/main\.js$/m);
    const outer = fs.readFileSync(`${tarball}.sha256`, 'utf8');
    expect(outer).toMatch(new RegExp(`^[0-9a-f]{64}  ${path.basename(tarball).replace(/\./g, '\\.')}\\n$`));
  });
});

describe('install.sh refusals', () => {
  it.skipIf(!isRoot || !fs.existsSync('/usr/bin/setpriv'))('refuses to run as a normal user', async () => {
    const r = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', INSTALL, tarball]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('must run as root');
  });

  it.skipIf(!isRoot)('refuses without Node, naming the version it needs and how to get it', async () => {
    const r = await run(INSTALL, [tarball, '--root', root, '--no-systemd'], { PULSE_NODE: path.join(work, 'no-node') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Node.js was not found');
    expect(r.stderr).toContain('20.15 or newer');
    expect(r.stderr).toContain('apt-get install nodejs');
    expect(fs.existsSync(path.join(root, 'opt', 'pulse'))).toBe(false);
  });

  it.skipIf(!isRoot)('refuses a Node that is too old', async () => {
    // A stand-in that answers --version the way Node 18 does.
    const old = path.join(work, 'node18');
    fs.writeFileSync(old, '#!/bin/sh\necho v18.19.1\n', { mode: 0o755 });
    const r = await run(INSTALL, [tarball, '--root', root, '--no-systemd'], { PULSE_NODE: old });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Node.js v18.19.1 is too old: Pulse needs Node.js 20.15 or newer');
  });

  it.skipIf(!isRoot)(
    'refuses a release built for another Node major version, naming both and what to do',
    { timeout: 300_000 },
    async () => {
      // Sealed like a real release (manifest and .sha256 match): only its NODE_ABI differs.
      const other = await variant('0.0.2', (dir) => replaceFile(path.join(dir, 'NODE_ABI'), '137 v24.22.3\n'));
      const r = await install(other);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('this release was built for Node.js 24 (v24.22.3, module ABI 137)');
      expect(r.stderr).toContain(`is ${process.version} (ABI ${process.versions.modules})`);
      expect(r.stderr).toContain('Install Node.js 24');
      expect(fs.existsSync(path.join(root, 'opt', 'pulse', 'current'))).toBe(false);
    },
  );

  it.skipIf(!isRoot)(
    'refuses a tarball whose checksum does not match, and one whose files were changed',
    { timeout: 300_000 },
    async () => {
      const wrong = '0'.repeat(64);
      const r = await run(INSTALL, [tarball, '--root', root, '--no-systemd', '--sha256', wrong]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`checksum mismatch for ${path.basename(tarball)}: expected ${wrong}`);

      // Repacked with a changed file but a fresh outer checksum: the manifest inside catches it.
      const dir = await variantDir('0.0.1');
      writeRelease(dir, path.join(work, 'out-0.0.1'));
      const pulseBin = path.join(dir, 'bin', 'pulse');
      replaceFile(pulseBin, `${fs.readFileSync(pulseBin, 'utf8')}\n# changed after the manifest was written\n`);
      const repacked = path.join(work, 'tampered.tar.gz');
      await run('tar', ['-czf', repacked, '-C', path.dirname(dir), path.basename(dir)]);
      const sha = (await run('sha256sum', [repacked])).stdout.split(' ')[0];
      const r2 = await run(INSTALL, [repacked, '--root', root, '--no-systemd', '--sha256', sha]);
      expect(r2.code).not.toBe(0);
      expect(r2.stderr).toContain('do not match its SHA256SUMS manifest');
      expect(r2.stderr).toContain('bin/pulse: FAILED');
      expect(fs.existsSync(path.join(root, 'opt', 'pulse', 'current'))).toBe(false);
    },
  );
});

describe.skipIf(!isRoot)('install, upgrade, rollback, uninstall', () => {
  it('installs, starts on the Node it was given and answers /api/health', { timeout: 120_000 }, async () => {
    // PULSE_NODE names a Node outside PATH (a tarball in /opt, say): the one checked is the one
    // the service runs. This one records its arguments and runs the real Node.
    const nodeDir = path.join(work, 'opt-node', 'bin');
    fs.mkdirSync(nodeDir, { recursive: true });
    const givenNode = path.join(nodeDir, 'node');
    const runs = path.join(work, 'opt-node', 'runs.log');
    fs.writeFileSync(givenNode, `#!/bin/sh\necho "$*" >>'${runs}'\nexec '${process.execPath}' "$@"\n`, { mode: 0o755 });
    const r = await run(INSTALL, [tarball, '--root', root, '--no-systemd', '--port', String(port)], {
      PULSE_NODE: givenNode,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`is running: http://`);
    expect(fs.readFileSync(runs, 'utf8')).toMatch(/current\/bin\/\.\.\/dist\/src\/main\.js/);
    // Updates requested through Pulse run the installer with the same Node.
    expect(fs.readFileSync(path.join(root, 'opt', 'pulse', 'install.conf'), 'utf8')).toContain(
      `INSTALL_NODE=${givenNode}\n`,
    );
    const health = await fetch(`${base()}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('healthy');
    const data = path.join(root, 'var', 'lib', 'pulse');
    expect(fs.statSync(data).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(data, 'pulse.db'))).toBe(true);
    const env = fs.readFileSync(path.join(root, 'etc', 'pulse', 'pulse.env'), 'utf8');
    expect(env).toContain(`FRONTEND_PORT=${port}`);
    expect(env).toContain('#PULSE_PUBLIC_URL=');
  });

  it('upgrades in place, keeping a node configured before and the settings file', { timeout: 120_000 }, async () => {
    sim = await startSim('demo');
    const p = sim.ready.pve[0];
    const add = await fetch(`${base()}/api/config/nodes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(pveBody(sim)),
    });
    expect(add.status).toBe(201);
    const envFile = path.join(root, 'etc', 'pulse', 'pulse.env');
    fs.appendFileSync(envFile, '# edited by the operator\n');
    const before = fs.readFileSync(envFile, 'utf8');

    const next = await variant('9.0.0');
    const r = await install(next);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('upgrading from');
    expect(await version()).toBe('v9.0.0');
    const nodes = (await (await fetch(`${base()}/api/config/nodes`)).json()) as Array<{ name: string }>;
    expect(nodes.map((n) => n.name)).toEqual([p.name]);
    expect(fs.readFileSync(envFile, 'utf8')).toBe(before);
  });

  it('rolls a release back when it does not answer /api/health in time', { timeout: 120_000 }, async () => {
    // A server that starts but never listens: the kind of failure only a health check sees.
    const broken = await variant('9.1.0', (dir) =>
      replaceFile(path.join(dir, 'dist', 'src', 'main.js'), 'setInterval(() => {}, 1000);\n'),
    );
    const r = await install(broken, '--health-timeout', '4');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('upgrade to 9.1.0 failed; rolled back to 9.0.0, which is running again');
    expect(await version()).toBe('v9.0.0');
    const current = fs.readlinkSync(path.join(root, 'opt', 'pulse', 'current'));
    expect(fs.readFileSync(path.join(current, 'VERSION'), 'utf8').trim()).toBe('9.0.0');
    const nodes = (await (await fetch(`${base()}/api/config/nodes`)).json()) as unknown[];
    expect(nodes).toHaveLength(1);
  });

  it('updates itself through /api/updates/apply with the same installer', { timeout: 300_000 }, async () => {
    const plan = (await (await fetch(`${base()}/api/updates/plan`)).json()) as Record<string, unknown>;
    expect(plan).toMatchObject({ canAutoUpdate: true, rollbackSupport: true });
    const next = await variant('9.2.0');
    // The release as a download server would offer it: the tarball and its .sha256 side by side.
    const server = http.createServer((req, res) => {
      const file = req.url?.endsWith('.sha256') ? `${next}.sha256` : next;
      if (!req.url?.startsWith(`/${path.basename(next)}`)) {
        res.statusCode = 404;
        res.end();
        return;
      }
      fs.createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/${path.basename(next)}`;
      const apply = await fetch(`${base()}/api/updates/apply`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ downloadUrl: url }),
      });
      expect(await apply.json()).toMatchObject({ status: 'started' });
      const deadline = Date.now() + 200_000;
      while ((await version()) !== 'v9.2.0') {
        if (Date.now() > deadline) throw new Error('the update did not come up');
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      server.close();
    }
    // The installer records its outcome right after the new release answered.
    let entry: Record<string, unknown> | undefined;
    while (!entry || entry.status === 'in_progress') {
      const history = (await (await fetch(`${base()}/api/updates/history`)).json()) as Array<Record<string, unknown>>;
      entry = history.find((h) => h.action === 'update');
      if (entry?.status === 'in_progress') await new Promise((r) => setTimeout(r, 500));
    }
    expect(entry).toMatchObject({ status: 'success', version_from: 'v9.0.0', version_to: 'v9.2.0' });
    expect(String(entry?.notes)).toContain('checksum verified');
    expect(String(entry?.notes)).toContain('Pulse 9.2.0 is running');
    const status = (await (await fetch(`${base()}/api/updates/status`)).json()) as { status: string };
    expect(status.status).toBe('completed');
    const nodes = (await (await fetch(`${base()}/api/config/nodes`)).json()) as unknown[];
    expect(nodes).toHaveLength(1);
  });

  it('uninstalls the program but keeps the data, and --purge removes the data', { timeout: 60_000 }, async () => {
    const r = await run(INSTALL, ['--uninstall', '--root', root, '--no-systemd']);
    expect(r.code, r.stderr).toBe(0);
    expect(await version()).toBeUndefined();
    expect(fs.existsSync(path.join(root, 'opt', 'pulse'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'var', 'lib', 'pulse', 'pulse.db'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'etc', 'pulse', 'pulse.env'))).toBe(true);
    const purge = await run(INSTALL, ['--uninstall', '--purge', '--root', root, '--no-systemd']);
    expect(purge.code, purge.stderr).toBe(0);
    expect(fs.existsSync(path.join(root, 'var', 'lib', 'pulse'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'etc', 'pulse'))).toBe(false);
  });
});

describe.skipIf(!fs.existsSync('/usr/bin/systemd-analyze'))('the systemd unit', () => {
  it('passes systemd-analyze verify and carries the hardening', async () => {
    const unitDir = path.join(work, 'unit');
    fs.mkdirSync(unitDir);
    fs.mkdirSync(path.join(work, 'unpacked-prefix'));
    fs.symlinkSync(stage, path.join(work, 'unpacked-prefix', 'current'));
    const fill = (name: string) => {
      const text = fs
        .readFileSync(path.join(stage, 'systemd', name), 'utf8')
        .replaceAll('@PREFIX@', path.join(work, 'unpacked-prefix'))
        .replaceAll('@DATA_DIR@', path.join(work, 'data'))
        .replaceAll('@CONFIG_DIR@', path.join(work, 'etc'))
        .replaceAll('@NODE@', process.execPath);
      fs.writeFileSync(path.join(unitDir, name), text);
      return text;
    };
    const unit = fill('pulse.service');
    fill('pulse-update.service');
    fill('pulse-update.path');
    const files = ['pulse.service', 'pulse-update.service', 'pulse-update.path'].map((f) => path.join(unitDir, f));
    const r = await run('systemd-analyze', ['verify', ...files]);
    expect(r.stderr.trim()).toBe('');
    expect(r.code).toBe(0);
    for (const line of [
      'NoNewPrivileges=true',
      'ProtectSystem=strict',
      'ProtectHome=true',
      'PrivateTmp=true',
      `ReadWritePaths=${path.join(work, 'data')}`,
      'Restart=on-failure',
      `Environment="PULSE_NODE=${process.execPath}"`,
    ]) {
      expect(unit).toContain(line);
    }
  });
});

describe('the Docker image', () => {
  let d: Dockerd | undefined;
  afterAll(async () => {
    await d?.stop();
  }, 120_000);

  it('builds from a local base image, answers /api/health and keeps its data across a restart', {
    timeout: 600_000,
  }, async (ctx) => {
    let why = dockerdMissing();
    if (!why) {
      try {
        d = await startDockerd();
      } catch (err) {
        why = (err as Error).message;
      }
    }
    if (!d) {
      if (process.env.CI === 'true') throw new Error(`CI needs a running Docker daemon for this test: ${why}`);
      ctx.skip(why);
      return;
    }
    await importNodeBaseImage(d, 'pulse-test/node-base:20');
    // The build context as the Dockerfile expects it: the repository's Dockerfile and dist/release.
    const context = path.join(work, 'docker-context');
    fs.mkdirSync(path.join(context, 'dist', 'release'), { recursive: true });
    for (const f of ['Dockerfile', '.dockerignore']) fs.copyFileSync(path.join(REPO, f), path.join(context, f));
    fs.linkSync(tarball, path.join(context, 'dist', 'release', path.basename(tarball)));
    fs.copyFileSync(`${tarball}.sha256`, path.join(context, 'dist', 'release', `${path.basename(tarball)}.sha256`));
    const build = await run(
      'docker',
      [
        '-H',
        `unix://${d.socket}`,
        'build',
        '--build-arg',
        'BASE_IMAGE=pulse-test/node-base:20',
        '-t',
        'pulse-test/pulse:test',
        context,
      ],
      { DOCKER_BUILDKIT: '0' },
    );
    expect(build.code, build.stderr).toBe(0);

    // A release built with another Node major version stops the build with the reason.
    const other = await variant('0.0.3', (dir) => replaceFile(path.join(dir, 'NODE_ABI'), '137 v24.22.3\n'));
    const otherContext = path.join(work, 'docker-context-other');
    fs.mkdirSync(path.join(otherContext, 'dist', 'release'), { recursive: true });
    for (const f of ['Dockerfile', '.dockerignore']) fs.copyFileSync(path.join(REPO, f), path.join(otherContext, f));
    for (const f of [other, `${other}.sha256`])
      fs.copyFileSync(f, path.join(otherContext, 'dist', 'release', path.basename(f)));
    const refused = await run(
      'docker',
      ['-H', `unix://${d.socket}`, 'build', '--build-arg', 'BASE_IMAGE=pulse-test/node-base:20', otherContext],
      { DOCKER_BUILDKIT: '0' },
    );
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain(
      `this release was built for Node.js v24.22.3 (module ABI 137), the base image has Node.js ${process.version}`,
    );

    const imagePort = await freePort();
    // The daemon runs without a bridge here, so the container uses the host's network.
    await d.docker(
      'run',
      '-d',
      '--name',
      'pulse',
      '--network',
      'host',
      '-e',
      `FRONTEND_PORT=${imagePort}`,
      '-v',
      'pulse-data:/data',
      '--health-interval',
      '2s',
      '--health-start-period',
      '60s',
      'pulse-test/pulse:test',
    );
    const url = `http://127.0.0.1:${imagePort}`;
    const healthy = async () => {
      for (;;) {
        const s = await d!.docker('inspect', '-f', '{{.State.Health.Status}}', 'pulse');
        if (s === 'healthy') return;
        if (s === 'unhealthy') throw new Error(`container unhealthy: ${await d!.docker('logs', 'pulse')}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    await healthy();
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    const v = (await (await fetch(`${url}/api/version`)).json()) as { isDocker: boolean };
    expect(v.isDocker).toBe(true);
    expect(await d.docker('exec', 'pulse', 'id', '-u')).toBe('10001');
    const config = JSON.parse(await d.docker('inspect', '-f', '{{json .Config}}', 'pulse-test/pulse:test'));
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(Object.keys(config.ExposedPorts)).toEqual(['7655/tcp']);
    expect(config.Env).toContain('PULSE_DOCKER=true');

    const put = await fetch(`${url}/api/guests/metadata/pve1-node1-100`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ customUrl: 'https://kept.example.lan' }),
    });
    expect(put.status).toBe(200);
    await d.docker('restart', 'pulse');
    await healthy();
    const kept = await (await fetch(`${url}/api/guests/metadata/pve1-node1-100`)).json();
    expect(kept).toMatchObject({ customUrl: 'https://kept.example.lan' });
    await d.docker('rm', '-f', 'pulse');
  });
});
