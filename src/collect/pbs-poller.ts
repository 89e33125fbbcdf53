/**
 * One PBS instance: version, node status, datastores (status with usage and GC figures for
 * the deduplication factor, namespaces), jobs, and — every 10th cycle, in the background —
 * the snapshot list per datastore and namespace.
 */

import type { BackupListing, PbsBackup, PbsDatastore, PbsInstance } from '../model/state.js';
import { ProxmoxClient } from '../proxmox/client.js';
import { ProxmoxError } from '../proxmox/errors.js';
import { PbsApi } from '../proxmox/pbs.js';
import { type FeatureProblem, featureOfPath, problemMessage } from '../proxmox/privileges.js';
import type { NodeConfig } from '../settings/node-config.js';
import { isMonitored } from '../settings/node-config.js';
import { settleLimit } from './limit.js';
import {
  normaliseDatastore,
  normaliseJobs,
  normaliseNamespaces,
  normalisePbsInstance,
  normalisePbsSnapshots,
  offlinePbs,
} from './normalise/pbs.js';
import { checkPbsFeatures, PeriodicPermissionCheck, type PermissionCheck } from './pve-permissions.js';
import type { PollerEnv } from './pve-poller.js';
import { SingleEndpointPoller } from './single-endpoint-poller.js';
import type { PbsSlice } from './slices.js';

/** Snapshot listings in flight at once (one per datastore and namespace). */
const LISTING_CONNECTIONS = 2;

const PBS_PRIVILEGE_BY_FEATURE: Record<string, string> = {
  'PBS node status (CPU, memory)': 'Sys.Audit',
  datastores: 'Datastore.Audit',
  'datastore namespaces': 'Datastore.Audit',
  'PBS backups': 'Datastore.Audit',
  'PBS jobs': 'Datastore.Audit',
};

export class PbsPoller extends SingleEndpointPoller {
  #prev: PbsSlice | undefined;
  #cycles = 0;
  #backups: PbsBackup[] = [];
  #listing: BackupListing = {};
  #backupRun: Promise<void> | undefined;
  readonly #permissions = new PeriodicPermissionCheck();
  /**
   * The background snapshot listing's own sockets: a large datastore can take many seconds to
   * list, and on the poller's client those listings would hold every socket while the next
   * cycles' status calls queue behind them.
   */
  readonly #listingClient: ProxmoxClient;

  constructor(cfg: NodeConfig, env: PollerEnv) {
    super(cfg, env, (feature) => PBS_PRIVILEGE_BY_FEATURE[feature] ?? 'unknown privilege');
    this.#listingClient = this.newClient(LISTING_CONNECTIONS);
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.#listingClient.destroy()]);
  }

  async poll(signal?: AbortSignal): Promise<PbsSlice> {
    const timeoutMs = this.env.timeoutMs();
    const opt = { signal, timeoutMs };
    const api = new PbsApi(this.client);
    this.problems.clear();
    this.#cycles++;
    // /version answers for any valid credential: it decides reachable vs not.
    const version = await api.version(opt);
    const now = this.env.clock.now();
    const [status, stores] = await Promise.all([
      api.nodeStatus(opt).catch(this.miss),
      isMonitored(this.cfg, 'monitorDatastores') ? api.datastores(opt).catch(this.miss) : Promise.resolve([]),
    ]);
    const storeNames = (stores ?? []).map((s) => s.store);
    await this.#checkPermissions(
      api,
      opt,
      version?.version,
      isMonitored(this.cfg, 'monitorDatastores') ? storeNames : undefined,
    );
    // One call gives usage and GC figures (for the dedup factor) of every datastore; the
    // per-store status is the fallback where it is not available.
    const usage = storeNames.length ? await api.datastoreUsage(opt).catch(() => undefined) : undefined;
    const usageByStore = new Map((usage ?? []).map((u) => [u.store, u]));
    const details = await settleLimit(storeNames, 4, async (store) => {
      const u = usageByStore.get(store);
      const [st, ns] = await Promise.all([
        u && !u.error && u.total !== undefined ? u : api.datastoreStatus(store, opt),
        api.namespaces(store, opt).catch(this.miss),
      ]);
      return { st, ns };
    });
    const datastores: PbsDatastore[] = storeNames.map((name, i) => {
      const d = details[i];
      if (d.error) {
        this.record(d.error);
        return normaliseDatastore(
          name,
          undefined,
          undefined,
          d.error instanceof Error ? d.error.message : String(d.error),
        );
      }
      return normaliseDatastore(name, d.value?.st, d.value?.ns);
    });

    const jobOf = async (flag: string, fn: () => Promise<unknown>) =>
      isMonitored(this.cfg, flag) ? await fn().catch(this.miss) : undefined;
    const [sync, verify, prune, gc] = await Promise.all([
      jobOf('monitorSyncJobs', () => api.syncJobs(opt)),
      jobOf('monitorVerifyJobs', () => api.verifyJobs(opt)),
      jobOf('monitorPruneJobs', () => api.pruneJobs(opt)),
      jobOf('monitorGarbageJobs', () => api.gcJobs(opt)),
    ]);
    const pbs: PbsInstance = normalisePbsInstance({
      name: this.instance,
      host: this.cfg.host,
      version: version?.version,
      status,
      datastores,
      jobs: {
        sync: normaliseJobs('sync', sync as never),
        verify: normaliseJobs('verify', verify as never),
        prune: normaliseJobs('prune', prune as never),
        garbage: normaliseJobs('garbage', gc as never),
      },
      now,
    });
    if (this.problems.size) pbs.connectionHealth = 'unhealthy';

    if ((this.#cycles <= 2 || this.#cycles % 10 === 0) && !this.#backupRun) {
      // Without the datastore list there is nothing to list snapshots of: not an empty PBS.
      const storesMissing = stores === undefined;
      this.#backupRun = this.#fetchBackups(new PbsApi(this.#listingClient), datastores)
        .then(({ backups, failed }) => {
          if (storesMissing) failed.push('the datastore list');
          // An incomplete listing would show missing backups as gone: the last complete one stays.
          if (failed.length === 0 || this.#listing.listedAt === undefined) this.#backups = backups;
          this.#listing =
            failed.length === 0
              ? { listedAt: now }
              : { ...this.#listing, error: `snapshot listing incomplete: ${failed.join(', ')} failed` };
        })
        .catch((err) => {
          this.#listing = {
            ...this.#listing,
            error: `snapshot listing failed: ${err instanceof Error ? err.message : String(err)}`,
          };
          this.env.logger.debug({ err, instance: this.instance }, 'PBS backup poll failed');
        })
        .finally(() => {
          this.#backupRun = undefined;
        });
    }
    const slice: PbsSlice = {
      kind: 'pbs',
      instance: this.instance,
      healthy: true,
      pbs,
      backups: this.#backups,
      backupListing: { ...this.#listing },
    };
    this.#prev = slice;
    return slice;
  }

  /** The latest permission check: every feature, per datastore and namespace. */
  get permissionCheck(): PermissionCheck | undefined {
    return this.#permissions.last;
  }

  /** Every 5 minutes: the datastores the cycle listed (or a listing of its own) checked against /access/permissions. */
  async #checkPermissions(
    api: PbsApi,
    opt: { signal?: AbortSignal; timeoutMs: number },
    version: string | undefined,
    listed: string[] | undefined,
  ) {
    await this.#permissions.run(this.env.clock.now(), async () => {
      const stores = listed ?? (await api.datastores(opt).catch(() => [])).map((s) => s.store);
      return { features: await checkPbsFeatures(api, stores, opt), ...(version ? { version } : {}) };
    });
  }

  async settleBackups(): Promise<void> {
    await this.#backupRun;
  }

  async #fetchBackups(api: PbsApi, datastores: PbsDatastore[]): Promise<{ backups: PbsBackup[]; failed: string[] }> {
    const signal = AbortSignal.timeout(Math.max(120_000, this.env.intervalMs() * 5));
    const opt = { signal, timeoutMs: this.env.timeoutMs() };
    const targets: Array<{ store: string; ns: string }> = [];
    for (const d of datastores) {
      for (const ns of d.namespaces ?? normaliseNamespaces(undefined)) targets.push({ store: d.name, ns: ns.path });
    }
    const lists = await settleLimit(targets, LISTING_CONNECTIONS, (t) => api.snapshots(t.store, t.ns, opt));
    const out: PbsBackup[] = [];
    const failed: string[] = [];
    targets.forEach((t, i) => {
      const r = lists[i];
      if (r.error) {
        this.record(r.error);
        failed.push(t.ns ? `${t.store}/${t.ns}` : t.store);
      } else if (r.value) out.push(...normalisePbsSnapshots(this.instance, t.store, t.ns, r.value));
    });
    out.sort((a, b) => b.backupTime - a.backupTime);
    return { backups: out, failed };
  }

  offlineSlice(_authFailures: number, now: number): PbsSlice {
    return {
      kind: 'pbs',
      instance: this.instance,
      healthy: false,
      pbs: offlinePbs(this.#prev?.pbs, this.instance, this.cfg.host, now),
      backups: this.#prev?.backups ?? [],
      backupListing: this.#prev?.backupListing,
    };
  }
}
