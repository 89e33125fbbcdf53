/**
 * `npm run bench [-- name …]`: runs every benchmark in bench/ one after the other, each in its own
 * Node process (with --expose-gc, so memory figures after a full GC are included), and prints
 * their figures. A benchmark is a bench/*.ts file whose first comment starts with "Benchmark:";
 * the others are helpers (the state client, fixtures) and this runner. Names filter:
 * `npm run bench -- poll-cycle state-api`. Benchmarks print figures and assert nothing; the
 * runner's exit code is non-zero only when one of them crashed.
 *
 * A benchmark of Pulse is first bundled with esbuild into dist/bench/<name>.mjs (the project's
 * TypeScript compiled in, packages left as imports) and run with plain `node` through
 * bin/pulse-env: the process then holds what `npm start` (bin/pulse) runs, with the same process
 * settings, and without the TypeScript loader's worker thread (~40 MB of resident memory that
 * `npx tsx` would add to the figures). A benchmark of the simulator in-process runs from source.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The Node start-up options bin/pulse gives the server (its START_OPTIONS line). */
function pulseStartOptions(): string[] {
  const launcher = fs.readFileSync(path.join(path.dirname(here), 'bin', 'pulse'), 'utf8');
  const line = /^START_OPTIONS="([^"]*)"$/m.exec(launcher);
  if (!line) throw new Error('bin/pulse has no START_OPTIONS="…" line');
  return line[1].split(/\s+/).filter(Boolean);
}

const wanted = process.argv.slice(2).map((n) => n.replace(/\.ts$/, ''));

const benches = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .filter((f) => /^\/\*\*\s*\n\s*\*\s*Benchmark:/.test(fs.readFileSync(path.join(here, f), 'utf8')))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

if (benches.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}`);
  process.exit(2);
}

console.log(
  `# ${benches.length} benchmark(s): ${benches.join(', ')} — ${new Date().toISOString()}, ` +
    `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`,
);
let failed = 0;
for (const name of benches) {
  console.log(`\n# ${name}`);
  const t0 = performance.now();
  const source = path.join(here, `${name}.ts`);
  // The simulator reads its schema files next to its own modules, so a benchmark that runs it
  // in-process (it measures the simulator, not Pulse) runs from source with tsx instead.
  const fromSource = /from '\.\.\/sim\//.test(fs.readFileSync(source, 'utf8'));
  const outfile = path.join(path.dirname(here), 'dist', 'bench', `${name}.mjs`);
  if (!fromSource)
    await build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
  const code = await new Promise<number>((resolve) => {
    // Through bin/pulse-env, with bin/pulse's Node options: the process settings `npm start`
    // gives the server (malloc tuning, heap sizes).
    const node = pulseStartOptions();
    const args = fromSource ? [...node, '--import', 'tsx', source] : [...node, outfile];
    const child = spawn(path.join(path.dirname(here), 'bin', 'pulse-env'), [process.execPath, ...args], {
      cwd: path.dirname(here),
      stdio: 'inherit',
    });
    child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(0);
  console.log(`\n# ${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${secs} s`);
  if (code !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
