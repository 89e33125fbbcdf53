/**
 * `npm run package`: builds the release tarball dist/release/pulse-<version>-linux-<arch>.tar.gz
 * (+ .sha256) holding everything a host needs besides Node itself:
 *   dist/src/main.js   the server, bundled by esbuild (npm packages stay in node_modules)
 *   dist/web/          the built web UI
 *   dist/agent/        the Docker agent (single executable for this arch + portable bundle)
 *   node_modules/      production dependencies only, native modules as built here (so this arch)
 *   bin/, scripts/install.sh, scripts/install-docker-agent.sh, systemd/pulse.service,
 *   package.json, VERSION, SHA256SUMS (every other file's hash; install.sh checks it),
 *   NODE_ABI (the Node the native modules were built for: they load on no other major version)
 * Nothing in it needs a compiler or the network to install.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { hostArch, packageAgent } from './package-agent.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface LockFile {
  packages: Record<string, { dev?: boolean; link?: boolean }>;
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function walk(dir: string, base = dir, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else if (e.isFile()) out.push(path.relative(base, p));
  }
  return out;
}

/** Production packages per package-lock.json: every installed package not marked dev-only. */
function copyProductionModules(dest: string): void {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as LockFile;
  for (const [key, meta] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/') || meta.dev || meta.link) continue;
    const from = path.join(ROOT, key);
    if (!fs.existsSync(from)) continue; // an optional package not installed on this platform
    fs.cpSync(from, path.join(dest, key), {
      recursive: true,
      // Nested node_modules are listed (and filtered) on their own in the lock file.
      filter: (src) => !(path.basename(src) === 'node_modules' && src !== from && path.dirname(src) === from),
    });
  }
}

/**
 * The NODE_ABI file: the module ABI (`process.versions.modules`) and version of the Node that
 * built the release. Native modules (better-sqlite3) load only on a Node with the same ABI, i.e.
 * the same major version; install.sh and the Dockerfile compare it with the Node they will run.
 */
function nodeAbiRecord(): string {
  return `${process.versions.modules} ${process.version}\n`;
}

/** Writes SHA256SUMS into a release directory, then the tarball and its .sha256 into outDir. */
export function writeRelease(stage: string, outDir: string): { tarball: string; sha256: string } {
  const sums = walk(stage)
    .filter((f) => f !== 'SHA256SUMS')
    .sort()
    .map((f) => `${sha256File(path.join(stage, f))}  ${f}`);
  // Replaced rather than rewritten: the directory may hold hard links to another release's files.
  fs.rmSync(path.join(stage, 'SHA256SUMS'), { force: true });
  fs.writeFileSync(path.join(stage, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  const version = fs.readFileSync(path.join(stage, 'VERSION'), 'utf8').trim();
  const name = `pulse-${version}-linux-${hostArch()}.tar.gz`;
  fs.mkdirSync(outDir, { recursive: true });
  const tarball = path.join(outDir, name);
  // The top directory is pulse-<version>, so the archive unpacks into one place.
  execFileSync('tar', [
    '-czf',
    tarball,
    '--owner=0',
    '--group=0',
    '-C',
    path.dirname(stage),
    '--transform',
    `s,^${path.basename(stage)},pulse-${version},`,
    path.basename(stage),
  ]);
  const sha256 = sha256File(tarball);
  fs.writeFileSync(`${tarball}.sha256`, `${sha256}  ${name}\n`);
  return { tarball, sha256 };
}

export async function packageRelease(outDir = path.join(ROOT, 'dist', 'release')): Promise<{ tarball: string }> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const version = String(pkg.version);
  const stage = path.join(outDir, `.stage-pulse-${version}`);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(path.join(stage, 'dist', 'src'), { recursive: true });

  await build({
    entryPoints: [path.join(ROOT, 'src', 'main.ts')],
    outfile: path.join(stage, 'dist', 'src', 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });

  // Built straight into the release: the checkout's dist/web may be in use (tests, a running dev server).
  execFileSync(
    'npx',
    [
      'vite',
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
      '--outDir',
      path.join(stage, 'dist', 'web'),
      '--emptyOutDir',
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );

  await packageAgent(path.join(stage, 'dist', 'agent'));
  copyProductionModules(stage);

  for (const f of ['bin/pulse', 'bin/pulse-env', 'scripts/install.sh']) {
    fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
    fs.chmodSync(path.join(stage, f), 0o755);
  }
  fs.copyFileSync(
    path.join(ROOT, 'agent', 'install-docker-agent.sh'),
    path.join(stage, 'scripts', 'install-docker-agent.sh'),
  );
  fs.chmodSync(path.join(stage, 'scripts', 'install-docker-agent.sh'), 0o755);
  fs.mkdirSync(path.join(stage, 'systemd'));
  for (const unit of ['pulse.service', 'pulse-update.service', 'pulse-update.path']) {
    fs.copyFileSync(path.join(ROOT, 'scripts', 'package', unit), path.join(stage, 'systemd', unit));
  }
  fs.mkdirSync(path.join(stage, 'docs'));
  for (const d of ['INSTALL.md', 'CONFIGURATION.md']) {
    if (fs.existsSync(path.join(ROOT, 'docs', d)))
      fs.copyFileSync(path.join(ROOT, 'docs', d), path.join(stage, 'docs', d));
  }
  // Only what the running server reads: its version, module type and Node requirement.
  const slim = {
    name: pkg.name,
    version,
    private: true,
    type: pkg.type,
    engines: pkg.engines,
    dependencies: pkg.dependencies,
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(slim, null, 2)}\n`);
  fs.writeFileSync(path.join(stage, 'VERSION'), `${version}\n`);
  fs.writeFileSync(path.join(stage, 'NODE_ABI'), nodeAbiRecord());

  const { tarball } = writeRelease(stage, outDir);
  fs.rmSync(stage, { recursive: true, force: true });
  return { tarball };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  packageRelease(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    ({ tarball }) => {
      const mb = (fs.statSync(tarball).size / 1024 / 1024).toFixed(1);
      process.stdout.write(`${path.relative(process.cwd(), tarball)} (${mb} MB)\n`);
    },
    (err) => {
      process.stderr.write(`package: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
