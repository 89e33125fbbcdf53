/** PVE guest power actions over the API: start, stop, shutdown, reboot (each returns a UPID). */
import { newTask, startGuest, stopGuest } from '../estate/actions.js';
import type { PveInstance } from '../estate/model.js';
import { ApiError, type Route } from '../http/api.js';
import { findGuest } from './views.js';

type R = Route<PveInstance>;

function power(type: 'qemu' | 'lxc', action: 'start' | 'stop' | 'shutdown' | 'reboot'): R {
  return {
    method: 'POST',
    path: `/nodes/{node}/${type}/{vmid}/status/${action}`,
    handler: ({ instance, params, now, identity }) => {
      const g = findGuest(instance, params.node, Number(params.vmid), type);
      const user = identity?.tokenid ?? identity?.userid ?? 'root@pam';
      if (action === 'start') {
        if (g.template) throw new ApiError(500, `you can't start a vm if it's a template`);
        if (g.status === 'running') throw new ApiError(500, `VM ${g.vmid} already running`);
        const t = startGuest(instance, g, now);
        t.user = user;
        return retag(t.upid, user);
      }
      if (g.status !== 'running') {
        if (action === 'stop') return retag(stopGuest(instance, g, now).upid, user);
        throw new ApiError(500, `VM ${g.vmid} not running`);
      }
      if (action === 'reboot') {
        g.startedAt = now;
        g.counterOffsets = {};
        return retag(
          newTask(instance, g.node, `${type === 'qemu' ? 'qm' : 'vz'}reboot`, String(g.vmid), now).upid,
          user,
        );
      }
      const t = stopGuest(instance, g, now);
      if (action === 'shutdown') t.type = type === 'qemu' ? 'qmshutdown' : 'vzshutdown';
      return retag(action === 'shutdown' ? t.upid.replace(/:(qm|vz)stop:/, ':$1shutdown:') : t.upid, user);
    },
  };
}

/** UPIDs end with the user who started the task. */
function retag(upid: string, user: string): string {
  return upid.replace(/:[^:]+:$/, `:${user}:`);
}

export const powerRoutes: R[] = (['qemu', 'lxc'] as const).flatMap((t) =>
  (['start', 'stop', 'shutdown', 'reboot'] as const).map((a) => power(t, a)),
);
