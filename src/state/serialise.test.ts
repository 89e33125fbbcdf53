import { describe, expect, it } from 'vitest';
import { syntheticCeph, syntheticGuest, syntheticState } from '../../bench/state-fixture.js';
import type { PulseState } from '../model/state.js';
import { toFrontendWire, toRawState, WireTimes } from './raw-shape.js';
import {
  escapeJsonForHtml,
  FragmentCache,
  serialiseFrontend as frontendPieces,
  joinPieces,
  listAt,
  listJson,
  serialiseRaw as rawPieces,
} from './serialise.js';

const serialiseFrontend = (...a: Parameters<typeof frontendPieces>) => joinPieces(frontendPieces(...a));
const serialiseRaw = (...a: Parameters<typeof rawPieces>) => joinPieces(rawPieces(...a));

const now = Date.UTC(2026, 0, 1, 12);

function richState(): PulseState {
  const s = syntheticState({ nodes: 2, guestsPerNode: 6, now });
  s.lastUpdate = now;
  s.nodes[0] = { ...s.nodes[0], displayName: '<script>&' };
  s.storage[0] = {
    ...s.storage[0],
    zfsPool: {
      name: 'rpool',
      state: 'ONLINE',
      status: '',
      scan: '',
      readErrors: 0,
      writeErrors: 0,
      checksumErrors: 0,
      devices: [],
    },
  };
  s.cephClusters.push(syntheticCeph({ usagePercent: Number.NaN, lastUpdated: now }));
  s.dockerHosts.push({
    id: 'h1',
    lastSeen: now,
    containers: [{ id: 'c', createdAt: now, name: 'a\u2028b' }],
  } as unknown as PulseState['dockerHosts'][number]);
  s.pveBackups.storageBackups.push({
    id: 'b1',
    storage: 'local',
    node: 'node1',
    instance: 'pve',
    type: 'qemu',
    vmid: 100,
    time: 1,
    ctime: 1,
    size: 10,
    format: 'vma.zst',
    protected: false,
    volid: 'local:backup/x',
    isPBS: false,
    verified: false,
  });
  s.pbsBackups.push({
    id: 'pbs-b',
    instance: 'pbs1',
    datastore: 'main',
    namespace: '',
    backupType: 'vm',
    vmid: '100',
    backupTime: 1_760_000_000,
    size: 5,
    protected: false,
    verified: true,
  });
  s.pveBackups.guestSnapshots.push({
    id: 's1',
    name: 'pre',
    node: 'node1',
    instance: 'pve',
    type: 'qemu',
    vmid: 100,
    time: 1_760_000_100,
    vmstate: true,
  });
  s.pveBackups.backupTasks.push({
    id: 't1',
    node: 'node1',
    instance: 'pve',
    type: 'vzdump',
    vmid: 100,
    status: '',
    startTime: 1_760_000_200,
    endTime: 0,
  });
  s.performance = {
    apiCallDuration: null,
    lastPollDuration: 1.5,
    pollingStartTime: 'x',
    totalApiCalls: 3,
    failedApiCalls: 0,
  };
  s.stats = { startTime: 'y', uptime: 5, pollingCycles: 2, webSocketClients: 1, version: '0.1.0' };
  s.connectionHealth = { pve: true, 'pbs-a': false };
  return s;
}

describe('listJson', () => {
  const escaped = (v: unknown) => escapeJsonForHtml(JSON.stringify(v));
  it('is the escaped JSON.stringify of the list at every length around its chunk size', () => {
    for (const n of [0, 1, 2, 63, 64, 65, 127, 128, 129, 1000]) {
      const items = Array.from({ length: n }, (_, i) => ({
        i,
        name: i % 7 === 0 ? `<b>é ${i} & \u2028 ✓</b>` : `vm-${i}`,
        tags: i % 3 === 0 ? [] : ['a', 'b'],
        gone: undefined,
      }));
      expect(listJson(items).toString('utf8'), `length ${n}`).toBe(escaped(items));
      // Whatever the size it is told to expect: none, too small, about right, far too large.
      const exact = Buffer.byteLength(escaped(items));
      for (const hint of [0, 10, exact, exact * 4]) {
        const out = listJson(items, undefined, hint);
        expect(out.toString('utf8'), `length ${n}, hint ${hint}`).toBe(escaped(items));
        // No piece keeps much more memory than its bytes (a short one may share a slab of Node's
        // Buffer pool: 8 KiB on Node 20, 64 KiB on Node 24).
        expect(out.buffer.byteLength, `length ${n}, hint ${hint}`).toBeLessThanOrEqual(
          Math.max(out.length + out.length / 8 + 1, Buffer.poolSize),
        );
      }
      const convert = (x: never) => ({ id: (x as { i: number }).i, f: () => 1 });
      expect(listJson(items, convert).toString('utf8'), `converted, length ${n}`).toBe(
        escaped(items.map((x) => convert(x as never))),
      );
    }
  });
});

describe('fragment serialiser', () => {
  it('is byte-for-byte the escaped JSON.stringify of the frontend document', () => {
    const s = richState();
    const w = new WireTimes(() => 60);
    expect(serialiseFrontend(s, new FragmentCache(), w)).toBe(escapeJsonForHtml(JSON.stringify(toFrontendWire(s, w))));
  });

  it('is byte-for-byte the escaped JSON.stringify of the raw document', () => {
    const s = richState();
    for (const tz of [0, 120, -330]) {
      expect(serialiseRaw(s, tz, new FragmentCache(), new FragmentCache(), new WireTimes(() => tz))).toBe(
        escapeJsonForHtml(JSON.stringify(toRawState(s, tz))),
      );
    }
  });

  it('reuses the JSON of lists whose elements did not change', () => {
    const s = richState();
    const c = new FragmentCache();
    const w = new WireTimes(() => 0);
    const expected = (d: PulseState) => escapeJsonForHtml(JSON.stringify(toFrontendWire(d, w)));
    serialiseFrontend(s, c, w);
    const built = c.counters.built;
    // A new version where one guest was replaced (as a poller does) and everything else kept.
    const vm = syntheticGuest(0, 0, { nodes: 2, guestsPerNode: 6, now, tick: 9 });
    const next: PulseState = { ...s, vms: [vm, ...s.vms.slice(1)], nodes: [...s.nodes] };
    const out = serialiseFrontend(next, c, w);
    expect(c.counters.built - built).toBe(1); // only vms; the copied nodes array has the same elements
    expect(out).toBe(expected(next));
    // A list of the same length with one element replaced is not mistaken for the old one.
    const again = serialiseFrontend({ ...next, vms: [s.vms[0], ...s.vms.slice(1)] }, c, w);
    expect(again).toBe(expected({ ...next, vms: s.vms }));
  });

  it('lets go, when asked, of the lists that changed twice in a row and keeps the ones that stay put', () => {
    const s = richState();
    const c = new FragmentCache();
    const w = new WireTimes(() => 0);
    const exact = (d: PulseState) => escapeJsonForHtml(JSON.stringify(toFrontendWire(d, w)));
    const moved = (d: PulseState, tick: number): PulseState => ({
      ...d,
      vms: d.vms.map((_, i) => syntheticGuest(0, i, { nodes: 2, guestsPerNode: 6, now, tick })),
    });
    const v1 = moved(s, 1);
    const v2 = moved(v1, 2);
    serialiseFrontend(s, c, w);
    serialiseFrontend(v1, c, w);
    serialiseFrontend(v2, c, w); // vms changed twice in a row; every other list stayed put
    const before = c.heldBytes();
    c.release((k) => listAt(v2, k));
    expect(c.heldBytes()).toBeLessThan(before);
    expect(c.heldBytes()).toBeGreaterThan(0);
    let built = c.counters.built;
    expect(serialiseFrontend(v2, c, w)).toBe(exact(v2));
    expect(c.counters.built - built).toBe(1); // vms again, nothing else
    // The same lists again (another commit of the same poll): vms is still let go, the rest kept.
    c.release((k) => listAt(v2, k));
    built = c.counters.built;
    expect(serialiseFrontend(v2, c, w)).toBe(exact(v2));
    expect(c.counters.built - built).toBe(1);
    // A list that changed once (a backup fetch) is kept by the release that follows.
    const v3: PulseState = { ...v2, nodes: v2.nodes.slice(1) };
    c.release((k) => listAt(v2, k));
    serialiseFrontend(v3, c, w);
    c.release((k) => listAt(v3, k));
    built = c.counters.built;
    expect(serialiseFrontend(v3, c, w)).toBe(exact(v3));
    expect(c.counters.built - built).toBe(1); // vms only: nodes was kept
  });

  it('lets go of the elements of a list that is no longer the current one, and keeps the lists that stayed put', () => {
    const s = richState();
    const c = new FragmentCache();
    const w = new WireTimes(() => 0);
    const exact = (d: PulseState) => escapeJsonForHtml(JSON.stringify(toFrontendWire(d, w)));
    serialiseFrontend(s, c, w);
    const held = c.heldElements();
    // The next version replaced every guest; nothing serialised it (its clients take deltas).
    const next: PulseState = {
      ...s,
      vms: s.vms.map((_, i) => syntheticGuest(0, i, { nodes: 2, guestsPerNode: 6, now, tick: 9 })),
    };
    c.release((k) => listAt(next, k));
    // The superseded guests are no longer referenced; every other list still is.
    expect(c.heldElements()).toBe(held - s.vms.length);
    let built = c.counters.built;
    expect(serialiseFrontend(next, c, w)).toBe(exact(next));
    expect(c.counters.built - built).toBe(1); // vms, nothing else
    // A list rebuilt with the same elements (a new array) is still current: nodes stays held;
    // vms, changed in each of the last two serialisations, is let go as before.
    c.release((k) => listAt({ ...next, nodes: [...next.nodes] }, k));
    expect(c.heldElements()).toBe(held - s.vms.length);
    built = c.counters.built;
    expect(serialiseFrontend(next, c, w)).toBe(exact(next));
    expect(c.counters.built - built).toBe(1);
  });

  it('keeps a large list that stays put compressed only after a release, and reads it back unchanged', async () => {
    const s = syntheticState({ nodes: 4, guestsPerNode: 50, now });
    s.pveBackups.storageBackups = Array.from({ length: 3000 }, (_, i) => ({
      id: `pve-node0-local-vzdump-${i}`,
      storage: 'local',
      node: 'node0',
      instance: 'pve',
      type: 'qemu' as const,
      vmid: 100 + (i % 200),
      time: now / 1000 - i * 3600,
      ctime: now / 1000 - i * 3600,
      size: 1e9 + i,
      format: 'vma.zst',
      protected: false,
      volid: `local:backup/vzdump-qemu-${100 + (i % 200)}-${i}.vma.zst`,
      isPBS: false,
      verified: false,
    }));
    const c = new FragmentCache();
    const w = new WireTimes(() => 0);
    const exact = escapeJsonForHtml(JSON.stringify(toFrontendWire(s, w)));
    expect(serialiseFrontend(s, c, w)).toBe(exact);
    const storageBackups = frontendPieces(s, c, w).find((p) => p.length >= 256 * 1024 && p.bytes.includes('vzdump'));
    expect(storageBackups).toBeDefined();
    const before = c.heldBytes();
    c.release((k) => listAt(s, k));
    await (storageBackups as NonNullable<typeof storageBackups>).deflated();
    await new Promise((r) => setImmediate(r));
    expect(storageBackups?.resident).toBe(false);
    expect(c.heldBytes()).toBeLessThan(before / 2);
    const built = c.counters.built;
    expect(serialiseFrontend(s, c, w)).toBe(exact);
    expect(c.counters.built).toBe(built); // inflated, not serialised again
  });
});
