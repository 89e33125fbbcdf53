/**
 * Every time field of GET /api/state, WS `initialState` and WS `rawData` against the wire
 * contract's rules (§0/§1, §10, and the published API's Ceph example): a real Pulse polls the
 * simulator's demo estate (PVE with backups and snapshots, PBS with backups, PMG), a Docker agent
 * reports, alerts fire, one is acknowledged and one resolves. The walker visits every key of the
 * documents; a key that looks like a time and has no rule here fails the test, so a new time
 * field cannot slip through unchecked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import { api } from '../helpers/http.js';
import { startFastPulse, type TestPulse, untilCycles } from '../helpers/pulse.js';
import { pveBody, startSim } from '../helpers/sim.js';
import { type Envelope, TestWsClient, wsUrl } from '../ws/client.js';

type Format = 'rfc3339' | 'ms' | 's';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Keys that name an instant. Durations (`uptime`, `averageProcessTimeMs`, `oldestAge`) do not match. */
const TIME_KEY =
  /^(time|ctime|timestamp|lastSeen|lastUpdate|lastUpdated|lastChecked|lastRun|nextRun|windowStart|windowEnd)$|(Time|At)$/;

/**
 * The rules, by path (`[]` = any element). `ms` marks the contract's ⓜ fields: unix ms in the
 * frontend shape, RFC3339 in the raw shape. Everything else is the same in both shapes.
 */
const FRONTEND: Record<string, Format> = {
  lastUpdate: 'ms',
  'nodes[].lastSeen': 'ms',
  'nodes[].temperature.lastUpdate': 'rfc3339',
  'vms[].lastSeen': 'ms',
  'vms[].lastBackup': 'ms',
  'containers[].lastSeen': 'ms',
  'containers[].lastBackup': 'ms',
  'dockerHosts[].lastSeen': 'ms',
  'dockerHosts[].tokenLastUsedAt': 'ms',
  'dockerHosts[].containers[].createdAt': 'ms',
  'dockerHosts[].containers[].startedAt': 'ms',
  'dockerHosts[].containers[].finishedAt': 'ms',
  'dockerHosts[].command.createdAt': 'ms',
  'dockerHosts[].command.updatedAt': 'ms',
  'dockerHosts[].command.dispatchedAt': 'ms',
  'dockerHosts[].command.acknowledgedAt': 'ms',
  'dockerHosts[].command.completedAt': 'ms',
  'dockerHosts[].command.failedAt': 'ms',
  'dockerHosts[].command.expiresAt': 'ms',
  // The published API's example: `"lastUpdated": 1760219854` (it wins over §1's ms).
  'cephClusters[].lastUpdated': 's',
  'physicalDisks[].lastChecked': 'rfc3339',
  'pbs[].lastSeen': 'rfc3339',
  'pbs[].backupJobs[].lastRun': 'rfc3339',
  'pbs[].backupJobs[].nextRun': 'rfc3339',
  'pbs[].syncJobs[].lastRun': 'rfc3339',
  'pbs[].syncJobs[].nextRun': 'rfc3339',
  'pbs[].verifyJobs[].lastRun': 'rfc3339',
  'pbs[].verifyJobs[].nextRun': 'rfc3339',
  'pbs[].pruneJobs[].lastRun': 'rfc3339',
  'pbs[].pruneJobs[].nextRun': 'rfc3339',
  'pbs[].garbageJobs[].lastRun': 'rfc3339',
  'pbs[].garbageJobs[].nextRun': 'rfc3339',
  'pmg[].lastSeen': 'rfc3339',
  'pmg[].lastUpdated': 'rfc3339',
  'pmg[].nodes[].queueStatus.updatedAt': 'rfc3339',
  'pmg[].mailStats.updatedAt': 'rfc3339',
  'pmg[].mailCount[].timestamp': 'rfc3339',
  'pmg[].mailCount[].windowStart': 'rfc3339',
  'pmg[].mailCount[].windowEnd': 'rfc3339',
  'pveBackups.backupTasks[].startTime': 'rfc3339',
  'pveBackups.backupTasks[].endTime': 'rfc3339',
  'pveBackups.storageBackups[].time': 'rfc3339',
  // §0: `ctime` is unix seconds; Pulse's UI pairs it with pbsBackups[].backupTime to drop duplicates.
  'pveBackups.storageBackups[].ctime': 's',
  // Pulse extension: when PBS last verified the snapshot, unix seconds like ctime.
  'pveBackups.storageBackups[].verifiedAt': 's',
  'pveBackups.guestSnapshots[].time': 'rfc3339',
  'pbsBackups[].backupTime': 'rfc3339',
  'pbsBackups[].verifiedAt': 's',
  'activeAlerts[].startTime': 'rfc3339',
  'activeAlerts[].ackTime': 'rfc3339',
  'recentlyResolved[].startTime': 'rfc3339',
  'recentlyResolved[].resolvedTime': 'rfc3339',
  'stats.startTime': 'rfc3339',
  'performance.pollingStartTime': 'rfc3339',
};

const RAW: Record<string, Format> = Object.fromEntries(
  Object.entries(FRONTEND).map(([k, f]) => [k, f === 'ms' ? 'rfc3339' : f]),
);
RAW['cephClusters[].lastUpdated'] = 'rfc3339';

function check(format: Format, v: unknown): string | undefined {
  if (format === 'rfc3339') {
    if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v))) return 'not RFC3339';
    // A set time is after 2000 (a unix-seconds value read as ms lands in January 1970).
    if (v !== ZERO_TIME && Date.parse(v) < Date.UTC(2000, 0, 1)) return 'before 2000';
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) return 'not an integer';
  if (v === 0) return undefined; // unset
  if (format === 'ms' && (v < 1e12 || v > 1e13)) return 'not unix ms';
  if (format === 's' && (v < 1e9 || v > 1e10)) return 'not unix seconds';
  return undefined;
}

/** Walks `doc`; returns problems, and adds each rule path that held a value to `seen`. */
function walk(doc: unknown, rules: Record<string, Format>, seen: Set<string>): string[] {
  const problems: string[] = [];
  const visit = (v: unknown, path: string, concrete: string) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        visit(x, `${path}[]`, `${concrete}[${i}]`);
      });
      return;
    }
    if (v === null || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      const c = concrete ? `${concrete}.${k}` : k;
      if (TIME_KEY.test(k) && (child === null || typeof child !== 'object')) {
        const rule = rules[p];
        if (!rule) problems.push(`${c}: a time field with no rule (${JSON.stringify(child)})`);
        else {
          const bad = check(rule, child);
          if (bad) problems.push(`${c}: ${bad} (want ${rule}): ${JSON.stringify(child)}`);
          else seen.add(p);
        }
      } else visit(child, p, c);
    }
  };
  visit(doc, '', '');
  return problems;
}

/** What this estate produces: each must be seen, or the test would prove nothing about it. */
const MUST_SEE = [
  'lastUpdate',
  'nodes[].lastSeen',
  'vms[].lastSeen',
  'containers[].lastSeen',
  'dockerHosts[].lastSeen',
  'dockerHosts[].containers[].createdAt',
  'cephClusters[].lastUpdated',
  'physicalDisks[].lastChecked',
  'pbs[].lastSeen',
  'pmg[].lastSeen',
  'pmg[].mailCount[].timestamp',
  'pveBackups.backupTasks[].startTime',
  'pveBackups.storageBackups[].time',
  'pveBackups.storageBackups[].ctime',
  'pveBackups.guestSnapshots[].time',
  'pbsBackups[].backupTime',
  'activeAlerts[].startTime',
  'activeAlerts[].ackTime',
  'recentlyResolved[].resolvedTime',
  'stats.startTime',
];

/** The first `rawData` message that satisfies `pred`, waiting for more as they come. */
async function nthMatching(c: TestWsClient, pred: (m: Envelope) => boolean): Promise<Envelope> {
  for (let n = 1; n <= 20; n++) {
    const found = (await c.waitFor('rawData', n, 20_000)).find(pred);
    if (found) return found;
  }
  throw new Error('no matching rawData message');
}

let sim: Simulator;
let pulse: TestPulse;

beforeAll(async () => {
  sim = await startSim('demo');
  pulse = await startFastPulse();
  pulse.deps.wsHub.coalesceMs = 50;
  expect((await api(pulse.url, 'POST', '/api/config/nodes', pveBody(sim))).status).toBe(201);
  const pbs = sim.ready.pbs[0];
  const pbsBody = { type: 'pbs', name: pbs.name, host: pbs.url, tokenName: pbs.tokenId, tokenValue: pbs.tokenSecret };
  expect((await api(pulse.url, 'POST', '/api/config/nodes', pbsBody)).status).toBe(201);
  const pmg = sim.ready.pmg[0];
  const pmgBody = { type: 'pmg', name: pmg.name, host: pmg.url, user: pmg.user, password: pmg.password };
  expect((await api(pulse.url, 'POST', '/api/config/nodes', pmgBody)).status).toBe(201);

  const report = {
    agent: { id: 'agent-t', version: '4.24.0', intervalSeconds: 30 },
    host: { hostname: 'docker-t', totalCpu: 2, totalMemoryBytes: 2 ** 31, uptimeSeconds: 100 },
    containers: [
      {
        id: 'c1',
        name: '/web',
        image: 'nginx',
        state: 'running',
        status: 'Up',
        cpuPercent: 1,
        memoryUsageBytes: 1,
        memoryLimitBytes: 2,
        memoryPercent: 50,
        uptimeSeconds: 10,
        restartCount: 0,
        exitCode: 0,
        createdAt: '2026-03-01T09:00:00Z',
        startedAt: '2026-03-01T10:00:00Z',
      },
    ],
    timestamp: new Date().toISOString(),
  };
  expect((await api(pulse.url, 'POST', '/api/agents/docker/report', report)).status).toBe(200);

  const s = () => pulse.deps.state.get();
  await untilCycles(
    pulse,
    30,
    () =>
      s().pbsBackups.length > 0 &&
      s().pveBackups.storageBackups.length > 0 &&
      s().pveBackups.guestSnapshots.length > 0 &&
      s().pveBackups.backupTasks.length > 0 &&
      s().physicalDisks.length > 0 &&
      s().cephClusters.length > 0 &&
      s().pmg.length > 0,
  );

  // Alerts on every running guest's CPU, at once; then one is acknowledged and, with the
  // threshold raised again, the others resolve into recentlyResolved.
  const cfg = (await api(pulse.url, 'GET', '/api/alerts/config')).body;
  const put = (trigger: number) =>
    api(pulse.url, 'PUT', '/api/alerts/config', {
      ...cfg,
      guestDefaults: { ...cfg.guestDefaults, cpu: { trigger, clear: trigger / 2 } },
      timeThreshold: 0,
      timeThresholds: { guest: 0, node: 0, storage: 0, pbs: 0 },
      metricTimeThresholds: {},
    });
  expect((await put(0.001)).status).toBe(200);
  await untilCycles(pulse, 20, () => s().activeAlerts.some((a) => a.type === 'cpu'));
  const first = s().activeAlerts.find((a) => a.type === 'cpu');
  expect((await api(pulse.url, 'POST', `/api/alerts/${encodeURIComponent(first?.id ?? '')}/acknowledge`)).status).toBe(
    200,
  );
  expect((await put(99.9)).status).toBe(200);
  await untilCycles(pulse, 20, () => s().recentlyResolved.length > 0);
  // One alert that stays (and is acknowledged): a node's disk at any level.
  const after = (await api(pulse.url, 'GET', '/api/alerts/config')).body;
  await api(pulse.url, 'PUT', '/api/alerts/config', {
    ...after,
    nodeDefaults: { ...after.nodeDefaults, memory: { trigger: 0.001, clear: 0.0005 } },
  });
  await untilCycles(pulse, 20, () => s().activeAlerts.some((a) => a.type === 'memory'));
  const mem = s().activeAlerts.find((a) => a.type === 'memory');
  await api(pulse.url, 'POST', `/api/alerts/${encodeURIComponent(mem?.id ?? '')}/acknowledge`);
  await untilCycles(pulse, 5, () => s().activeAlerts.some((a) => a.acknowledged));
}, 240_000);

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

describe('time fields against the wire contract', () => {
  const seen = new Set<string>();

  it('GET /api/state: every time field follows the frontend rules', async () => {
    const res = await api(pulse.url, 'GET', '/api/state');
    expect(res.status).toBe(200);
    expect(walk(res.body, FRONTEND, seen)).toEqual([]);
  });

  it('WS initialState and a requestData reply: every time field follows the raw rules', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    const [init] = await c.waitFor('initialState', 1, 20_000);
    expect(walk(init.data, RAW, seen)).toEqual([]);
    c.ws.send(JSON.stringify({ type: 'requestData' }));
    // requestData is answered in the raw shape (its lastUpdate is RFC3339); broadcasts in between
    // carry the frontend shape.
    const raw = await nthMatching(c, (m) => typeof m.data.lastUpdate === 'string');
    expect(walk(raw.data, RAW, seen)).toEqual([]);
    c.close();
  });

  it('WS rawData broadcasts: every time field follows the frontend rules', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    await c.waitFor('initialState', 1, 20_000);
    await pulse.deps.monitoring.nextCycle(pulse.deps.monitoring.nodes.byPublicId('pve-0')?.uid);
    const msg = await nthMatching(c, (m) => typeof m.data.lastUpdate === 'number');
    expect(walk(msg.data, FRONTEND, seen)).toEqual([]);
    c.close();
  });

  it('the same instants in both shapes; Ceph pools always present', async () => {
    // Both documents of the same state version (pollers keep committing): retried until the
    // raw document's lastUpdate is the frontend one's.
    let front: any;
    let raw: any;
    for (let attempt = 0; attempt < 20; attempt++) {
      front = (await api(pulse.url, 'GET', '/api/state')).body;
      const c = await TestWsClient.open(wsUrl(pulse.url));
      raw = (await c.waitFor('initialState', 1, 20_000))[0].data;
      c.close();
      if (Date.parse(raw.lastUpdate) === front.lastUpdate) break;
    }
    expect(Date.parse(raw.lastUpdate)).toBe(front.lastUpdate);
    const rawSeen = new Map<string, string>(raw.nodes.map((n: { id: string; lastSeen: string }) => [n.id, n.lastSeen]));
    expect(front.nodes.length).toBeGreaterThan(0);
    for (const n of front.nodes) expect(Date.parse(rawSeen.get(n.id) ?? ''), n.id).toBe(n.lastSeen);
    // PBS backups: RFC3339 whose instant is the id's unix seconds (the poller's own number).
    for (const b of raw.pbsBackups) {
      expect(String(Date.parse(b.backupTime) / 1000), b.id).toBe(b.id.split('-').pop());
    }
    // No PBS backup listed twice, and each storage backup's time is its ctime.
    expect(new Set(raw.pbsBackups.map((b: { id: string }) => b.id)).size).toBe(raw.pbsBackups.length);
    for (const b of front.pveBackups.storageBackups) expect(Date.parse(b.time) / 1000, b.id).toBe(b.ctime);
    for (const shape of [front, raw])
      for (const ceph of shape.cephClusters) expect(Array.isArray(ceph.pools)).toBe(true);
  });

  it('Pulse 4.24’s backups page computes the same duplicate key for a PBS backup as for its PVE listing', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    const raw = (await c.waitFor('initialState', 1, 20_000))[0].data;
    c.close();
    // Its UI keys a PBS backup by `${vmid}-${seconds of new Date(backupTime)}` and a PVE storage
    // backup by `${vmid}-${ctime}`, and skips a storage backup whose key it has already seen.
    const uiKey = (b: { vmid: string; backupTime: string }) =>
      `${b.vmid}-${Math.floor(new Date(b.backupTime).getTime() / 1000)}`;
    const seenByUi = new Set(raw.pbsBackups.map(uiKey));
    // The same backups by the poller's own numbers (a PBS backup id ends with its unix seconds).
    const truth = new Set(
      raw.pbsBackups.map((b: { vmid: string; id: string }) => `${b.vmid}-${b.id.split('-').pop()}`),
    );
    // Equal keys mean a PVE storage listing of the same snapshot (`${vmid}-${ctime}`) is skipped
    // (with unix seconds, `new Date(x)` landed in 1970 and no key ever matched).
    expect(raw.pbsBackups.length).toBeGreaterThan(0);
    expect(seenByUi).toEqual(truth);
  });

  it('the estate exercised the rules that matter (else the walk above proved little)', () => {
    expect(MUST_SEE.filter((p) => !seen.has(p))).toEqual([]);
  });
});
