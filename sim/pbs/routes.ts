/** The PBS route table: version, node status, datastores, namespaces, groups, snapshots, jobs, tasks. */
import { hasPrivs, type Identity, PermissionDenied } from '../auth.js';
import type { PbsDatastore, PbsInstance } from '../estate/model.js';
import { permissionsRoute, ticketRoute } from '../http/access.js';
import { ApiError, Envelope, type Route, type RouteContext, type RouteTable } from '../http/api.js';
import { hash32, unit, wander } from '../random.js';
import { filesOf, type Group, groupsOf, pbsUpid, snapshotsOf } from './store.js';

type R = Route<PbsInstance>;
type Ctx = RouteContext<PbsInstance>;

const GiB = 1024 ** 3;

function datastore(ctx: Ctx): PbsDatastore {
  const ds = ctx.instance.datastores.find((d) => d.name === ctx.params.store);
  if (!ds) throw new ApiError(400, `datastore '${ctx.params.store}' does not exist`);
  return ds;
}

function aclPath(store: string, ns?: string): string {
  return ns ? `/datastore/${store}/${ns}` : `/datastore/${store}`;
}

/** PBS datastore privileges: Audit sees everything, Backup sees only groups it owns. */
function dsAccess(id: Identity | undefined, store: string, ns?: string): 'all' | 'owned' | 'none' {
  if (!id) return 'all';
  const path = aclPath(store, ns);
  if (hasPrivs(id.cred, path, ['Datastore.Audit', 'Datastore.Modify', 'Datastore.Read'], true)) return 'all';
  if (hasPrivs(id.cred, path, ['Datastore.Backup'], true)) return 'owned';
  return 'none';
}

function requireDs(ctx: Ctx, ns?: string): 'all' | 'owned' {
  const a = dsAccess(ctx.identity, ctx.params.store, ns);
  if (a === 'none') throw new PermissionDenied(aclPath(ctx.params.store, ns), ['Datastore.Audit', 'Datastore.Backup']);
  return a;
}

function owns(id: Identity | undefined, g: Group): boolean {
  return !id || g.owner === (id.tokenid ?? id.userid);
}

function usage(ds: PbsDatastore, now: number) {
  const used = Math.floor(ds.total * Math.min(1, ds.usedFraction * (0.99 + 0.02 * wander(ds.seed, now / 1000, 86400))));
  return { total: ds.total, used, avail: ds.total - used };
}

function gcStatus(inst: PbsInstance, ds: PbsDatastore, now: number) {
  const u = usage(ds, now);
  const day = Math.floor(now / 1000 / 86400) * 86400;
  return {
    upid: pbsUpid(inst.nodeName, 'garbage_collection', ds.name, day + 3600, 'root@pam', inst.seed),
    'index-file-count': groupsOf(inst, ds).length * ds.keep,
    'index-data-bytes': Math.floor(u.used * 6.5),
    'disk-bytes': u.used,
    'disk-chunks': Math.floor(u.used / 2_500_000),
    'removed-bytes': Math.floor(u.used * 0.01),
    'removed-chunks': Math.floor((u.used * 0.01) / 2_500_000),
    'pending-bytes': 0,
    'pending-chunks': 0,
    'removed-bad': 0,
    'still-bad': 0,
  };
}

interface PbsTask {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  endtime?: number;
  status?: string;
  user: string;
  worker_type: string;
  worker_id: string;
}

function parseUpid(upid: string): Omit<PbsTask, 'endtime' | 'status'> {
  const p = upid.split(':');
  return {
    upid,
    node: p[1],
    pid: Number.parseInt(p[2], 16),
    pstart: Number.parseInt(p[3], 16),
    starttime: Number.parseInt(p[5], 16),
    worker_type: p[6],
    worker_id: p[7].replace(/\\x3a/g, ':').replace(/\\x2f/g, '/'),
    user: p.slice(8, -1).join(':'),
  };
}

/** Jobs per datastore: daily GC, prune and verify; a sync job pulls into the second datastore. */
function jobsOf(inst: PbsInstance) {
  const sync =
    inst.datastores.length > 1
      ? [
          {
            id: `s-${inst.datastores[1].name}`,
            store: inst.datastores[1].name,
            remote: 'pbs-remote',
            'remote-store': inst.datastores[0].name,
            schedule: 'daily',
            at: 4 * 3600,
          },
        ]
      : [];
  return {
    prune: inst.datastores.map((d) => ({
      id: `p-${d.name}`,
      store: d.name,
      schedule: 'daily',
      'keep-last': d.keep,
      at: 1800,
    })),
    verify: inst.datastores.map((d) => ({
      id: `v-${d.name}`,
      store: d.name,
      schedule: 'daily',
      'ignore-verified': 1,
      'outdated-after': 30,
      at: 6 * 3600,
    })),
    sync,
  };
}

function lastDaily(nowSec: number, at: number): number {
  const day = Math.floor(nowSec / 86400) * 86400;
  return day + at <= nowSec ? day + at : day - 86400 + at;
}

function jobTasks(inst: PbsInstance, nowSec: number, days: number): PbsTask[] {
  const out: PbsTask[] = [];
  const jobs = jobsOf(inst);
  const make = (type: string, workerId: string, start: number, dur: number, failed: boolean, user = 'root@pam') => {
    const upid = pbsUpid(inst.nodeName, type, workerId, start, user, inst.seed);
    const t: PbsTask = { ...parseUpid(upid) };
    if (start + dur <= nowSec) {
      t.endtime = start + dur;
      t.status = failed
        ? type === 'syncjob'
          ? 'sync failed - remote connection error: timed out'
          : 'verification failed - please check the log for details'
        : 'OK';
    }
    out.push(t);
  };
  for (let d = 0; d < days; d++) {
    const shift = d * 86400;
    for (const ds of inst.datastores) {
      make('garbage_collection', ds.name, lastDaily(nowSec, 3600) - shift, 420, false);
    }
    for (const j of jobs.prune) make('prunejob', `${j.store}:${j.id}`, lastDaily(nowSec, j.at) - shift, 12, false);
    for (const j of jobs.verify) {
      const start = lastDaily(nowSec, j.at) - shift;
      make('verificationjob', `${j.store}:${j.id}`, start, 900, unit(inst.seed, `vfail${start}`) < 0.1);
    }
    for (const j of jobs.sync) {
      const start = lastDaily(nowSec, j.at) - shift;
      make(
        'syncjob',
        `pbs-remote:${j['remote-store']}:${j.store}::${j.id}`,
        start,
        300,
        unit(inst.seed, `sfail${start}`) < 0.15,
      );
    }
  }
  // Backup tasks of the last run of each group (the PVE side writes them).
  for (const ds of inst.datastores) {
    for (const g of groupsOf(inst, ds).slice(0, 200)) {
      const snaps = snapshotsOf(inst, ds, g, nowSec);
      const last = snaps[snaps.length - 1];
      if (!last || nowSec - last.time > days * 86400) continue;
      make(
        'backup',
        `${ds.name}:${g.ns ? `${g.ns}:` : ''}${g.type}/${g.id}`,
        last.time,
        60 + (g.seed % 300),
        false,
        g.owner,
      );
    }
  }
  return out.sort((a, b) => b.starttime - a.starttime);
}

function taskJson(t: PbsTask) {
  const o: Record<string, unknown> = { ...t };
  if (o.endtime === undefined) delete o.endtime;
  if (o.status === undefined) delete o.status;
  return o;
}

function jobState(inst: PbsInstance, type: string, workerId: string, at: number, nowSec: number) {
  const t = jobTasks(inst, nowSec, 1).find((x) => x.worker_type === type && x.worker_id === workerId);
  const o: Record<string, unknown> = { 'next-run': lastDaily(nowSec, at) + 86400 };
  if (t) {
    o['last-run-upid'] = t.upid;
    if (t.endtime !== undefined) {
      o['last-run-endtime'] = t.endtime;
      o['last-run-state'] = t.status;
    }
  }
  return o;
}

const versionRoute: R = {
  method: 'GET',
  path: '/version',
  handler: ({ instance }) => ({
    version: instance.version.split('.').slice(0, 2).join('.'),
    release: instance.version.split('.')[2] ?? '0',
    repoid: hash32(instance.seed, 'repoid').toString(16).padStart(8, '0').repeat(5),
  }),
};

export const pbsRoutes: RouteTable<PbsInstance> = {
  product: 'pbs',
  routes: [
    ticketRoute<PbsInstance>(),
    permissionsRoute<PbsInstance>('pbs'),
    versionRoute,
    {
      method: 'GET',
      path: '/nodes/{node}/status',
      handler: ({ instance, now, endpoint }) => {
        const cpu = Math.min(1, 0.05 + 0.3 * wander(instance.seed, now / 1000, 60));
        const total = 64 * GiB;
        const used =
          instance.overrides.mem ?? Math.floor(total * (0.3 + 0.1 * wander(instance.seed ^ 3, now / 1000, 600)));
        const rootTotal = 100 * GiB;
        const rootUsed = Math.floor(rootTotal * 0.12);
        return {
          cpu: instance.overrides.cpu ?? cpu,
          wait: 0.01,
          loadavg: [cpu * 8, cpu * 7, cpu * 6].map((x) => Number(x.toFixed(2))),
          memory: { total, used, free: total - used },
          swap: { total: 8 * GiB, used: 0, free: 8 * GiB },
          root: { total: rootTotal, used: rootUsed, avail: rootTotal - rootUsed },
          uptime: instance.overrides.uptime ?? Math.floor((now - instance.bootedAt) / 1000),
          kversion: 'Linux 6.14.11-2-pve #1 SMP PREEMPT_DYNAMIC PMX 6.14.11-2 (2025-09-12T09:46Z)',
          'current-kernel': {
            sysname: 'Linux',
            release: '6.14.11-2-pve',
            version: '#1 SMP PREEMPT_DYNAMIC PMX 6.14.11-2 (2025-09-12T09:46Z)',
            machine: 'x86_64',
          },
          cpuinfo: { model: 'AMD EPYC 7313P 16-Core Processor', sockets: 1, cpus: 32 },
          info: { fingerprint: endpoint.current.fingerprint.toLowerCase() },
          'boot-info': { mode: 'efi', secureboot: false },
        };
      },
    },
    {
      method: 'GET',
      path: '/admin/datastore',
      handler: ({ instance, identity }) =>
        instance.datastores
          .filter((d) => dsAccess(identity, d.name) !== 'none')
          .map((d) => ({
            store: d.name,
            comment: `${d.name} datastore`,
            'backend-type': 'filesystem',
            'mount-status': 'nonremovable',
          })),
    },
    {
      method: 'GET',
      path: '/config/datastore',
      handler: ({ instance }) =>
        instance.datastores.map((d) => ({
          name: d.name,
          path: `/mnt/datastore/${d.name}`,
          comment: `${d.name} datastore`,
          'gc-schedule': 'daily',
          'notification-mode': 'notification-system',
          'verify-new': true,
        })),
    },
    {
      method: 'GET',
      path: '/admin/datastore/{store}/status',
      handler: (ctx) => {
        const ds = datastore(ctx);
        requireDs(ctx);
        const out: Record<string, unknown> = { ...usage(ds, ctx.now), 'backend-type': 'filesystem' };
        if (ctx.args.verbose === '1' || ctx.args.verbose === 'true') {
          const counts: Record<string, { groups: number; snapshots: number }> = {};
          for (const g of groupsOf(ctx.instance, ds)) {
            const c = counts[g.type] ?? { groups: 0, snapshots: 0 };
            counts[g.type] = c;
            c.groups++;
            c.snapshots += ds.keep;
          }
          out.counts = counts;
          out['gc-status'] = gcStatus(ctx.instance, ds, ctx.now);
        }
        return out;
      },
    },
    {
      method: 'GET',
      path: '/status/datastore-usage',
      handler: ({ instance, identity, now }) =>
        instance.datastores
          .filter((d) => dsAccess(identity, d.name) !== 'none')
          .map((d) => {
            const u = usage(d, now);
            const start = Math.floor(now / 1000 / 86400) * 86400 - 30 * 86400;
            const history = Array.from({ length: 30 }, (_, i) =>
              Number(((u.used / u.total) * (0.9 + (0.1 * i) / 29)).toFixed(6)),
            );
            const growthPerDay = (u.used * 0.1) / 30;
            return {
              store: d.name,
              ...u,
              'backend-type': 'filesystem',
              'mount-status': 'nonremovable',
              history,
              'history-start': start,
              'history-delta': 86400,
              'estimated-full-date': Math.floor(now / 1000 + (u.avail / growthPerDay) * 86400),
              'gc-status': gcStatus(instance, d, now),
            };
          }),
    },
    {
      method: 'GET',
      path: '/admin/datastore/{store}/namespace',
      handler: (ctx) => {
        const ds = datastore(ctx);
        requireDs(ctx);
        const parent = ctx.args.parent ?? '';
        const depth = ctx.args['max-depth'] === undefined ? 7 : Number(ctx.args['max-depth']);
        return ds.namespaces
          .filter((ns) => (parent === '' ? true : ns === parent || ns.startsWith(`${parent}/`)))
          .filter(
            (ns) => (ns === '' ? 0 : ns.split('/').length) - (parent === '' ? 0 : parent.split('/').length) <= depth,
          )
          .map((ns) => (ns === '' ? { ns } : { ns, comment: `${ns} backups` }));
      },
    },
    {
      method: 'GET',
      path: '/admin/datastore/{store}/groups',
      handler: (ctx) => {
        const ds = datastore(ctx);
        const ns = ctx.args.ns ?? '';
        const access = requireDs(ctx, ns || undefined);
        const nowSec = Math.floor(ctx.now / 1000);
        return groupsOf(ctx.instance, ds)
          .filter((g) => g.ns === ns && (!ctx.args['backup-type'] || g.type === ctx.args['backup-type']))
          .filter((g) => access === 'all' || owns(ctx.identity, g))
          .map((g) => {
            const snaps = snapshotsOf(ctx.instance, ds, g, nowSec);
            const last = snaps[snaps.length - 1];
            return {
              'backup-type': g.type,
              'backup-id': g.id,
              'last-backup': last?.time ?? 0,
              'backup-count': snaps.length,
              // The group list names the newest snapshot's files, as plain names.
              files: last
                ? filesOf(last)
                    .map((f) => f.filename)
                    .sort()
                : [],
              owner: g.owner,
              comment: g.comment,
            };
          });
      },
    },
    {
      method: 'GET',
      path: '/admin/datastore/{store}/snapshots',
      handler: (ctx) => {
        const ds = datastore(ctx);
        const ns = ctx.args.ns ?? '';
        const access = requireDs(ctx, ns || undefined);
        const nowSec = Math.floor(ctx.now / 1000);
        const out: Record<string, unknown>[] = [];
        for (const g of groupsOf(ctx.instance, ds)) {
          if (g.ns !== ns) continue;
          if (ctx.args['backup-type'] && g.type !== ctx.args['backup-type']) continue;
          if (ctx.args['backup-id'] && g.id !== ctx.args['backup-id']) continue;
          if (access !== 'all' && !owns(ctx.identity, g)) continue;
          for (const s of snapshotsOf(ctx.instance, ds, g, nowSec)) {
            const o: Record<string, unknown> = {
              'backup-type': g.type,
              'backup-id': g.id,
              'backup-time': s.time,
              files: filesOf(s),
              size: s.size,
              owner: g.owner,
              comment: g.comment,
              protected: s.protected,
            };
            if (g.fingerprint) o.fingerprint = g.fingerprint;
            if (s.verification) o.verification = s.verification;
            out.push(o);
          }
        }
        return out;
      },
    },
    {
      method: 'GET',
      path: '/admin/gc',
      handler: ({ instance, now }) =>
        instance.datastores.map((d) => {
          const st = gcStatus(instance, d, now);
          const start = lastDaily(Math.floor(now / 1000), 3600);
          return {
            store: d.name,
            ...st,
            schedule: 'daily',
            'next-run': start + 86400,
            'last-run-endtime': start + 420,
            'last-run-state': 'OK',
            duration: 420,
          };
        }),
    },
    {
      method: 'GET',
      path: '/admin/gc/{store}',
      handler: (ctx) => {
        const ds = datastore(ctx);
        const st = gcStatus(ctx.instance, ds, ctx.now);
        const start = lastDaily(Math.floor(ctx.now / 1000), 3600);
        return [
          {
            store: ds.name,
            ...st,
            schedule: 'daily',
            'next-run': start + 86400,
            'last-run-endtime': start + 420,
            'last-run-state': 'OK',
            duration: 420,
          },
        ];
      },
    },
    {
      method: 'GET',
      path: '/admin/datastore/{store}/gc',
      handler: (ctx) => {
        const ds = datastore(ctx);
        const start = lastDaily(Math.floor(ctx.now / 1000), 3600);
        return {
          store: ds.name,
          ...gcStatus(ctx.instance, ds, ctx.now),
          schedule: 'daily',
          'next-run': start + 86400,
          'last-run-endtime': start + 420,
          'last-run-state': 'OK',
          duration: 420,
        };
      },
    },
    {
      method: 'GET',
      path: '/admin/datastore/{store}/rrd',
      handler: (ctx) => {
        const ds = datastore(ctx);
        requireDs(ctx);
        const step =
          { hour: 60, day: 1800, week: 10800, month: 43200, year: 604800, decade: 6048000 }[ctx.args.timeframe] ?? 60;
        const last = Math.floor(ctx.now / 1000 / step) * step;
        return Array.from({ length: 70 }, (_, i) => {
          const time = last - (69 - i) * step;
          const u = usage(ds, time * 1000);
          const io = wander(ds.seed, time, 600);
          return {
            time,
            total: u.total,
            used: u.used,
            available: u.avail,
            read_bytes: Math.floor(io * 40_000_000),
            write_bytes: Math.floor(io * 90_000_000),
            read_ios: Math.floor(io * 400),
            write_ios: Math.floor(io * 900),
            io_ticks: Number((io * 0.3).toFixed(4)),
          };
        });
      },
    },
    {
      method: 'GET',
      path: '/config/sync',
      handler: ({ instance }) =>
        jobsOf(instance).sync.map(({ at: _a, ...j }) => ({ ...j, 'remove-vanished': false, owner: 'root@pam' })),
    },
    {
      method: 'GET',
      path: '/admin/sync',
      handler: ({ instance, now }) =>
        jobsOf(instance).sync.map(({ at, ...j }) => ({
          ...j,
          owner: 'root@pam',
          ...jobState(
            instance,
            'syncjob',
            `pbs-remote:${j['remote-store']}:${j.store}::${j.id}`,
            at,
            Math.floor(now / 1000),
          ),
        })),
    },
    {
      method: 'GET',
      path: '/config/verify',
      handler: ({ instance }) => jobsOf(instance).verify.map(({ at: _a, ...j }) => j),
    },
    {
      method: 'GET',
      path: '/admin/verify',
      handler: ({ instance, now }) =>
        jobsOf(instance).verify.map(({ at, ...j }) => ({
          ...j,
          ...jobState(instance, 'verificationjob', `${j.store}:${j.id}`, at, Math.floor(now / 1000)),
        })),
    },
    {
      method: 'GET',
      path: '/config/prune',
      handler: ({ instance }) => jobsOf(instance).prune.map(({ at: _a, ...j }) => j),
    },
    {
      method: 'GET',
      path: '/admin/prune',
      handler: ({ instance, now }) =>
        jobsOf(instance).prune.map(({ at, ...j }) => ({
          ...j,
          ...jobState(instance, 'prunejob', `${j.store}:${j.id}`, at, Math.floor(now / 1000)),
        })),
    },
    {
      method: 'GET',
      path: '/nodes/{node}/tasks',
      handler: (ctx) => {
        const a = ctx.args;
        const nowSec = Math.floor(ctx.now / 1000);
        const id = ctx.identity;
        const audit = !id || hasPrivs(id.cred, '/system/tasks', ['Sys.Audit'], true);
        let list = jobTasks(ctx.instance, nowSec, 7).filter((t) => audit || t.user === (id?.tokenid ?? id?.userid));
        if (a.typefilter) list = list.filter((t) => t.worker_type.includes(a.typefilter));
        if (a.store) list = list.filter((t) => t.worker_id.split(':')[0] === a.store || t.worker_id === a.store);
        if (a.errors === 'true' || a.errors === '1')
          list = list.filter((t) => t.status !== undefined && t.status !== 'OK');
        if (a.running === 'true' || a.running === '1') list = list.filter((t) => t.endtime === undefined);
        if (a.since) list = list.filter((t) => t.starttime >= Number(a.since));
        if (a.until) list = list.filter((t) => t.starttime <= Number(a.until));
        const start = Number(a.start ?? 0);
        const limit = Number(a.limit ?? 50);
        return new Envelope(list.slice(start, start + limit).map(taskJson), { total: list.length });
      },
    },
    {
      method: 'GET',
      path: '/nodes/{node}/tasks/{upid}/status',
      handler: (ctx) => {
        const t = jobTasks(ctx.instance, Math.floor(ctx.now / 1000), 7).find((x) => x.upid === ctx.params.upid);
        if (!t) throw new ApiError(400, `no such task '${ctx.params.upid}'`);
        const o: Record<string, unknown> = {
          upid: t.upid,
          node: t.node,
          pid: t.pid,
          pstart: t.pstart,
          starttime: t.starttime,
          type: t.worker_type,
          id: t.worker_id,
          user: t.user.split('!')[0],
          status: t.endtime === undefined ? 'running' : 'stopped',
        };
        if (t.user.includes('!')) o.tokenid = t.user.split('!')[1];
        if (t.endtime !== undefined) {
          o.endtime = t.endtime;
          o.exitstatus = t.status;
        }
        return o;
      },
    },
  ],
};

export const _internals = { jobTasks, parseUpid };
