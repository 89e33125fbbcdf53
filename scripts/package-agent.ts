/**
 * Builds the Docker agent into dist/agent/: a bundled CommonJS script (pulse-docker-agent.cjs,
 * runs on any Node) and a single executable for this machine's arch (Node's single-executable
 * application: this Node binary with the bundle injected), which runs on hosts without Node.
 * Usage: tsx scripts/package-agent.ts [outDir]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The fuse string Node looks for to know a blob was injected (documented for Node's SEA). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Node's process.arch → the arch names the download route and install script use. */
export const ARCH_NAMES: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'armv7' };

export function hostArch(): string {
  const a = ARCH_NAMES[process.arch];
  if (!a) throw new Error(`unsupported arch ${process.arch}`);
  return a;
}

export async function packageAgent(
  outDir = path.join(ROOT, 'dist', 'agent'),
): Promise<{ bundle: string; exe: string }> {
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  fs.mkdirSync(outDir, { recursive: true });
  const bundle = path.join(outDir, 'pulse-docker-agent.cjs');
  await build({
    entryPoints: [path.join(ROOT, 'agent', 'main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    define: { __PULSE_AGENT_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  });

  // SEA: the blob is made by this same Node, so it matches the binary it is injected into.
  const work = fs.mkdtempSync(path.join(outDir, '.sea-'));
  try {
    const blob = path.join(work, 'agent.blob');
    const seaConfig = path.join(work, 'sea-config.json');
    fs.writeFileSync(
      seaConfig,
      JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false }),
    );
    execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'pipe' });
    const exe = path.join(outDir, `pulse-docker-agent-linux-${hostArch()}`);
    const tmpExe = path.join(work, 'agent.exe');
    fs.copyFileSync(process.execPath, tmpExe);
    fs.chmodSync(tmpExe, 0o755);
    const require = createRequire(import.meta.url);
    const { inject } = require('postject') as {
      inject: (file: string, name: string, data: Buffer, opts: { sentinelFuse: string }) => Promise<void>;
    };
    await inject(tmpExe, 'NODE_SEA_BLOB', fs.readFileSync(blob), { sentinelFuse: SEA_FUSE });
    fs.renameSync(tmpExe, exe);
    return { bundle, exe };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  packageAgent(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (r) => process.stdout.write(`${path.relative(process.cwd(), r.exe)}\n${path.relative(process.cwd(), r.bundle)}\n`),
    (err) => {
      process.stderr.write(`package-agent: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
