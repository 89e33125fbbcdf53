/**
 * Regenerates `apidata-subset.json`: the official schema definitions of exactly the paths and
 * methods the simulator implements. Run after adding routes:
 *
 *   npx tsx sim/schema/extract.ts
 */
import fs from 'node:fs';
import { pbsRoutes } from '../pbs/routes.js';
import { pmgRoutes } from '../pmg/routes.js';
import { pveRoutes } from '../pve/routes.js';
import { loadApiSchema, type MethodDef, type Product, SUBSET_FILE } from './apidata.js';

export function buildSubset(): Record<Product, Record<string, Record<string, MethodDef>>> {
  const out = { pve: {}, pbs: {}, pmg: {} } as Record<Product, Record<string, Record<string, MethodDef>>>;
  for (const table of [pveRoutes, pbsRoutes, pmgRoutes]) {
    const full = loadApiSchema(table.product);
    for (const route of table.routes) {
      const def = full.get(route.path)?.info[route.method];
      if (!def) continue;
      out[table.product][route.path] ??= {};
      out[table.product][route.path][route.method] = {
        method: def.method,
        parameters: def.parameters,
        returns: def.returns,
        permissions: def.permissions,
        allowtoken: def.allowtoken,
        protected: def.protected,
      };
    }
  }
  return out;
}

if (process.argv[1]?.endsWith('extract.ts')) {
  fs.writeFileSync(SUBSET_FILE, `${JSON.stringify(buildSubset(), null, 1)}\n`);
  console.log(`wrote ${SUBSET_FILE}`);
}
