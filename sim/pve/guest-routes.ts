/** PVE per-guest detail: rrddata, config, snapshots, guest-agent calls, LXC interfaces. */

import { type Guest, type PveInstance, pveAtLeast } from '../estate/model.js';
import { ApiError, type Route, type RouteContext } from '../http/api.js';
import { hash32 } from '../random.js';
import { diskVolid, gib, ipOf, ipv6Of, isWindows, macOf, osInfo } from './guest-facts.js';
import { guestRrd } from './rrd.js';
import { findGuest, guestMemTotal, guestUsed, nodeVersion } from './views.js';

type R = Route<PveInstance>;
type Ctx = RouteContext<PveInstance>;

const guest = (ctx: Ctx, type: 'qemu' | 'lxc') =>
  findGuest(ctx.instance, ctx.params.node, Number(ctx.params.vmid), type);

function uuidOf(g: Guest, key: string): string {
  const h = [0, 1, 2, 3].map((i) => hash32(g.seed, `${key}${i}`).toString(16).padStart(8, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function qemuConfig(inst: PveInstance, g: Guest): Record<string, unknown> {
  const cfg: Record<string, unknown> = {
    name: g.name,
    memory: String(Math.round(g.maxmem / 1024 ** 2)),
    cores: g.cpus,
    sockets: 1,
    cpu: 'x86-64-v2-AES',
    ostype: g.ostype,
    scsihw: 'virtio-scsi-single',
    scsi0: `${diskVolid(inst, g)},iothread=1,size=${gib(g.maxdisk)}`,
    ide2: 'none,media=cdrom',
    net0: `virtio=${macOf(g)},bridge=vmbr0,firewall=1`,
    boot: 'order=scsi0;ide2;net0',
    numa: 0,
    onboot: g.status === 'running' ? 1 : 0,
    smbios1: `uuid=${uuidOf(g, 'smbios')}`,
    vmgenid: uuidOf(g, 'vmgenid'),
    meta: `creation-qemu=9.2.0,ctime=${Math.floor(g.startedAt / 1000) - 86400 * 90}`,
    digest: hash32(g.seed, 'digest').toString(16).padStart(8, '0').repeat(5),
  };
  if (isWindows(g)) {
    cfg.bios = 'ovmf';
    cfg.efidisk0 = `${diskVolid(inst, g).replace('disk-0', 'disk-1')},efitype=4m,pre-enrolled-keys=1,size=4M`;
    cfg.tpmstate0 = `${diskVolid(inst, g).replace('disk-0', 'disk-2')},size=4M,version=v2.0`;
  }
  if (g.agentConfigured) cfg.agent = '1,fstrim_cloned_disks=1';
  if (g.balloon) cfg.balloon = Math.round(g.maxmem / 2 / 1024 ** 2);
  if (g.tags.length) cfg.tags = g.tags.join(';');
  if (g.template) cfg.template = 1;
  if (g.lock) cfg.lock = g.lock;
  if (g.snapshots.length) cfg.parent = g.snapshots[g.snapshots.length - 1].name;
  cfg.description = `${g.name} — managed by the simulator`;
  return cfg;
}

function lxcConfig(inst: PveInstance, g: Guest): Record<string, unknown> {
  const cfg: Record<string, unknown> = {
    hostname: g.name,
    arch: 'amd64',
    ostype: g.ostype,
    cores: g.cpus,
    memory: Math.round(g.maxmem / 1024 ** 2),
    swap: 512,
    rootfs: `${diskVolid(inst, g)},size=${gib(g.maxdisk)}`,
    net0: `name=eth0,bridge=vmbr0,firewall=1,hwaddr=${macOf(g)},ip=${ipOf(g)}/16,gw=10.10.0.1,type=veth`,
    unprivileged: 1,
    features: 'nesting=1',
    onboot: g.status === 'running' ? 1 : 0,
    digest: hash32(g.seed, 'digest').toString(16).padStart(8, '0').repeat(5),
  };
  if (g.tags.length) cfg.tags = g.tags.join(';');
  if (g.template) cfg.template = 1;
  if (g.lock) cfg.lock = g.lock;
  if (g.snapshots.length) cfg.parent = g.snapshots[g.snapshots.length - 1].name;
  return cfg;
}

function snapshots(g: Guest): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = g.snapshots.map((s) => {
    const o: Record<string, unknown> = { name: s.name, description: s.description, snaptime: s.snaptime };
    if (s.parent) o.parent = s.parent;
    if (g.type === 'qemu') o.vmstate = s.vmstate ? 1 : 0;
    return o;
  });
  const current: Record<string, unknown> = {
    name: 'current',
    description: 'You are here!',
    running: g.status === 'running' ? 1 : 0,
  };
  if (g.snapshots.length) current.parent = g.snapshots[g.snapshots.length - 1].name;
  list.push(current);
  return list;
}

/** Agent preconditions as PVE checks them, plus the agent-timeout fault. */
async function agentGuard(ctx: Ctx, g: Guest, command: string): Promise<void> {
  if (!g.agentConfigured) throw new ApiError(500, 'No QEMU guest agent configured');
  if (g.status !== 'running') throw new ApiError(500, `VM ${g.vmid} is not running`);
  if (ctx.sim.agentTimedOut(ctx.instance.name, g.vmid)) {
    const f = ctx.sim.faults
      .list()
      .find((x) => x.kind === 'agenttimeout' && x.target === `${ctx.instance.name}/${g.vmid}`);
    if (f?.ms) await ctx.sim.sleep(f.ms);
    throw new ApiError(500, `VM ${g.vmid} qmp command 'guest-${command}' failed - got timeout`);
  }
  if (!g.agent) throw new ApiError(500, 'QEMU guest agent is not running');
}

function fsinfo(g: Guest, now: number) {
  const total = Math.floor(g.maxdisk * 0.97);
  const used = Math.floor(total * (0.2 + (g.seed % 60) / 100));
  if (g.ostype === 'other') {
    // Appliances (live images): only special filesystems, no disk usage to report.
    return [
      {
        name: 'loop0',
        mountpoint: '/',
        type: 'squashfs',
        'total-bytes': 512_753_664,
        'used-bytes': 512_753_664,
        disk: [],
      },
      {
        name: 'tmpfs',
        mountpoint: '/run',
        type: 'tmpfs',
        'total-bytes': 104_857_600,
        'used-bytes': 1_048_576,
        disk: [],
      },
      {
        name: 'overlay',
        mountpoint: '/etc',
        type: 'overlay',
        'total-bytes': 104_857_600,
        'used-bytes': 4_194_304,
        disk: [],
      },
    ];
  }
  if (isWindows(g)) {
    return [
      {
        name: 'C:\\',
        mountpoint: 'C:\\',
        type: 'NTFS',
        'total-bytes': total,
        'used-bytes': used,
        disk: [
          {
            'bus-type': 'scsi',
            bus: 0,
            target: 0,
            unit: 0,
            serial: `drive-scsi0`,
            dev: 'PhysicalDrive0',
            'pci-controller': { domain: 0, bus: 9, slot: 1, function: 0 },
          },
        ],
      },
    ];
  }
  void now;
  return [
    {
      name: 'sda1',
      mountpoint: '/',
      type: 'ext4',
      'total-bytes': total,
      'used-bytes': used,
      disk: [
        {
          'bus-type': 'scsi',
          bus: 0,
          target: 0,
          unit: 0,
          serial: '0QEMU_QEMU_HARDDISK_drive-scsi0',
          dev: '/dev/sda1',
          'pci-controller': { domain: 0, bus: 9, slot: 1, function: 0 },
        },
      ],
    },
    {
      name: 'sda15',
      mountpoint: '/boot/efi',
      type: 'vfat',
      'total-bytes': 129_718_272,
      'used-bytes': 12_124_160,
      disk: [
        {
          'bus-type': 'scsi',
          bus: 0,
          target: 0,
          unit: 0,
          serial: '0QEMU_QEMU_HARDDISK_drive-scsi0',
          dev: '/dev/sda15',
          'pci-controller': { domain: 0, bus: 9, slot: 1, function: 0 },
        },
      ],
    },
    { name: 'tmpfs', mountpoint: '/run', type: 'tmpfs', 'total-bytes': 209_715_200, 'used-bytes': 1_048_576, disk: [] },
  ];
}

function interfacesQemu(g: Guest) {
  return [
    {
      name: isWindows(g) ? 'Loopback Pseudo-Interface 1' : 'lo',
      'hardware-address': '00:00:00:00:00:00',
      'ip-addresses': [
        { 'ip-address-type': 'ipv4', 'ip-address': '127.0.0.1', prefix: 8 },
        { 'ip-address-type': 'ipv6', 'ip-address': '::1', prefix: 128 },
      ],
      statistics: {
        'rx-bytes': 1024,
        'rx-packets': 16,
        'rx-errs': 0,
        'rx-dropped': 0,
        'tx-bytes': 1024,
        'tx-packets': 16,
        'tx-errs': 0,
        'tx-dropped': 0,
      },
    },
    {
      name: isWindows(g) ? 'Ethernet' : 'eth0',
      'hardware-address': macOf(g).toLowerCase(),
      'ip-addresses': [
        { 'ip-address-type': 'ipv4', 'ip-address': ipOf(g), prefix: 16 },
        { 'ip-address-type': 'ipv6', 'ip-address': ipv6Of(g), prefix: 64 },
      ],
      statistics: {
        'rx-bytes': 1_000_000 + (g.seed % 1_000_000),
        'rx-packets': 9000,
        'rx-errs': 0,
        'rx-dropped': 0,
        'tx-bytes': 500_000,
        'tx-packets': 4000,
        'tx-errs': 0,
        'tx-dropped': 0,
      },
    },
  ];
}

function meminfo(g: Guest, now: number): string {
  const kb = (b: number) => `${String(Math.floor(b / 1024)).padStart(8)} kB`;
  const total = guestMemTotal(g);
  const used = guestUsed(g, now);
  const free = Math.floor((total - used) * 0.4);
  const available = total - used;
  const cached = Math.floor((total - used) * 0.5);
  return [
    `MemTotal:       ${kb(total)}`,
    `MemFree:        ${kb(free)}`,
    `MemAvailable:   ${kb(available)}`,
    `Buffers:        ${kb(64 * 1024 ** 2)}`,
    `Cached:         ${kb(cached)}`,
    `SwapCached:     ${kb(0)}`,
    `Active:         ${kb(used * 0.6)}`,
    `Inactive:       ${kb(cached * 0.7)}`,
    `SwapTotal:      ${kb(1024 ** 3)}`,
    `SwapFree:       ${kb(1024 ** 3)}`,
    `Shmem:          ${kb(8 * 1024 ** 2)}`,
    `SReclaimable:   ${kb(96 * 1024 ** 2)}`,
    '',
  ].join('\n');
}

const AGENT_COMMANDS = [
  'get-fsinfo',
  'network-get-interfaces',
  'get-osinfo',
  'get-host-name',
  'get-time',
  'get-timezone',
  'get-users',
  'get-vcpus',
  'info',
];

function agentResult(cmd: string, g: Guest, now: number): unknown {
  switch (cmd) {
    case 'get-fsinfo':
      return fsinfo(g, now);
    case 'network-get-interfaces':
      return interfacesQemu(g);
    case 'get-osinfo':
      return osInfo(g);
    case 'get-host-name':
      return { 'host-name': g.name };
    case 'get-time':
      return now * 1_000_000;
    case 'get-timezone':
      return { zone: 'UTC', offset: 0 };
    case 'get-users':
      return [{ user: isWindows(g) ? 'Administrator' : 'admin', 'login-time': Math.floor(g.startedAt / 1000) + 120 }];
    case 'get-vcpus':
      return Array.from({ length: g.cpus }, (_, i) => ({ 'logical-id': i, online: true, 'can-offline': i > 0 }));
    case 'info':
      return {
        version: '9.2.0',
        supported_commands: [...AGENT_COMMANDS, 'file-read', 'file-open', 'file-close', 'shutdown', 'fstrim'].map(
          (c) => ({
            name: `guest-${c}`,
            enabled: true,
            'success-response': true,
          }),
        ),
      };
  }
  return {};
}

const agentRoutes: R[] = AGENT_COMMANDS.map((cmd) => ({
  method: 'GET',
  path: `/nodes/{node}/qemu/{vmid}/agent/${cmd}`,
  handler: async (ctx: Ctx) => {
    const g = guest(ctx, 'qemu');
    await agentGuard(ctx, g, cmd);
    return { result: agentResult(cmd, g, ctx.now) };
  },
}));

export const guestRoutes: R[] = [
  ...(['qemu', 'lxc'] as const).flatMap((type): R[] => [
    {
      method: 'GET',
      path: `/nodes/{node}/${type}/{vmid}/rrddata`,
      handler: (ctx) => guestRrd(ctx.instance, guest(ctx, type), ctx.args.timeframe, ctx.now),
    },
    {
      method: 'GET',
      path: `/nodes/{node}/${type}/{vmid}/config`,
      handler: (ctx) => {
        const g = guest(ctx, type);
        if (ctx.args.snapshot) {
          const s = g.snapshots.find((x) => x.name === ctx.args.snapshot);
          if (!s) throw new ApiError(500, `snapshot '${ctx.args.snapshot}' does not exist`);
        }
        return type === 'qemu' ? qemuConfig(ctx.instance, g) : lxcConfig(ctx.instance, g);
      },
    },
    {
      method: 'GET',
      path: `/nodes/{node}/${type}/{vmid}/snapshot`,
      handler: (ctx) => snapshots(guest(ctx, type)),
    },
    {
      method: 'GET',
      path: `/nodes/{node}/${type}/{vmid}/status`,
      handler: () => [
        { subdir: 'current' },
        { subdir: 'start' },
        { subdir: 'stop' },
        { subdir: 'shutdown' },
        { subdir: 'reboot' },
      ],
    },
  ]),
  ...agentRoutes,
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/agent/file-read',
    handler: async (ctx) => {
      const g = guest(ctx, 'qemu');
      await agentGuard(ctx, g, 'file-read');
      if (ctx.args.file === '/proc/meminfo' && !isWindows(g)) return { content: meminfo(g, ctx.now), truncated: false };
      if (ctx.args.file === '/etc/hostname' && !isWindows(g)) return { content: `${g.name}\n`, truncated: false };
      throw new ApiError(
        500,
        `guest-file-open failed: Failed to open file '${ctx.args.file}': No such file or directory`,
      );
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/lxc/{vmid}/interfaces',
    handler: (ctx) => {
      const g = guest(ctx, 'lxc');
      if (g.status !== 'running') throw new ApiError(500, `CT ${g.vmid} not running`);
      const mac = macOf(g).toLowerCase();
      // PVE ≤ 8.3 answers with hwaddr/inet/inet6 only; 8.4 added the agent-style keys beside them.
      const agentStyle = pveAtLeast(nodeVersion(ctx.instance, g.node), 8, 4);
      const itf = (name: string, hw: string, v4: string, p4: number, v6: string, p6: number) => {
        const o: Record<string, unknown> = { name, hwaddr: hw, inet: `${v4}/${p4}`, inet6: `${v6}/${p6}` };
        if (agentStyle) {
          o['hardware-address'] = hw;
          o['ip-addresses'] = [
            { 'ip-address': v4, 'ip-address-type': 'inet', prefix: p4 },
            { 'ip-address': v6, 'ip-address-type': 'inet6', prefix: p6 },
          ];
        }
        return o;
      };
      return [itf('lo', '00:00:00:00:00:00', '127.0.0.1', 8, '::1', 128), itf('eth0', mac, ipOf(g), 16, ipv6Of(g), 64)];
    },
  },
];
