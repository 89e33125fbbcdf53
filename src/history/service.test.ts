import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticState } from '../../bench/state-fixture.js';
import { ManualClock } from '../clock.js';
import { type Database, openDatabase } from '../db/database.js';
import { createLogger } from '../logging.js';
import { MetricHistory } from './service.js';

const T0 = Date.UTC(2026, 0, 1);
const logger = createLogger({ level: 'silent' });
let db: Database | undefined;
afterEach(() => db?.close());

function setup() {
  db = openDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-history-')));
  const clock = new ManualClock(T0);
  return { clock, h: new MetricHistory({ db, clock, logger }), dbh: db };
}

describe('MetricHistory recording', () => {
  it('samples a resource once per poll, not once per unrelated commit', () => {
    const { clock, h } = setup();
    const s = syntheticState({ nodes: 1, guestsPerNode: 2, now: T0 });
    h.record(s);
    const perPoll = h.counters.samples; // 1 node + 2 guests + 2 storages
    expect(perPoll).toBe(5);
    // Another poller commits: same objects, same 10-s step → nothing recorded.
    clock.advance(3_000);
    h.record({ ...s });
    expect(h.counters.samples).toBe(perPoll);
    // The next step records the unchanged objects once (the series stays continuous).
    clock.advance(10_000);
    h.record({ ...s });
    h.record({ ...s });
    expect(h.counters.samples).toBe(2 * perPoll);
    // A new poll replaces the objects: recorded even within the same step.
    h.record(syntheticState({ nodes: 1, guestsPerNode: 2, now: clock.now(), tick: 1 }));
    expect(h.counters.samples).toBe(3 * perPoll);
  });

  it('writes closed slabs, one row per tier and kind, and reads them back', () => {
    const { clock, h, dbh } = setup();
    for (let i = 0; i < 75; i++) {
      h.record(syntheticState({ nodes: 2, guestsPerNode: 3, now: clock.now(), tick: i }));
      clock.advance(10_000);
    }
    h.flush();
    // Queries see closed slabs before they are written…
    expect(h.queuedParts).toBe(3);
    expect(h.query({ rangeMs: 15 * 60_000 }).series.node.get('pve-node1')?.cpu.length).toBe(75);
    h.drain();
    expect(h.queuedParts).toBe(0);
    // 12.5 minutes: the first 10-min chunk closed for 3 kinds.
    const rows = dbh.prepare('SELECT tier, kind, chunk_start, ids FROM metric_slabs ORDER BY kind').all() as Array<{
      tier: number;
      kind: string;
      ids: string;
    }>;
    expect(rows.map((r) => `${r.tier}:${r.kind}`)).toEqual(['0:guest', '0:node', '0:storage']);
    expect(JSON.parse(rows[0].ids)).toHaveLength(6);
    const q = h.query({ rangeMs: 15 * 60_000 });
    expect(q.tier).toBe('10s');
    const cpu = q.series.node.get('pve-node1')?.cpu ?? [];
    expect(cpu.length).toBe(75);
    expect(cpu[0].timestamp).toBe(T0);
    expect(q.series.guest.size).toBe(6);
    expect(q.series.storage.size).toBe(4);
    // The yielding form answers the same.
    return h.queryAsync({ rangeMs: 15 * 60_000 }).then((a) => {
      expect(a.series.node.get('pve-node1')).toEqual(q.series.node.get('pve-node1'));
      expect(a.series.guest.size).toBe(6);
      // Filters by id.
      const one = h.query({ rangeMs: 15 * 60_000, kinds: ['guest'], ids: { guest: new Set(['pve-node2-1101']) } });
      expect([...one.series.guest.keys()]).toEqual(['pve-node2-1101']);
      expect(one.series.node.size).toBe(0);
    });
  });
});
