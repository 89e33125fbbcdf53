/**
 * The simulator (sim/cli.ts, run from source) as a child process of a benchmark, so its CPU time
 * is not counted as the measured process's: resolves with its ready line once every endpoint listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { request } from 'undici';
import type { NodeInput } from '../src/settings/node-config.js';
import { PROJECT_ROOT } from '../src/version.js';

/** One of the simulator's token-authenticated endpoints, as its ready line names it. */
export interface SimTokenEndpoint {
  name: string;
  url: string;
  fingerprint: string;
  tokenId: string;
  tokenSecret: string;
}

export interface SimReady {
  control: string;
  pve: SimTokenEndpoint[];
}

/** What a user enters to watch a simulated PVE or PBS: its API token and pinned fingerprint. */
export function simNode(type: 'pve' | 'pbs', ep: SimTokenEndpoint, monitor: NodeInput['monitor'] = {}): NodeInput {
  return {
    type,
    name: ep.name,
    host: ep.url,
    tokenName: ep.tokenId,
    tokenValue: ep.tokenSecret,
    fingerprint: ep.fingerprint,
    verifySSL: true,
    monitor,
  };
}

export async function startSimProcess(estate: string): Promise<{ child: ChildProcess; ready: SimReady }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'sim/cli.ts'), '--estate', estate],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ready = await new Promise<SimReady>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
    child.once('exit', (code) => reject(new Error(`simulator (${estate}) exited with ${code}`)));
  });
  return { child, ready };
}

/** Moves the simulator's clock on by `seconds` (its metrics and cadences follow it). */
export function advanceSimClock(control: string, seconds: number): Promise<void> {
  return postControl(control, '/clock/advance', { seconds });
}

/** A JSON POST to the simulator's control API; anything but 200 is an error. */
async function postControl(control: string, route: string, body: unknown): Promise<void> {
  const res = await request(`${control}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`simulator ${route} answered ${res.statusCode}`);
}

/**
 * Starts a new log of the GET requests the simulator answers: the floor replays them, and the
 * measured process records nothing for it.
 */
export function startSimRequestLog(control: string): Promise<void> {
  return postControl(control, '/requests/log', { record: true });
}

/** Stops the simulator's request log and returns it (path below /api2/json, with `?query`). */
export async function takeSimRequestLog(control: string): Promise<string[]> {
  await postControl(control, '/requests/log', { record: false });
  const res = await request(`${control}/requests/log`);
  return ((await res.body.json()) as { requests: string[] }).requests;
}
