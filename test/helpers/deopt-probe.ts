/**
 * Run as its own process by src/runtime/memory-reclaim.test.ts, under `--trace-deopt`: cycles of
 * HTTP requests through undici (as a poll cycle makes), with a full collection between cycles —
 * `gc()` or the MemoryReclaimer's — so the test can count the optimised code each kind of
 * collection throws away ("reason: weak objects" lines in V8's trace).
 *
 * Usage: node --expose-gc --trace-deopt --import tsx test/helpers/deopt-probe.ts gc|reclaimer
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logging.js';
import { MemoryReclaimer } from '../../src/runtime/memory-reclaim.js';
import { StateStore } from '../../src/state/store.js';

const mode = process.argv[2];
const body = JSON.stringify({ data: { cpu: 0.1, mem: 1234, name: 'vm' } });
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(body);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api2/json/x`;
const agent = new Agent({ connections: 8 });

const reclaimer = new MemoryReclaimer(createLogger({ level: 'silent' }), { compact: false });
reclaimer.start(new StateStore(new ManualClock(0)));

async function cycle(requests: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < requests) {
        const res = await request(url, { dispatcher: agent });
        JSON.parse(await res.body.text());
      }
    }),
  );
}

for (let c = 0; c < 6; c++) {
  await cycle(2000);
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (mode === 'gc') (globalThis as unknown as { gc: () => void }).gc();
  else await reclaimer.collect();
}
reclaimer.stop();
await agent.close();
server.close();
process.stderr.write(`${JSON.stringify({ mode, ...reclaimer.counters })}\n`);
