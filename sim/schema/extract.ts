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
import { loadApiSchema, type Product, SUBSET_FILE, type Subset } from './apidata.js';

export function buildSubset(): Subset {
  const out = { pve: {}, pbs: {}, pmg: {}, index: { pve: [], pbs: [], pmg: [] } } as unknown as Subset;
  for (const product of ['pve', 'pbs', 'pmg'] as const) {
    for (const [p, def] of loadApiSchema(product)) {
      for (const method of Object.keys(def.info)) out.index[product].push(`${method} ${p}`);
    }
    out.index[product].sort();
  }
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
