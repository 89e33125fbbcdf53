/**
 * The control API: plain HTTP on loopback, JSON in and out, to change the estate at runtime.
 * Routes are listed in sim/README.md; `GET /` returns them too.
 */
import http from 'node:http';
import type { SimCore } from './core.js';
import {
  ActionError,
  addGuest,
  guestOf,
  migrateGuest,
  patchGuest,
  removeGuest,
  setGuestMetrics,
  setNodeMetrics,
  setQueue,
  setServerMetrics,
  startGuest,
  stopGuest,
  takeBackup,
  usedFraction,
} from './estate/actions.js';
import {
  guestCounter,
  guestCpu,
  guestDisk,
  guestMem,
  guestUptime,
  nodeCpu,
  nodeMem,
  nodeRootUsed,
  nodeUptime,
} from './estate/metrics.js';
import type { Guest, PveInstance } from './estate/model.js';
import { FAULT_KINDS, type FaultKind } from './faults.js';
import { ApiError } from './http/api.js';
import { requestLogOf } from './request-log.js';
import { sshControlRoutes } from './ssh-control.js';

type Json = Record<string, any>;
type ControlHandler = (p: Record<string, string>, body: Json, q: URLSearchParams) => unknown | Promise<unknown>;

interface ControlRoute {
  method: string;
  path: string;
  doc: string;
  handler: ControlHandler;
}

function guestView(g: Guest, now: number) {
  return {
    instance: g.instance,
    vmid: g.vmid,
    type: g.type,
    node: g.node,
    name: g.name,
    status: g.status,
    template: g.template,
    tags: g.tags,
    lock: g.lock ?? null,
    agent: g.agent,
    balloon: g.balloon,
    cpus: g.cpus,
    maxmem: g.maxmem,
    maxdisk: g.maxdisk,
    metrics: {
      cpu: guestCpu(g, now),
      mem: guestMem(g, now),
      disk: guestDisk(g, now),
      netin: guestCounter(g, 'netin', now),
      netout: guestCounter(g, 'netout', now),
      diskread: guestCounter(g, 'diskread', now),
      diskwrite: guestCounter(g, 'diskwrite', now),
      uptime: guestUptime(g, now),
    },
    overrides: g.overrides,
  };
}

export function controlRoutes(sim: SimCore): ControlRoute[] {
  const pve = (name: string): PveInstance => {
    const p = sim.pve(name);
    if (!p) throw new ActionError(404, `no PVE instance ${name}`);
    return p;
  };
  const now = () => sim.clock.now();
  const vmid = (s: string) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new ActionError(400, `bad vmid ${s}`);
    return n;
  };
  const task = (t: { upid: string }) => ({ upid: t.upid });
  return [
    {
      method: 'GET',
      path: '/',
      doc: 'ready info and this route list',
      handler: () => ({
        ready: sim.readyInfo(controlUrlOf(sim)),
        routes: controlRoutes(sim).map((r) => `${r.method} ${r.path} — ${r.doc}`),
      }),
    },
    {
      method: 'GET',
      path: '/state',
      doc: 'instances, node states, guest counts, faults, simulated time',
      handler: () => ({
        now: now(),
        clockOffsetMs: sim.clock.offsetMs,
        pve: sim.estate.pve.map((p) => ({
          name: p.name,
          cluster: p.cluster ?? null,
          nodes: p.nodes.map((n) => ({
            name: n.name,
            online: !n.down,
            cpu: nodeCpu(n, now()),
            mem: nodeMem(n, now()),
            maxmem: n.maxmem,
            disk: nodeRootUsed(n, now()),
            uptime: nodeUptime(n, now()),
          })),
          guests: p.guests.size,
        })),
        pbs: sim.estate.pbs.map((p) => ({
          name: p.name,
          online: !p.down,
          datastores: p.datastores.map((d) => d.name),
        })),
        pmg: sim.estate.pmg.map((p) => ({ name: p.name, online: !p.down })),
        faults: sim.faults.list(),
      }),
    },
    {
      method: 'GET',
      path: '/guests/:inst',
      doc: 'all guests of a PVE instance with current metrics',
      handler: (p) => [...pve(p.inst).guests.values()].map((g) => guestView(g, now())),
    },
    {
      method: 'GET',
      path: '/guests/:inst/:vmid',
      doc: 'one guest with current metrics',
      handler: (p) => guestView(guestOf(pve(p.inst), vmid(p.vmid)), now()),
    },
    {
      method: 'PUT',
      path: '/guests/:inst/:vmid/metrics',
      doc: 'override metrics {cpu,mem,disk,netin,netout,diskread,diskwrite,uptime}; null clears one',
      handler: (p, b) => {
        const g = guestOf(pve(p.inst), vmid(p.vmid));
        setGuestMetrics(g, b, now());
        return guestView(g, now());
      },
    },
    {
      method: 'POST',
      path: '/guests/:inst/:vmid/start',
      doc: 'start a guest',
      handler: (p) => task(startGuest(pve(p.inst), guestOf(pve(p.inst), vmid(p.vmid)), now())),
    },
    {
      method: 'POST',
      path: '/guests/:inst/:vmid/stop',
      doc: 'stop a guest',
      handler: (p) => task(stopGuest(pve(p.inst), guestOf(pve(p.inst), vmid(p.vmid)), now())),
    },
    {
      method: 'POST',
      path: '/guests/:inst/:vmid/migrate',
      doc: 'move a guest to {target} node',
      handler: (p, b) =>
        task(migrateGuest(pve(p.inst), guestOf(pve(p.inst), vmid(p.vmid)), String(b.target ?? ''), now())),
    },
    {
      method: 'POST',
      path: '/guests/:inst/:vmid/backup',
      doc: 'take a vzdump backup now {storage?, notes?, protected?}',
      handler: (p, b) =>
        takeBackup(
          pve(p.inst),
          guestOf(pve(p.inst), vmid(p.vmid)),
          { storage: b.storage, notes: b.notes, protected: b.protected },
          now(),
        ),
    },
    {
      method: 'POST',
      path: '/guests/:inst',
      doc: 'add a guest {vmid, type, node, name?, status?, tags?, agent?, memMiB?, …}',
      handler: (p, b) => guestView(addGuest(pve(p.inst), b as never, now()), now()),
    },
    {
      method: 'DELETE',
      path: '/guests/:inst/:vmid',
      doc: 'remove a guest',
      handler: (p) => {
        removeGuest(pve(p.inst), vmid(p.vmid));
        return { removed: `${p.inst}/${p.vmid}` };
      },
    },
    {
      method: 'PUT',
      path: '/nodes/:inst/:node/metrics',
      doc: 'override node metrics {cpu,mem,disk,uptime,swap}; null clears one',
      handler: (p, b) => {
        const n = pve(p.inst).nodes.find((x) => x.name === p.node);
        if (!n) throw new ActionError(404, `no node ${p.inst}/${p.node}`);
        setNodeMetrics(n, b);
        return {
          node: n.name,
          cpu: nodeCpu(n, now()),
          mem: nodeMem(n, now()),
          disk: nodeRootUsed(n, now()),
          uptime: nodeUptime(n, now()),
          overrides: n.overrides,
        };
      },
    },
    {
      method: 'PATCH',
      path: '/guests/:inst/:vmid',
      doc: 'change {name, tags, lock (null clears), agent, agentConfigured}',
      handler: (p, b) => {
        const g = guestOf(pve(p.inst), vmid(p.vmid));
        patchGuest(g, b);
        return guestView(g, now());
      },
    },
    {
      method: 'PUT',
      path: '/storage/:inst/:storage',
      doc: 'set a PVE storage {usedFraction} (0..1) or {enabled}',
      handler: (p, b) => {
        const s = pve(p.inst).storages.find((x) => x.storage === p.storage);
        if (!s) throw new ActionError(404, `no storage ${p.inst}/${p.storage}`);
        if ('usedFraction' in b) s.usedFraction = usedFraction(b.usedFraction);
        if ('enabled' in b) {
          if (typeof b.enabled !== 'boolean') throw new ActionError(400, 'enabled must be a boolean');
          s.enabled = b.enabled;
        }
        return { storage: s.storage, usedFraction: s.usedFraction, enabled: s.enabled };
      },
    },
    {
      method: 'PUT',
      path: '/servers/:name/metrics',
      doc: 'override PBS/PMG host metrics {cpu, mem, uptime}; null clears one',
      handler: (p, b) => {
        const inst = sim.findInstance(p.name);
        if (!inst || inst.kind === 'pve') throw new ActionError(404, `no PBS or PMG named ${p.name}`);
        setServerMetrics(inst, b);
        return { name: inst.name, overrides: inst.overrides };
      },
    },
    {
      method: 'PUT',
      path: '/pbs/:name/datastores/:store',
      doc: 'set a PBS datastore {usedFraction} (0..1)',
      handler: (p, b) => {
        const inst = sim.estate.pbs.find((x) => x.name === p.name);
        const ds = inst?.datastores.find((d) => d.name === p.store);
        if (!ds) throw new ActionError(404, `no datastore ${p.name}/${p.store}`);
        ds.usedFraction = usedFraction(b.usedFraction);
        return { store: ds.name, usedFraction: ds.usedFraction };
      },
    },
    {
      method: 'PUT',
      path: '/pmg/:name/nodes/:node/queue',
      doc: 'hold PMG postfix queue counts {active, deferred, hold, incoming, oldest_age}; null clears one',
      handler: (p, b) => {
        const inst = sim.estate.pmg.find((x) => x.name === p.name);
        if (!inst?.nodes.includes(p.node)) throw new ActionError(404, `no PMG node ${p.name}/${p.node}`);
        const held = (inst.queueOverrides[p.node] ?? {}) as Record<string, number>;
        inst.queueOverrides[p.node] = held;
        setQueue(held, b);
        return { node: p.node, held };
      },
    },
    { method: 'GET', path: '/faults', doc: 'active faults', handler: () => sim.faults.list() },
    {
      method: 'POST',
      path: '/faults',
      doc: 'inject {target, kind, ms?, path?, tokenId?}',
      handler: async (_p, b) => {
        if (!FAULT_KINDS.includes(b.kind)) throw new ActionError(400, `kind must be one of ${FAULT_KINDS.join(', ')}`);
        if (typeof b.target !== 'string' || !b.target) throw new ActionError(400, 'target is required');
        if (b.ms !== undefined && (typeof b.ms !== 'number' || b.ms < 0))
          throw new ActionError(400, 'ms must be a non-negative number');
        if (b.path !== undefined && typeof b.path !== 'string') throw new ActionError(400, 'path must be a string');
        return sim.addFault({ target: b.target, kind: b.kind, ms: b.ms, path: b.path, tokenId: b.tokenId });
      },
    },
    {
      method: 'DELETE',
      path: '/faults',
      doc: 'clear faults (all, or ?target=&kind=)',
      handler: async (_p, _b, q) => {
        const kind = q.get('kind') ?? undefined;
        if (kind && !FAULT_KINDS.includes(kind as FaultKind)) throw new ActionError(400, 'unknown fault kind');
        return {
          cleared: await sim.clearFaults({ target: q.get('target') ?? undefined, kind: kind as FaultKind | undefined }),
        };
      },
    },
    {
      method: 'DELETE',
      path: '/faults/:id',
      doc: 'clear one fault',
      handler: async (p) => {
        const cleared = await sim.clearFaults({ id: Number(p.id) });
        if (!cleared.length) throw new ActionError(404, `no fault ${p.id}`);
        return { cleared };
      },
    },
    {
      method: 'POST',
      path: '/clock/advance',
      doc: 'advance simulated time {seconds}',
      handler: (_p, b) => {
        if (typeof b.seconds !== 'number' || !Number.isFinite(b.seconds) || b.seconds < 0)
          throw new ActionError(400, 'seconds must be a non-negative number');
        sim.clock.advance(b.seconds);
        return { now: now(), clockOffsetMs: sim.clock.offsetMs };
      },
    },
    {
      method: 'POST',
      path: '/requests/log',
      doc: 'start a new log of answered GET requests {record: true}, or stop it {record: false}',
      handler: (_p, b) => {
        if (typeof b.record !== 'boolean') throw new ActionError(400, 'record must be true or false');
        const log = requestLogOf(sim);
        if (b.record) log.start();
        else log.stop();
        return { recording: log.recording, count: log.requests.length };
      },
    },
    {
      method: 'GET',
      path: '/requests/log',
      doc: 'the logged GET requests: path below /api2/json, with ?query',
      handler: () => {
        const log = requestLogOf(sim);
        return { recording: log.recording, requests: log.requests };
      },
    },
    {
      method: 'POST',
      path: '/reset',
      doc: 'back to the initial estate: faults cleared, changes and added credentials gone, clock reset',
      handler: async () => {
        await sim.reset();
        return { reset: true, now: now() };
      },
    },
    {
      method: 'POST',
      path: '/auth/expire-tickets',
      doc: 'invalidate every ticket issued so far {target?}',
      handler: (_p, b) => {
        const names = b.target
          ? [b.target]
          : [...sim.estate.pve, ...sim.estate.pbs, ...sim.estate.pmg].map((i) => i.name);
        for (const n of names) {
          const t = sim.ticketsOf(n);
          if (!t) throw new ActionError(404, `no instance ${n}`);
          t.rotate();
        }
        return { expired: names };
      },
    },
    {
      method: 'POST',
      path: '/credentials',
      doc: 'add a user or API token {target, userid?, password?, tokenId?, secret?, acl?, role?}',
      handler: (_p, b) => {
        const inst = sim.findInstance(String(b.target ?? ''));
        if (!inst) throw new ActionError(404, `no instance ${b.target}`);
        const acl = b.acl ?? { '/': ['*'] };
        if (typeof acl !== 'object' || Array.isArray(acl) || Object.values(acl).some((v) => !Array.isArray(v))) {
          throw new ActionError(400, 'acl must map paths to privilege lists');
        }
        if (typeof b.tokenId === 'string') {
          if (inst.kind === 'pmg') throw new ActionError(400, 'PMG has no API tokens; add a user with a password');
          if (!/^[^@!\s]+@[^!\s]+![A-Za-z0-9._-]+$/.test(b.tokenId))
            throw new ActionError(400, 'tokenId must look like user@realm!name');
          if (typeof b.secret !== 'string' || !b.secret) throw new ActionError(400, 'secret is required');
          inst.credentials = inst.credentials.filter((c) => c.tokenid !== b.tokenId);
          inst.credentials.push({
            userid: b.tokenId.split('!')[0],
            tokenid: b.tokenId,
            secret: b.secret,
            acl,
            role: b.role ?? 'admin',
          });
          return { target: inst.name, tokenId: b.tokenId, acl };
        }
        if (typeof b.userid !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.userid))
          throw new ActionError(400, 'userid must look like user@realm');
        if (typeof b.password !== 'string' || !b.password) throw new ActionError(400, 'password is required');
        inst.credentials = inst.credentials.filter((c) => c.tokenid || c.userid !== b.userid);
        inst.credentials.push({ userid: b.userid, password: b.password, acl, role: b.role ?? 'admin' });
        return { target: inst.name, userid: b.userid, acl };
      },
    },
    ...sshControlRoutes(sim),
  ];
}

const controlUrls = new WeakMap<SimCore, string>();

function controlUrlOf(sim: SimCore): string {
  return controlUrls.get(sim) ?? '';
}

function compile(path: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  const parts = path.split('/').map((s) => {
    if (!s.startsWith(':')) return s;
    keys.push(s.slice(1));
    return '([^/]+)';
  });
  const re = new RegExp(`^${parts.join('/')}/?$`);
  return { re, keys };
}

export async function startControlServer(
  sim: SimCore,
  host: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const routes = controlRoutes(sim).map((r) => ({ ...r, ...compile(r.path) }));
  const server = http.createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://control');
      const method = req.method ?? 'GET';
      let params: Record<string, string> | null = null;
      let route: (typeof routes)[number] | undefined;
      let pathMatched = false;
      for (const r of routes) {
        const m = r.re.exec(url.pathname);
        if (!m) continue;
        pathMatched = true;
        if (r.method !== method) continue;
        route = r;
        params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
        break;
      }
      if (!route || !params) return reply(pathMatched ? 405 : 404, { error: `no route ${method} ${url.pathname}` });
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Json = {};
      if (raw.trim()) {
        try {
          body = JSON.parse(raw);
        } catch {
          return reply(400, { error: 'body must be JSON' });
        }
        if (!body || typeof body !== 'object' || Array.isArray(body))
          return reply(400, { error: 'body must be a JSON object' });
      }
      const result = await route.handler(params, body, url.searchParams);
      if (method !== 'GET') sim.bump();
      reply(200, result);
    } catch (e) {
      if (e instanceof ActionError || e instanceof ApiError) return reply(e.status, { error: e.message });
      reply(500, { error: e instanceof Error ? e.message : String(e) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const url = `http://${host}:${addr && typeof addr === 'object' ? addr.port : port}`;
  controlUrls.set(sim, url);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
