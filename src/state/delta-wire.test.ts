/**
 * Deltas computed on the store's objects (unix seconds) for clients that hold the wire form
 * (RFC3339): whatever a delta carries of the converted collections must be converted, in both
 * encodings, and applying it must give the next version's wire document exactly.
 */
import { describe, expect, it } from 'vitest';
import { syntheticCeph, syntheticPbs } from '../../bench/state-fixture.js';
import { emptyState } from '../model/empty-state.js';
import type { CephCluster, PbsBackup, PbsInstance, PulseState, StorageBackup } from '../model/state.js';
import { applyDelta, type DeltaEncoding, diffDocuments, type ToWire } from './delta.js';
import { decodeRowTable } from './delta-rows.js';
import { frontendWireLists, toFrontendWire, WireTimes } from './raw-shape.js';

const wire = new WireTimes(() => 60);
const t0 = Date.UTC(2026, 0, 10, 8) / 1000;
const rfc = (sec: number) => wire.seconds(sec);

const backup = (i: number, time = t0 + i): StorageBackup => ({
  id: `b${i}`,
  storage: 'local',
  node: 'n1',
  instance: 'pve',
  type: 'qemu',
  vmid: 100 + i,
  time,
  ctime: time,
  size: 1000 + i,
  format: 'vma.zst',
  protected: false,
  volid: `local:backup/vzdump-qemu-${100 + i}.vma.zst`,
  isPBS: false,
  verified: false,
});

const pbsBackup = (i: number, backupTime = t0 + i): PbsBackup => ({
  id: `p${i}`,
  instance: 'pbs',
  datastore: 'store',
  namespace: '',
  backupType: 'vm',
  vmid: String(100 + i),
  backupTime,
  size: 1,
  protected: false,
  verified: true,
});

const pbs = (lastRun: number): PbsInstance =>
  syntheticPbs({ backupJobs: [{ id: 'job1', store: 'store', type: 'backup', lastRun, nextRun: lastRun + 86_400 }] });

const ceph = (lastUpdated: number): CephCluster => syntheticCeph({ lastUpdated });

/** A store-shaped document with only the lists these tests move. */
function state(parts: Partial<PulseState> & { storageBackups?: StorageBackup[] }): PulseState {
  const { storageBackups = [], ...rest } = parts;
  const empty = emptyState();
  return { ...empty, pveBackups: { ...empty.pveBackups, storageBackups }, lastUpdate: 1, ...rest };
}

/** The delta as a client receives it, and what applying it to the wire form of `a` gives. */
function roundTrip(a: PulseState, b: PulseState, encoding: DeltaEncoding) {
  const delta = JSON.parse(JSON.stringify(diffDocuments(a, b, encoding, frontendWireLists(wire))));
  const applied = applyDelta(JSON.parse(JSON.stringify(toFrontendWire(a, wire))), delta);
  expect(JSON.stringify(applied)).toBe(JSON.stringify(toFrontendWire(b, wire)));
  return delta;
}

/** Every cell of every row table of one list's delta, as `path → values` (decoded). */
function cells(d: { rows?: Parameters<typeof decodeRowTable>[0][] }, held: unknown[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of d.rows ?? []) {
    const { paths, columns } = decodeRowTable(t, (i, path) =>
      path.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], held[i]),
    );
    paths.forEach((p, j) => {
      out[p.join('.')] = (out[p.join('.')] ?? []).concat(columns[j]);
    });
  }
  return out;
}

describe('deltas of converted collections carry wire values', () => {
  const list = Array.from({ length: 5 }, (_, i) => backup(i));

  it('a backup whose time changed: the new time as RFC3339, in both encodings', () => {
    const a = state({ storageBackups: list });
    const moved = t0 + 7200;
    const b = state({ storageBackups: list.map((x, i) => (i === 2 ? backup(2, moved) : x)) });
    const one = roundTrip(a, b, 1).lists['pveBackups.storageBackups'];
    // ctime stays unix seconds on the wire (contract §0): only `time` is converted.
    expect(one).toEqual({ change: [{ id: 'b2', set: { time: rfc(moved), ctime: moved } }] });
    const two = roundTrip(a, b, 2).lists['pveBackups.storageBackups'];
    const held = toFrontendWire(a, wire).pveBackups as { storageBackups: unknown[] };
    expect(cells(two, held.storageBackups)).toEqual({ time: [rfc(moved)], ctime: [moved] });
  });

  it('a PBS job that ran again: its lastRun and nextRun as RFC3339, in both encodings', () => {
    const a = state({ pbs: [pbs(t0)] });
    const b = state({ pbs: [pbs(t0 + 3600)] });
    const job = {
      id: 'job1',
      store: 'store',
      type: 'backup',
      lastRun: rfc(t0 + 3600),
      nextRun: rfc(t0 + 3600 + 86_400),
    };
    expect(roundTrip(a, b, 1).lists.pbs).toEqual({ change: [{ id: 'pbs-main', set: { backupJobs: [job] } }] });
    const two = roundTrip(a, b, 2).lists.pbs;
    expect(cells(two, toFrontendWire(a, wire).pbs as unknown[])).toEqual({ backupJobs: [[job]] });
  });

  it('added and removed backups: additions whole and converted, removals by id', () => {
    for (const encoding of [1, 2] as const) {
      const a = state({ storageBackups: list, pbsBackups: [pbsBackup(0), pbsBackup(1)] });
      const b = state({
        storageBackups: [backup(9), ...list.slice(1)],
        pbsBackups: [pbsBackup(1), pbsBackup(2)],
      });
      const d = roundTrip(a, b, encoding).lists;
      expect(d['pveBackups.storageBackups']).toEqual({ remove: ['b0'], add: [[0, wire.storageBackup(backup(9))]] });
      expect(d['pveBackups.storageBackups'].add[0][1].time).toBe(rfc(t0 + 9));
      expect(d.pbsBackups).toEqual({ remove: ['p0'], add: [[1, { ...pbsBackup(2), backupTime: rfc(t0 + 2) }]] });
    }
  });

  it('an object sent whole (keys reordered) or a list sent whole is converted too', () => {
    const reordered = Object.fromEntries(Object.entries(backup(1)).reverse()) as unknown as StorageBackup;
    const a = state({ storageBackups: list });
    const b = state({ storageBackups: list.map((x, i) => (i === 1 ? reordered : x)) });
    for (const encoding of [1, 2] as const) {
      const replace = roundTrip(a, b, encoding).lists['pveBackups.storageBackups'].replace;
      expect(replace).toHaveLength(1);
      expect(replace[0].time).toBe(rfc(t0 + 1));
    }
    // Two backups with the same id: the list cannot be keyed and goes whole.
    const twice = state({ storageBackups: [backup(0), backup(0, t0 + 60)] });
    const whole = roundTrip(a, twice, 2).lists['pveBackups.storageBackups'].list;
    expect(whole.map((x: { time: string }) => x.time)).toEqual([rfc(t0), rfc(t0 + 60)]);
  });

  it('Ceph in the frontend shape: lastUpdated in unix seconds, pools present', () => {
    const a = state({ cephClusters: [ceph(1_760_219_854_000)] });
    const b = state({ cephClusters: [ceph(1_760_219_864_500)] });
    expect(roundTrip(a, b, 1).lists.cephClusters).toEqual({
      change: [{ id: 'pve-fsid', set: { lastUpdated: 1_760_219_864 } }],
    });
    const added = roundTrip(state({}), a, 2).lists.cephClusters;
    expect(added.add[0][1]).toMatchObject({ lastUpdated: 1_760_219_854, pools: [] });
  });
});

describe('deltas of converted collections convert only what they carry', () => {
  /** Converters that count their calls. */
  function counting() {
    const calls = { n: 0 };
    const to: Record<string, ToWire> = {};
    for (const [path, f] of Object.entries(frontendWireLists(wire))) {
      to[path] = (o: never) => {
        calls.n++;
        return f(o);
      };
    }
    return { calls, to };
  }
  const many = Array.from({ length: 1000 }, (_, i) => backup(i));

  it('kept objects are not converted; a changed one is, both versions; an equal copy yields nothing', () => {
    const { calls, to } = counting();
    const a = state({ storageBackups: many });
    const same = state({ storageBackups: [...many] });
    expect(diffDocuments(a, same, 2, to)).toEqual({});
    expect(calls.n).toBe(0);
    // A poller built a new object with the same JSON: compared, not converted, nothing sent.
    const copy = state({ storageBackups: many.map((x, i) => (i === 500 ? { ...x } : x)) });
    expect(diffDocuments(a, copy, 2, to)).toEqual({});
    expect(calls.n).toBe(0);
    const changed = state({ storageBackups: many.map((x, i) => (i === 500 ? backup(500, t0 + 1) : x)) });
    for (const encoding of [1, 2] as const) {
      calls.n = 0;
      expect(diffDocuments(a, changed, encoding, to).lists).toHaveProperty(['pveBackups.storageBackups']);
      expect(calls.n).toBe(2);
    }
  });
});
