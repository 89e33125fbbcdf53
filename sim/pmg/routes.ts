/**
 * The PMG route table. PMG is Perl: real hosts render many counters as strings ("25") beside
 * numbers (see ../shared/fixtures/pmg); the simulator mixes them the same way, field by field.
 */
import type { PmgInstance } from '../estate/model.js';
import { ticketRoute } from '../http/access.js';
import { ApiError, type RouteContext, type RouteTable } from '../http/api.js';
import { hash32, unit, wander } from '../random.js';
import { sumStats, windowStats } from './mailflow.js';

type Ctx = RouteContext<PmgInstance>;

/** Fields real PMG hosts were seen sending as strings (fixtures/pmg/statistics-mail-mixed-types.json). */
const STRING_FIELDS = new Set([
  'count_in',
  'spamcount_out',
  'viruscount_in',
  'bounces_in',
  'bounces_out',
  'bytes_in',
  'avptime',
  'junk_in',
  'rbl_rejects',
  'glcount',
]);

function perlish(o: Record<string, number>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(o)) out[k] = STRING_FIELDS.has(k) ? String(v) : v;
  return out;
}

function node(ctx: Ctx): string {
  const n = ctx.params.node;
  if (!ctx.instance.nodes.includes(n)) throw new ApiError(500, `no such cluster node '${n}'`);
  return n;
}

/** The statistics window: explicit start/end, a given day/month/year, or the last 24 hours. */
function window(ctx: Ctx): { start: number; end: number } {
  const a = ctx.args;
  const nowSec = Math.floor(ctx.now / 1000);
  if (a.starttime || a.endtime) {
    const start = Number(a.starttime ?? nowSec - 86400);
    const end = Number(a.endtime ?? nowSec);
    if (end < start) throw new ApiError(400, 'endtime must be after starttime');
    return { start, end };
  }
  if (a.year || a.month || a.day) {
    const d = new Date(ctx.now);
    const year = Number(a.year ?? d.getUTCFullYear());
    const month = Number(a.month ?? d.getUTCMonth() + 1);
    if (a.day) {
      const start = Date.UTC(year, month - 1, Number(a.day)) / 1000;
      return { start, end: start + 86400 };
    }
    const start = Date.UTC(year, month - 1, 1) / 1000;
    return { start, end: Date.UTC(year, month, 1) / 1000 };
  }
  return { start: nowSec - 86400, end: nowSec };
}

function queueCounts(inst: PmgInstance, n: string, now: number) {
  const seed = hash32(inst.seed, `queue/${n}`);
  const busy = wander(seed, now / 1000, 900);
  const deferred = Math.floor(busy * 12 + unit(seed, 'd') * 4);
  return {
    active: Math.floor(busy * 6),
    deferred,
    hold: Math.floor(unit(seed, 'h') * 3),
    incoming: Math.floor(busy * 3),
    oldest_age: deferred > 0 ? 300 + Math.floor(busy * 7200) : 0,
    ...inst.queueOverrides[n],
  };
}

/** The queues in the order PMG lists them (PMG::API2::Postfix). */
const POSTFIX_QUEUES = ['deferred', 'active', 'incoming', 'hold'] as const;

/** qshape's age buckets in minutes; a message sits in the first bucket its age fits under. */
const QSHAPE_BUCKETS = [5, 10, 20, 40, 80, 160, 320, 640, 1280];

/**
 * `qshape <queue>` as PMG returns it: one row per domain after a `TOTAL` row, every figure a
 * string (PMG splits qshape's text output), buckets named `5m` … `1280m` and `1280m+`. One
 * message is as old as `oldestAge` seconds; the rest are fresh.
 */
function qshape(count: number, oldestAge: number): Array<Record<string, string>> {
  const keys = [...QSHAPE_BUCKETS.map((b) => `${b}m`), '1280m+'];
  const oldBucket = QSHAPE_BUCKETS.findIndex((b) => oldestAge / 60 < b);
  const row = (domain: string, n: number, withOld: boolean): Record<string, string> => {
    const r: Record<string, string> = { domain, total: String(n) };
    const counts = keys.map(() => 0);
    if (n > 0) {
      const old = withOld && oldestAge > 0 ? (oldBucket < 0 ? keys.length - 1 : oldBucket) : 0;
      counts[old] += 1;
      counts[0] += n - 1;
    }
    keys.forEach((k, i) => {
      r[k] = String(counts[i]);
    });
    return r;
  };
  if (count === 0) return [row('TOTAL', 0, false)];
  const first = Math.ceil(count / 2);
  const rows = [row('TOTAL', count, true), row('gmail.com', first, true)];
  if (count - first > 0) rows.push(row('outlook.com', count - first, false));
  return rows;
}

const PMG_SSH_KEY = 'AAAAB3NzaC1yc2EAAAADAQABAAABAQC';

export const pmgRoutes: RouteTable<PmgInstance> = {
  product: 'pmg',
  routes: [
    ticketRoute<PmgInstance>(),
    {
      method: 'GET',
      path: '/version',
      handler: ({ instance }) => ({
        version: instance.version.split('.').slice(0, 2).join('.'),
        release: instance.version.split('.')[2] ?? '0',
        repoid: hash32(instance.seed, 'repoid').toString(16).padStart(8, '0'),
      }),
    },
    {
      method: 'GET',
      path: '/config/cluster/status',
      handler: ({ instance, args, sim, endpoint }) => {
        if (instance.nodes.length < 2 && args.list_single_node !== '1' && args.list_single_node !== 'true') return [];
        return instance.nodes.map((n, i) => ({
          cid: instance.nodes.length < 2 ? 0 : i + 1,
          name: n,
          type: i === 0 ? 'master' : 'node',
          ip: `10.0.5.${10 + i}`,
          fingerprint:
            i === 0
              ? endpoint.current.fingerprint
              : sim.endpoint(endpoint.id)!.current.fingerprint.split('').reverse().join(''),
          hostrsapubkey: `${PMG_SSH_KEY}${hash32(instance.seed, `host${n}`).toString(36)}`,
          rootrsapubkey: `${PMG_SSH_KEY}${hash32(instance.seed, `root${n}`).toString(36)}`,
        }));
      },
    },
    {
      method: 'GET',
      path: '/nodes/{node}/status',
      handler: (ctx) => {
        const n = node(ctx);
        const seed = hash32(ctx.instance.seed, `node/${n}`);
        const cpu = ctx.instance.overrides.cpu ?? Math.min(1, 0.03 + 0.25 * wander(seed, ctx.now / 1000, 60));
        const total = 8 * 1024 ** 3;
        const used =
          ctx.instance.overrides.mem ?? Math.floor(total * (0.45 + 0.1 * wander(seed ^ 5, ctx.now / 1000, 600)));
        return {
          time: Math.floor(ctx.now / 1000),
          uptime: ctx.instance.overrides.uptime ?? Math.floor((ctx.now - ctx.instance.bootedAt) / 1000),
          insync: 1,
          cpu,
          wait: 0.002,
          loadavg: [cpu * 4, cpu * 3.5, cpu * 3].map((x) => x.toFixed(2)),
          memory: { total, used, free: total - used },
          swap: { total: 2 * 1024 ** 3, used: 0, free: 2 * 1024 ** 3 },
          rootfs: { total: 32 * 1024 ** 3, used: 9 * 1024 ** 3, free: 23 * 1024 ** 3, avail: 23 * 1024 ** 3 },
          cpuinfo: { model: 'Intel(R) Xeon(R) E-2236 CPU @ 3.40GHz', sockets: 1, cpus: 4 },
          kversion: 'Linux 6.14.11-2-pve #1 SMP PREEMPT_DYNAMIC PMX 6.14.11-2 (2025-09-12T09:46Z)',
        };
      },
    },
    {
      method: 'GET',
      path: '/statistics/mail',
      handler: (ctx) => {
        const { start, end } = window(ctx);
        const rows = windowStats(ctx.instance, start, end, Math.floor(ctx.now / 1000));
        const s = sumStats(rows);
        return perlish({
          ...s,
          count: s.count_in + s.count_out,
          junk_out: 0,
          avptime: Number((0.6 + 0.4 * unit(ctx.instance.seed, 'avp')).toFixed(2)) as never,
        });
      },
    },
    {
      method: 'GET',
      path: '/statistics/mailcount',
      handler: (ctx) => {
        const { start, end } = window(ctx);
        const span = Number(ctx.args.timespan ?? 3600);
        const rows = windowStats(ctx.instance, start, end, Math.floor(ctx.now / 1000));
        // Hourly rows grouped into buckets of `timespan` seconds from the window start.
        const base = rows[0]?.time ?? start;
        const groups = new Map<number, typeof rows>();
        for (const r of rows) {
          const i = Math.floor((r.time - base) / span);
          groups.set(i, [...(groups.get(i) ?? []), r]);
        }
        const buckets: Array<Record<string, number | string>> = [];
        for (const [i, part] of [...groups.entries()].sort((x, y) => x[0] - y[0])) {
          const s = sumStats(part);
          buckets.push(
            perlish({
              index: i,
              time: base + i * span,
              count: s.count_in + s.count_out,
              count_in: s.count_in,
              count_out: s.count_out,
              spamcount_in: s.spamcount_in,
              spamcount_out: s.spamcount_out,
              viruscount_in: s.viruscount_in,
              viruscount_out: s.viruscount_out,
              bounces_in: s.bounces_in,
              bounces_out: s.bounces_out,
              rbl_rejects: s.rbl_rejects,
              pregreet_rejects: s.pregreet_rejects,
              glcount: s.glcount,
            }),
          );
        }
        return buckets;
      },
    },
    {
      method: 'GET',
      path: '/statistics/spamscores',
      handler: (ctx) => {
        const { start, end } = window(ctx);
        const s = sumStats(windowStats(ctx.instance, start, end, Math.floor(ctx.now / 1000)));
        const total = s.count_in;
        const weights = [60, 12, 6, 4, 3, 3, 2, 2, 2, 2, 4];
        const sum = weights.reduce((a, b) => a + b, 0);
        return weights.map((w, level) => {
          const count = Math.floor((total * w) / sum);
          return { level: String(level), count, ratio: total ? Number((count / total).toFixed(4)) : 0 };
        });
      },
    },
    {
      method: 'GET',
      path: '/statistics/domains',
      handler: (ctx) => {
        const { start, end } = window(ctx);
        const s = sumStats(windowStats(ctx.instance, start, end, Math.floor(ctx.now / 1000)));
        const doms = ctx.instance.domains;
        const shares = doms.map((d) => 1 + unit(ctx.instance.seed, `dom/${d}`) * 3);
        const total = shares.reduce((a, b) => a + b, 0);
        return doms.map((domain, i) => {
          const f = shares[i] / total;
          return {
            domain,
            count_in: Math.floor(s.count_in * f),
            count_out: Math.floor(s.count_out * f),
            spamcount_in: Math.floor(s.spamcount_in * f),
            spamcount_out: Math.floor(s.spamcount_out * f),
            viruscount_in: Math.floor(s.viruscount_in * f),
            viruscount_out: 0,
            bytes_in: Math.floor(s.bytes_in * f),
            bytes_out: Math.floor(s.bytes_out * f),
          };
        });
      },
    },
    {
      method: 'GET',
      path: '/statistics/virus',
      handler: (ctx) => {
        const { start, end } = window(ctx);
        const s = sumStats(windowStats(ctx.instance, start, end, Math.floor(ctx.now / 1000)));
        if (!s.viruscount_in) return [];
        const names = ['Win.Trojan.Agent-1234', 'Doc.Malware.Emotet-9876', 'Eicar-Signature'];
        return names
          .map((name, i) => ({ name, count: Math.max(0, Math.floor(s.viruscount_in / (i + 1.5))) }))
          .filter((v) => v.count > 0);
      },
    },
    {
      method: 'GET',
      path: '/quarantine/spamstatus',
      handler: ({ instance, now }) => {
        const s = sumStats(windowStats(instance, now / 1000 - 7 * 86400, now / 1000, Math.floor(now / 1000)));
        const count = s.junk_in;
        const avgbytes = 18_000 + unit(instance.seed, 'qavg') * 20_000;
        return {
          count,
          avgbytes: Number(avgbytes.toFixed(2)),
          avgspam: Number((7 + unit(instance.seed, 'qspam') * 5).toFixed(2)),
          mbytes: Number(((count * avgbytes) / 1024 / 1024).toFixed(2)),
        };
      },
    },
    {
      method: 'GET',
      path: '/quarantine/virusstatus',
      handler: ({ instance, now }) => {
        const s = sumStats(windowStats(instance, now / 1000 - 7 * 86400, now / 1000, Math.floor(now / 1000)));
        const count = s.viruscount_in;
        const avgbytes = 90_000 + unit(instance.seed, 'vavg') * 200_000;
        return {
          count,
          avgbytes: count ? Number(avgbytes.toFixed(2)) : 0,
          mbytes: Number(((count * avgbytes) / 1024 / 1024).toFixed(2)),
        };
      },
    },
    {
      // A directory index, as the schema says: the counts are in qshape and the queue listings.
      method: 'GET',
      path: '/nodes/{node}/postfix/queue',
      handler: (ctx) => {
        node(ctx);
        return POSTFIX_QUEUES.map((name) => ({ name }));
      },
    },
    {
      method: 'GET',
      path: '/nodes/{node}/postfix/qshape',
      handler: (ctx) => {
        const q = queueCounts(ctx.instance, node(ctx), ctx.now);
        const which = (ctx.args.queue ?? 'deferred') as (typeof POSTFIX_QUEUES)[number];
        return qshape(q[which] ?? 0, which === 'deferred' || which === 'hold' ? q.oldest_age : 0);
      },
    },
  ],
};
