/**
 * AlertRepo.syncActive against a real SQLite file: it remembers what it wrote, so it must still
 * write exactly the rows that changed (live figures only on full writes), delete gone ones, and
 * start from what the table held when another repo wrote it before.
 */
import { describe, expect, it } from 'vitest';
import type { TrackedAlert } from '../../src/alerts/memory.js';
import { AlertRepo } from '../../src/alerts/repo.js';
import { openDatabase } from '../../src/db/database.js';
import { tempDir } from '../helpers/pulse.js';

const T0 = Date.UTC(2026, 0, 5, 15, 0);

function tracked(id: string, over: Partial<TrackedAlert['alert']> = {}, notify: TrackedAlert['notify'] = 'sent') {
  return {
    alert: {
      id,
      type: 'cpu',
      level: 'warning',
      resourceId: `r-${id}`,
      resourceName: id,
      node: 'pve1',
      instance: 'pve',
      message: 'CPU at 90%',
      value: 90,
      threshold: 80,
      startTime: new Date(T0).toISOString(),
      acknowledged: false,
      lastSeen: new Date(T0).toISOString(),
      metadata: { clearThreshold: 75 },
      ...over,
    },
    category: 'performance',
    notify,
  } as TrackedAlert;
}

function rows(dir: string) {
  const db = openDatabase(dir);
  try {
    return db
      .prepare<[], { id: string; data: string; updated_at: number }>(
        'SELECT id, data, updated_at FROM alert_active ORDER BY id',
      )
      .all()
      .map((r) => ({ id: r.id, at: r.updated_at, t: JSON.parse(r.data) as TrackedAlert }));
  } finally {
    db.close();
  }
}

describe('AlertRepo.syncActive', () => {
  it('writes new, changed and gone rows only; live figures wait for a full write', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const repo = new AlertRepo(db);
    repo.syncActive([tracked('a'), tracked('b')], T0);
    expect(rows(dir).map((r) => [r.id, r.at])).toEqual([
      ['a', T0],
      ['b', T0],
    ]);

    // Live figures only (fresh objects, as the engine hands out): not written without `full`.
    const live = { value: 95, message: 'CPU at 95%', lastSeen: new Date(T0 + 10_000).toISOString() };
    repo.syncActive([tracked('a', live), tracked('b', live)], T0 + 10_000, false);
    expect(rows(dir).map((r) => [r.id, r.at, r.t.alert.value])).toEqual([
      ['a', T0, 90],
      ['b', T0, 90],
    ]);

    // A metadata, level or notification change is written at once; a gone alert is deleted.
    repo.syncActive(
      [tracked('a', { ...live, metadata: { clearThreshold: 70 } }), tracked('c', live, 'pending')],
      T0 + 20_000,
      false,
    );
    let r = rows(dir);
    expect(r.map((x) => [x.id, x.at])).toEqual([
      ['a', T0 + 20_000],
      ['c', T0 + 20_000],
    ]);
    expect(r[0].t.alert.metadata).toEqual({ clearThreshold: 70 });
    const c2 = tracked('c', live, 'sent');
    repo.syncActive([tracked('a', { ...live, metadata: { clearThreshold: 70 } }), c2], T0 + 30_000, false);
    expect(rows(dir).find((x) => x.id === 'c')).toMatchObject({ at: T0 + 30_000, t: { notify: 'sent' } });

    // A full write stores changed live figures (c's row is current already); the same objects again write nothing.
    const a3 = tracked('a', { value: 97, metadata: { clearThreshold: 70 } });
    repo.syncActive([a3, c2], T0 + 40_000, true);
    r = rows(dir);
    expect(r.map((x) => [x.id, x.at, x.t.alert.value])).toEqual([
      ['a', T0 + 40_000, 97],
      ['c', T0 + 30_000, 95],
    ]);
    repo.syncActive([a3, c2], T0 + 50_000, true);
    expect(rows(dir).map((x) => x.at)).toEqual([T0 + 40_000, T0 + 30_000]);
    db.close();

    // A new repo on the same file starts from the table: unchanged rows stay, gone rows go.
    const db2 = openDatabase(dir);
    new AlertRepo(db2).syncActive([tracked('a', { value: 97, metadata: { clearThreshold: 70 } })], T0 + 60_000, true);
    expect(rows(dir).map((x) => [x.id, x.at])).toEqual([['a', T0 + 40_000]]);
    db2.close();
  });

  it('with lastSeen kept outside the objects: full writes update it in place, other writes carry it', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const repo = new AlertRepo(db);
    const a = tracked('a');
    const b = tracked('b');
    const seenAt = (ms: number) => ({ lastRound: new Date(ms).toISOString() });
    repo.syncActive([a, b], T0, true, seenAt(T0));
    const first = rows(dir);

    // Not a full write: lastSeen alone waits.
    repo.syncActive([a, b], T0 + 10_000, false, seenAt(T0 + 10_000));
    expect(rows(dir)).toEqual(first);

    // A full write updates lastSeen of the identical objects and nothing else of the rows.
    repo.syncActive([a, b], T0 + 20_000, true, seenAt(T0 + 20_000));
    let r = rows(dir);
    expect(r.map((x) => [x.id, x.at, x.t.alert.lastSeen])).toEqual([
      ['a', T0 + 20_000, new Date(T0 + 20_000).toISOString()],
      ['b', T0 + 20_000, new Date(T0 + 20_000).toISOString()],
    ]);
    expect(r[0].t).toEqual({
      ...first[0].t,
      alert: { ...first[0].t.alert, lastSeen: new Date(T0 + 20_000).toISOString() },
    });
    // Nothing moved: nothing written.
    repo.syncActive([a, b], T0 + 30_000, true, seenAt(T0 + 20_000));
    expect(rows(dir).map((x) => x.at)).toEqual([T0 + 20_000, T0 + 20_000]);

    // A changed alert is encoded whole, with the lastSeen it has now.
    const a2 = tracked('a', { level: 'critical' });
    repo.syncActive([a2, b], T0 + 40_000, false, seenAt(T0 + 40_000));
    r = rows(dir);
    expect(r[0]).toMatchObject({
      at: T0 + 40_000,
      t: { alert: { level: 'critical', lastSeen: new Date(T0 + 40_000).toISOString() } },
    });
    expect(r[1].at).toBe(T0 + 20_000);
    db.close();
  });

  it('a full write rewrites a row when any field of it differs, and never an equal one (also as read at start)', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const repo = new AlertRepo(db);
    repo.syncActive([tracked('a')], T0);
    // One field at a time, top level, inside the alert and deep in its metadata: each is a new row.
    const variants: Array<[string, TrackedAlert]> = [
      ['notify', tracked('a', {}, 'pending')],
      ['parentNodeId', { ...tracked('a'), parentNodeId: 'node-x' }],
      ['acknowledged', tracked('a', { acknowledged: true })],
      ['value', tracked('a', { value: 91 })],
      ['metadata', tracked('a', { metadata: { clearThreshold: 74 } })],
      ['nested metadata', tracked('a', { metadata: { clearThreshold: 75, extra: { deep: [1, 2] } } })],
      ['nested metadata again', tracked('a', { metadata: { clearThreshold: 75, extra: { deep: [1, 3] } } })],
    ];
    let at = T0;
    for (const [field, t] of variants) {
      at += 10_000;
      repo.syncActive([t], at, true);
      const row = rows(dir)[0];
      expect([field, row.at]).toEqual([field, at]);
      expect(row.t).toEqual(t);
      // The same content in a fresh object: nothing to write.
      repo.syncActive([structuredClone(t)], at + 5_000, true);
      expect([field, rows(dir)[0].at]).toEqual([field, at]);
    }
    db.close();

    // A repo that only read the table at start knows it well enough to tell both apart too.
    const last = variants[variants.length - 1][1];
    const db2 = openDatabase(dir);
    const repo2 = new AlertRepo(db2);
    repo2.syncActive([structuredClone(last)], at + 20_000, true);
    expect(rows(dir)[0].at).toBe(at);
    repo2.syncActive([{ ...last, notifiedLevel: 'warning' }], at + 30_000, true);
    expect(rows(dir)[0]).toMatchObject({ at: at + 30_000, t: { notifiedLevel: 'warning' } });
    db2.close();
  });

  it('live figures held back by a steady write reach the row on the next full write of the same object', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const repo = new AlertRepo(db);
    repo.syncActive([tracked('a')], T0);
    const moved = tracked('a', { value: 96, message: 'CPU at 96%' });
    repo.syncActive([moved], T0 + 10_000, false);
    expect(rows(dir)[0]).toMatchObject({ at: T0, t: { alert: { value: 90 } } });
    // The engine hands out the identical object until something else changes.
    repo.syncActive([moved], T0 + 20_000, false);
    repo.syncActive([moved], T0 + 30_000, true);
    expect(rows(dir)[0]).toMatchObject({ at: T0 + 30_000, t: { alert: { value: 96, message: 'CPU at 96%' } } });
    repo.syncActive([moved], T0 + 40_000, true);
    expect(rows(dir)[0].at).toBe(T0 + 30_000);

    // The same after a start: a row read from the table, steady writes, then a full one.
    db.close();
    const db2 = openDatabase(dir);
    const repo2 = new AlertRepo(db2);
    const later = tracked('a', { value: 98, message: 'CPU at 98%' });
    repo2.syncActive([later], T0 + 50_000, false);
    repo2.syncActive([later], T0 + 60_000, false);
    expect(rows(dir)[0]).toMatchObject({ at: T0 + 30_000, t: { alert: { value: 96 } } });
    repo2.syncActive([later], T0 + 70_000, true);
    expect(rows(dir)[0]).toMatchObject({ at: T0 + 70_000, t: { alert: { value: 98 } } });
    // A level change after a start is written at once, not held back as a live figure.
    repo2.syncActive([tracked('a', { value: 98, message: 'CPU at 98%', level: 'critical' })], T0 + 80_000, false);
    expect(rows(dir)[0]).toMatchObject({ at: T0 + 80_000, t: { alert: { level: 'critical' } } });
    db2.close();
  });
});
