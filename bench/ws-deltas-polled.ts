/**
 * The ws-deltas figures on the real polled document (bench/ws-deltas.ts `--polled <estate>`):
 * Pulse polls the simulator (a child process, backups monitored, so the document is the one a
 * real estate serves), a plain /ws client and a client of each delta encoding listen, and each
 * poll is followed by one update. Prints, per measured poll, the full document's bytes and each
 * encoding's delta bytes (uncompressed, as sent) and deflated.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { ManualClock } from '../src/clock.js';
import { startPulse } from '../src/server.js';
import { loadSettings } from '../src/settings/env.js';
import { advanceSimClock, simNode, startSimProcess } from './sim-process.js';

const STEP_MS = 10_000;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Records the text of every message of `type` a client receives. */
function listen(url: string, type: string): Promise<{ texts: string[]; ws: WebSocket }> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
  const rec = { texts: [] as string[], ws };
  const prefix = `{"type":"${type}"`;
  ws.on('message', (data) => {
    const buf = data as Buffer;
    if (buf.subarray(0, prefix.length).toString() === prefix) rec.texts.push(buf.toString('utf8'));
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(rec));
    ws.once('error', reject);
  });
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await sleep(20);
}

export async function measurePolled(estate: string, polls: number, log: (s: string) => void): Promise<void> {
  const sim = await startSimProcess(estate);
  const pve = sim.ready.pve[0];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `pulse-bench-deltas-${estate}-`));
  const clock = new ManualClock(Date.now());
  const pulse = await startPulse(
    loadSettings({ PULSE_DATA_DIR: dataDir, FRONTEND_PORT: '0', BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'silent' }),
    { clock },
  );
  const hub = pulse.deps.wsHub;
  hub.coalesceMs = 1e9; // one update per poll, sent when the benchmark says
  const m = pulse.deps.monitoring;
  const hold = () => pulse.deps.systemSettings.save({ pvePollingInterval: 3600 });
  try {
    hold();
    await m.addNode(simNode('pve', pve));
    const wsBase = pulse.url.replace(/^http/, 'ws');
    const plain = await listen(`${wsBase}/ws`, 'rawData');
    const one = await listen(`${wsBase}/ws?deltas=1`, 'stateDelta');
    const two = await listen(`${wsBase}/ws?deltas=2`, 'stateDelta');
    const poll = async () => {
      clock.advance(STEP_MS);
      await advanceSimClock(sim.ready.control, STEP_MS / 1000);
      pulse.deps.systemSettings.save({ pvePollingInterval: 10 });
      await m.pollNow();
      hold();
      await (m.pollers()[0] as unknown as { settleBackups(): Promise<void> }).settleBackups();
      await sleep(600); // the alert round's commits land in the same update
      const n = plain.texts.length;
      hub.broadcastState();
      await until(() => plain.texts.length > n && one.texts.length > n && two.texts.length > n);
    };
    // Warm-up polls: cluster detection, guest agents, backups listed; the clients get deltas from then on.
    for (let i = 1; i <= 2; i++) {
      await poll();
      log(`polled ${estate}: warm-up poll ${i}`);
    }
    const s = pulse.deps.state.get();
    log(
      `polled ${estate}: ${s.nodes.length} nodes, ${s.vms.length + s.containers.length} guests, ` +
        `${s.pveBackups.storageBackups.length} storage backups, ${s.pbsBackups.length} PBS backups`,
    );
    for (let i = 1; i <= polls; i++) {
      await poll();
      const full = Buffer.byteLength(plain.texts.at(-1) ?? '');
      const parts = [one, two].map((c, k) => {
        const text = c.texts.at(-1) ?? '';
        const bytes = Buffer.byteLength(text);
        return `encoding ${k + 1}: ${(bytes / 1024).toFixed(1)} KB (${((bytes / full) * 100).toFixed(2)} %), ${(
          deflateRawSync(text).length / 1024
        ).toFixed(1)} KB deflated`;
      });
      console.log(
        `polled ${estate}, poll ${i}: rawData ${(full / 1024 / 1024).toFixed(2)} MB; stateDelta ${parts.join('; ')}`,
      );
    }
    for (const c of [plain, one, two]) c.ws.close();
  } finally {
    await pulse.close();
    sim.child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
