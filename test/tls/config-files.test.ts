/**
 * The real entry point reading its configuration files: credentials from <data dir>/.env, the
 * environment winning over a file, and the system file (PULSE_ENV_FILE in place of
 * /etc/pulse/pulse.env) locating the data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/pulse.js';

function run(env: Record<string, string>): ChildProcess & { output: () => string } {
  let out = '';
  const child = spawn('node_modules/.bin/tsx', ['src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'info', BIND_ADDRESS: '127.0.0.1', ...env },
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

async function listening(child: ChildProcess & { output: () => string }): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const m = /Pulse listening on (http\S+)/.exec(child.output());
    if (m) return m[1].replace(/["\\].*$/, '');
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`did not start: ${child.output()}`);
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  return exited;
}

describe('configuration files read by the entry point', { timeout: 120_000 }, () => {
  it('uses <data dir>/.env, with the environment taking precedence; logs file names, not values', async () => {
    const dataDir = tempDir();
    const secret = 'dotenv-password-4711';
    fs.writeFileSync(
      path.join(dataDir, '.env'),
      `PULSE_AUTH_USER=admin\nPULSE_AUTH_PASS=${secret}\nFRONTEND_PORT=not-a-port\n`,
      { mode: 0o600 },
    );
    const child = run({ PULSE_DATA_DIR: dataDir, FRONTEND_PORT: '0', PULSE_ENV_FILE: path.join(dataDir, 'none.env') });
    try {
      const url = await listening(child);
      const ok = await fetch(`${url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: secret }),
      });
      expect(ok.status).toBe(200);
      expect((await fetch(`${url}/api/alerts/active`)).status).toBe(401);
      expect(child.output()).toContain(path.join(dataDir, '.env'));
      expect(child.output()).not.toContain(secret);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('reads the system file, which may name the data directory; a bad value there exits 2', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir);
    const systemFile = path.join(root, 'pulse.env');
    fs.writeFileSync(systemFile, `PULSE_DATA_DIR=${dataDir}\nFRONTEND_PORT=0\n`);
    const child = run({ PULSE_ENV_FILE: systemFile, PULSE_DATA_DIR: '', FRONTEND_PORT: '' });
    try {
      await listening(child);
      expect(fs.existsSync(path.join(dataDir, 'pulse.db'))).toBe(true);
    } finally {
      expect(await stop(child)).toBe(0);
    }

    fs.writeFileSync(systemFile, `PULSE_DATA_DIR=${dataDir}\nLOG_LEVEL=loud\n`);
    const bad = run({ PULSE_ENV_FILE: systemFile, PULSE_DATA_DIR: '', FRONTEND_PORT: '0', LOG_LEVEL: '' });
    const code = await new Promise((resolve) => bad.once('exit', resolve));
    expect(code, bad.output()).toBe(2);
    expect(bad.output()).toContain('LOG_LEVEL');
  });
});
