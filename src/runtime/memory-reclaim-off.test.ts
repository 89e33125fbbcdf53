import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { createLogger } from '../logging.js';
import { StateStore } from '../state/store.js';
import { MemoryReclaimer } from './memory-reclaim.js';

// This file runs in workers started without --expose-gc (vitest.config.ts), as a Pulse started
// without bin/pulse would be.
describe('without gc()', () => {
  it('stays off: no collection is scheduled however much memory grows', () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const store = new StateStore(new ManualClock(0));
    const off = new MemoryReclaimer(createLogger({ level: 'silent' }), {
      quietMs: 10,
      minGrowthBytes: 1,
      growthFactor: 1,
    });
    expect(off.available).toBe(false);
    off.start(store);
    // 5 MB more in use than at start(), far past the 1-byte threshold.
    const grown = Array.from({ length: 5 }, (_, i) => Buffer.alloc(1024 * 1024, i));
    store.commit(() => {});
    expect(off.pending).toBe(false);
    expect(off.reclaimIfGrown()).toBe(false);
    expect(off.counters.collections).toBe(0);
    expect(grown).toHaveLength(5);
  });
});
