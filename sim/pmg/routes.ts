/** The PMG route table. */
import type { PmgInstance } from '../estate/model.js';
import { ticketRoute } from '../http/access.js';
import type { Route, RouteTable } from '../http/api.js';

type R = Route<PmgInstance>;

const versionRoute: R = {
  method: 'GET',
  path: '/version',
  handler: ({ instance }) => ({
    version: instance.version.split('.').slice(0, 2).join('.'),
    release: instance.version.split('.')[2] ?? '0',
    repoid: '5c2b8e1f',
  }),
};

export const pmgRoutes: RouteTable<PmgInstance> = {
  product: 'pmg',
  routes: [ticketRoute<PmgInstance>(), versionRoute],
};
