/** Access paths shared by the products: tickets for all three, effective permissions for PVE/PBS. */
import { login, privilegesOn } from '../auth.js';
import type { AnyInstance } from '../core.js';
import { ApiError, type Route } from './api.js';

export function ticketRoute<I extends AnyInstance>(): Route<I> {
  return {
    method: 'POST',
    path: '/access/ticket',
    handler: ({ instance, args, sim, endpoint }) => {
      const tickets = sim.tickets(endpoint);
      const cred = login(instance.credentials, tickets, args.username ?? '', args.password ?? '', args.realm);
      if (!cred)
        throw new ApiError(401, endpoint.product === 'pbs' ? 'authentication failed' : 'authentication failure');
      const out: Record<string, unknown> = {
        username: cred.userid,
        ticket: tickets.issueTicket(cred.userid),
        CSRFPreventionToken: tickets.issueCsrf(cred.userid),
      };
      if (instance.kind === 'pve') {
        if (instance.cluster) out.clustername = instance.cluster;
        out.cap = {
          vms: { 'VM.Audit': 1 },
          storage: { 'Datastore.Audit': 1 },
          nodes: { 'Sys.Audit': 1 },
          access: {},
          dc: { 'Sys.Audit': 1 },
          sdn: {},
          mapping: {},
        };
      }
      if (instance.kind === 'pmg') out.role = cred.role;
      return out;
    },
  };
}

/** Every privilege name of each product (from the schemas' permission checks, plus a few more). */
const ALL_PRIVILEGES: Record<'pve' | 'pbs', string[]> = {
  pve: [
    'Datastore.Allocate',
    'Datastore.AllocateSpace',
    'Datastore.AllocateTemplate',
    'Datastore.Audit',
    'Group.Allocate',
    'Mapping.Audit',
    'Mapping.Modify',
    'Mapping.Use',
    'Permissions.Modify',
    'Pool.Allocate',
    'Pool.Audit',
    'Realm.Allocate',
    'Realm.AllocateUser',
    'SDN.Allocate',
    'SDN.Audit',
    'SDN.Use',
    'Sys.AccessNetwork',
    'Sys.Audit',
    'Sys.Console',
    'Sys.Incoming',
    'Sys.Modify',
    'Sys.PowerMgmt',
    'Sys.Syslog',
    'User.Modify',
    'VM.Allocate',
    'VM.Audit',
    'VM.Backup',
    'VM.Clone',
    'VM.Config.CDROM',
    'VM.Config.CPU',
    'VM.Config.Cloudinit',
    'VM.Config.Disk',
    'VM.Config.HWType',
    'VM.Config.Memory',
    'VM.Config.Network',
    'VM.Config.Options',
    'VM.Console',
    'VM.GuestAgent.Audit',
    'VM.GuestAgent.FileRead',
    'VM.GuestAgent.FileSystemMgmt',
    'VM.GuestAgent.FileWrite',
    'VM.GuestAgent.Unrestricted',
    'VM.Migrate',
    'VM.PowerMgmt',
    'VM.Replicate',
    'VM.Snapshot',
    'VM.Snapshot.Rollback',
  ],
  pbs: [
    'Datastore.Allocate',
    'Datastore.Audit',
    'Datastore.Backup',
    'Datastore.Modify',
    'Datastore.Prune',
    'Datastore.Read',
    'Datastore.Verify',
    'Permissions.Modify',
    'Realm.Allocate',
    'Remote.Audit',
    'Remote.Modify',
    'Remote.Read',
    'Sys.Audit',
    'Sys.Console',
    'Sys.Modify',
    'Sys.PowerManagement',
    'Tape.Audit',
    'Tape.Modify',
    'Tape.Read',
    'Tape.Write',
  ],
};

/**
 * `GET /access/permissions`: the caller's effective privileges per ACL path, each mapped to its
 * propagate bit (1), as PVE and PBS answer it. `path` limits the answer to one path.
 */
export function permissionsRoute<I extends AnyInstance>(product: 'pve' | 'pbs'): Route<I> {
  return {
    method: 'GET',
    path: '/access/permissions',
    handler: ({ identity, args }) => {
      const acl = identity?.cred.acl ?? { '/': ['*'] };
      const out: Record<string, Record<string, number>> = {};
      const paths = args.path ? [args.path] : Object.keys(acl);
      for (const p of paths) {
        const granted = privilegesOn(acl, p);
        const names = granted.has('*') ? ALL_PRIVILEGES[product] : [...granted].sort();
        if (names.length) out[p] = Object.fromEntries(names.map((n) => [n, 1]));
      }
      return out;
    },
  };
}
