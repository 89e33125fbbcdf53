/**
 * Per-instance slices of the live state. Each poller replaces its own slice; the composed
 * state is committed to the StateStore once per event-loop turn, so many instances finishing
 * together cost one rebuild and one change event rather than one each.
 */

import { guestBackupKey, guestsByVmid, pbsBackupOwner, sameBackupOwners } from '../model/backup-owner.js';
import type {
  BackupListing,
  BackupSource,
  BackupTask,
  CephCluster,
  Guest,
  GuestSnapshot,
  Node,
  PbsBackup,
  PbsInstance,
  PhysicalDisk,
  PmgInstance,
  PulseState,
  Storage,
  StorageBackup,
} from '../model/state.js';
import type { StateStore } from '../state/store.js';
import {
  lastBackupMs,
  ownBackupTimes,
  type PbsBackupTimes,
  samePbsBackupTimes,
} from './normalise/guest-last-backup.js';

export interface PveSlice {
  kind: 'pve';
  /** Instance name (connectionHealth key). */
  instance: string;
  /** Cluster identity for de-duplication: clusterName + sorted member names. */
  clusterKey?: string;
  healthy: boolean;
  nodes: Node[];
  vms: Guest[];
  containers: Guest[];
  storage: Storage[];
  cephClusters: CephCluster[];
  physicalDisks: PhysicalDisk[];
  backupTasks: BackupTask[];
  storageBackups: StorageBackup[];
  guestSnapshots: GuestSnapshot[];
  /** Where the backup listing stands; undefined when backups are not monitored. */
  backupListing?: BackupListing;
  /** The PBS backup times the guests' lastBackup was worked out with (`SliceStore.pbsBackupTimes`). */
  pbsBackupTimes?: PbsBackupTimes;
}

export interface PbsSlice {
  kind: 'pbs';
  instance: string;
  healthy: boolean;
  pbs: PbsInstance;
  backups: PbsBackup[];
  /** Where the snapshot listing stands. */
  backupListing?: BackupListing;
}

export interface PmgSlice {
  kind: 'pmg';
  instance: string;
  healthy: boolean;
  pmg: PmgInstance;
}

export type Slice = PveSlice | PbsSlice | PmgSlice;

export class SliceStore {
  /** Keyed by config uid; Map order = insertion order, re-sorted on compose by `order`. */
  readonly #slices = new Map<number, Slice>();
  #order: number[] = [];
  #pending = false;
  /** Instance uids whose PVE slice was suppressed as a duplicate of another configured member. */
  readonly duplicates = new Map<number, string>();
  /** Instance uids whose poll is overdue: the age (seconds) of the data they still show. */
  readonly #stale = new Map<number, number>();

  constructor(
    private readonly state: StateStore,
    /** Figures for the state's `stats` and `performance` objects, read at each commit. */
    private readonly figures: () => { pollingCycles: number; performance: Record<string, unknown> } = () => ({
      pollingCycles: 0,
      performance: {},
    }),
  ) {}

  /** Sets the composition order (config order). */
  setOrder(uids: number[]): void {
    this.#order = uids;
    this.#schedule();
  }

  set(uid: number, slice: Slice): void {
    this.#slices.set(uid, slice);
    this.#stale.delete(uid);
    this.#schedule();
  }

  /**
   * Marks an instance's data as stale (its poll has not finished for more than two intervals):
   * it stays visible, but unhealthy and with its age, until the next slice replaces it.
   */
  markStale(uid: number, ageSeconds: number): void {
    if (!this.#slices.has(uid)) return;
    this.#stale.set(uid, Math.max(0, Math.round(ageSeconds)));
    this.#schedule();
  }

  staleAge(uid: number): number | undefined {
    return this.#stale.get(uid);
  }

  get(uid: number): Slice | undefined {
    return this.#slices.get(uid);
  }

  delete(uid: number): void {
    this.#stale.delete(uid);
    if (this.#slices.delete(uid)) this.#schedule();
  }

  /** Commits now (tests and shutdown); normally commits happen on the next turn. */
  flush(): void {
    this.#pending = false;
    this.#commit();
  }

  /**
   * The newest PBS backup per guest key as of the last commit. A poller builds its guests'
   * lastBackup with it, so in the steady state the state holds the poller's own guest objects.
   */
  pbsBackupTimes(): PbsBackupTimes | undefined {
    return this.#owners?.latest;
  }

  readonly #lists = new JoinedLists();
  /** The last `#placePbsBackups` inputs and answer: most commits change none of what it reads. */
  #owners?: {
    vms: Guest[];
    containers: Guest[];
    backups: PbsBackup[];
    storageBackups: StorageBackup[];
    latest: PbsBackupTimes | undefined;
  };

  /**
   * Each guest's newest PBS backup (instance + VMID), so guests show backups taken to PBS
   * directly; a snapshot counts only for the guest the evidence names (model/backup-owner.ts).
   * Owners are worked out again only when the backups or what the evidence reads of the guests
   * changed, not on every poll that moved their metrics; an answer with the same times keeps the
   * previous table, which is what tells a slice its guests are already right.
   */
  #placePbsBackups(
    vms: Guest[],
    containers: Guest[],
    backups: PbsBackup[],
    storageBackups: StorageBackup[],
  ): PbsBackupTimes | undefined {
    const prev = this.#owners;
    const same =
      prev &&
      prev.backups === backups &&
      prev.storageBackups === storageBackups &&
      sameBackupOwners(prev.vms, vms) &&
      sameBackupOwners(prev.containers, containers);
    let latest = prev?.latest;
    if (!same) {
      const fresh = pbsBackupTimes(vms, containers, backups, storageBackups);
      if (!samePbsBackupTimes(latest, fresh)) latest = fresh;
    }
    this.#owners = { vms, containers, backups, storageBackups, latest };
    return latest;
  }

  /** A slice's guest list placed against tables other than the ones it was built with. */
  readonly #placed = new WeakMap<
    Guest[],
    { built: PbsBackupTimes | undefined; own: StorageBackup[]; latest: PbsBackupTimes | undefined; out: Guest[] }
  >();
  /** Guests copied for a PBS time, kept so unchanged ones keep their identity between commits. */
  readonly #copies = new WeakMap<Guest, Guest>();

  /**
   * A slice's guests with lastBackup from the current PBS times. A poller builds its guests with
   * the times of the last commit, so they are already right unless the times changed since (a
   * PBS poll found a new backup, guests came or went): then only the guests whose value differs
   * are copied, until the poller's next slice.
   */
  #withPbsBackups(guests: Guest[], s: PveSlice, latest: PbsBackupTimes | undefined): Guest[] {
    const built = s.pbsBackupTimes;
    if (built === latest) return guests;
    const cached = this.#placed.get(guests);
    if (cached && cached.built === built && cached.own === s.storageBackups && cached.latest === latest)
      return cached.out;
    let own: Map<string, number> | undefined;
    const out = guests.map((g) => {
      const key = guestBackupKey(g.instance, g.vmid);
      const was = built?.get(key);
      let want: number | undefined;
      if (was && g.lastBackup === was * 1000) {
        // Built with a PBS time: the guest's own time is read again from the slice's listings.
        own ??= ownBackupTimes(s.storageBackups);
        want = lastBackupMs(g, own, latest);
      } else {
        // lastBackup is the guest's own backup time, if any: a newer PBS time replaces it.
        const t = latest?.get(key);
        want = t && (g.lastBackup ?? 0) < t * 1000 ? t * 1000 : g.lastBackup;
      }
      return want === g.lastBackup ? g : this.#copy(g, want);
    });
    this.#placed.set(guests, { built, own: s.storageBackups, latest, out });
    return out;
  }

  #copy(g: Guest, lastBackup: number | undefined): Guest {
    const cached = this.#copies.get(g);
    if (cached && cached.lastBackup === lastBackup) return cached;
    // Same keys as the poller's object (lastBackup is its last), so one shape for all guests.
    const next: Guest = { ...g, lastBackup };
    this.#copies.set(g, next);
    return next;
  }

  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    setImmediate(() => {
      if (!this.#pending) return;
      this.#pending = false;
      this.#commit();
    });
  }

  #commit(): void {
    const ordered: Array<[number, Slice]> = [];
    const seen = new Set<number>();
    for (const uid of this.#order) {
      const s = this.#slices.get(uid);
      if (s) {
        ordered.push([uid, s]);
        seen.add(uid);
      }
    }
    for (const [uid, s] of this.#slices) if (!seen.has(uid)) ordered.push([uid, s]);

    const nodes: Node[][] = [];
    const published: PveSlice[] = [];
    const vms: Guest[][] = [];
    const containers: Guest[][] = [];
    const storage: Storage[][] = [];
    const ceph: CephCluster[][] = [];
    const disks: PhysicalDisk[][] = [];
    const tasks: BackupTask[][] = [];
    const storageBackups: StorageBackup[][] = [];
    const snapshots: GuestSnapshot[][] = [];
    const pbs: PbsInstance[] = [];
    const pbsBackups: PbsBackup[][] = [];
    const pmg: PmgInstance[] = [];
    const health: Record<string, boolean> = {};
    const backupSources: Record<string, BackupSource> = {};
    const source = (kind: BackupSource['kind'], s: PveSlice | PbsSlice) => {
      if (!s.backupListing && s.kind === 'pve' && s.healthy) return;
      const l = s.backupListing ?? {};
      // An instance unreachable before its first listing cannot say what it holds.
      const error = l.error ?? (l.listedAt === undefined && !s.healthy ? 'unreachable' : undefined);
      backupSources[`${kind}:${s.instance}`] = { kind, instance: s.instance, ...l, ...(error ? { error } : {}) };
    };
    // One publisher per cluster: the first configured instance that reaches it, or the first
    // one at all when none does (its last values, marked offline).
    const publisher = new Map<string, { uid: number; instance: string; healthy: boolean }>();
    for (const [uid, s] of ordered) {
      if (s.kind !== 'pve' || !s.clusterKey) continue;
      const cur = publisher.get(s.clusterKey);
      if (!cur || (!cur.healthy && s.healthy))
        publisher.set(s.clusterKey, { uid, instance: s.instance, healthy: s.healthy });
    }
    this.duplicates.clear();

    for (const [uid, s] of ordered) {
      const age = this.#stale.get(uid);
      if (s.kind === 'pve') {
        health[s.instance] = s.healthy && age === undefined;
        if (s.clusterKey) {
          const owner = publisher.get(s.clusterKey);
          if (owner && owner.uid !== uid) {
            // Another configured member of the same cluster publishes it.
            this.duplicates.set(uid, owner.instance);
            continue;
          }
        }
        nodes.push(
          age === undefined
            ? s.nodes
            : s.nodes.map((n) => ({ ...n, connectionHealth: 'degraded', dataAgeSeconds: age })),
        );
        vms.push(s.vms);
        containers.push(s.containers);
        published.push(s);
        storage.push(s.storage);
        ceph.push(s.cephClusters);
        disks.push(s.physicalDisks);
        tasks.push(s.backupTasks);
        storageBackups.push(s.storageBackups);
        snapshots.push(s.guestSnapshots);
        source('pve', s);
      } else if (s.kind === 'pbs') {
        health[`pbs-${s.instance}`] = s.healthy && age === undefined;
        pbs.push(s.pbs);
        pbsBackups.push(s.backups);
        source('pbs', s);
      } else {
        health[`pmg-${s.instance}`] = s.healthy && age === undefined;
        pmg.push(s.pmg);
      }
    }

    const lists = this.#lists;
    const backupTasks = lists.join('backupTasks', tasks);
    const pveStorageBackups = lists.join('storageBackups', storageBackups);
    const guestSnapshots = lists.join('guestSnapshots', snapshots);
    const allPbsBackups = lists.join('pbsBackups', pbsBackups);
    const slicesVms = lists.join('vms', vms);
    const slicesCts = lists.join('containers', containers);
    const latest = this.#placePbsBackups(slicesVms, slicesCts, allPbsBackups, pveStorageBackups);
    const guestsVms = lists.joinPlaced(
      'placedVms',
      slicesVms,
      vms,
      published.map((s) => this.#withPbsBackups(s.vms, s, latest)),
    );
    const guestsCts = lists.joinPlaced(
      'placedContainers',
      slicesCts,
      containers,
      published.map((s) => this.#withPbsBackups(s.containers, s, latest)),
    );
    const prevBackups = this.state.get().pveBackups;
    const pveBackups =
      prevBackups?.backupTasks === backupTasks &&
      prevBackups.storageBackups === pveStorageBackups &&
      prevBackups.guestSnapshots === guestSnapshots
        ? prevBackups
        : { backupTasks, storageBackups: pveStorageBackups, guestSnapshots };

    const figures = this.figures();
    this.state.commit((draft: PulseState) => {
      draft.stats = { ...(draft.stats as object), pollingCycles: figures.pollingCycles } as PulseState['stats'];
      draft.performance = { ...(draft.performance as object), ...figures.performance } as PulseState['performance'];
      draft.nodes = lists.join('nodes', nodes);
      draft.vms = guestsVms;
      draft.containers = guestsCts;
      draft.storage = lists.join('storage', storage);
      draft.cephClusters = lists.join('cephClusters', ceph);
      draft.physicalDisks = lists.join('physicalDisks', disks);
      draft.pveBackups = pveBackups;
      draft.pbs = pbs;
      draft.pbsBackups = allPbsBackups;
      draft.pmg = pmg;
      // Keep keys other producers own (docker-<id>).
      const kept: Record<string, boolean> = {};
      for (const [k, v] of Object.entries(draft.connectionHealth ?? {})) if (k.startsWith('docker-')) kept[k] = v;
      draft.connectionHealth = { ...kept, ...health };
      draft.backupSources = backupSources;
    });
  }
}

/** The newest PBS backup time (unix seconds) per guest key, or undefined when there is none. */
function pbsBackupTimes(
  vms: Guest[],
  containers: Guest[],
  backups: PbsBackup[],
  storageBackups: StorageBackup[],
): PbsBackupTimes | undefined {
  const viaStorage = storageBackups.filter((b) => b.isPBS && (b.type === 'qemu' || b.type === 'lxc'));
  if (backups.length === 0 && viaStorage.length === 0) return undefined;
  const byVmid = guestsByVmid([...vms, ...containers]);
  const latest = new Map<string, number>();
  const note = (owner: Guest | undefined, time: number) => {
    if (!owner) return;
    const key = guestBackupKey(owner.instance, owner.vmid);
    if ((latest.get(key) ?? 0) < time) latest.set(key, time);
  };
  for (const b of backups) note(pbsBackupOwner(b, byVmid), b.backupTime);
  // A PBS storage seen through PVE lists the whole datastore, other clusters' guests included.
  for (const b of viaStorage)
    note(
      pbsBackupOwner({ backupType: b.type === 'qemu' ? 'vm' : 'ct', vmid: b.vmid, comment: b.notes }, byVmid),
      b.ctime,
    );
  return latest.size === 0 ? undefined : latest;
}

/**
 * Lists composed from the slices' lists, kept while every slice's list is the same array as at the
 * last commit: a poll of one instance (or of metrics only) then leaves the other lists, above all
 * the tens of thousands of backups, the very arrays they were, and whatever reads the state
 * (backup coverage, history, deltas) can tell they did not change by identity.
 */
class JoinedLists {
  readonly #joined = new Map<string, { parts: readonly unknown[][]; list: unknown[] }>();

  join<T>(key: string, parts: T[][]): T[] {
    const prev = this.#joined.get(key);
    if (prev && prev.parts.length === parts.length && prev.parts.every((p, i) => p === parts[i])) {
      return prev.list as T[];
    }
    const list: T[] = [];
    for (const part of parts) for (let i = 0; i < part.length; i++) list.push(part[i]);
    this.#joined.set(key, { parts, list });
    return list;
  }

  /**
   * The joined `placed` parts, or `joined` itself (the join of `parts`) when every placed part is
   * its slice's own list, as it is in the steady state; then no second list is kept.
   */
  joinPlaced<T>(key: string, joined: T[], parts: T[][], placed: T[][]): T[] {
    if (placed.every((p, i) => p === parts[i])) {
      this.#joined.delete(key);
      return joined;
    }
    return this.join(key, placed);
  }
}
