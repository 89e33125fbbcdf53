import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createLogger } from '../logging.js';
import { StateStore } from '../state/store.js';
import { grownEnough, MemoryReclaimer, withLevel } from './memory-reclaim.js';

const logger = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let reclaimer: MemoryReclaimer | undefined;
afterEach(() => reclaimer?.stop());

/** Allocates roughly `mb` megabytes of objects and buffers, kept in `into` until it is emptied. */
function garbage(mb: number, into: unknown[] = []): unknown[] {
  for (let i = 0; i < mb; i++) {
    into.push(
      Array.from({ length: 5_000 }, (_, k) => ({ k, s: `x${k}` })),
      Buffer.alloc(512 * 1024, i),
    );
  }
  return into;
}

/** The engine's real `gc()`: vitest.config.ts starts this file's worker with --expose-gc, as bin/pulse starts Pulse. */
function realGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (!exposed) throw new Error('gc() is not exposed: run this file through vitest.config.ts (its "gc" project)');
  return exposed;
}
const gc = realGc();

describe('when to collect', () => {
  const MB = 1024 * 1024;

  it('measures growth from the lowest level recent collections left, not from one taken mid-burst', () => {
    // Rests at 150 MB; a collection while a backup listing was in flight left 190 MB; once the
    // listing is over, its 40 MB plus 20 MB of new garbage are there (210 MB). From the mid-burst
    // level that is 20 MB, under the threshold; from the resting level, 60 MB.
    const levels = withLevel([150 * MB], 190 * MB);
    expect(grownEnough(210 * MB, levels, 32 * MB, 1.2)).toBe(true);
    expect(grownEnough(210 * MB, [190 * MB], 32 * MB, 1.2)).toBe(false);
  });

  it('needs both the absolute and the relative growth', () => {
    expect(grownEnough(140 * MB, [100 * MB], 32 * MB, 1.2)).toBe(true);
    expect(grownEnough(130 * MB, [100 * MB], 32 * MB, 1.2)).toBe(false); // 30 MB < 32
    expect(grownEnough(500 * MB, [460 * MB], 32 * MB, 1.2)).toBe(false); // 40 MB but < 20 %
  });

  it('forgets levels older than the last six, so a live size that really grew is the baseline again', () => {
    let levels = [100 * MB];
    for (let i = 0; i < 6; i++) levels = withLevel(levels, 200 * MB);
    expect(levels).toEqual(Array(6).fill(200 * MB));
    expect(grownEnough(230 * MB, levels, 32 * MB, 1.1)).toBe(false);
  });
});

describe('MemoryReclaimer', () => {
  it('collects once after a burst of commits that left garbage, not per commit', async () => {
    const store = new StateStore(new ManualClock(0));
    reclaimer = new MemoryReclaimer(logger, { quietMs: 500, minGrowthBytes: 8 * 1024 * 1024, growthFactor: 1, gc });
    reclaimer.start(store);
    // What a burst leaves behind. Kept alive through the check: garbage released earlier may be
    // collected by V8 itself during the quiet period (its own incremental marking finishing while
    // the test sleeps), and then there is rightly nothing to reclaim. Growth is what is measured.
    const held: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      garbage(10, held);
      store.commit(() => {});
      expect(reclaimer.pending).toBe(true);
      await sleep(5); // shorter than the quiet period: still one burst
    }
    expect(reclaimer.counters.collections).toBe(0);
    for (let waited = 0; reclaimer.pending && waited < 5000; waited += 20) await sleep(20);
    expect(reclaimer.pending).toBe(false);
    expect(reclaimer.counters.collections).toBe(1);
    expect(held).toHaveLength(100);
  });

  it('does nothing when memory did not grow past the threshold', async () => {
    const store = new StateStore(new ManualClock(0));
    reclaimer = new MemoryReclaimer(logger, { quietMs: 10, minGrowthBytes: 1024 * 1024 * 1024, gc });
    reclaimer.start(store);
    garbage(10);
    store.commit(() => {});
    await sleep(50);
    expect(reclaimer.counters.collections).toBe(0);
  });

  it('stops listening when stopped', async () => {
    const store = new StateStore(new ManualClock(0));
    reclaimer = new MemoryReclaimer(logger, { quietMs: 10, minGrowthBytes: 1, growthFactor: 1, gc });
    reclaimer.start(store);
    reclaimer.stop();
    garbage(20);
    store.commit(() => {});
    expect(reclaimer.pending).toBe(false);
    await sleep(40);
    expect(reclaimer.counters.collections).toBe(0);
  });
});
