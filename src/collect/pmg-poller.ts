/** One PMG instance: version, cluster nodes with their postfix queues, mail statistics, quarantine. */

import type { PmgQueueStatus } from '../model/state.js';
import { ProxmoxClient } from '../proxmox/client.js';
import { ProxmoxError } from '../proxmox/errors.js';
import { PMG_POSTFIX_QUEUES, PmgApi } from '../proxmox/pmg.js';
import { type FeatureProblem, featureOfPath, problemMessage } from '../proxmox/privileges.js';
import type { NodeConfig } from '../settings/node-config.js';
import { isMonitored } from '../settings/node-config.js';
import { settleLimit } from './limit.js';
import {
  normaliseMailCount,
  normaliseMailStats,
  normalisePmgInstance,
  normalisePmgNodes,
  normaliseQueue,
  normaliseSpamScores,
  offlinePmg,
  qshapeSummary,
} from './normalise/pmg.js';
import { num } from './normalise/values.js';
import { checkPmgFeatures, PeriodicPermissionCheck, type PermissionCheck } from './pve-permissions.js';
import type { PollerEnv } from './pve-poller.js';
import { SingleEndpointPoller } from './single-endpoint-poller.js';
import type { PmgSlice } from './slices.js';

export class PmgPoller extends SingleEndpointPoller {
  #prev: PmgSlice | undefined;
  readonly #permissions = new PeriodicPermissionCheck();

  constructor(cfg: NodeConfig, env: PollerEnv) {
    super(cfg, env, () => 'the Audit role');
  }

  async poll(signal?: AbortSignal): Promise<PmgSlice> {
    const opt = { signal, timeoutMs: this.env.timeoutMs() };
    const api = new PmgApi(this.client);
    this.problems.clear();
    const version = await api.version(opt);
    const now = this.env.clock.now();
    const end = Math.floor(now / 1000);
    const start = end - 86400;
    const guard = <T>(flag: string, p: () => Promise<T>) =>
      isMonitored(this.cfg, flag) ? p().catch(this.miss) : Promise.resolve(undefined);
    const [cluster, stats, counts, scores, spam, virus] = await Promise.all([
      api.clusterStatus(opt).catch(this.miss),
      guard('monitorMailStats', () => api.mailStats(start, end, opt)),
      guard('monitorMailStats', () => api.mailCount(start, end, opt)),
      guard('monitorMailStats', () => api.spamScores(opt)),
      guard('monitorQuarantine', () => api.spamStatus(opt)),
      guard('monitorQuarantine', () => api.virusStatus(opt)),
    ]);
    // Without a cluster list (older PMG, restricted user) fall back to /nodes, then "localhost".
    let members = cluster && cluster.length > 0 ? cluster : undefined;
    if (!members) {
      const list = await api.nodes(opt).catch(() => undefined);
      members = list?.length
        ? list.map((n) => ({ name: n.node, type: 'node' }))
        : [{ name: 'localhost', type: 'node' }];
    }
    const queues = new Map<string, PmgQueueStatus>();
    const uptimes = new Map<string, number>();
    if (isMonitored(this.cfg, 'monitorQueues')) {
      await settleLimit(members, 4, async (m) => {
        // One qshape per queue, side by side; a queue that fails leaves the node without counts
        // rather than reporting a false zero.
        const shapes = await Promise.all(
          PMG_POSTFIX_QUEUES.map((q) =>
            api.postfixQshape(m.name, q, opt).then(
              (rows) => [q, qshapeSummary(rows)] as const,
              (err: unknown) => {
                this.record(err);
                return undefined;
              },
            ),
          ),
        );
        if (shapes.every((x) => x !== undefined)) queues.set(m.name, normaliseQueue(Object.fromEntries(shapes), now));
        try {
          const st = await api.nodeStatus(m.name, opt);
          if (st && st.uptime !== undefined) uptimes.set(m.name, num(st.uptime));
        } catch {
          // uptime is optional
        }
      });
    }
    const pmg = normalisePmgInstance({
      name: this.instance,
      host: this.cfg.host,
      version: version?.version,
      nodes:
        cluster && cluster.length > 0
          ? normalisePmgNodes(cluster, queues, uptimes)
          : normalisePmgNodes(members, queues, uptimes),
      mailStats: stats ? normaliseMailStats(stats, now) : undefined,
      mailCount: counts ? normaliseMailCount(counts) : undefined,
      spamDistribution: scores ? normaliseSpamScores(scores) : undefined,
      quarantine: { spam: num(spam?.count), virus: num(virus?.count) },
      now,
    });
    await this.#permissions.run(now, async () => ({
      features: await checkPmgFeatures(api, now, opt),
      ...(version?.version ? { version: version.version } : {}),
    }));
    const slice: PmgSlice = { kind: 'pmg', instance: this.instance, healthy: true, pmg };
    this.#prev = slice;
    return slice;
  }

  /** The latest permission check: every feature, probed (PMG has roles, not ACLs). */
  get permissionCheck(): PermissionCheck | undefined {
    return this.#permissions.last;
  }

  offlineSlice(_authFailures: number, now: number): PmgSlice {
    return {
      kind: 'pmg',
      instance: this.instance,
      healthy: false,
      pmg: offlinePmg(this.#prev?.pmg, this.instance, this.cfg.host, now),
    };
  }
}
