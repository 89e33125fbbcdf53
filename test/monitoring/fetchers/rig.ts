/**
 * One PVE instance of the simulator and the real parts a fetcher runs on (endpoints, cluster
 * resources, a problem log, a manual clock, a call counter), so a fetcher's test drives it cycle
 * by cycle and counts the requests it made.
 */
import type { EstateSpec, PveSpec } from '../../../sim/estate/spec.js';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { ManualClock } from '../../../src/clock.js';
import type { IoCounters } from '../../../src/collect/normalise/pve-guest.js';
import type { PollerEnv } from '../../../src/collect/poller-env.js';
import { ClusterResourcesFetcher } from '../../../src/collect/pve/cluster-resources.js';
import { PveEndpoints } from '../../../src/collect/pve/endpoints.js';
import { newCycle, ProblemLog, type PveCycle, type PveFetcher } from '../../../src/collect/pve/fetcher.js';
import { createLogger } from '../../../src/logging.js';
import type { ApiCallCounter } from '../../../src/proxmox/client.js';
import type { ClusterInfo, NodeConfig } from '../../../src/settings/node-config.js';

export const SECRET = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
export const TOKEN = 'mon@pve!pulse';

/** A two-node cluster with every kind of guest and storage a fetcher reads. */
export function labSpec(extra: Partial<PveSpec> = {}): EstateSpec {
  return {
    name: 'fetchers',
    seed: 7,
    pve: [
      {
        name: 'lab',
        cluster: 'lab',
        version: '9.0.10',
        nodes: [{ name: 'n1' }, { name: 'n2' }],
        guests: [
          { vmid: 100, type: 'qemu', node: 'n1', name: 'app', agent: true, memMiB: 2048 },
          { vmid: 101, type: 'qemu', node: 'n2', name: 'db', memMiB: 2048 },
          { vmid: 102, type: 'qemu', node: 'n1', name: 'off', status: 'stopped' },
          { vmid: 200, type: 'lxc', node: 'n1', name: 'dns', memMiB: 512 },
          { vmid: 201, type: 'lxc', node: 'n2', name: 'proxy', memMiB: 512 },
          { vmid: 202, type: 'lxc', node: 'n2', name: 'idle', status: 'stopped' },
          { vmid: 9000, type: 'qemu', node: 'n1', name: 'tpl', template: true },
        ],
        storages: [
          { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', totalGiB: 94 },
          { storage: 'local-zfs', type: 'zfspool', content: 'images,rootdir', totalGiB: 400 },
        ],
        tokens: [{ tokenid: TOKEN, secret: SECRET, acl: { '/': ['*'] } }],
        ...extra,
      },
    ],
  };
}

/** How a PVE poller of `ready` is configured in these tests: an API token, the pinned fingerprint. */
export function pveNodeConfig(
  ready: Simulator['ready']['pve'][number],
  monitor: NodeConfig['monitor'] = {},
  token = { id: TOKEN, secret: SECRET },
): NodeConfig {
  return {
    uid: 1,
    type: 'pve',
    name: ready.name,
    host: ready.url,
    tokenName: token.id,
    tokenValue: token.secret,
    fingerprint: ready.fingerprint,
    verifySSL: false,
    monitor,
  };
}

/** A poller's environment on a manual clock: silent log, 10-s timeouts and interval. */
export function testPollerEnv(
  clock: ManualClock,
  counter?: ApiCallCounter,
  onCluster: PollerEnv['onCluster'] = () => {},
): PollerEnv {
  return {
    clock,
    logger: createLogger({ level: 'silent' }),
    timeoutMs: () => 10_000,
    intervalMs: () => 10_000,
    onCluster,
    ...(counter ? { counter } : {}),
  };
}

export interface Rig {
  sim: Simulator;
  clock: ManualClock;
  counter: ApiCallCounter;
  cfg: NodeConfig;
  env: PollerEnv;
  endpoints: PveEndpoints;
  problems: ProblemLog;
  /** Cluster memberships handed to `onCluster`. */
  clusterChanges: ClusterInfo[];
  /** A new cycle as the poller starts one: problems cleared, cluster resources fetched, then `before` in order. */
  cycle(before?: PveFetcher[], prevCounters?: ReadonlyMap<string, IoCounters>): Promise<PveCycle>;
  /** Requests so far whose path matches. */
  calls(path: RegExp): number;
  /** The membership the endpoints fail over by (a ClusterMembershipFetcher's in the poller). */
  setCluster(c: ClusterInfo | undefined): void;
  /** Sets a fault on the simulator (control API). */
  fault(body: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  close(): Promise<void>;
}

export async function startRig(spec: EstateSpec, monitor: NodeConfig['monitor'] = {}): Promise<Rig> {
  const sim = await startSimulator({ estate: spec, port: 0 });
  const ready = sim.ready.pve[0];
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 3, 0, 0));
  const counter: ApiCallCounter = { total: 0, failed: 0, paths: [] };
  const clusterChanges: ClusterInfo[] = [];
  const tokenId = spec.pve?.[0].tokens?.[0]?.tokenid ?? ready.tokenId;
  const cfg = pveNodeConfig(ready, monitor, {
    id: tokenId,
    secret: tokenId === ready.tokenId ? ready.tokenSecret : SECRET,
  });
  const env = testPollerEnv(clock, counter, (_uid, c) => clusterChanges.push(c));
  let cluster: ClusterInfo | undefined;
  const endpoints = new PveEndpoints(cfg, env, () => cluster);
  const resources = new ClusterResourcesFetcher(endpoints, clock, env.logger);
  const problems = new ProblemLog();
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.controlUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
  };
  return {
    sim,
    clock,
    counter,
    cfg,
    env,
    endpoints,
    problems,
    clusterChanges,
    async cycle(before = [], prevCounters = new Map()) {
      problems.byFeature.clear();
      const c = newCycle({
        cfg,
        api: endpoints.api(endpoints.active),
        opt: { timeoutMs: env.timeoutMs() },
        problems,
        prevCounters,
      });
      await resources.fetch(c);
      for (const f of before) await f.fetch(c);
      return c;
    },
    setCluster: (c) => {
      cluster = c;
    },
    calls: (path) => (counter.paths ?? []).filter((p) => path.test(p)).length,
    fault: (body) => control('POST', '/faults', body),
    clearFaults: () => control('DELETE', '/faults'),
    async close() {
      await endpoints.close();
      await sim.stop();
    },
  };
}
