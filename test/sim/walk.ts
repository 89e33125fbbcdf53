/**
 * Expands every GET route of the simulator into concrete calls for the objects of an estate
 * (each node, guest, storage, datastore …) and validates the replies against the official
 * `returns` schemas. Used by the schema-walk test.
 */

import type { AnyInstance, SimCore } from '../../sim/core.js';
import { pveAtLeast } from '../../sim/estate/model.js';
import type { Endpoint } from '../../sim/http/endpoint.js';
import { routerFor } from '../../sim/http/routers.js';
import { methodDef, type Product, type PxSchema } from '../../sim/schema/apidata.js';
import { type ValidationIssue, validate } from '../../sim/schema/validate.js';
import { keepAliveAgent, request } from './client.js';

const agent = keepAliveAgent();

export interface WalkCall {
  template: string;
  path: string;
}

/** Values for required non-path parameters. */
const REQUIRED_ARGS: Record<string, Record<string, string>> = {
  '/nodes/{node}/rrddata': { timeframe: 'hour' },
  '/nodes/{node}/qemu/{vmid}/rrddata': { timeframe: 'hour' },
  '/nodes/{node}/lxc/{vmid}/rrddata': { timeframe: 'hour' },
  '/nodes/{node}/qemu/{vmid}/agent/file-read': { file: '/proc/meminfo' },
  '/nodes/{node}/disks/smart': { disk: '/dev/sda' },
  '/nodes/{node}/rrd': { timeframe: 'hour', ds: 'cpu' },
  '/admin/datastore/{store}/rrd': { timeframe: 'hour', cf: 'AVERAGE' },
};

const EXTRA_ARGS: Record<string, Array<Record<string, string>>> = {
  '/cluster/resources': [{}, { type: 'vm' }, { type: 'node' }, { type: 'storage' }],
  '/nodes/{node}/rrddata': [{ timeframe: 'hour' }, { timeframe: 'day' }, { timeframe: 'week' }],
  '/nodes/{node}/disks/smart': [{ disk: '/dev/sda' }, { disk: '/dev/sdb' }, { disk: '/dev/nvme0n1' }],
  '/nodes/{node}/tasks': [{}, { errors: '1' }, { typefilter: 'vzdump' }],
};

function withQuery(path: string, args: Record<string, string>): string {
  const q = new URLSearchParams(args).toString();
  return q ? `${path}?${q}` : path;
}

function expandParams(sim: SimCore, ep: Endpoint, template: string, limit: number): Array<Record<string, string>> {
  const inst = sim.instanceOf(ep);
  let combos: Array<Record<string, string>> = [{}];
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  for (const name of names) {
    const next: Array<Record<string, string>> = [];
    for (const c of combos) {
      for (const v of valuesFor(sim, ep, inst, template, name, c).slice(0, limit)) next.push({ ...c, [name]: v });
    }
    combos = next;
  }
  return combos;
}

function valuesFor(
  sim: SimCore,
  ep: Endpoint,
  inst: AnyInstance,
  template: string,
  name: string,
  c: Record<string, string>,
): string[] {
  if (inst.kind === 'pve') {
    switch (name) {
      case 'node':
        return inst.nodes.filter((n) => !n.down).map((n) => n.name);
      case 'vmid': {
        const type = template.includes('/lxc/') ? 'lxc' : 'qemu';
        return [...inst.guests.values()].filter((g) => g.node === c.node && g.type === type).map((g) => String(g.vmid));
      }
      case 'storage':
        return inst.storages.filter((s) => !s.nodes || s.nodes.includes(c.node)).map((s) => s.storage);
      case 'upid':
        return ['*'];
      case 'name':
        return template.includes('/zfs/') ? ['rpool'] : [];
      case 'id':
        return template.includes('/replication/') ? ['*'] : [];
    }
  }
  if (inst.kind === 'pbs') {
    switch (name) {
      case 'node':
        return ['localhost'];
      case 'store':
        return inst.datastores.map((d) => d.name);
      case 'id':
      case 'upid':
        return ['*'];
    }
  }
  if (inst.kind === 'pmg') {
    switch (name) {
      case 'node':
        return inst.nodes;
    }
  }
  void sim;
  void ep;
  return [];
}

/** Concrete GET calls for every GET route of the product, against one endpoint. */
export async function walkCalls(
  sim: SimCore,
  ep: Endpoint,
  auth: Record<string, string>,
  limit = Infinity,
): Promise<WalkCall[]> {
  const calls: WalkCall[] = [];
  for (const route of routerFor(ep.product).table.routes) {
    if (route.method !== 'GET') continue;
    // A route the official schema lacks is refused by the strictness layer: nothing to walk.
    if (!methodDef(ep.product, route.path, 'GET')) continue;
    for (const params of expandParams(sim, ep, route.path, limit)) {
      // ids that come from lists (tasks, replication jobs) are discovered from the parent list.
      const listed = Object.entries(params).find(([, v]) => v === '*');
      if (listed) {
        const [key] = listed;
        const parent = route.path.slice(0, route.path.indexOf(`/{${key}}`));
        const list = await request(`${ep.url}/api2/json${fill(parent, params)}`, { headers: auth, agent });
        for (const item of (list.json?.data ?? []).slice(0, 4)) {
          const value = String(item[key] ?? item.id ?? item.name);
          calls.push({ template: route.path, path: fill(route.path, { ...params, [key]: value }) });
        }
        continue;
      }
      const base = fill(route.path, params);
      let variants = EXTRA_ARGS[route.path] ?? [REQUIRED_ARGS[route.path] ?? {}];
      if (ep.product === 'pbs' && /\/(groups|snapshots)$/.test(route.path)) {
        const inst = sim.instanceOf(ep);
        const ds = inst.kind === 'pbs' ? inst.datastores.find((d) => d.name === params.store) : undefined;
        variants = (ds?.namespaces ?? ['']).map((ns): Record<string, string> => (ns ? { ns } : {}));
      }
      for (const v of variants) calls.push({ template: route.path, path: withQuery(base, v) });
    }
  }
  return calls;
}

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, k) => encodeURIComponent(params[k]));
}

export interface WalkResult {
  call: WalkCall;
  status: number;
  issues: ValidationIssue[];
}

/**
 * Where the simulator knowingly follows production hosts over the published schema. Each entry
 * names the evidence; the walk skips schema validation for these paths only.
 */
export const SCHEMA_DEVIATIONS: Record<string, string> = {
  'pbs GET /admin/datastore/{store}/rrd':
    'schema declares `null` (the handler returns an untyped Value); the real API returns RRD rows, which Pulse polls',
};

/**
 * The published schema is PVE 9's; PVE ≤ 8.3 answers container interfaces in the older shape
 * (wire-contract §10), so on those nodes the reply is checked against that shape instead.
 */
const LXC_INTERFACES_BEFORE_8_4: PxSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      hwaddr: { type: 'string' },
      inet: { type: 'string', optional: 1 },
      inet6: { type: 'string', optional: 1 },
    },
    additionalProperties: 0,
  },
};

/**
 * PBS's snapshot list declares `files` as archive names, but the server serialises each entry as
 * a BackupContent object (its SnapshotListItem holds `Vec<BackupContent>`), the object the
 * published schema gives for `/admin/datastore/{store}/files`; entries are checked against that.
 */
const PBS_BACKUP_CONTENT: PxSchema = {
  type: 'object',
  additionalProperties: 0,
  properties: {
    'crypt-mode': { type: 'string', enum: ['none', 'encrypt', 'sign-only'], optional: 1 },
    filename: { type: 'string', pattern: '/^(?:[A-Za-z0-9_][A-Za-z0-9._\\-]*)$/' },
    size: { type: 'integer', minimum: 0, optional: 1 },
  },
};

function pbsSnapshotList(official: PxSchema | undefined): PxSchema | undefined {
  const item = official?.items;
  const files = item?.properties?.files;
  if (!item || !files) return official;
  return {
    ...official,
    items: { ...item, properties: { ...item.properties, files: { ...files, items: PBS_BACKUP_CONTENT } } },
  };
}

function returnsFor(sim: SimCore, ep: Endpoint, product: Product, call: WalkCall): PxSchema | undefined {
  if (product === 'pbs' && call.template === '/admin/datastore/{store}/snapshots')
    return pbsSnapshotList(methodDef(product, call.template, 'GET')?.returns);
  if (product === 'pve' && call.template === '/nodes/{node}/lxc/{vmid}/interfaces') {
    const inst = sim.instanceOf(ep);
    const nodeName = decodeURIComponent(call.path.split('/')[2]);
    const version = inst.kind === 'pve' ? inst.nodes.find((n) => n.name === nodeName)?.version : undefined;
    if (version && !pveAtLeast(version, 8, 4)) return LXC_INTERFACES_BEFORE_8_4;
  }
  return methodDef(product, call.template, 'GET')?.returns;
}

export async function runWalk(
  sim: SimCore,
  ep: Endpoint,
  auth: Record<string, string>,
  product: Product,
  limit = Number.POSITIVE_INFINITY,
): Promise<WalkResult[]> {
  const calls = await walkCalls(sim, ep, auth, limit);
  const out: WalkResult[] = [];
  for (const call of calls) {
    const res = await request(`${ep.url}/api2/json${call.path}`, { headers: auth, agent });
    const returns = returnsFor(sim, ep, product, call);
    const deviation = SCHEMA_DEVIATIONS[`${product} GET ${call.template}`] !== undefined;
    const issues =
      res.status === 200 && returns && !deviation
        ? validate(returns, res.json?.data, { perlNumbers: product !== 'pbs' })
        : [];
    out.push({ call, status: res.status, issues });
  }
  return out;
}
