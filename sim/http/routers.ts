/** The route table of each product, matched by the request pipeline (and walked by tests). */
import { pbsRoutes } from '../pbs/routes.js';
import { pmgRoutes } from '../pmg/routes.js';
import { pveRoutes } from '../pve/routes.js';
import type { Product } from '../schema/apidata.js';
import { Router, type RouteTable } from './api.js';

const routers: Record<Product, Router<any>> = {
  pve: new Router(pveRoutes as RouteTable<any>),
  pbs: new Router(pbsRoutes as RouteTable<any>),
  pmg: new Router(pmgRoutes as RouteTable<any>),
};

/** The router of a product. */
export function routerFor(product: Product): Router<any> {
  return routers[product];
}
