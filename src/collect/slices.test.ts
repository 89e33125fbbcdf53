import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import type { Guest, Node, PbsBackup, StorageBackup } from '../model/state.js';
import { StateStore } from '../state/store.js';
import { lastBackupMs, ownBackupTimes } from './normalise/guest-last-backup.js';
import { backoffMs } from './scheduler.js';
import { type PveSlice, SliceStore } from './slices.js';

function slice(instance: string, clusterKey: string | undefined, names: string[]): PveSlice {
  return {
    kind: 'pve',
    instance,
    clusterKey,
    healthy: true,
    nodes: names.map((n) => ({ id: `${instance}-${n}`, name: n, instance }) as Node),
    vms: names.map((n) => ({ id: `${instance}-${n}-100`, vmid: 100, node: n, instance }) as Guest),
    containers: [],
    storage: [],
    cephClusters: [],
    physicalDisks: [],
    backupTasks: [],
    storageBackups: [],
    guestSnapshots: [],
  };
}

describe('SliceStore', () => {
  it('composes slices in config order, once per turn, keeping docker health keys', async () => {
    const store = new StateStore(new ManualClock());
    store.commit((d) => {
      d.connectionHealth = { 'docker-h1': true, stale: false };
    });
    const slices = new SliceStore(store, () => ({ pollingCycles: 7, performance: { lastPollDuration: 1.5 } }));
    slices.setOrder([2, 1]);
    slices.set(1, slice('a', undefined, ['n1']));
    slices.set(2, slice('b', undefined, ['n2']));
    const v = store.version;
    await new Promise((r) => setImmediate(r));
    expect(store.version).toBe(v + 1);
    const s = store.get();
    expect(s.nodes.map((n) => n.id)).toEqual(['b-n2', 'a-n1']);
    expect(s.connectionHealth).toEqual({ 'docker-h1': true, a: true, b: true });
    expect(s.stats).toMatchObject({ pollingCycles: 7 });
    expect(s.performance).toMatchObject({ lastPollDuration: 1.5 });
  });

  it('publishes a cluster once when two configured instances reach it', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    slices.setOrder([1, 2]);
    slices.set(1, slice('first', 'c|n1,n2', ['n1', 'n2']));
    slices.set(2, slice('second', 'c|n1,n2', ['n1', 'n2']));
    slices.flush();
    expect(store.get().vms.map((g) => g.id)).toEqual(['first-n1-100', 'first-n2-100']);
    expect(slices.duplicates.get(2)).toBe('first');
    // The first one loses its connection: the one that still reaches the cluster publishes it.
    slices.set(1, { ...slice('first', 'c|n1,n2', ['n1', 'n2']), healthy: false });
    slices.flush();
    expect(store.get().vms.map((g) => g.id)).toEqual(['second-n1-100', 'second-n2-100']);
    expect(slices.duplicates.get(1)).toBe('second');
    slices.delete(1);
    slices.flush();
    expect(store.get().vms.map((g) => g.id)).toEqual(['second-n1-100', 'second-n2-100']);
  });
});

describe('lastBackup from PBS', () => {
  it('guests take the newest PBS backup time, and keep their identity between commits', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    const pve = slice('a', undefined, ['n1']);
    pve.vms = [{ ...pve.vms[0], type: 'qemu' }];
    slices.set(1, pve);
    slices.set(2, {
      kind: 'pbs',
      instance: 'p',
      healthy: true,
      pbs: {} as never,
      backups: [
        {
          id: 'x',
          instance: 'p',
          datastore: 'd',
          namespace: '',
          backupType: 'vm',
          vmid: '100',
          backupTime: 50,
          size: 1,
          protected: false,
          verified: true,
        },
        {
          id: 'y',
          instance: 'p',
          datastore: 'd',
          namespace: '',
          backupType: 'vm',
          vmid: '100',
          backupTime: 90,
          size: 1,
          protected: false,
          verified: true,
        },
      ],
    });
    slices.flush();
    const first = store.get().vms[0];
    expect(first.lastBackup).toBe(90_000);
    slices.flush();
    expect(store.get().vms[0]).toBe(first);
  });

  it('a poll that only moves metrics keeps every backup list, and the PBS time, as they were', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    const pve = slice('a', undefined, ['n1']);
    pve.vms = [{ ...pve.vms[0], type: 'qemu', name: 'web', cpu: 0.1 }];
    pve.storageBackups = [
      { id: 'sb', instance: 'a', vmid: 100, type: 'qemu', ctime: 10, isPBS: false } as StorageBackup,
    ];
    const pbsBackups = [
      { id: 'x', instance: 'p', datastore: 'd', backupType: 'vm', vmid: '100', backupTime: 90 } as PbsBackup,
    ];
    slices.set(1, pve);
    slices.set(2, { kind: 'pbs', instance: 'p', healthy: true, pbs: {} as never, backups: pbsBackups });
    slices.flush();
    const before = store.get();
    // The next poll: new guest objects with moved metrics, the same backup lists.
    slices.set(1, { ...pve, vms: [{ ...pve.vms[0], cpu: 0.2 }] });
    slices.flush();
    const after = store.get();
    expect(after.vms[0]).toMatchObject({ cpu: 0.2, lastBackup: 90_000 });
    expect(after.pveBackups).toBe(before.pveBackups);
    expect(after.pbsBackups).toBe(before.pbsBackups);
    expect(after.containers).toBe(before.containers);
    // A guest renamed: the owner evidence is read again (here the only candidate keeps it).
    slices.set(1, { ...pve, vms: [{ ...pve.vms[0], name: 'web2' }] });
    slices.flush();
    expect(store.get().vms[0]).toMatchObject({ name: 'web2', lastBackup: 90_000 });
    // New backups: the lists change.
    slices.set(2, { kind: 'pbs', instance: 'p', healthy: true, pbs: {} as never, backups: [...pbsBackups] });
    slices.flush();
    expect(store.get().pbsBackups).not.toBe(before.pbsBackups);
  });
});

describe('lastBackup with the same VMID on two clusters', () => {
  const pbsBackup = (id: string, backupTime: number, extra: Partial<PbsBackup> = {}): PbsBackup => ({
    id,
    instance: 'p',
    datastore: 'd',
    namespace: '',
    backupType: 'vm',
    vmid: '100',
    backupTime,
    size: 1,
    protected: false,
    verified: true,
    ...extra,
  });
  const cluster = (instance: string, name: string, lastBackup?: number): PveSlice => {
    const s = slice(instance, undefined, ['n1']);
    s.vms = [{ ...s.vms[0], type: 'qemu', name, lastBackup } as Guest];
    return s;
  };
  const pbsSlice = (backups: PbsBackup[]) => ({
    kind: 'pbs' as const,
    instance: 'p',
    healthy: true,
    pbs: {} as never,
    backups,
  });
  const lastBackups = (store: StateStore) =>
    Object.fromEntries(store.get().vms.map((g) => [g.instance, g.lastBackup ?? null]));

  it('a PBS snapshot goes only to the guest its comment or namespace names', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    slices.set(1, cluster('alpha', 'web'));
    slices.set(2, cluster('beta', 'db'));
    slices.set(
      3,
      pbsSlice([
        pbsBackup('by-comment', 500, { comment: 'web' }),
        pbsBackup('by-namespace', 700, { namespace: 'beta' }),
        // Neither comment nor namespace says whose it is: nobody's.
        pbsBackup('ambiguous', 900),
      ]),
    );
    slices.flush();
    expect(lastBackups(store)).toEqual({ alpha: 500_000, beta: 700_000 });
  });

  it('a PBS storage both clusters share gives a snapshot only to the guest its notes name', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    const alpha = cluster('alpha', 'web');
    const entry = (id: string, ctime: number, notes?: string) =>
      ({
        id,
        storage: 'pbs',
        node: 'n1',
        instance: 'alpha',
        type: 'qemu',
        vmid: 100,
        time: ctime,
        ctime,
        size: 1,
        format: 'pbs-vm',
        protected: false,
        volid: id,
        isPBS: true,
        verified: false,
        notes,
      }) as StorageBackup;
    // alpha's PBS storage lists beta's snapshot of VM 100 and one nobody can be sure of.
    alpha.storageBackups = [entry('beta-db', 600, 'db'), entry('unsure', 950)];
    slices.set(1, alpha);
    slices.set(2, cluster('beta', 'db'));
    slices.flush();
    expect(lastBackups(store)).toEqual({ alpha: null, beta: 600_000 });
  });

  it('a backup from one cluster never becomes the other cluster’s last backup', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    // alpha's own storage backup is old; beta's guest has none of its own.
    slices.set(1, cluster('alpha', 'web', 100_000));
    slices.set(2, cluster('beta', 'db'));
    slices.set(3, pbsSlice([pbsBackup('alpha-new', 800, { comment: 'web' })]));
    slices.flush();
    expect(lastBackups(store)).toEqual({ alpha: 800_000, beta: null });
  });

  it('the only guest of the backup type takes it even when another type has the VMID', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    slices.set(1, cluster('alpha', 'web'));
    const beta = slice('beta', undefined, ['n1']);
    beta.vms = [];
    beta.containers = [
      { id: 'beta-n1-100', vmid: 100, node: 'n1', instance: 'beta', type: 'lxc', name: 'ct' } as Guest,
    ];
    slices.set(2, beta);
    slices.set(3, pbsSlice([pbsBackup('vm', 300), pbsBackup('ct', 400, { backupType: 'ct' })]));
    slices.flush();
    expect(store.get().vms.map((g) => g.lastBackup)).toEqual([300_000]);
    expect(store.get().containers.map((g) => g.lastBackup)).toEqual([400_000]);
  });
});

describe('lastBackup built by the poller from the last commit’s PBS times', () => {
  const pbsSlice = (times: number[]) => ({
    kind: 'pbs' as const,
    instance: 'p',
    healthy: true,
    pbs: {} as never,
    backups: times.map(
      (t) =>
        ({ id: `b${t}`, instance: 'p', datastore: 'd', backupType: 'vm', vmid: '100', backupTime: t }) as PbsBackup,
    ),
  });
  const ownBackup = (ctime: number) =>
    ({ id: `own${ctime}`, instance: 'alpha', vmid: 100, type: 'qemu', ctime, isPBS: false }) as StorageBackup;
  let polls = 0;
  /** A poll as PvePoller makes one: new guest objects, lastBackup from the store's current PBS times. */
  const poll = (slices: SliceStore, instance: string, name: string, storageBackups: StorageBackup[] = []) => {
    polls++;
    const s = slice(instance, undefined, ['n1']);
    const table = slices.pbsBackupTimes();
    const own = ownBackupTimes(storageBackups);
    s.vms = s.vms.map((g) => {
      const guest = { ...g, type: 'qemu', name, cpu: polls / 100 } as Guest;
      const lb = lastBackupMs(guest, own, table);
      if (lb !== undefined) guest.lastBackup = lb;
      return guest;
    });
    s.storageBackups = storageBackups;
    s.pbsBackupTimes = table;
    return s;
  };

  it('commits the poller’s own guest objects with their PBS time; a new backup shows at once', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    slices.set(2, pbsSlice([50, 90]));
    slices.set(1, poll(slices, 'alpha', 'web'));
    slices.flush();
    // Built before any commit: the guest is placed (copied) once.
    expect(store.get().vms[0].lastBackup).toBe(90_000);
    for (let i = 0; i < 3; i++) {
      const s = poll(slices, 'alpha', 'web');
      slices.set(1, s);
      slices.flush();
      expect(store.get().vms[0]).toBe(s.vms[0]);
      expect(s.vms[0].lastBackup).toBe(90_000);
    }
    // A PBS poll finds a newer backup: the next commit shows it before the PVE poller polls again.
    const before = slices.get(1) as PveSlice;
    slices.set(2, pbsSlice([50, 90, 120]));
    slices.flush();
    expect(store.get().vms[0]).toMatchObject({ id: before.vms[0].id, cpu: before.vms[0].cpu, lastBackup: 120_000 });
    expect(before.vms[0].lastBackup).toBe(90_000);
    // The poller's next guest carries it itself.
    const s = poll(slices, 'alpha', 'web');
    slices.set(1, s);
    slices.flush();
    expect(store.get().vms[0]).toBe(s.vms[0]);
    expect(s.vms[0].lastBackup).toBe(120_000);
  });

  it('a guest built with a PBS time it no longer owns falls back to its own backup, or none', () => {
    const store = new StateStore(new ManualClock());
    const slices = new SliceStore(store);
    // The snapshot names no guest: alpha's VM 100 owns it only while it is the only VM 100.
    slices.set(3, pbsSlice([500]));
    slices.set(1, poll(slices, 'alpha', 'web', [ownBackup(300)]));
    slices.flush();
    const alpha = poll(slices, 'alpha', 'web', [ownBackup(300)]);
    slices.set(1, alpha);
    slices.flush();
    expect(store.get().vms[0]).toBe(alpha.vms[0]);
    expect(alpha.vms[0].lastBackup).toBe(500_000);
    // beta's VM 100 appears: the snapshot is nobody's, and alpha shows its own backup again.
    slices.set(2, poll(slices, 'beta', 'db'));
    slices.flush();
    expect(store.get().vms.map((g) => [g.instance, g.lastBackup])).toEqual([
      ['alpha', 300_000],
      ['beta', undefined],
    ]);
    // beta goes, alpha owns the snapshot again; then its own backup is deleted; then beta returns.
    slices.delete(2);
    slices.flush();
    expect(store.get().vms.map((g) => g.lastBackup)).toEqual([500_000]);
    const alone = poll(slices, 'alpha', 'web');
    slices.set(1, alone);
    slices.flush();
    expect(store.get().vms[0]).toBe(alone.vms[0]);
    slices.set(2, poll(slices, 'beta', 'db'));
    slices.flush();
    // Without a backup of its own it has none at all, as if the poller had built it so: the
    // field is undefined, so the document leaves it out.
    expect(store.get().vms[0].lastBackup).toBeUndefined();
    expect(JSON.stringify(store.get().vms[0])).not.toContain('lastBackup');
  });
});

describe('backoff', () => {
  it('doubles per failure, at most four intervals', () => {
    expect([0, 1, 2, 3, 4, 9].map((f) => backoffMs(1000, f))).toEqual([1000, 1000, 2000, 4000, 4000, 4000]);
  });
});
