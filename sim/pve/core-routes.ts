/** PVE: version, cluster status/resources, nodes, guest lists and status, storage. */
import { nodeCpu, nodeLoadavg, nodeMem, nodeRootUsed, nodeSwapUsed, nodeUptime } from '../estate/metrics.js';
import { guestsOnNode, type PveInstance, pveMajorMinor } from '../estate/model.js';
import { RawJson, type Route } from '../http/api.js';
import {
  findGuest,
  findNode,
  fullAccess,
  guestCurrent,
  guestListItem,
  guestResource,
  nodeOnline,
  nodeResource,
  nodeStorage,
  nodeVersion,
  releaseOf,
  storageConfig,
  storageOnNode,
  storageResource,
  visible,
} from './views.js';

type R = Route<PveInstance>;

const REPOID: Record<string, string> = { '9': 'deb1ca707ec72a89', '8': 'c6b98fd0b5e5f3bd' };

export function repoid(version: string): string {
  return REPOID[String(pveMajorMinor(version).major)] ?? '0123456789abcdef';
}

export function kernelOf(version: string) {
  return pveMajorMinor(version).major >= 9
    ? { release: '6.14.11-2-pve', version: '#1 SMP PREEMPT_DYNAMIC PMX 6.14.11-2 (2025-09-12T09:46Z)' }
    : { release: '6.8.12-11-pve', version: '#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-11 (2025-05-22T09:39Z)' };
}

/** Seconds between refreshes of the status cache behind /cluster/resources (pvestatd's cycle). */
export const STATUS_TTL = 10;

interface ResourceEntry {
  item: Record<string, unknown>;
  /** ACL path and privileges that make the entry visible. */
  acl: string;
  privs: string[];
  any: boolean;
}

/** /cluster/resources entries with the privilege each needs (PVE filters instead of failing). */
function clusterResources(instance: PveInstance, type: string, now: number): ResourceEntry[] {
  const out: ResourceEntry[] = [];
  const up = new Map(instance.nodes.map((n) => [n.name, nodeOnline(n)]));
  const add = (item: Record<string, unknown>, acl: string, privs: string[], any = false) =>
    out.push({ item, acl, privs, any });
  if (!type || type === 'node') {
    for (const n of instance.nodes) add(nodeResource(n, now), `/nodes/${n.name}`, ['Sys.Audit']);
  }
  if (!type || type === 'vm') {
    for (const g of instance.guests.values())
      add(guestResource(instance, g, up.get(g.node) ?? false, now), `/vms/${g.vmid}`, ['VM.Audit']);
  }
  if (!type || type === 'storage') {
    for (const n of instance.nodes) {
      if (!up.get(n.name)) continue;
      for (const s of instance.storages) {
        if (storageOnNode(s, n.name))
          add(
            storageResource(s, n.name, now),
            `/storage/${s.storage}`,
            ['Datastore.Audit', 'Datastore.AllocateSpace'],
            true,
          );
      }
    }
  }
  if (!type || type === 'sdn') {
    for (const n of instance.nodes) {
      if (up.get(n.name))
        add(
          { id: `sdn/${n.name}/localnetwork`, type: 'sdn', sdn: 'localnetwork', node: n.name, status: 'ok' },
          `/sdn/zones/localnetwork`,
          ['SDN.Audit'],
        );
    }
  }
  if (!type) {
    const pools = new Set([...instance.guests.values()].map((g) => g.pool).filter((p): p is string => !!p));
    for (const p of pools) add({ id: `/pool/${p}`, type: 'pool', pool: p }, `/pool/${p}`, ['Pool.Audit']);
  }
  return out;
}

export const coreRoutes: R[] = [
  {
    method: 'GET',
    path: '/version',
    // Answered by the node the request reached, so a cluster mid-upgrade reports that node's version.
    handler: ({ instance, localNode }) => {
      const v = localNode ? nodeVersion(instance, localNode) : instance.version;
      return { version: v, release: releaseOf(v), repoid: repoid(v), console: 'html5' };
    },
  },
  {
    method: 'GET',
    path: '/cluster/status',
    handler: ({ instance, localNode }) => {
      const nodes = instance.nodes.map((n) => ({
        type: 'node',
        id: `node/${n.name}`,
        name: n.name,
        ip: n.ip,
        level: '',
        local: n.name === localNode ? 1 : 0,
        nodeid: instance.cluster ? n.nodeid : 0,
        online: nodeOnline(n) ? 1 : 0,
      }));
      if (!instance.cluster) return nodes;
      const online = instance.nodes.filter(nodeOnline).length;
      return [
        {
          type: 'cluster',
          id: 'cluster',
          name: instance.cluster,
          nodes: instance.nodes.length,
          quorate: online > instance.nodes.length / 2 ? 1 : 0,
          version: instance.nodes.length + 2,
        },
        ...nodes,
      ];
    },
  },
  {
    method: 'GET',
    path: '/cluster/resources',
    handler: ({ instance, args, identity, now, sim }) => {
      const type = args.type ?? '';
      const entries = sim.cached(
        `resources:${instance.name}:${type}`,
        () => clusterResources(instance, type, now),
        STATUS_TTL,
      );
      // Callers with the same ACL share one serialised reply per status cycle (the large estate).
      const aclKey = fullAccess(identity) ? '*' : JSON.stringify(identity?.cred.acl);
      return sim.cached(
        `resources-json:${instance.name}:${type}:${aclKey}`,
        () => {
          const visibleEntries =
            aclKey === '*' ? entries : entries.filter((e) => visible(identity, e.acl, e.privs, e.any));
          return new RawJson(JSON.stringify(visibleEntries.map((e) => e.item)));
        },
        STATUS_TTL,
      );
    },
  },
  {
    method: 'GET',
    path: '/nodes',
    handler: ({ instance, identity, now, sim }) =>
      instance.nodes.map((n) => {
        const r = nodeResource(n, now);
        const ep = sim.endpoint(`${instance.name}/${n.name}`);
        if (ep) r.ssl_fingerprint = ep.current.fingerprint;
        // Without Sys.Audit the node is listed but its metrics are hidden.
        if (!visible(identity, `/nodes/${n.name}`, ['Sys.Audit'])) {
          return { node: n.name, status: r.status, id: r.id, type: 'node', level: '' };
        }
        return r;
      }),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/status',
    handler: ({ instance, params, now }) => {
      const n = findNode(instance, params.node);
      const total = n.maxmem;
      const used = nodeMem(n, now);
      const rootUsed = nodeRootUsed(n, now);
      const swapUsed = nodeSwapUsed(n, now);
      const version = nodeVersion(instance, n);
      const k = kernelOf(version);
      const out: Record<string, unknown> = {
        uptime: nodeUptime(n, now),
        idle: 0,
        cpu: nodeCpu(n, now),
        wait: Number((nodeCpu(n, now) * 0.05).toFixed(4)),
        loadavg: nodeLoadavg(n, now),
        kversion: `Linux ${k.release} ${k.version}`,
        'current-kernel': { sysname: 'Linux', release: k.release, version: k.version, machine: 'x86_64' },
        'boot-info': { mode: n.nodeid % 2 ? 'efi' : 'legacy-bios', secureboot: 0 },
        cpuinfo: {
          model: n.cpuModel,
          sockets: n.sockets,
          cores: Math.max(1, n.cpus / n.sockets / 2),
          cpus: n.cpus,
          mhz: '2999.998',
          hvm: '1',
          user_hz: 100,
          flags:
            'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl xtopology cpuid pni ssse3 sse4_1 sse4_2 avx avx2',
        },
        memory: { total, used, free: total - used, available: Math.floor(total - used * 0.9) },
        swap: { total: n.swapTotal, used: swapUsed, free: n.swapTotal - swapUsed },
        rootfs: { total: n.rootTotal, used: rootUsed, free: n.rootTotal - rootUsed, avail: n.rootTotal - rootUsed },
        ksm: { shared: 0 },
        pveversion: `pve-manager/${version}/${repoid(version)}`,
      };
      return out;
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu',
    handler: ({ instance, params, identity, now }) => {
      findNode(instance, params.node);
      return guestsOnNode(instance, params.node)
        .filter((g) => g.type === 'qemu' && visible(identity, `/vms/${g.vmid}`, ['VM.Audit']))
        .map((g) => guestListItem(instance, g, now));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/lxc',
    handler: ({ instance, params, identity, now }) => {
      findNode(instance, params.node);
      return guestsOnNode(instance, params.node)
        .filter((g) => g.type === 'lxc' && visible(identity, `/vms/${g.vmid}`, ['VM.Audit']))
        .map((g) => guestListItem(instance, g, now));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/status/current',
    handler: ({ instance, params, now }) =>
      guestCurrent(instance, findGuest(instance, params.node, Number(params.vmid), 'qemu'), now),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/lxc/{vmid}/status/current',
    handler: ({ instance, params, now }) =>
      guestCurrent(instance, findGuest(instance, params.node, Number(params.vmid), 'lxc'), now),
  },
  {
    method: 'GET',
    path: '/storage',
    handler: ({ instance, args, identity }) =>
      instance.storages
        .filter((s) => !args.type || s.type === args.type)
        .filter((s) => visible(identity, `/storage/${s.storage}`, ['Datastore.Audit', 'Datastore.AllocateSpace'], true))
        .map(storageConfig),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage',
    handler: ({ instance, params, args, identity, now }) => {
      findNode(instance, params.node);
      const contents = args.content ? args.content.split(',') : [];
      return instance.storages
        .filter((s) => storageOnNode(s, params.node))
        .filter((s) => !args.storage || s.storage === args.storage)
        .filter((s) => args.enabled !== '1' || s.enabled)
        .filter((s) => contents.every((c) => s.content.split(',').includes(c)))
        .filter((s) => visible(identity, `/storage/${s.storage}`, ['Datastore.Audit', 'Datastore.AllocateSpace'], true))
        .map((s) => nodeStorage(s, now));
    },
  },
];
