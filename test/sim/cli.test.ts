/** `npm run sim`: one JSON line on stdout once every endpoint listens; stops on SIGTERM. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { request } from './client.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const ROOT = path.resolve(HERE, '../..');

describe('sim CLI', () => {
  it('prints exactly one ready line, serves, and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', '--estate', 'small', '--seed', '5'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const ready = JSON.parse(line);
    expect(ready).toMatchObject({ ready: true, estate: 'small', seed: 5 });
    expect(ready.pve[0].nodes).toHaveLength(1);
    const v = await request(`${ready.pve[0].url}/api2/json/version`, {
      headers: { Authorization: `PVEAPIToken=${ready.pve[0].tokenId}=${ready.pve[0].tokenSecret}` },
    });
    expect(v.status).toBe(200);
    const state = await (await fetch(`${ready.control}/state`)).json();
    expect(state.pve[0].name).toBe('pve-small');
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown estate fails with a message and exit code 1', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', '--estate', 'nope'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain("unknown estate 'nope'");
  });
});
