/**
 * The delta protocol end to end, for correctness: clients on /ws?deltas=1 and /ws?deltas=2 (both
 * encodings, side by side) that apply every `stateDelta` to their `initialState` hold, after each
 * of many random changes, exactly the document a fresh full state gives (same JSON, byte for
 * byte), through reconnects and lost versions. A plain client on the same hub meanwhile gets
 * `rawData` exactly as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { commitSynthetic, syntheticCeph, syntheticGuest, syntheticPbs } from '../../bench/state-fixture.js';
import { ManualClock } from '../../src/clock.js';
import type { Alert, Guest, PulseState } from '../../src/model/state.js';
import { startTestPulse } from '../helpers/pulse.js';
import { settle, wsUrl } from './client.js';
import { DeltaClient } from './delta-client.js';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parsed and written again, so both sides are compared as JSON text (escapes aside). */
const canon = (json: string): string => JSON.stringify(JSON.parse(json));
const withoutStats = (doc: Record<string, unknown>): string => JSON.stringify({ ...doc, stats: null });

describe('/ws?deltas=1 and =2 under random changes', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    // A clock that stands still: each step's expected rawData is the document serialised again
    // after the broadcast let it go, and its stats.uptime must not move on in between.
    pulse = await startTestPulse({ clock: new ManualClock(Date.now()) });
    await settle();
    commitSynthetic(pulse.deps.state, { nodes: 3, guestsPerNode: 8, now: Date.now() });
  });
  afterAll(() => pulse.close());

  it('keeps every delta client equal to the full state, and plain clients unchanged', async () => {
    const seed = 20_2612;
    const rand = rng(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
    const hub = pulse.deps.wsHub;
    // Broadcasts only when the test says (the alert engine's commits would otherwise add some).
    hub.coalesceMs = 1e9;
    // A broadcast still scheduled with the old window (the commit in beforeAll) would reach the
    // plain client below as one rawData more than the test expects: send it now, to nobody.
    hub.broadcastState();
    const urls = [wsUrl(pulse.url, '?deltas=1'), wsUrl(pulse.url, '?deltas=2')];
    let nextVmid = 90_000;
    let alertSeq = 0;

    /** A backup time: unix seconds in the store, RFC3339 on the wire (some of them 0: Go's zero time). */
    const backupTime = () => (rand() < 0.1 ? 0 : 1_760_000_000 + Math.floor(rand() * 3e7));

    /** One random poll-like change: guests added, removed, migrated, reordered, metrics and shapes
     * changed, alerts raised and resolved, nodes and connection health flipped, backups listed
     * and their times moved, PBS jobs run, Ceph read. */
    const mutate = (d: PulseState) => {
      const kind = Math.floor(rand() * 16);
      const list: 'vms' | 'containers' = rand() < 0.6 ? 'vms' : 'containers';
      const guests = [...d[list]];
      switch (kind) {
        case 0:
        case 1: {
          // metrics of a few guests (new objects, as a poller makes them)
          for (let n = 0; n < 1 + Math.floor(rand() * 4) && guests.length > 0; n++) {
            const i = Math.floor(rand() * guests.length);
            const g = guests[i];
            guests[i] = {
              ...g,
              cpu: rand(),
              networkIn: Math.floor(rand() * 1e6),
              memory: g.memory ? { ...g.memory, used: Math.floor(rand() * g.memory.total) } : g.memory,
            };
          }
          break;
        }
        case 12:
        case 13: {
          // a poll: every running guest's metrics move (floats, integer steps, nested fields);
          // now and then a sub-object's keys come in another order or a nested field goes
          const now = 1_800_000_000_000 + Math.floor(rand() * 1e6);
          for (let i = 0; i < guests.length; i++) {
            const g = guests[i];
            if (rand() < 0.1) continue;
            const m = g.memory;
            const used = m ? Math.floor(rand() * m.total) : 0;
            // free = total − used: its steps are used's negated (a `dn` column)
            let memory = m ? { ...m, used, free: m.total - used, usage: rand() * 100 } : m;
            if (memory && rand() < 0.05) memory = Object.fromEntries(Object.entries(memory).reverse()) as typeof memory;
            if (memory && rand() < 0.05) memory = { ...memory, balloon: Math.floor(rand() * 1e9) };
            guests[i] = {
              ...g,
              cpu: rand(),
              memory,
              uptime: g.uptime + (rand() < 0.9 ? 10 : -g.uptime),
              lastSeen: now,
              mem: memory?.used ?? g.mem,
              diskRead: rand() < 0.5 ? g.diskRead : Number.NaN,
            };
          }
          break;
        }
        case 2: {
          const g = syntheticGuest(Math.floor(rand() * 3), nextVmid++ % 1000, { nodes: 3, guestsPerNode: 8, now: 1 });
          const fresh: Guest = { ...g, id: `pve-x-${nextVmid}`, vmid: nextVmid };
          guests.splice(Math.floor(rand() * (guests.length + 1)), 0, fresh);
          break;
        }
        case 3:
          if (guests.length > 0) guests.splice(Math.floor(rand() * guests.length), 1);
          break;
        case 4: {
          // migration: the guest moves node, so its id changes and it sorts elsewhere
          if (guests.length === 0) break;
          const [g] = guests.splice(Math.floor(rand() * guests.length), 1);
          const node = pick(['node1', 'node2', 'node3', 'node9']);
          guests.splice(Math.floor(rand() * (guests.length + 1)), 0, { ...g, node, id: `pve-${node}-${g.vmid}` });
          break;
        }
        case 5: {
          // fields appear and disappear (tags, lock), so key order changes
          if (guests.length === 0) break;
          const i = Math.floor(rand() * guests.length);
          const g = { ...guests[i] };
          if (g.tags === undefined) g.tags = pick(['prod', 'a,b', '<x>&y']);
          else delete g.tags;
          if (rand() < 0.5) g.lock = g.lock ? undefined : 'backup';
          // Sometimes the same fields in another order, as a differently written poller would.
          guests[i] = rand() < 0.3 ? (Object.fromEntries(Object.entries(g).reverse()) as unknown as Guest) : g;
          break;
        }
        case 6: {
          if (guests.length < 2) break;
          const i = Math.floor(rand() * guests.length);
          const j = Math.floor(rand() * guests.length);
          [guests[i], guests[j]] = [guests[j], guests[i]];
          break;
        }
        case 7: {
          const node = pick(d.nodes);
          if (!node) break;
          const alert: Alert = {
            id: `${node.id}-cpu-${alertSeq++}`,
            type: 'cpu',
            level: rand() < 0.5 ? 'warning' : 'critical',
            resourceId: node.id,
            resourceName: node.name,
            node: node.name,
            instance: node.instance,
            message: `CPU at ${Math.round(rand() * 100)}%`,
            value: rand() * 100,
            threshold: 80,
            startTime: new Date(1_700_000_000_000 + alertSeq * 1000).toISOString(),
            acknowledged: false,
          };
          d.activeAlerts = [...d.activeAlerts, alert];
          break;
        }
        case 8: {
          if (d.activeAlerts.length === 0) break;
          const i = Math.floor(rand() * d.activeAlerts.length);
          const gone = d.activeAlerts[i];
          d.activeAlerts = d.activeAlerts.filter((_, k) => k !== i);
          const { ackTime: _t, ackUser: _u, ...rest } = gone;
          d.recentlyResolved = [...(d.recentlyResolved ?? []), { ...rest, resolvedTime: new Date().toISOString() }];
          break;
        }
        case 9: {
          if (d.activeAlerts.length === 0) break;
          const i = Math.floor(rand() * d.activeAlerts.length);
          d.activeAlerts = d.activeAlerts.map((a, k) =>
            k === i ? { ...a, acknowledged: true, ackTime: new Date().toISOString(), ackUser: 'admin' } : a,
          );
          break;
        }
        case 10: {
          d.nodes = d.nodes.map((n) => (rand() < 0.3 ? { ...n, status: pick(['online', 'offline']), cpu: rand() } : n));
          d.connectionHealth = { ...d.connectionHealth, [pick(['pve', 'pbs-a', 'pmg-b'])]: rand() < 0.5 };
          break;
        }
        case 14: {
          // a backup listing: backups appear, go, and some come back with another time
          const storageBackups = d.pveBackups.storageBackups
            .filter(() => rand() > 0.1)
            .map((b) => (rand() < 0.2 ? { ...b, time: backupTime() } : b));
          const pbsBackups = d.pbsBackups.map((b) => (rand() < 0.3 ? { ...b, backupTime: backupTime() } : b));
          for (let n = Math.floor(rand() * 4); n > 0; n--) {
            const time = backupTime();
            const vmid = 100 + Math.floor(rand() * 30);
            storageBackups.splice(Math.floor(rand() * (storageBackups.length + 1)), 0, {
              id: `pve-local-${nextVmid++}`,
              storage: 'local',
              node: 'node1',
              instance: 'pve',
              type: 'qemu',
              vmid,
              time,
              ctime: time,
              size: Math.floor(rand() * 1e10),
              format: 'vma.zst',
              protected: false,
              volid: `local:backup/vzdump-qemu-${vmid}-${nextVmid}.vma.zst`,
              isPBS: false,
              verified: false,
            });
            pbsBackups.push({
              id: `pbs-store-vm-${vmid}-${nextVmid++}`,
              instance: 'pbs',
              datastore: 'store',
              namespace: '',
              backupType: 'vm',
              vmid: String(vmid),
              backupTime: backupTime(),
              size: Math.floor(rand() * 1e10),
              protected: false,
              verified: rand() < 0.5,
            });
          }
          const guestSnapshots = d.pveBackups.guestSnapshots.map((x) =>
            rand() < 0.3 ? { ...x, time: backupTime() } : x,
          );
          if (rand() < 0.5) {
            guestSnapshots.push({
              id: `pve-node1-100-snap${nextVmid++}`,
              name: `snap${nextVmid}`,
              node: 'node1',
              instance: 'pve',
              type: 'qemu',
              vmid: 100,
              time: backupTime(),
              vmstate: false,
            });
          }
          d.pveBackups = { ...d.pveBackups, storageBackups, guestSnapshots };
          d.pbsBackups = pbsBackups;
          break;
        }
        case 15: {
          // PBS jobs run (their lastRun and nextRun move), Ceph is read again
          const run = backupTime();
          const job = { id: 'backup-1', store: 'store', type: 'backup' as const, lastRun: run, nextRun: run + 86_400 };
          const [p] = d.pbs;
          d.pbs = [
            p
              ? { ...p, backupJobs: rand() < 0.8 ? [job] : [], uptime: p.uptime + 10 }
              : syntheticPbs({
                  backupJobs: [job],
                  verifyJobs: [{ ...job, id: 'verify-1', type: 'verify' }],
                  lastSeen: new Date(1_700_000_000_000).toISOString(),
                }),
          ];
          d.cephClusters = [
            syntheticCeph({
              health: pick(['HEALTH_OK', 'HEALTH_WARN']),
              totalBytes: 1e12,
              usedBytes: Math.floor(rand() * 1e12),
              availableBytes: 1e12,
              usagePercent: rand() * 100,
              numMons: 3,
              numOsds: 6,
              numOsdsUp: 6,
              numOsdsIn: 6,
              numPGs: 128,
              lastUpdated: 1_800_000_000_000 + Math.floor(rand() * 1e9),
            }),
          ];
          break;
        }
        default: {
          d.pveBackups = {
            ...d.pveBackups,
            backupTasks: [
              ...d.pveBackups.backupTasks.slice(rand() < 0.3 ? 1 : 0),
              {
                id: `pve-UPID:${nextVmid++}`,
                node: 'node1',
                instance: 'pve',
                type: 'vzdump',
                vmid: 100,
                status: 'OK',
                startTime: 1,
                endTime: 2,
              },
            ],
          };
        }
      }
      d[list] = guests;
    };

    // A plain client, whose every state message must be the full document exactly as before.
    const plain = new WebSocket(wsUrl(pulse.url));
    const plainTexts: string[] = [];
    plain.on('message', (m) => plainTexts.push(String(m)));
    await new Promise((r) => plain.once('open', r));

    let clients: DeltaClient[] = await Promise.all([
      DeltaClient.open(urls[0]),
      DeltaClient.open(urls[1]),
      DeltaClient.open(urls[1]),
      DeltaClient.open(urls[1]),
    ]);
    const everyClient = [...clients];
    await Promise.all(clients.map((c) => c.waitVersion(hub.deltaVersion)));
    const expectedPlain: string[] = [];
    let reconnects = 0;

    for (let step = 0; step < 160; step++) {
      const commits = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < commits; k++) pulse.deps.state.commit(mutate);
      // Some clients lose the next delta; one sometimes asks for the full state itself.
      const losing = clients.filter(() => rand() < 0.08);
      for (const c of losing) c.lose++;
      if (rand() < 0.05) {
        const c = pick(clients);
        c.version = -1;
        c.ws.send(JSON.stringify({ type: 'requestData' }));
        await c.waitVersion(hub.deltaVersion);
      }
      hub.broadcastState();
      // The full document of this version, as /api/state serves it (read in the same turn, before
      // the alert engine's own commits move the state on).
      const apiState = pulse.deps.snapshots.frontendJson();
      const full = hub.deltaDocumentJson() as string;
      expectedPlain.push(`{"type":"rawData","data":${apiState}}`);
      const version = hub.deltaVersion;
      await Promise.all(losing.map((c) => c.waitLost()));
      const current = clients.filter((c) => !losing.includes(c));
      await Promise.all(current.map((c) => c.waitVersion(version)));

      // Every client that is up to date holds exactly the full document of this version …
      for (const c of current) expect(JSON.stringify(c.doc) === canon(full), `step ${step}`).toBe(true);
      // … which is /api/state's document (stats aside: the client count moves with connections).
      expect(withoutStats(JSON.parse(full)) === withoutStats(JSON.parse(apiState)), `step ${step}`).toBe(true);

      if (rand() < 0.06) {
        // Reconnect: a new socket starts again from a full state.
        const i = Math.floor(rand() * clients.length);
        clients[i].close();
        const fresh = await DeltaClient.open(urls[i === 0 ? 0 : 1]);
        await fresh.waitVersion(hub.deltaVersion);
        clients = clients.map((c, k) => (k === i ? fresh : c));
        everyClient.push(fresh);
        reconnects++;
      }
    }
    // Catch up the clients that lost the last delta, then a final comparison.
    pulse.deps.state.commit(mutate);
    hub.broadcastState();
    expectedPlain.push(`{"type":"rawData","data":${pulse.deps.snapshots.frontendJson()}}`);
    // One more broadcast brings clients that lost a delta back (they ask, and get the full state).
    await new Promise((r) => setTimeout(r, 50));
    pulse.deps.state.commit(mutate);
    hub.broadcastState();
    expectedPlain.push(`{"type":"rawData","data":${pulse.deps.snapshots.frontendJson()}}`);
    await Promise.all(clients.map((c) => c.waitVersion(hub.deltaVersion)));
    const last = canon(hub.deltaDocumentJson() as string);
    for (const c of clients) expect(JSON.stringify(c.doc) === last).toBe(true);

    const stats = everyClient.reduce(
      (a, c) => ({ deltas: a.deltas + c.deltas, resyncs: a.resyncs + c.resyncs, full: a.full + c.fullStates }),
      { deltas: 0, resyncs: 0, full: 0 },
    );
    // The run exercised what it claims to: many deltas of both encodings (row tables with
    // nested paths and step columns among them), lost versions recovered, reconnects.
    expect(stats.deltas).toBeGreaterThan(400);
    const texts = everyClient.flatMap((c) => c.texts).filter((t) => t.startsWith('{"type":"stateDelta"'));
    expect(texts.some((t) => t.includes('"rows":[') && t.includes('["memory","used"]') && t.includes('{"d":10}'))).toBe(
      true,
    );
    expect(texts.some((t) => t.includes('"change":[{"id"') && !t.includes('"rows"'))).toBe(true);
    expect(texts.some((t) => t.includes('{"dn":'))).toBe(true);
    // Converted collections changed in place, their times carried as RFC3339.
    expect(texts.some((t) => /"pbsBackups":\{.*"backupTime":"\d{4}-/.test(t))).toBe(true);
    expect(texts.some((t) => /"pbsBackups":\{"rows":\[\{[^}]*"cols":\["backupTime"\],"vals":\[\["\d{4}-/.test(t))).toBe(
      true,
    );
    expect(texts.some((t) => /"pbs":\{.*"lastRun":"\d{4}-/.test(t))).toBe(true);
    expect(texts.some((t) => /"pveBackups\.storageBackups":\{.*"time":"\d{4}-/.test(t))).toBe(true);
    expect(stats.resyncs).toBeGreaterThan(0);
    expect(reconnects).toBeGreaterThan(0);
    expect(hub.counters.deltasBuilt).toBeGreaterThanOrEqual(162);
    expect(clients.some((c) => c.texts.some((t) => t.includes('"rows":[')))).toBe(true);

    // The plain client got rawData only (never a delta), each exactly the full document.
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 5000;
      const check = () => {
        if (plainTexts.filter((t) => t.startsWith('{"type":"rawData"')).length >= expectedPlain.length) resolve();
        else if (Date.now() > deadline) reject(new Error('plain client did not get every rawData'));
        else setTimeout(check, 10);
      };
      check();
    });
    const plainState = plainTexts.filter((t) => t.startsWith('{"type":"rawData"'));
    expect(plainState.length).toBe(expectedPlain.length);
    for (let i = 0; i < plainState.length; i++) expect(plainState[i] === expectedPlain[i], `rawData ${i}`).toBe(true);
    expect(plainTexts.some((t) => t.includes('"stateDelta"'))).toBe(false);
    plain.close();
    for (const c of clients) c.close();
  }, 60_000);
});
