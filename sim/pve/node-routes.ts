/** PVE per-node detail: rrddata, disks + SMART, ZFS pools, apt updates, replication, Ceph, version. */
import type { PveInstance, PveNode } from '../estate/model.js';
import { ApiError, type Route, type RouteContext } from '../http/api.js';
import { hash32, unit } from '../random.js';
import { cephPoolList, cephStatus, replicationJobs } from './cluster-routes.js';
import { repoid } from './core-routes.js';
import { nodeRrd } from './rrd.js';
import { findNode, nodeVersion, releaseOf } from './views.js';

type R = Route<PveInstance>;
type Ctx = RouteContext<PveInstance>;

const node = (ctx: Ctx) => findNode(ctx.instance, ctx.params.node);

function hasZfs(inst: PveInstance, n: PveNode): boolean {
  return inst.storages.some((s) => s.type === 'zfspool' && (!s.nodes || s.nodes.includes(n.name)));
}

/** In a cluster, the last member with ZFS runs a degraded pool (a failed mirror disk). */
function zfsDegraded(inst: PveInstance, n: PveNode): boolean {
  if (!inst.cluster) return false;
  const zfs = inst.nodes.filter((x) => hasZfs(inst, x));
  return zfs.length > 0 && zfs[zfs.length - 1].name === n.name;
}

interface Disk {
  devpath: string;
  type: 'nvme' | 'ssd' | 'hdd';
  size: number;
  model: string;
  serial: string;
  vendor: string;
  wwn: string;
  health: string;
  wearout: number | 'N/A';
  used: string;
  rpm: number;
  osdid: number;
}

function disksOf(inst: PveInstance, n: PveNode): Disk[] {
  const serial = (k: string) => hash32(n.seed, k).toString(36).toUpperCase().padStart(8, '0');
  const zfs = hasZfs(inst, n);
  const degraded = zfsDegraded(inst, n);
  const ceph = !!inst.ceph;
  const disks: Disk[] = [
    {
      devpath: '/dev/nvme0n1',
      type: 'nvme',
      size: 1_000_204_886_016,
      model: 'Samsung SSD 980 PRO 1TB',
      serial: `S5GXNF0R${serial('nvme0')}`,
      vendor: 'unknown',
      wwn: `eui.${hash32(n.seed, 'wwn0').toString(16).padStart(16, '0')}`,
      health: 'PASSED',
      wearout: 100 - Math.floor(unit(n.seed, 'wear0') * 15),
      used: zfs ? 'ZFS' : 'LVM',
      rpm: 0,
      osdid: -1,
    },
    {
      devpath: '/dev/sda',
      type: 'ssd',
      size: 960_197_124_096,
      model: 'INTEL SSDSC2KB960G8',
      serial: `PHYF${serial('sda')}`,
      vendor: 'ATA',
      wwn: `0x55cd2e41${hash32(n.seed, 'wwn1').toString(16).padStart(8, '0')}`,
      health: 'PASSED',
      wearout: 97 - Math.floor(unit(n.seed, 'wear1') * 20),
      used: ceph ? 'ceph osd.' : zfs ? 'ZFS' : 'LVM',
      rpm: 0,
      osdid: ceph ? (n.nodeid - 1) * 2 : -1,
    },
    {
      devpath: '/dev/sdb',
      type: 'hdd',
      size: 4_000_787_030_016,
      model: 'WDC WD40EFPX-68C6CN0',
      serial: `WD-WX${serial('sdb')}`,
      vendor: 'ATA',
      wwn: `0x50014ee2${hash32(n.seed, 'wwn2').toString(16).padStart(8, '0')}`,
      health: degraded ? 'FAILED' : 'PASSED',
      wearout: 'N/A',
      used: ceph ? 'ceph osd.' : zfs ? 'ZFS' : 'partitions',
      rpm: 5400,
      osdid: ceph ? (n.nodeid - 1) * 2 + 1 : -1,
    },
  ];
  for (const d of disks) if (d.used === 'ceph osd.') d.used = `LVM`;
  return disks;
}

function smartOf(d: Disk, n: PveNode): Record<string, unknown> {
  if (d.type === 'nvme') {
    const used = typeof d.wearout === 'number' ? 100 - d.wearout : 0;
    return {
      health: d.health,
      type: 'text',
      text: [
        'SMART/Health Information (NVMe Log 0x02)',
        'Critical Warning:                   0x00',
        'Temperature:                        38 Celsius',
        'Available Spare:                    100%',
        'Available Spare Threshold:          10%',
        `Percentage Used:                    ${used}%`,
        `Power On Hours:                     ${1000 + (n.seed % 20000)}`,
        'Media and Data Integrity Errors:    0',
        '',
      ].join('\n'),
      wearout: d.wearout,
    };
  }
  const failing = d.health === 'FAILED';
  const attr = (
    id: number,
    name: string,
    value: number,
    worst: number,
    threshold: number,
    raw: string,
    flags = 'PO--CK',
  ) => ({
    id: String(id).padStart(3, ' '),
    name,
    value,
    worst,
    threshold,
    fail: failing && id === 5 ? 'FAILING_NOW' : '-',
    flags,
    raw,
    normalized: value,
  });
  return {
    health: d.health,
    type: 'ata',
    attributes: [
      attr(1, 'Raw_Read_Error_Rate', 200, 200, 51, '0'),
      attr(5, 'Reallocated_Sector_Ct', failing ? 1 : 200, failing ? 1 : 200, 140, failing ? '2012' : '0'),
      attr(9, 'Power_On_Hours', 88, 88, 0, String(8000 + (n.seed % 20000)), '-O--CK'),
      attr(12, 'Power_Cycle_Count', 100, 100, 0, '42', '-O--CK'),
      attr(194, 'Temperature_Celsius', 118, 104, 0, '32', '-O---K'),
      attr(197, 'Current_Pending_Sector', 200, 200, 0, failing ? '16' : '0', '-O--CK'),
      attr(199, 'UDMA_CRC_Error_Count', 200, 200, 0, '0', '-O--CK'),
    ],
  };
}

function zfsPool(inst: PveInstance, n: PveNode) {
  const degraded = zfsDegraded(inst, n);
  const s = inst.storages.find((x) => x.type === 'zfspool' && (!x.nodes || x.nodes.includes(n.name)))!;
  const size = s.total + 64 * 1024 ** 3;
  const alloc = Math.floor(size * s.usedFraction);
  return {
    name: 'rpool',
    size,
    alloc,
    free: size - alloc,
    frag: 8 + (n.seed % 20),
    dedup: 1,
    health: degraded ? 'DEGRADED' : 'ONLINE',
    degraded,
  };
}

function zfsDetail(inst: PveInstance, n: PveNode) {
  const p = zfsPool(inst, n);
  const disk = (name: string, state: string, msg = '') => ({
    name,
    state,
    read: 0,
    write: 0,
    cksum: state === 'ONLINE' ? 0 : 12,
    msg,
  });
  const mirror = {
    name: 'mirror-0',
    state: p.health,
    read: 0,
    write: 0,
    cksum: 0,
    msg: '',
    children: [
      disk('nvme-Samsung_SSD_980_PRO_1TB-part3', 'ONLINE'),
      p.degraded
        ? disk('ata-WDC_WD40EFPX-68C6CN0-part3', 'FAULTED', 'too many errors')
        : disk('ata-WDC_WD40EFPX-68C6CN0-part3', 'ONLINE'),
    ],
  };
  const out: Record<string, unknown> = {
    name: p.name,
    state: p.health,
    errors: 'No known data errors',
    scan: 'scrub repaired 0B in 00:12:41 with 0 errors on Sun Nov  9 00:36:42 2025',
    children: [{ name: p.name, state: p.health, read: 0, write: 0, cksum: 0, msg: '', children: [mirror] }],
  };
  if (p.degraded) {
    out.status =
      'One or more devices are faulted in response to persistent errors.\nSufficient replicas exist for the pool to continue functioning in a degraded state.';
    out.action = "Replace the faulted device, or use 'zpool clear' to mark the device repaired.";
  }
  return out;
}

const PACKAGES = [
  ['pve-manager', 'Proxmox Virtual Environment Management Tools', 'admin'],
  ['proxmox-kernel-6.14', 'Latest Proxmox Kernel Image', 'admin'],
  ['libpve-storage-perl', 'Proxmox VE storage management library', 'perl'],
  ['qemu-server', 'Qemu Server Tools', 'admin'],
  ['pve-container', 'Proxmox VE Container management tool', 'perl'],
  ['openssl', 'Secure Sockets Layer toolkit - cryptographic utility', 'utils'],
  ['libssl3t64', 'Secure Sockets Layer toolkit - shared libraries', 'libs'],
  ['zfsutils-linux', 'command-line tools to manage OpenZFS filesystems', 'contrib/admin'],
  ['tzdata', 'time zone and daylight-saving time data', 'localization'],
  ['curl', 'command line tool for transferring data with URL syntax', 'web'],
] as const;

export const nodeRoutes: R[] = [
  {
    method: 'GET',
    path: '/nodes/{node}',
    handler: (ctx) => {
      node(ctx);
      return [
        'apt',
        'ceph',
        'disks',
        'lxc',
        'qemu',
        'replication',
        'rrddata',
        'status',
        'storage',
        'subscription',
        'tasks',
        'version',
      ].map((name) => ({ name }));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/rrddata',
    handler: (ctx) => nodeRrd(ctx.instance, node(ctx), ctx.args.timeframe, ctx.now),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/version',
    handler: (ctx) => {
      const v = nodeVersion(ctx.instance, node(ctx));
      return { version: v, release: releaseOf(v), repoid: repoid(v) };
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/subscription',
    handler: (ctx) => {
      const n = node(ctx);
      return {
        status: 'notfound',
        message: 'There is no subscription key',
        serverid: hash32(n.seed, 'serverid').toString(16).toUpperCase().padStart(32, '0').slice(0, 32),
        sockets: n.sockets,
        url: 'https://www.proxmox.com/en/proxmox-virtual-environment/pricing',
      };
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/disks/list',
    handler: (ctx) => {
      const n = node(ctx);
      return disksOf(ctx.instance, n)
        .filter((d) => !ctx.args.type || (ctx.args.type === 'unused' ? d.used === '' : true))
        .map((d) => {
          const o: Record<string, unknown> = {
            devpath: d.devpath,
            type: d.type,
            size: d.size,
            model: d.model,
            serial: d.serial,
            vendor: d.vendor,
            wwn: d.wwn,
            gpt: 1,
            mounted: 0,
            used: d.used,
            rpm: d.rpm,
            osdid: d.osdid,
            'osdid-list': d.osdid >= 0 ? [d.osdid] : null,
            by_id_link: `/dev/disk/by-id/${d.type === 'nvme' ? 'nvme' : 'ata'}-${d.model.replace(/ /g, '_')}_${d.serial}`,
          };
          if (ctx.args['include-partitions'] === '1') o.parent = undefined;
          if (ctx.args.skipsmart !== '1') {
            o.health = d.health;
            o.wearout = d.wearout;
          }
          if (o['osdid-list'] === null) o['osdid-list'] = [];
          return o;
        });
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/disks/smart',
    handler: (ctx) => {
      const n = node(ctx);
      const d = disksOf(ctx.instance, n).find((x) => x.devpath === ctx.args.disk);
      if (!d) throw new ApiError(500, `no such disk '${ctx.args.disk}'`);
      const s = smartOf(d, n);
      if (ctx.args.healthonly === '1') return { health: s.health };
      return s;
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/disks/zfs',
    handler: (ctx) => {
      const n = node(ctx);
      if (!hasZfs(ctx.instance, n)) return [];
      const { degraded: _d, ...pool } = zfsPool(ctx.instance, n);
      return [pool];
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/disks/zfs/{name}',
    handler: (ctx) => {
      const n = node(ctx);
      if (!hasZfs(ctx.instance, n) || ctx.params.name !== 'rpool')
        throw new ApiError(500, `zpool '${ctx.params.name}' does not exist`);
      return zfsDetail(ctx.instance, n);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/apt/update',
    handler: (ctx) => {
      const n = node(ctx);
      const count = Math.floor(unit(n.seed, 'apt') * (PACKAGES.length + 3)) - 2;
      return PACKAGES.slice(0, Math.max(0, count)).map(([pkg, title, section], i) => ({
        Package: pkg,
        Title: title,
        Description: `${title}.`,
        OldVersion: `${ctx.instance.version.split('.')[0]}.${i}.${3 + (i % 4)}`,
        Version: `${ctx.instance.version.split('.')[0]}.${i}.${4 + (i % 4)}`,
        Arch: 'amd64',
        Origin: pkg.startsWith('p') || pkg.includes('pve') || pkg.startsWith('qemu') ? 'Proxmox' : 'Debian',
        Priority: i < 2 ? 'important' : 'optional',
        Section: section,
        ChangeLogUrl: `https://metadata.ftp-master.debian.org/changelogs/main/${pkg}`,
      }));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/replication',
    handler: (ctx) => {
      const n = node(ctx);
      return replicationJobs(ctx.instance)
        .filter((j) => j.source === n.name && (!ctx.args.guest || j.guest === Number(ctx.args.guest)))
        .map((j) => replicationState(j, ctx.now));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/replication/{id}/status',
    handler: (ctx) => {
      const n = node(ctx);
      const j = replicationJobs(ctx.instance).find((x) => x.id === ctx.params.id && x.source === n.name);
      if (!j) throw new ApiError(500, `no such replication job '${ctx.params.id}'`);
      return replicationState(j, ctx.now);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/ceph/status',
    handler: (ctx) => {
      node(ctx);
      return cephStatus(ctx.instance, ctx.now);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/ceph/pool',
    handler: (ctx) => {
      node(ctx);
      return cephPoolList(ctx.instance, ctx.now);
    },
  },
];

function replicationState(j: ReturnType<typeof replicationJobs>[number], now: number): Record<string, unknown> {
  const nowSec = Math.floor(now / 1000);
  const slot = Math.floor(nowSec / 900) * 900;
  const o: Record<string, unknown> = {
    id: j.id,
    guest: j.guest,
    jobnum: j.jobnum,
    type: 'local',
    source: j.source,
    target: j.target,
    schedule: j.schedule,
    vmtype: 'qemu',
    last_try: slot + 5,
    next_sync: slot + 900,
    duration: 3.2,
    fail_count: 0,
    last_sync: slot + 5,
  };
  if (j.failing) {
    o.fail_count = 3;
    o.last_sync = slot - 3600;
    o.error = `command 'zfs snapshot rpool/data/vm-${j.guest}-disk-0@__replicate_${j.id}_${slot}__' failed: exit code 1`;
  }
  return o;
}
