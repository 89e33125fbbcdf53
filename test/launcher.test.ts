import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/version.js';

const pulseEnv = path.join(PROJECT_ROOT, 'bin', 'pulse-env');
const MALLOC = ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'];

/** What a Node process started through bin/pulse-env sees of the malloc settings. */
function seen(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const script = `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(MALLOC)}.map((k) => [k, process.env[k]]))))`;
  return JSON.parse(execFileSync(pulseEnv, [process.execPath, '-e', script], { env, encoding: 'utf8' }));
}

describe('bin/pulse-env (the process settings of `npm start`)', () => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MALLOC_')));

  it('sets the malloc tuning measured in docs/BENCHMARKS.md', () => {
    expect(seen(base)).toEqual({
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '32768',
      MALLOC_TRIM_THRESHOLD_: '131072',
    });
  });

  it('leaves a value the operator set alone', () => {
    expect(seen({ ...base, MALLOC_ARENA_MAX: '4' }).MALLOC_ARENA_MAX).toBe('4');
  });

  it('passes the command’s exit status through', () => {
    expect(() => execFileSync(pulseEnv, [process.execPath, '-e', 'process.exit(3)'], { env: base })).toThrow(
      expect.objectContaining({ status: 3 }),
    );
  });
});
