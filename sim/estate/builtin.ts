/**
 * Built-in estates. `demo` is hand-written so every feature has something to show; `small` is
 * the least that exercises PVE + PBS; `large` (200 nodes, 10,000 guests) and `xlarge` (500 nodes,
 * 15,000 guests) are generated.
 */
import type { EstateSpec, GuestSpec, StorageSpec } from './spec.js';

const demoGuests: GuestSpec[] = [
  // pve1: a busy host with a mix of everything
  {
    vmid: 100,
    type: 'qemu',
    node: 'pve1',
    name: 'web-01',
    tags: ['prod', 'web'],
    agent: true,
    balloon: true,
    cpus: 4,
    memMiB: 8192,
    diskGiB: 64,
    ostype: 'l26',
    pool: 'production',
    hastate: 'started',
  },
  {
    vmid: 101,
    type: 'qemu',
    node: 'pve1',
    name: 'db-01',
    tags: ['prod', 'db'],
    agent: true,
    cpus: 8,
    memMiB: 16384,
    diskGiB: 256,
    ostype: 'l26',
    pool: 'production',
  },
  {
    vmid: 102,
    type: 'qemu',
    node: 'pve1',
    name: 'win-dc',
    tags: ['windows'],
    agent: false,
    agentConfigured: true,
    cpus: 2,
    memMiB: 4096,
    diskGiB: 80,
    ostype: 'win11',
  },
  {
    vmid: 103,
    type: 'lxc',
    node: 'pve1',
    name: 'dns-01',
    tags: ['infra'],
    cpus: 1,
    memMiB: 512,
    diskGiB: 8,
    ostype: 'debian',
  },
  {
    vmid: 104,
    type: 'lxc',
    node: 'pve1',
    name: 'proxy',
    tags: ['infra', 'web'],
    cpus: 2,
    memMiB: 1024,
    diskGiB: 16,
    ostype: 'alpine',
  },
  {
    vmid: 105,
    type: 'qemu',
    node: 'pve1',
    name: 'build-runner',
    status: 'stopped',
    agent: true,
    cpus: 4,
    memMiB: 4096,
    diskGiB: 50,
  },
  // pve2
  {
    vmid: 200,
    type: 'qemu',
    node: 'pve2',
    name: 'web-02',
    tags: ['prod', 'web'],
    agent: true,
    balloon: true,
    cpus: 4,
    memMiB: 8192,
    diskGiB: 64,
    pool: 'production',
    hastate: 'started',
  },
  {
    vmid: 201,
    type: 'qemu',
    node: 'pve2',
    name: 'monitoring',
    tags: ['infra'],
    agent: true,
    cpus: 2,
    memMiB: 4096,
    diskGiB: 100,
  },
  {
    vmid: 202,
    type: 'lxc',
    node: 'pve2',
    name: 'media',
    tags: ['home'],
    cpus: 4,
    memMiB: 4096,
    diskGiB: 500,
    ostype: 'ubuntu',
    // Unverified backups for the coverage audit: no verify job covers its group.
    backupVerify: false,
  },
  {
    vmid: 203,
    type: 'qemu',
    node: 'pve2',
    name: 'legacy-app',
    lock: 'backup',
    agent: false,
    agentConfigured: true,
    cpus: 2,
    memMiB: 2048,
    diskGiB: 40,
  },
  {
    vmid: 204,
    type: 'lxc',
    node: 'pve2',
    name: 'old-wiki',
    status: 'stopped',
    cpus: 1,
    memMiB: 512,
    diskGiB: 8,
    // Stale backups for the coverage audit: dropped from the jobs ten days ago.
    backupStoppedDaysAgo: 10,
  },
  {
    vmid: 9000,
    type: 'qemu',
    node: 'pve2',
    name: 'debian-12-template',
    template: true,
    status: 'stopped',
    cpus: 2,
    memMiB: 2048,
    diskGiB: 32,
  },
  // pve3
  {
    vmid: 300,
    type: 'qemu',
    node: 'pve3',
    name: 'k8s-master',
    tags: ['k8s'],
    agent: true,
    cpus: 4,
    memMiB: 8192,
    diskGiB: 80,
  },
  {
    vmid: 301,
    type: 'qemu',
    node: 'pve3',
    name: 'k8s-worker-1',
    tags: ['k8s'],
    agent: true,
    balloon: true,
    cpus: 8,
    memMiB: 16384,
    diskGiB: 120,
  },
  {
    vmid: 302,
    type: 'qemu',
    node: 'pve3',
    name: 'k8s-worker-2',
    tags: ['k8s'],
    agent: true,
    balloon: true,
    cpus: 8,
    memMiB: 16384,
    diskGiB: 120,
  },
  {
    vmid: 303,
    type: 'lxc',
    node: 'pve3',
    name: 'backup-proxy',
    tags: ['infra'],
    cpus: 1,
    memMiB: 256,
    diskGiB: 4,
    backup: false,
  },
  {
    vmid: 304,
    type: 'qemu',
    node: 'pve3',
    name: 'test-snapshot',
    status: 'stopped',
    lock: 'snapshot',
    agent: false,
    cpus: 1,
    memMiB: 1024,
    diskGiB: 20,
    backup: false,
  },
  {
    vmid: 9001,
    type: 'lxc',
    node: 'pve3',
    name: 'ct-template',
    template: true,
    status: 'stopped',
    cpus: 1,
    memMiB: 512,
    diskGiB: 8,
  },
];

const clusterStorages: StorageSpec[] = [
  { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', totalGiB: 94, usedFraction: 0.31 },
  { storage: 'local-lvm', type: 'lvmthin', content: 'images,rootdir', totalGiB: 832, usedFraction: 0.42 },
  {
    storage: 'local-zfs',
    type: 'zfspool',
    content: 'images,rootdir',
    nodes: ['pve3'],
    totalGiB: 1800,
    usedFraction: 0.58,
  },
  {
    storage: 'nfs-backup',
    type: 'nfs',
    content: 'backup,iso',
    shared: true,
    totalGiB: 7450,
    usedFraction: 0.64,
    server: '10.0.0.50',
  },
  { storage: 'ceph-pool', type: 'rbd', content: 'images,rootdir', shared: true, totalGiB: 5400, usedFraction: 0.37 },
  { storage: 'cephfs', type: 'cephfs', content: 'iso,vztmpl,backup', shared: true, totalGiB: 5400, usedFraction: 0.12 },
  {
    storage: 'pbs-main',
    type: 'pbs',
    content: 'backup',
    shared: true,
    totalGiB: 3700,
    usedFraction: 0.49,
    server: '10.0.0.60',
    datastore: 'main',
  },
];

export function demoEstate(): EstateSpec {
  return {
    name: 'demo',
    seed: 42,
    pve: [
      {
        name: 'pve-cluster',
        cluster: 'pve-cluster',
        version: '9.0.10',
        nodes: [
          { name: 'pve1', cpus: 16, memGiB: 64, rootGiB: 94 },
          { name: 'pve2', cpus: 12, memGiB: 48, rootGiB: 94 },
          { name: 'pve3', cpus: 32, memGiB: 128, rootGiB: 94 },
        ],
        guests: demoGuests,
        storages: clusterStorages,
        ceph: { health: 'HEALTH_WARN' },
      },
      {
        name: 'pve-standalone',
        // A home server that has not been upgraded in a while: PVE 8.2 still has the old LXC
        // interfaces shape ({name, hwaddr, inet, inet6}) that 8.4 replaced.
        version: '8.2.4',
        // Its token has the PVEAuditor role only, as many guides suggest: on PVE 8 that lacks
        // VM.Monitor, which the guest agent needs, so the permission doctor has something to say.
        tokens: [
          {
            tokenid: 'root@pam!pulse',
            secret: '5b0e6f1c-2f5d-4a47-9d0e-6c3a1f0b8e21',
            acl: { '/': ['Datastore.Audit', 'Mapping.Audit', 'Pool.Audit', 'SDN.Audit', 'Sys.Audit', 'VM.Audit'] },
          },
        ],
        nodes: [{ name: 'minipc', cpus: 4, memGiB: 16, rootGiB: 230 }],
        guests: [
          {
            vmid: 100,
            type: 'qemu',
            node: 'minipc',
            name: 'home-assistant',
            tags: ['home'],
            agent: true,
            cpus: 2,
            memMiB: 4096,
            diskGiB: 32,
          },
          {
            vmid: 101,
            type: 'lxc',
            node: 'minipc',
            name: 'pihole',
            tags: ['home', 'dns'],
            cpus: 1,
            memMiB: 512,
            diskGiB: 4,
          },
          { vmid: 102, type: 'lxc', node: 'minipc', name: 'nextcloud', cpus: 2, memMiB: 2048, diskGiB: 200 },
          {
            vmid: 103,
            type: 'qemu',
            node: 'minipc',
            name: 'opnsense',
            agent: false,
            cpus: 2,
            memMiB: 2048,
            diskGiB: 16,
            ostype: 'other',
          },
        ],
        storages: [
          { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', totalGiB: 68, usedFraction: 0.22 },
          {
            storage: 'local-zfs',
            type: 'zfspool',
            content: 'images,rootdir',
            totalGiB: 430,
            usedFraction: 0.91,
            // Filling for the storage-full forecast: 0.4 % a day, full in about 22 days.
            fillPerDay: 0.004,
          },
        ],
      },
    ],
    pbs: [
      {
        name: 'pbs-main',
        version: '4.0.14',
        datastores: [
          {
            name: 'main',
            totalGiB: 3700,
            usedFraction: 0.49,
            namespaces: ['', 'prod', 'prod/db'],
            keep: 14,
            intervalHours: 24,
          },
          { name: 'offsite', totalGiB: 8000, usedFraction: 0.21, namespaces: [''], keep: 90, intervalHours: 24 },
        ],
      },
    ],
    pmg: [
      {
        name: 'pmg-main',
        version: '9.0.1',
        nodes: ['pmg1', 'pmg2'],
        domains: ['example.com', 'example.org', 'mail.example.net'],
        mailPerHour: 420,
      },
    ],
  };
}

export function smallEstate(): EstateSpec {
  return {
    name: 'small',
    seed: 7,
    pve: [
      {
        name: 'pve-small',
        version: '9.0.10',
        nodes: [{ name: 'pve', cpus: 8, memGiB: 32 }],
        generate: { guests: 6 },
        storages: [
          { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', totalGiB: 94, usedFraction: 0.3 },
          { storage: 'local-lvm', type: 'lvmthin', content: 'images,rootdir', totalGiB: 400, usedFraction: 0.5 },
        ],
      },
    ],
    pbs: [{ name: 'pbs-small', datastores: [{ name: 'store1', namespaces: [''], keep: 7 }] }],
    pmg: [],
  };
}

/**
 * One big cluster: `nodes` members, `guests` generated guests spread over them, shared Ceph and
 * PBS storage, a PBS with `groups` backup groups and a busy PMG. `large` and `xlarge` differ
 * only in these numbers, so the benchmarks compare sizes, not shapes.
 */
function bigClusterEstate(
  name: string,
  seed: number,
  size: { nodes: number; guests: number; groups: number },
): EstateSpec {
  const width = String(size.nodes).length;
  const nodes = Array.from({ length: size.nodes }, (_, i) => ({
    name: `node${String(i + 1).padStart(Math.max(3, width), '0')}`,
    cpus: 64,
    memGiB: 512,
    rootGiB: 200,
  }));
  return {
    name,
    seed,
    pve: [
      {
        name: `pve-${name}`,
        cluster: `dc-${name}`,
        version: '9.0.10',
        nodes,
        generate: { guests: size.guests, vmidStart: 1000 },
        storages: [
          { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', totalGiB: 200, usedFraction: 0.2 },
          { storage: 'local-lvm', type: 'lvmthin', content: 'images,rootdir', totalGiB: 3600, usedFraction: 0.45 },
          {
            storage: 'ceph-pool',
            type: 'rbd',
            content: 'images,rootdir',
            shared: true,
            totalGiB: 500_000,
            usedFraction: 0.4,
          },
          {
            storage: `pbs-${name}`,
            type: 'pbs',
            content: 'backup',
            shared: true,
            totalGiB: 200_000,
            usedFraction: 0.3,
            server: '10.1.0.10',
            datastore: 'big',
          },
        ],
        ceph: { health: 'HEALTH_OK' },
      },
    ],
    pbs: [
      {
        name: `pbs-${name}`,
        datastores: [
          { name: 'big', totalGiB: 200_000, usedFraction: 0.3, namespaces: [''], keep: 3, groups: size.groups },
        ],
      },
    ],
    pmg: [{ name: `pmg-${name}`, nodes: ['pmg1'], domains: ['corp.example'], mailPerHour: 5000 }],
  };
}

export function largeEstate(): EstateSpec {
  return bigClusterEstate('large', 1000, { nodes: 200, guests: 10_000, groups: 2000 });
}

/** The scale some multi-cluster managers advertise: 500 nodes, 15,000 guests. */
export function xlargeEstate(): EstateSpec {
  return bigClusterEstate('xlarge', 1500, { nodes: 500, guests: 15_000, groups: 3000 });
}

/**
 * Versions side by side as operators really run them: a cluster half-way through the 8 → 9
 * upgrade (PVE supports mixed 8.4/9.x members while upgrading), a forgotten PVE 7.4 box, an older
 * PBS and PMG. Small, so tests can walk every request against it.
 */
export function mixedEstate(): EstateSpec {
  return {
    name: 'mixed',
    seed: 11,
    pve: [
      {
        name: 'pve-upgrade',
        cluster: 'upgrade',
        version: '9.0.10',
        nodes: [
          { name: 'up1', cpus: 8, memGiB: 32, version: '9.0.10' },
          { name: 'up2', cpus: 8, memGiB: 32, version: '8.4.14' },
          { name: 'up3', cpus: 8, memGiB: 32, version: '8.3.5' },
        ],
        guests: [
          { vmid: 200, type: 'qemu', node: 'up1', name: 'web', agent: true, balloon: true, memMiB: 4096 },
          { vmid: 201, type: 'lxc', node: 'up2', name: 'dns', memMiB: 512, diskGiB: 4 },
          { vmid: 202, type: 'lxc', node: 'up3', name: 'proxy', memMiB: 1024, diskGiB: 8 },
          { vmid: 203, type: 'qemu', node: 'up3', name: 'win', agent: true, ostype: 'win11', memMiB: 8192 },
        ],
        storages: [
          { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', totalGiB: 94, usedFraction: 0.3 },
          { storage: 'local-lvm', type: 'lvmthin', content: 'images,rootdir', totalGiB: 400, usedFraction: 0.5 },
          { storage: 'ceph-vm', type: 'rbd', content: 'images,rootdir', shared: true, totalGiB: 3000 },
        ],
        ceph: { health: 'HEALTH_OK' },
      },
      {
        name: 'pve-old',
        version: '7.4-17',
        nodes: [{ name: 'old', cpus: 4, memGiB: 16 }],
        guests: [
          { vmid: 100, type: 'lxc', node: 'old', name: 'legacy-ct', memMiB: 1024 },
          { vmid: 101, type: 'qemu', node: 'old', name: 'legacy-vm', agent: true, memMiB: 2048 },
        ],
        storages: [{ storage: 'local', type: 'dir', content: 'iso,vztmpl,backup,images,rootdir', totalGiB: 200 }],
      },
    ],
    pbs: [{ name: 'pbs-old', version: '3.4.6', datastores: [{ name: 'store', namespaces: ['', 'lab'], keep: 5 }] }],
    pmg: [{ name: 'pmg-old', version: '8.2.7', nodes: ['mx'], domains: ['mixed.example'], mailPerHour: 60 }],
  };
}

export const BUILTIN_ESTATES: Record<string, () => EstateSpec> = {
  demo: demoEstate,
  small: smallEstate,
  large: largeEstate,
  xlarge: xlargeEstate,
  mixed: mixedEstate,
};
