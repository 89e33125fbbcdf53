/**
 * /api/version of a production start: the compiled server started the way `npm start` does
 * (bin/pulse → dist/src/main.js) reports a release build with the contract's fields (§3), while
 * the same code run from src/ (these tests' in-process server) reports a development build.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/version.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';

const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');

function newest(dir: string): number {
  let max = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return max;
}

/** `npm run build:server` when dist/ is missing or older than src/ or sim/. */
function ensureServerBuilt(): void {
  const built = fs.existsSync(MAIN) ? fs.statSync(MAIN).mtimeMs : 0;
  const sources = Math.max(newest(path.join(PROJECT_ROOT, 'src')), newest(path.join(PROJECT_ROOT, 'sim')));
  if (built > sources) return;
  execFileSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
}

const CONTRACT_FIELDS = [
  'version',
  'buildTime',
  'build',
  'goVersion',
  'runtime',
  'channel',
  'isDocker',
  'isDevelopment',
];

describe('/api/version', { timeout: 240_000 }, () => {
  let child: ChildProcess | undefined;
  let output = '';
  let url = '';

  beforeAll(async () => {
    ensureServerBuilt();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FRONTEND_PORT: '0',
      BIND_ADDRESS: '127.0.0.1',
      PULSE_DATA_DIR: tempDir(),
    };
    // What an operator's environment would not have: whatever the test runner set.
    delete env.NODE_ENV;
    delete env.PULSE_BUILD;
    child = spawn(path.join(PROJECT_ROOT, 'bin', 'pulse'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const seen = new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d;
        const line = output.split('\n').find((l) => l.includes('Pulse listening'));
        if (line) {
          url = JSON.parse(line).url;
          resolve();
        }
      };
      child?.stdout?.on('data', onData);
      child?.stderr?.on('data', onData);
      child?.once('exit', (code) => reject(new Error(`bin/pulse exited ${code}: ${output}`)));
    });
    await seen;
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const done = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await done;
    }
  });

  it('a production start (bin/pulse) reports a release build with the contract fields', async () => {
    const res = await fetch(`${url}/api/version`);
    expect(res.status).toBe(200);
    const body = await res.json();
    for (const k of CONTRACT_FIELDS) expect(body, k).toHaveProperty(k);
    expect(body).toMatchObject({ build: 'release', isDevelopment: false, runtime: 'node', updateAvailable: false });
    expect(body.version).toMatch(/^v\d+\.\d+\.\d+/);
    expect(new Date(body.buildTime).toISOString()).toBe(body.buildTime);
    expect(typeof body.deploymentType).toBe('string');
  });

  it('the same code run from src/ reports a development build', async () => {
    const pulse = await startTestPulse();
    try {
      const body = await (await fetch(`${pulse.url}/api/version`)).json();
      expect(body).toMatchObject({ build: process.env.NODE_ENV === 'production' ? 'release' : 'development' });
      expect(body.isDevelopment).toBe(body.build === 'development');
    } finally {
      await pulse.close();
    }
  });
});
