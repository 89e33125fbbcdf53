/**
 * Starts a real Pulse on 127.0.0.1:<free port> with a fresh temporary data directory.
 * Tests talk to it over HTTP like a user's script would; `startFastPulse` and `untilCycles`
 * are for tests that watch it poll the simulator.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Clock } from '../../src/clock.js';
import type { PbsPoller } from '../../src/collect/pbs-poller.js';
import type { PvePoller } from '../../src/collect/pve-poller.js';
import { createLogger } from '../../src/logging.js';
import type { SecurityOptions } from '../../src/security/types.js';
import { type RunningPulse, startPulse } from '../../src/server.js';
import { loadSettings } from '../../src/settings/env.js';

export function tempDir(prefix = 'pulse-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Collects every log line written during a test, for secret scanning. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface TestPulseOptions {
  dataDir?: string;
  env?: Record<string, string>;
  clock?: Clock;
  logs?: LogCapture;
  /** Rate limits, lockouts and the loopback exemption (the security tests use small limits). */
  security?: SecurityOptions;
}

export type TestPulse = RunningPulse & { dataDir: string };

export async function startTestPulse(opts: TestPulseOptions = {}): Promise<TestPulse> {
  const dataDir = opts.dataDir ?? tempDir();
  const settings = loadSettings({
    PULSE_DATA_DIR: dataDir,
    FRONTEND_PORT: '0',
    BIND_ADDRESS: '127.0.0.1',
    LOG_LEVEL: opts.logs ? 'debug' : 'silent',
    PULSE_BCRYPT_COST: '4',
    // Suites with local webhook receivers on 127.0.0.1 set this for the whole file.
    PULSE_ALLOW_LOOPBACK_WEBHOOKS: process.env.PULSE_ALLOW_LOOPBACK_WEBHOOKS ?? 'false',
    // Every reply in the suite is checked against its route's response schema.
    PULSE_STRICT_RESPONSES: 'true',
    ...opts.env,
  });
  const logger = createLogger({ level: settings.logLevel, destination: opts.logs });
  const pulse = await startPulse(settings, { logger, clock: opts.clock, security: opts.security });
  return Object.assign(pulse, { dataDir });
}

/** Starts Pulse and sets 1 s polling for every product (below the API's 10 s minimum: tests only). */
export async function startFastPulse(dataDir?: string): Promise<TestPulse> {
  const pulse = await startTestPulse(dataDir ? { dataDir } : {});
  pulse.deps.systemSettings.save({ pvePollingInterval: 1, pbsPollingInterval: 1, pmgPollingInterval: 1 });
  return pulse;
}

/** Waits (in poll cycles of node `id`, never wall-clock) until `check` holds; fails after `cycles`. */
export async function untilCycles(
  pulse: TestPulse,
  cycles: number,
  check: () => boolean,
  id = 'pve-0',
): Promise<number> {
  const uid = pulse.deps.monitoring.nodes.byPublicId(id)?.uid;
  for (let i = 0; i <= cycles; i++) {
    if (check()) return i;
    await pulse.deps.monitoring.nextCycle(uid);
  }
  throw new Error(`condition not met within ${cycles} cycles`);
}

/** The pollers that fetch backup listings in the background (PVE and PBS). */
export function backupPollers(pulse: TestPulse): Array<PvePoller | PbsPoller> {
  return pulse.deps.monitoring.pollers().filter((p): p is PvePoller | PbsPoller => 'settleBackups' in p);
}

/** Backups are fetched in the background: waits for the running fetches, then publishes them with a poll. */
export async function settleBackups(pulse: TestPulse): Promise<void> {
  for (const p of backupPollers(pulse)) await p.settleBackups();
  await pulse.deps.monitoring.pollNow();
}
