/** The PBS route table. */
import type { PbsInstance } from '../estate/model.js';
import { ticketRoute } from '../http/access.js';
import type { Route, RouteTable } from '../http/api.js';

type R = Route<PbsInstance>;

const versionRoute: R = {
  method: 'GET',
  path: '/version',
  handler: ({ instance }) => ({
    version: instance.version.split('.').slice(0, 2).join('.'),
    release: instance.version.split('.')[2] ?? '0',
    repoid: '8a3d2c1b9e7f6a5d4c3b2a190817263544536271',
  }),
};

export const pbsRoutes: RouteTable<PbsInstance> = {
  product: 'pbs',
  routes: [ticketRoute<PbsInstance>(), versionRoute],
};
