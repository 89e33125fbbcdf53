/**
 * The schema walk: every GET path the simulator implements is fetched over HTTPS for the objects
 * of each estate, and each 200 reply's `data` is validated against that path's `returns` schema
 * from the official apidata files. Every route must answer 200 for at least one object.
 */

import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { routerFor } from '../../sim/http/routers.js';
import { type Simulator, startSimulator } from '../../sim/index.js';
import type { Product } from '../../sim/schema/apidata.js';
import { methodDef, officialSchemaAvailable, SUBSET_FILE } from '../../sim/schema/apidata.js';
import { buildSubset } from '../../sim/schema/extract.js';
import { pbsToken, pmgTicket, pveToken, request } from './client.js';
import { runWalk, SCHEMA_DEVIATIONS, type WalkResult } from './walk.js';

async function walkEstate(sim: Simulator, limit: number) {
  const results: Array<WalkResult & { product: Product; instance: string }> = [];
  for (const p of sim.ready.pve) {
    const ep = sim.core.endpoint(`${p.name}/${p.nodes[0].name}`)!;
    for (const r of await runWalk(sim.core, ep, pveToken(p.tokenId, p.tokenSecret), 'pve', limit))
      results.push({ ...r, product: 'pve', instance: p.name });
  }
  for (const p of sim.ready.pbs) {
    for (const r of await runWalk(
      sim.core,
      sim.core.endpoint(p.name)!,
      pbsToken(p.tokenId, p.tokenSecret),
      'pbs',
      limit,
    ))
      results.push({ ...r, product: 'pbs', instance: p.name });
  }
  for (const p of sim.ready.pmg) {
    for (const r of await runWalk(sim.core, sim.core.endpoint(p.name)!, await pmgTicket(p), 'pmg', limit))
      results.push({ ...r, product: 'pmg', instance: p.name });
  }
  return results;
}

function issuesOf(results: Awaited<ReturnType<typeof walkEstate>>): string[] {
  return results.flatMap((r) => r.issues.map((i) => `${r.instance} ${r.call.path} ${i.path}: ${i.message}`));
}

describe('schema walk', () => {
  it.skipIf(!officialSchemaAvailable())('the vendored schema subset matches the official apidata files', () => {
    const vendored = JSON.parse(fs.readFileSync(SUBSET_FILE, 'utf8'));
    expect(vendored, 'run `npx tsx sim/schema/extract.ts` after changing routes').toEqual(
      JSON.parse(JSON.stringify(buildSubset())),
    );
  });

  const sims: Simulator[] = [];
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.stop()));
  });

  it('demo: every implemented GET validates against the official returns schema', async () => {
    const sim = await startSimulator({ estate: 'demo' });
    sims.push(sim);
    const results = await walkEstate(sim, Number.POSITIVE_INFINITY);
    expect(results.length).toBeGreaterThan(400);
    expect(issuesOf(results)).toEqual([]);

    // Every GET route the published schema has answers 200 somewhere; a route it lacks is
    // refused as real Proxmox refuses it, whatever the route table says.
    const ok = new Set(results.filter((r) => r.status === 200).map((r) => `${r.product} ${r.call.template}`));
    for (const product of ['pve', 'pbs', 'pmg'] as const) {
      for (const route of routerFor(product).table.routes) {
        if (route.method !== 'GET') continue;
        if (methodDef(product, route.path, 'GET') !== undefined) {
          expect(ok.has(`${product} ${route.path}`), `${product} ${route.path} never answered 200`).toBe(true);
          continue;
        }
        const info = product === 'pve' ? sim.ready.pve[0] : product === 'pbs' ? sim.ready.pbs[0] : sim.ready.pmg[0];
        const concrete = route.path
          .replace('{node}', product === 'pve' ? 'pve1' : 'localhost')
          .replace(/\{[^}]+\}/g, 'x');
        const headers =
          product === 'pve'
            ? pveToken(sim.ready.pve[0].tokenId, sim.ready.pve[0].tokenSecret)
            : product === 'pbs'
              ? pbsToken(sim.ready.pbs[0].tokenId, sim.ready.pbs[0].tokenSecret)
              : await pmgTicket(sim.ready.pmg[0]);
        const res = await request(`${info.url}/api2/json${concrete}`, { headers });
        expect(res.status, `${product} ${route.path} is not in the schema and must be refused`).toBe(
          product === 'pbs' ? 404 : 501,
        );
      }
    }
    for (const key of Object.keys(SCHEMA_DEVIATIONS)) expect(ok.has(key.replace(' GET ', ' '))).toBe(true);
  });

  it('small, large, xlarge and mixed: sampled walk validates too', async () => {
    for (const estate of ['small', 'large', 'xlarge', 'mixed']) {
      const sim = await startSimulator({ estate });
      sims.push(sim);
      const results = await walkEstate(sim, 3);
      expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(50);
      expect(issuesOf(results)).toEqual([]);
      await sim.stop();
    }
  });
});
