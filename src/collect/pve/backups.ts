/**
 * Backup tasks, backup listings of the storages that hold backups, and guest snapshots: on the
 * first two cycles, then every 10th, fetched in the background on the endpoint's own backup
 * client (two sockets, two calls at a time, its own time budget) so a cycle never waits for them.
 * Each cycle gets the latest finished result; a failed run is logged and the last result stays.
 */
import type { Logger } from '../../logging.js';
import type { BackupListing, BackupTask, GuestSnapshot } from '../../model/state.js';
import type { PveApi } from '../../proxmox/pve.js';
import { settleLimit } from '../limit.js';
import { normaliseSnapshots, normaliseStorageBackups, normaliseTasks } from '../normalise/pve-backups.js';
import { isSharedStorage } from '../normalise/pve-storage.js';
import { num } from '../normalise/values.js';
import type { PveEndpoints } from './endpoints.js';
import type { BackupData, PveCycle, PveFetcher } from './fetcher.js';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export interface BackupsEnv {
  logger: Logger;
  timeoutMs(): number;
  intervalMs(): number;
}

/** The parts of a cycle a backup run reads. */
type BackupInputs = Pick<
  PveCycle,
  'instance' | 'problems' | 'guests' | 'storage' | 'storageConfig' | 'onlineNodes' | 'online'
>;

export class BackupsFetcher implements PveFetcher {
  readonly name = 'backups';
  readonly #endpoints: PveEndpoints;
  readonly #env: BackupsEnv;
  #data: BackupData | undefined;
  #listing: BackupListing = {};
  #run: Promise<void> | undefined;

  constructor(endpoints: PveEndpoints, env: BackupsEnv) {
    this.#endpoints = endpoints;
    this.#env = env;
  }

  /** Starts a background run when one is due; never waits for it. */
  async fetch(cycle: PveCycle): Promise<void> {
    if (!cycle.want.backups) return;
    const startedAt = cycle.now;
    const due = cycle.seq <= 2 || cycle.seq % 10 === 0;
    if (due && !this.#run && !this.#endpoints.closed) {
      // Its own budget: the cycle's signal ends with the cycle, this fetch outlives it.
      const budget = AbortSignal.timeout(Math.max(120_000, this.#env.intervalMs() * 10));
      const api = this.#endpoints.api(this.#endpoints.backupClient(cycle.api.client.baseUrl));
      // Only what the run reads is handed over: the cycle itself is not kept alive by it.
      const { instance, problems, guests, storage, storageConfig, onlineNodes, online } = cycle;
      this.#run = this.#fetchAll(
        api,
        { instance, problems, guests, storage, storageConfig, onlineNodes, online },
        budget,
      )
        .then(({ data, failedStorages }) => {
          // An incomplete listing would show missing backups as gone: the last complete one stays.
          const keep = failedStorages.length > 0 && this.#listing.listedAt !== undefined && this.#data;
          this.#data = keep ? { ...data, storageBackups: keep.storageBackups } : data;
          this.#listing =
            failedStorages.length === 0
              ? { listedAt: startedAt }
              : {
                  ...this.#listing,
                  error: `backup listing incomplete: storage ${failedStorages.join(', ')} failed`,
                };
        })
        .catch((err) => {
          this.#listing = { ...this.#listing, error: `backup listing failed: ${errorText(err)}` };
          this.#env.logger.debug({ err, instance }, 'backup poll failed');
        })
        .finally(() => {
          this.#run = undefined;
        });
    }
    cycle.backups = this.#data;
    cycle.backupListing = { ...this.#listing };
  }

  /** Waits for a running background fetch (tests, shutdown). */
  async settle(): Promise<void> {
    await this.#run;
  }

  async #fetchAll(
    api: PveApi,
    on: BackupInputs,
    signal: AbortSignal,
  ): Promise<{ data: BackupData; failedStorages: string[] }> {
    const { instance, problems, onlineNodes } = on;
    const opt = { signal, timeoutMs: Math.min(this.#env.timeoutMs(), 30_000) };
    const taskLists = await settleLimit(onlineNodes, 2, (n) => api.tasks(n, opt));
    const tasks: BackupTask[] = [];
    taskLists.forEach((r) => {
      if (r.error) problems.record(r.error);
      else if (r.value) tasks.push(...normaliseTasks(instance, r.value));
    });
    tasks.sort((a, b) => b.startTime - a.startTime);
    const { storageBackups, failedStorages } = await this.#storageBackups(api, on, opt);
    const snapshots = await this.#snapshots(api, on, opt);
    return { data: { tasks, storageBackups, snapshots }, failedStorages };
  }

  /** The backup listing of each available storage holding backups (a shared one once). */
  async #storageBackups(api: PveApi, on: BackupInputs, opt: { signal: AbortSignal; timeoutMs: number }) {
    const cfgByName = new Map((on.storageConfig ?? []).map((c) => [c.storage, c]));
    const targets: Array<{ node: string; storage: string; storageType: string }> = [];
    const sharedDone = new Set<string>();
    for (const s of on.storage) {
      const name = String(s.storage);
      const node = String(s.node);
      const cfg = cfgByName.get(name);
      const content = cfg?.content ?? s.content ?? '';
      if (!content.split(',').includes('backup') || !on.online.has(node) || s.status !== 'available') continue;
      const shared = isSharedStorage(cfg, s, String(cfg?.type ?? s.plugintype ?? ''));
      if (shared) {
        if (sharedDone.has(name)) continue;
        sharedDone.add(name);
      }
      targets.push({ node, storage: name, storageType: String(cfg?.type ?? s.plugintype ?? '') });
    }
    const contents = await settleLimit(targets, 2, (t) => api.storageContent(t.node, t.storage, opt));
    const failedStorages: string[] = [];
    const items = targets
      .map((t, i) => {
        const r = contents[i];
        if (r.error) {
          on.problems.record(r.error);
          failedStorages.push(`${t.storage}@${t.node}`);
        }
        return { ...t, content: r.value ?? [] };
      })
      .filter((x) => x.content.length > 0);
    return { storageBackups: normaliseStorageBackups(on.instance, items), failedStorages };
  }

  /** Snapshots of every guest (templates aside) on an online node. */
  async #snapshots(
    api: PveApi,
    on: BackupInputs,
    opt: { signal: AbortSignal; timeoutMs: number },
  ): Promise<GuestSnapshot[]> {
    const { instance, problems, online } = on;
    const targets = on.guests.filter((g) => !num(g.template) && g.template !== true && g.node && online.has(g.node));
    const lists = await settleLimit(targets, 2, (g) =>
      api.snapshots(String(g.node), g.type === 'lxc' ? 'lxc' : 'qemu', Number(g.vmid), opt),
    );
    const snapshots: GuestSnapshot[] = [];
    targets.forEach((g, i) => {
      const r = lists[i];
      if (r.error) problems.record(r.error);
      else if (r.value)
        snapshots.push(
          ...normaliseSnapshots(instance, String(g.node), g.type === 'lxc' ? 'lxc' : 'qemu', Number(g.vmid), r.value),
        );
    });
    return snapshots;
  }
}
