import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticState } from '../../bench/state-fixture.js';
import { ManualClock } from '../clock.js';
import { type Database, openDatabase } from '../db/database.js';
import { createLogger } from '../logging.js';
import { StateStore } from '../state/store.js';
import { MetricHistory } from './service.js';
import { Slab } from './slab.js';
import { SlabRepo } from './slab-repo.js';
import { KIND_METRICS, TIERS } from './tiers.js';

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
    expect(h.queuedParts).toBe(9);
    expect(h.query({ rangeMs: 15 * 60_000 }).series.node.get('pve-node1')?.cpu.length).toBe(75);
    h.drain();
    expect(h.queuedParts).toBe(0);
    // 12.5 minutes: two 5-min chunks of the 10-s tier and the first 10-min chunk of the 1-min
    // tier closed, for 3 kinds.
    const rows = dbh
      .prepare('SELECT tier, kind, chunk_start, ids FROM metric_slabs ORDER BY tier, kind, chunk_start')
      .all() as Array<{
      tier: number;
      kind: string;
      ids: string;
    }>;
    expect(rows.map((r) => `${r.tier}:${r.kind}`)).toEqual([
      '0:guest',
      '0:guest',
      '0:node',
      '0:node',
      '0:storage',
      '0:storage',
      '1:guest',
      '1:node',
      '1:storage',
    ]);
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

describe('MetricHistory after an upgrade from 0.1', () => {
  it('charts the 10-minute chunks 0.1 stored next to the 5-minute ones it writes now', () => {
    const { clock, h, dbh } = setup();
    // What 0.1 left behind: a 10-minute chunk of the 10-s tier (60 steps), node CPU = 7.
    const raw = TIERS[0];
    const old = new Slab(raw, KIND_METRICS.node.length, T0, 1, raw.storedSlots);
    for (let i = 0; i < raw.storedSlots; i++) old.add(old.row('pve-node1'), T0 + i * 10_000, [7, 1, 1]);
    new SlabRepo(dbh).savePart('node', old, 0);
    // Pulse now starts 10 minutes later and records 5 minutes of CPU = 3.
    clock.set(T0 + 10 * 60_000);
    h.start(new StateStore(clock));
    for (let i = 0; i < 30; i++) {
      const s = syntheticState({ nodes: 1, guestsPerNode: 1, now: clock.now(), tick: i });
      h.record({ ...s, nodes: s.nodes.map((n) => ({ ...n, cpu: 0.03 })) });
      clock.advance(10_000);
    }
    h.flush();
    h.drain();
    const cpu = h.query({ rangeMs: 15 * 60_000 }).series.node.get('pve-node1')?.cpu ?? [];
    expect(cpu).toHaveLength(90);
    expect(cpu[0]).toEqual({ timestamp: T0, value: 7 });
    expect(cpu[59].value).toBe(7);
    expect(cpu[60]).toEqual({ timestamp: T0 + 10 * 60_000, value: 3 });
    // A window that starts inside the old chunk (5 min after its start) still finds it.
    const late = h.query({ rangeMs: 10 * 60_000 }).series.node.get('pve-node1')?.cpu ?? [];
    expect(late[0]).toEqual({ timestamp: T0 + 5 * 60_000, value: 7 });
    h.close();
  });
});
