/**
 * A private Docker Engine for tests: Debian's dockerd with its own data root, exec root and
 * socket in a temp dir, no iptables and no default bridge (so it touches nothing of the host's
 * network). No registry is reachable here, so the one image is made with `docker import` from a
 * busybox rootfs (Debian's busybox-static).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export interface Dockerd {
  socket: string;
  dir: string;
  /** Runs the docker CLI against this daemon; rejects with its stderr on failure. */
  docker(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export const IMAGE = 'pulse-test/busybox:1';
const BUSYBOX = '/bin/busybox';

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function cli(socket: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['-H', `unix://${socket}`, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout.trim());
    });
  });
}

/**
 * dockerd normally unmounts what it mounted, but a host-network container leaves the
 * exec root's netns bind mount behind (and a killed daemon leaves everything): unmount whatever
 * is still mounted under dir, deepest first, so the directory can be removed.
 */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m?.startsWith(`${dir}/`))
    .sort()
    .reverse();
  for (const m of mounts) {
    await new Promise<void>((resolve) => execFile('umount', ['-l', m], () => resolve()));
  }
}

/** Why a daemon cannot run here, or undefined when it may. */
export function dockerdMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'dockerd needs root and these tests do not run as root';
  if (!which('dockerd')) return 'dockerd is not installed (apt-get install docker.io)';
  if (!which('docker')) return 'the docker CLI is not installed (apt-get install docker.io)';
  if (!fs.existsSync(BUSYBOX)) return `${BUSYBOX} is missing (apt-get install busybox-static)`;
  return undefined;
}

export async function startDockerd(): Promise<Dockerd> {
  // Short path: a unix socket path must stay under 108 bytes.
  const dir = fs.mkdtempSync('/tmp/pd-');
  const socket = path.join(dir, 'docker.sock');
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  const child: ChildProcess = spawn(
    'dockerd',
    [
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--data-root',
      path.join(dir, 'data'),
      '--exec-root',
      path.join(dir, 'exec'),
      '--pidfile',
      path.join(dir, 'dockerd.pid'),
      '-H',
      `unix://${socket}`,
    ],
    { stdio: ['ignore', log, log] },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    }
    await unmountUnder(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (!(await ping(socket))) {
    if (exited || Date.now() > deadline) {
      const tail = fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').split('\n').slice(-8).join('\n');
      await stop();
      throw new Error(`dockerd did not start: ${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const tool of ['sh', 'sleep', 'true', 'false', 'echo', 'cat', 'yes']) {
    fs.symlinkSync('busybox', path.join(rootfs, 'bin', tool));
  }
  const tar = path.join(dir, 'rootfs.tar');
  await new Promise<void>((resolve, reject) =>
    execFile('tar', ['-C', rootfs, '-cf', tar, '.'], (err) => (err ? reject(err) : resolve())),
  );
  await cli(socket, ['import', tar, IMAGE]);
  return { socket, dir, docker: (...args) => cli(socket, args), stop };
}

/**
 * A Node runtime base image without a registry: this machine's node binary, the shared
 * libraries it links (from ldd) and busybox for the shell tools a Dockerfile RUN needs.
 */
export async function importNodeBaseImage(d: Dockerd, tag: string): Promise<void> {
  const rootfs = path.join(d.dir, 'node-rootfs');
  const node = fs.realpathSync(process.execPath);
  const ldd = await new Promise<string>((resolve, reject) =>
    execFile('ldd', [node], (err, out) => (err ? reject(err) : resolve(out))),
  );
  const libs = [...ldd.matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1]);
  for (const lib of libs) {
    const dest = path.join(rootfs, lib);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(fs.realpathSync(lib), dest);
  }
  for (const dir of ['usr/local/bin', 'bin', 'tmp', 'etc']) fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  fs.copyFileSync(node, path.join(rootfs, 'usr', 'local', 'bin', 'node'));
  fs.chmodSync(path.join(rootfs, 'usr', 'local', 'bin', 'node'), 0o755);
  fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  const tools = ['sh', 'tar', 'gzip', 'sha256sum', 'mkdir', 'chown', 'chmod', 'ls', 'head', 'cat', 'id', 'rm', 'cp'];
  for (const tool of tools) fs.symlinkSync('busybox', path.join(rootfs, 'bin', tool));
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\n');
  const tar = path.join(d.dir, 'node-rootfs.tar');
  await new Promise<void>((resolve, reject) =>
    execFile('tar', ['-C', rootfs, '-cf', tar, '.'], (err) => (err ? reject(err) : resolve())),
  );
  await d.docker('import', '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', tar, tag);
}
