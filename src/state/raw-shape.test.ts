import { describe, expect, it } from 'vitest';
import { syntheticCeph, syntheticState } from '../../bench/state-fixture.js';
import type { PulseState } from '../model/state.js';
import { toRawState, toRfc3339, WireTimes, ZERO_TIME } from './raw-shape.js';

describe('toRfc3339', () => {
  const t = Date.UTC(2025, 9, 16, 9, 7, 40);
  it('formats UTC with Z and local offsets with ±hh:mm', () => {
    expect(toRfc3339(t, 0)).toBe('2025-10-16T09:07:40Z');
    expect(toRfc3339(t, 120)).toBe('2025-10-16T11:07:40+02:00');
    expect(toRfc3339(t, -330)).toBe('2025-10-16T03:37:40-05:30');
  });
  it('keeps milliseconds without trailing zeros', () => {
    expect(toRfc3339(t + 120, 0)).toBe('2025-10-16T09:07:40.12Z');
    expect(toRfc3339(t + 5, 60)).toBe('2025-10-16T10:07:40.005+01:00');
  });
  it('maps unset (0) to Go zero time', () => {
    expect(toRfc3339(0, 120)).toBe(ZERO_TIME);
    expect(toRfc3339(Number.NaN, 0)).toBe(ZERO_TIME);
  });
  it('is parseable back to the same instant', () => {
    expect(Date.parse(toRfc3339(t + 250, -480))).toBe(t + 250);
  });
});

describe('toRawState', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  const s = syntheticState({ nodes: 1, guestsPerNode: 5, now });
  s.lastUpdate = now;
  s.storage[0].zfsPool = {
    name: 'rpool',
    state: 'ONLINE',
    status: '',
    scan: '',
    readErrors: 0,
    writeErrors: 0,
    checksumErrors: 0,
    devices: [],
  };
  s.cephClusters.push(syntheticCeph({ lastUpdated: now }));
  s.dockerHosts.push({
    id: 'h1',
    lastSeen: now,
    containers: [{ id: 'c', createdAt: now }],
  } as unknown as PulseState['dockerHosts'][number]);
  const raw = toRawState(s, 60) as Record<string, any>;

  it('converts ms times to RFC3339 and lastUpdate too', () => {
    expect(raw.lastUpdate).toBe('2026-01-01T13:00:00+01:00');
    expect(raw.nodes[0].lastSeen).toBe('2026-01-01T13:00:00+01:00');
    expect(raw.vms[0].lastSeen).toBe('2026-01-01T13:00:00+01:00');
    expect(raw.cephClusters[0].lastUpdated).toBe('2026-01-01T13:00:00+01:00');
    expect(raw.dockerHosts[0].lastSeen).toBe('2026-01-01T13:00:00+01:00');
    expect(raw.dockerHosts[0].containers[0].createdAt).toBe('2026-01-01T13:00:00+01:00');
  });
  it('drops frontend-only extras and splits tags', () => {
    expect(raw.nodes[0]).not.toHaveProperty('maxmem');
    expect(raw.nodes[0]).not.toHaveProperty('node');
    expect(raw.vms[0]).not.toHaveProperty('mem');
    expect(raw.storage[0]).not.toHaveProperty('avail');
    expect(raw.storage[0]).not.toHaveProperty('storage');
    expect(raw.storage[0].zfsPool.name).toBe('rpool');
    const tagged = [...raw.vms, ...raw.containers].find((g: any) => g.vmid === 100);
    expect(tagged.tags).toEqual(['prod', 'web']);
  });
  it('has metrics [] and every array present, and does not mutate the input', () => {
    expect(raw.metrics).toEqual([]);
    expect(raw.pbsBackups).toEqual([]);
    expect(raw.recentlyResolved).toEqual([]);
    expect(s.nodes[0].maxmem).toBeGreaterThan(0);
    expect(typeof s.vms[0].lastSeen).toBe('number');
  });
});

describe('WireTimes (lists that are the same in both shapes)', () => {
  // A zone that is +01:00 before 2026-03-29 and +02:00 after, like Europe/Berlin.
  const dst = Date.UTC(2026, 2, 29, 1);
  const w = new WireTimes((ms) => (ms < dst ? 60 : 120));
  const winter = Date.UTC(2026, 0, 10, 8) / 1000;
  const summer = Date.UTC(2026, 5, 10, 8) / 1000;

  it('turns unix seconds into RFC3339 in the offset of each instant; 0 is Go zero time', () => {
    const t = w.backupTask({
      id: 't',
      node: 'n',
      instance: 'i',
      type: 'vzdump',
      vmid: 1,
      status: '',
      startTime: winter,
      endTime: 0,
    });
    expect(t.startTime).toBe('2026-01-10T09:00:00+01:00');
    expect(t.endTime).toBe(ZERO_TIME);
    const b = w.pbsBackup({
      id: 'b',
      instance: 'p',
      datastore: 'd',
      namespace: '',
      backupType: 'vm',
      vmid: '1',
      backupTime: summer,
      size: 1,
      protected: false,
      verified: false,
    });
    expect(b.backupTime).toBe('2026-06-10T10:00:00+02:00');
    expect(Date.parse(b.backupTime as string) / 1000).toBe(summer);
  });

  it('keeps ctime in unix seconds next to an RFC3339 time', () => {
    const b = w.storageBackup({
      id: 'x',
      storage: 's',
      node: 'n',
      instance: 'i',
      type: 'qemu',
      vmid: 1,
      time: winter,
      ctime: winter,
      size: 1,
      format: 'vma',
      protected: false,
      volid: 'v',
      isPBS: true,
      verified: false,
    });
    expect(b).toMatchObject({ time: '2026-01-10T09:00:00+01:00', ctime: winter });
  });

  it('depends on the source object alone: equal sources, equal results; the source is left as it was', () => {
    const snap = {
      id: 's',
      name: 'a',
      node: 'n',
      instance: 'i',
      type: 'lxc' as const,
      vmid: 1,
      time: winter,
      vmstate: false,
    };
    const frozen = JSON.stringify(snap);
    const converted = w.guestSnapshot(snap);
    expect(JSON.stringify(w.guestSnapshot({ ...snap }))).toBe(JSON.stringify(converted));
    expect(JSON.stringify(snap)).toBe(frozen);
    expect(converted.time).toBe('2026-01-10T09:00:00+01:00');
  });

  it('gives Ceph unix seconds in the frontend shape and always a pools array', () => {
    const c = w.cephFrontend(syntheticCeph({ lastUpdated: 1_760_219_854_123 }));
    expect(c).toMatchObject({ lastUpdated: 1_760_219_854, pools: [] });
  });
});
