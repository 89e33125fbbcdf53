/** PVE task lists (node and cluster), task status and log. */
import type { PveInstance, SimTask } from '../estate/model.js';
import { ApiError, Envelope, type Route, type RouteContext } from '../http/api.js';
import { vzdumpLog, vzdumpTasks } from './backups.js';
import { findNode, visible } from './views.js';

type R = Route<PveInstance>;

export function nodeTasks(inst: PveInstance, node: string, now: number): SimTask[] {
  const own = inst.tasks.filter((t) => t.node === node && t.starttime * 1000 <= now);
  return [...vzdumpTasks(inst, node, now), ...own].sort((a, b) => b.starttime - a.starttime);
}

function taskJson(t: SimTask): Record<string, unknown> {
  const o: Record<string, unknown> = {
    upid: t.upid,
    node: t.node,
    pid: t.pid,
    pstart: t.pstart,
    starttime: t.starttime,
    type: t.type,
    id: t.id,
    user: t.user,
  };
  if (t.endtime !== undefined) o.endtime = t.endtime;
  if (t.status !== undefined) o.status = t.status;
  return o;
}

function findTask(ctx: RouteContext<PveInstance>): SimTask {
  findNode(ctx.instance, ctx.params.node);
  const t = nodeTasks(ctx.instance, ctx.params.node, ctx.now).find((x) => x.upid === ctx.params.upid);
  if (!t) throw new ApiError(500, `unable to parse worker upid '${ctx.params.upid}'`);
  return t;
}

/** Tasks are visible to their owner, or with Sys.Audit on the node. */
function canSeeTask(ctx: RouteContext<PveInstance>, t: SimTask): boolean {
  const id = ctx.identity;
  if (!id) return true;
  if (t.user === id.userid || t.user === id.tokenid) return true;
  return visible(id, `/nodes/${t.node}`, ['Sys.Audit']);
}

export const taskRoutes: R[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/tasks',
    handler: (ctx) => {
      findNode(ctx.instance, ctx.params.node);
      const a = ctx.args;
      let list = nodeTasks(ctx.instance, ctx.params.node, ctx.now).filter((t) => canSeeTask(ctx, t));
      if (a.typefilter) list = list.filter((t) => t.type === a.typefilter);
      if (a.vmid) list = list.filter((t) => t.id === a.vmid);
      if (a.userfilter) list = list.filter((t) => t.user.includes(a.userfilter));
      if (a.errors === '1') list = list.filter((t) => t.status !== undefined && t.status !== 'OK');
      if (a.source === 'active') list = list.filter((t) => t.endtime === undefined);
      if (a.since) list = list.filter((t) => t.starttime >= Number(a.since));
      if (a.until) list = list.filter((t) => t.starttime <= Number(a.until));
      if (a.statusfilter) {
        const wanted = a.statusfilter.split(',');
        list = list.filter((t) =>
          wanted.includes(t.status === undefined ? 'running' : t.status === 'OK' ? 'ok' : 'error'),
        );
      }
      const start = Number(a.start ?? 0);
      const limit = Number(a.limit ?? 50);
      return new Envelope(list.slice(start, start + limit).map(taskJson), { total: list.length });
    },
  },
  {
    method: 'GET',
    path: '/cluster/tasks',
    handler: (ctx) =>
      ctx.instance.nodes
        .filter((n) => !n.down)
        .flatMap((n) => nodeTasks(ctx.instance, n.name, ctx.now))
        .filter((t) => canSeeTask(ctx, t))
        .sort((a, b) => b.starttime - a.starttime)
        .slice(0, 50)
        .map(taskJson),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}',
    handler: (ctx) => {
      findTask(ctx);
      return [{ name: 'log' }, { name: 'status' }];
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/status',
    handler: (ctx) => {
      const t = findTask(ctx);
      const o = taskJson(t);
      o.status = t.endtime === undefined ? 'running' : 'stopped';
      if (t.endtime !== undefined) o.exitstatus = t.status ?? 'OK';
      return o;
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/log',
    handler: (ctx) => {
      const t = findTask(ctx);
      const lines =
        t.type === 'vzdump' && t.id === ''
          ? vzdumpLog(ctx.instance, t)
          : [`starting task ${t.type} ${t.id}`, 'TASK OK'];
      const start = Number(ctx.args.start ?? 0);
      const limit = Number(ctx.args.limit ?? 50);
      const rows = lines.map((text, i) => ({ n: i + 1, t: text })).slice(start, start + limit);
      return new Envelope(rows, { total: lines.length });
    },
  },
];
