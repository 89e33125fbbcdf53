/** `POST /access/ticket` for all three products: password (or ticket) in, ticket + CSRF out. */
import { login } from '../auth.js';
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
