/** The real entry point as a child process: exit codes, start-up refusals and graceful shutdown. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyFilePath } from '../src/crypto/key-file.js';
import { tempDir } from './helpers/pulse.js';

const TSX = 'node_modules/.bin/tsx';

function run(env: Record<string, string>): ChildProcess & { output: () => string } {
  let out = '';
  const child = spawn(TSX, ['src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'info', FRONTEND_PORT: '0', BIND_ADDRESS: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return Object.assign(child, { output: () => out });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitFor(pred: () => boolean, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Each case starts the real entry point through tsx, which is slow on a busy machine.
describe('pulse process', { timeout: 120_000 }, () => {
  it('an invalid setting exits 2 with one line naming the variable', async () => {
    const child = run({ PULSE_DATA_DIR: tempDir(), FRONTEND_PORT: 'not-a-port' });
    expect(await exitOf(child), child.output()).toBe(2);
    const lines = child.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('FRONTEND_PORT');
  });

  it('a missing key file with encrypted data refuses to start (exit 2)', async () => {
    const dataDir = tempDir();
    const first = run({ PULSE_DATA_DIR: dataDir });
    await waitFor(() => first.output().includes('Pulse listening'));
    first.kill('SIGTERM');
    expect(await exitOf(first)).toBe(0);
    fs.unlinkSync(keyFilePath(dataDir));

    const second = run({ PULSE_DATA_DIR: dataDir });
    expect(await exitOf(second)).toBe(2);
    expect(second.output()).toMatch(/encryption key .* missing/);
    expect(fs.existsSync(keyFilePath(dataDir))).toBe(false);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s stops cleanly with exit 0 within 5 s', async (signal) => {
    const dataDir = tempDir();
    const child = run({ PULSE_DATA_DIR: dataDir });
    await waitFor(() => child.output().includes('Pulse listening'));
    const url = JSON.parse(
      child
        .output()
        .split('\n')
        .find((l) => l.includes('Pulse listening')) ?? '{}',
    ).url as string;
    expect((await fetch(`${url}/api/health`)).status).toBe(200);

    const started = Date.now();
    child.kill(signal);
    expect(await exitOf(child)).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    // The database was closed cleanly: WAL checkpointed and removed on close.
    expect(fs.existsSync(`${dataDir}/pulse.db-wal`)).toBe(false);
    expect(child.output()).toContain('shutting down');
  });
});
