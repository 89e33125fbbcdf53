/** The PVE route table: every path the simulated PVE answers (the schema walk uses this list). */
import type { PveInstance } from '../estate/model.js';
import { permissionsRoute, ticketRoute } from '../http/access.js';
import type { RouteTable } from '../http/api.js';
import { clusterRoutes } from './cluster-routes.js';
import { coreRoutes } from './core-routes.js';
import { guestRoutes } from './guest-routes.js';
import { nodeRoutes } from './node-routes.js';
import { powerRoutes } from './power-routes.js';
import { storageRoutes } from './storage-routes.js';
import { taskRoutes } from './task-routes.js';

export const pveRoutes: RouteTable<PveInstance> = {
  product: 'pve',
  routes: [
    ticketRoute<PveInstance>(),
    permissionsRoute<PveInstance>('pve'),
    ...coreRoutes,
    ...powerRoutes,
    ...guestRoutes,
    ...storageRoutes,
    ...taskRoutes,
    ...clusterRoutes,
    ...nodeRoutes,
  ],
};
