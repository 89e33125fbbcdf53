import { getHeapSpaceStatistics } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createLogger } from '../logging.js';
import { StateStore } from '../state/store.js';
import { MemoryReclaimer } from './memory-reclaim.js';

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

/** Committed bytes of V8's old space. */
function oldSpaceSize(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_size ?? 0;
}

describe('MemoryReclaimer', () => {
  it('collects once after a burst of commits that left garbage, not per commit', async () => {
    const store = new StateStore(new ManualClock(0));
    reclaimer = new MemoryReclaimer(logger, { quietMs: 500, minGrowthBytes: 8 * 1024 * 1024, growthFactor: 1 });
    reclaimer.start(store);
    // What a burst leaves behind: alive while it runs (so V8 cannot collect it on its own
    // before the check), dead once it is over.
    const held: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      garbage(10, held);
      store.commit(() => {});
      expect(reclaimer.pending).toBe(true);
      await sleep(5); // shorter than the quiet period: still one burst
    }
    expect(reclaimer.counters.collections).toBe(0);
    held.length = 0;
    await sleep(800);
    expect(reclaimer.pending).toBe(false);
    expect(reclaimer.counters.collections).toBe(1);
    expect(reclaimer.counters.freedBytes).toBeGreaterThan(0);
  });

  it('does nothing when memory did not grow past the threshold', async () => {
    const store = new StateStore(new ManualClock(0));
    reclaimer = new MemoryReclaimer(logger, { quietMs: 10, minGrowthBytes: 1024 * 1024 * 1024 });
    reclaimer.start(store);
    garbage(10);
    store.commit(() => {});
    await sleep(50);
    expect(reclaimer.counters.collections).toBe(0);
  });

  it('measures growth from the lowest level recent collections left, not from one taken mid-burst', () => {
    const store = new StateStore(new ManualClock(0));
    reclaimer = new MemoryReclaimer(logger, { minGrowthBytes: 16 * 1024 * 1024, growthFactor: 1.2 });
    reclaimer.start(store);
    // The level the process rests at (start, or a collection now if something grew).
    reclaimer.reclaimIfGrown();
    // A collection while a longer burst is in flight: its data is still alive.
    let inFlight: unknown[] = garbage(40);
    expect(reclaimer.reclaimIfGrown()).toBe(true);
    // The burst ends: its data is garbage now, ~40 MB over the resting level but not over the
    // mid-burst one. It must be collected all the same.
    inFlight = [];
    expect(inFlight).toHaveLength(0);
    expect(reclaimer.reclaimIfGrown()).toBe(true);
  });

  it('stops listening when stopped', async () => {
    const store = new StateStore(new ManualClock(0));
    reclaimer = new MemoryReclaimer(logger, { quietMs: 10, minGrowthBytes: 1, growthFactor: 1 });
    reclaimer.start(store);
    reclaimer.stop();
    garbage(20);
    store.commit(() => {});
    expect(reclaimer.pending).toBe(false);
    await sleep(40);
    expect(reclaimer.counters.collections).toBe(0);
  });

  it('compacts the old space its collection leaves sparse, which a plain full GC does not', () => {
    const store = new StateStore(new ManualClock(0));
    // Collect whenever asked: no growth threshold.
    reclaimer = new MemoryReclaimer(logger, { minGrowthBytes: 0, growthFactor: 0, compact: false });
    reclaimer.start(store);
    // ~45 MB of small objects moved to the old space, then every second one dropped: every page
    // is left half full, as after a poll cycle whose garbage was promoted among the survivors
    // (V8's own full GCs move the survivors of nearly empty pages only).
    let objects: Array<{ k: number; s: string } | undefined> = Array.from({ length: 600_000 }, (_, k) => ({
      k,
      s: `value ${k}`,
    }));
    reclaimer.reclaimIfGrown();
    reclaimer.reclaimIfGrown();
    objects = objects.map((o, i) => (i % 2 === 0 ? o : undefined));
    reclaimer.reclaimIfGrown();
    reclaimer.reclaimIfGrown();
    const sparse = oldSpaceSize();
    reclaimer.compact = true;
    expect(reclaimer.reclaimIfGrown()).toBe(true);
    const compacted = oldSpaceSize();
    expect(objects.filter(Boolean)).toHaveLength(300_000);
    expect(sparse - compacted).toBeGreaterThan(10 * 1024 * 1024);
  });
});
