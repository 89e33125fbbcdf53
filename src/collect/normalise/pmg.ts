/**
 * PMG answers → PmgInstance (wire-contract §1.7). Every numeric field goes through `num()`
 * because PMG may send numbers, numeric strings, "" or null.
 */
import type { PmgInstance, PmgMailCount, PmgMailStats, PmgNode, PmgQueueStatus } from '../../model/state.js';
import type { PmgClusterStatusEntry, PmgLooseRecord } from '../../proxmox/pmg.js';
import { pmgInstanceId } from './ids.js';
import { num, rfc3339, str, ZERO_TIME } from './values.js';

export function normaliseMailStats(raw: PmgLooseRecord, now: number): PmgMailStats {
  const countIn = num(raw.count_in);
  const countOut = num(raw.count_out);
  return {
    timeframe: 'day',
    countTotal: raw.count === null || raw.count === undefined || raw.count === '' ? countIn + countOut : num(raw.count),
    countIn,
    countOut,
    spamIn: num(raw.spamcount_in),
    spamOut: num(raw.spamcount_out),
    virusIn: num(raw.viruscount_in),
    virusOut: num(raw.viruscount_out),
    bouncesIn: num(raw.bounces_in),
    bouncesOut: num(raw.bounces_out),
    bytesIn: num(raw.bytes_in),
    bytesOut: num(raw.bytes_out),
    greylistCount: num(raw.glcount),
    junkIn: num(raw.junk_in),
    averageProcessTimeMs: Math.round(num(raw.avptime) * 1000 * 1000) / 1000,
    rblRejects: num(raw.rbl_rejects),
    pregreetRejects: num(raw.pregreet_rejects),
    updatedAt: rfc3339(now),
  };
}

export function normaliseMailCount(list: PmgLooseRecord[] | undefined): PmgMailCount[] {
  return (list ?? []).map((r, i) => {
    const ts = rfc3339(num(r.time) * 1000);
    return {
      timestamp: ts,
      count: num(r.count),
      countIn: num(r.count_in),
      countOut: num(r.count_out),
      spamIn: num(r.spamcount_in),
      spamOut: num(r.spamcount_out),
      virusIn: num(r.viruscount_in),
      virusOut: num(r.viruscount_out),
      rblRejects: num(r.rbl_rejects),
      pregreet: num(r.pregreet_rejects),
      bouncesIn: num(r.bounces_in),
      bouncesOut: num(r.bounces_out),
      greylist: num(r.glcount),
      index: r.index === undefined ? i : num(r.index),
      timeframe: 'hour',
      windowStart: ts,
      windowEnd: ZERO_TIME,
    };
  });
}

export function normaliseSpamScores(list: PmgLooseRecord[] | undefined): Array<{ score: string; count: number }> {
  return (list ?? []).map((r) => ({ score: str(r.level ?? r.score), count: num(r.count) }));
}

/** Upper age bounds (minutes) of qshape's buckets, in order; the last bucket (`1280m+`) is open. */
const QSHAPE_MINUTES = [5, 10, 20, 40, 80, 160, 320, 640, 1280];

export interface QshapeSummary {
  count: number;
  /** Lower bound (s) of the oldest non-empty age bucket: qshape only tells the bucket. */
  oldestAge: number;
}

/**
 * The `TOTAL` row of a qshape answer → message count and the age of the oldest bucket holding
 * mail. A bucket `Xm` holds messages younger than X minutes and at least as old as the bucket
 * before it, so its lower bound is the previous bucket's X (0 for the first).
 */
export function qshapeSummary(rows: PmgLooseRecord[] | undefined): QshapeSummary {
  const total = (rows ?? []).find((r) => str(r.domain).toUpperCase() === 'TOTAL');
  if (!total) return { count: 0, oldestAge: 0 };
  let oldestAge = 0;
  if (num(total[`${QSHAPE_MINUTES[QSHAPE_MINUTES.length - 1]}m+`]) > 0) oldestAge = 1280 * 60;
  else {
    for (let i = QSHAPE_MINUTES.length - 1; i > 0; i--) {
      if (num(total[`${QSHAPE_MINUTES[i]}m`]) > 0) {
        oldestAge = QSHAPE_MINUTES[i - 1] * 60;
        break;
      }
    }
  }
  return { count: num(total.total ?? total.T), oldestAge };
}

/** The four queues of one node (from their qshape answers) → queueStatus. */
export function normaliseQueue(
  queues: Partial<Record<'active' | 'deferred' | 'hold' | 'incoming', QshapeSummary>>,
  now: number,
): PmgQueueStatus {
  const active = queues.active?.count ?? 0;
  const deferred = queues.deferred?.count ?? 0;
  const hold = queues.hold?.count ?? 0;
  const incoming = queues.incoming?.count ?? 0;
  const ages = Object.values(queues).map((q) => q?.oldestAge ?? 0);
  return {
    active,
    deferred,
    hold,
    incoming,
    total: active + deferred + hold + incoming,
    oldestAge: Math.max(0, ...ages),
    updatedAt: rfc3339(now),
  };
}

export function normalisePmgNodes(
  cluster: PmgClusterStatusEntry[] | undefined,
  queues: Map<string, PmgQueueStatus>,
  uptimes: Map<string, number>,
): PmgNode[] {
  return (cluster ?? []).map((c) => {
    const role = str(c.type, 'node').toLowerCase();
    const n: PmgNode = { name: c.name, status: role, role };
    const up = uptimes.get(c.name);
    if (up !== undefined) n.uptime = up;
    const q = queues.get(c.name);
    if (q) n.queueStatus = q;
    return n;
  });
}

export interface PmgInput {
  name: string;
  host: string;
  version?: string;
  nodes?: PmgNode[];
  mailStats?: PmgMailStats;
  mailCount?: PmgMailCount[];
  spamDistribution?: Array<{ score: string; count: number }>;
  quarantine?: { spam: number; virus: number };
  now: number;
}

export function normalisePmgInstance(input: PmgInput): PmgInstance {
  const out: PmgInstance = {
    id: pmgInstanceId(input.name),
    name: input.name,
    host: input.host,
    status: 'online',
    version: input.version || 'unknown',
    connectionHealth: 'healthy',
    lastSeen: rfc3339(input.now),
    lastUpdated: rfc3339(input.now),
    quarantine: {
      spam: input.quarantine?.spam ?? 0,
      virus: input.quarantine?.virus ?? 0,
      attachment: 0,
      blacklisted: 0,
    },
  };
  if (input.nodes?.length) out.nodes = input.nodes;
  if (input.mailStats) out.mailStats = input.mailStats;
  if (input.mailCount) out.mailCount = input.mailCount;
  if (input.spamDistribution) out.spamDistribution = input.spamDistribution;
  return out;
}

export function offlinePmg(prev: PmgInstance | undefined, name: string, host: string, now: number): PmgInstance {
  if (prev) return { ...prev, status: 'offline', connectionHealth: 'unhealthy' };
  return {
    id: pmgInstanceId(name),
    name,
    host,
    status: 'offline',
    version: 'unknown',
    connectionHealth: 'unhealthy',
    lastSeen: rfc3339(now),
    lastUpdated: rfc3339(now),
  };
}
