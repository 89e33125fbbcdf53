/**
 * PVE guests → model Guest (wire-contract §1.3, derivations §9). Pure: the poller passes the
 * raw answers and the previous I/O counters; rates are counter deltas per second.
 */
import type { Disk, DiskSource, Guest, GuestNetworkInterface, Memory, MemoryInputs } from '../../model/state.js';
import type {
  PveAgentFsInfo,
  PveAgentNetworkInterfaces,
  PveAgentOsInfo,
  PveLxcInterface,
  PveResource,
  PveVmStatus,
} from '../../proxmox/pve.js';
import { guestId } from './ids.js';
import { type MemoryExplain, memoryOf, sameInputs } from './pve-node.js';
import { flag, num, optNum, percent, str } from './values.js';

export interface IoCounters {
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  /** ms */
  at: number;
  /** The guest's memoryInputs this cycle, carried to the next so steady figures share one object. */
  memoryInputs?: MemoryInputs;
}

export interface IoRates {
  networkIn: number;
  networkOut: number;
  diskRead: number;
  diskWrite: number;
}

/** Bytes/s from two counter samples; 0 on the first sample or after a counter reset. */
export function ioRates(cur: IoCounters, prev: IoCounters | undefined): IoRates {
  const zero = { networkIn: 0, networkOut: 0, diskRead: 0, diskWrite: 0 };
  if (!prev) return zero;
  const dt = (cur.at - prev.at) / 1000;
  if (!(dt > 0)) return zero;
  const rate = (a: number, b: number) => (a >= b ? Math.round((a - b) / dt) : 0);
  return {
    networkIn: rate(cur.netin, prev.netin),
    networkOut: rate(cur.netout, prev.netout),
    diskRead: rate(cur.diskread, prev.diskread),
    diskWrite: rate(cur.diskwrite, prev.diskwrite),
  };
}

/**
 * VM memory (running), wire-contract §9 and §10. Total = balloon when 0 < balloon < maxmem,
 * else maxmem. Used always pairs figures measured in the same frame, the guest's: its
 * /proc/meminfo (MemTotal − MemAvailable; without MemAvailable, MemTotal − free − buffers −
 * cached), else the balloon driver's `total_mem − free_mem` (free_mem is relative to the
 * guest's total_mem, not to maxmem), else PVE's own `mem` (which is that same difference).
 * Subtracting a guest figure from maxmem or the balloon size overstates use by the memory the
 * guest kernel reserves (4–5 points on a small VM).
 */
export function vmMemory(res: PveResource, status: PveVmStatus | undefined, explain?: MemoryExplain): Memory {
  const maxmem = num(status?.maxmem ?? res.maxmem);
  if (status?.status !== 'running') {
    if (res.status !== 'running') {
      if (explain) explain.source = 'stopped';
      return memoryOf(maxmem, 0);
    }
    if (explain) {
      explain.source = 'cluster-resources';
      explain.inputs = { maxmem, used: num(res.mem) };
    }
    return memoryOf(maxmem, num(res.mem));
  }
  const balloon = num(status.balloon);
  const total = balloon > 0 && balloon < maxmem ? balloon : maxmem;
  let used: number | undefined;
  let inputs: MemoryInputs | undefined;
  const mi = status.meminfo;
  const guestTotal = optNum(mi?.total);
  if (guestTotal !== undefined && guestTotal > 0) {
    const available = optNum(mi?.available);
    if (available !== undefined && available > 0 && available <= guestTotal) {
      used = guestTotal - available;
      if (explain) {
        explain.source = 'guest-meminfo';
        inputs = { total: guestTotal, available };
      }
    } else if (mi && (mi.free !== undefined || mi.buffers !== undefined || mi.cached !== undefined)) {
      const free = num(mi.free) + num(mi.buffers) + num(mi.cached);
      if (free > 0 && free <= guestTotal) {
        used = guestTotal - free;
        if (explain) {
          explain.source = 'guest-meminfo-free';
          inputs = { total: guestTotal, free: num(mi.free), buffers: num(mi.buffers), cached: num(mi.cached) };
        }
      }
    }
  }
  if (used === undefined) {
    const bi = status.ballooninfo;
    const totalMem = optNum(bi?.total_mem);
    const freeMem = optNum(bi?.free_mem) ?? optNum(status.freemem);
    if (totalMem !== undefined && freeMem !== undefined && totalMem > 0 && freeMem <= totalMem) {
      used = totalMem - freeMem;
      if (explain) {
        explain.source = 'balloon-info';
        inputs = { total: totalMem, free: freeMem };
      }
    }
  }
  if (used === undefined) {
    used = num(status.mem ?? res.mem);
    if (explain) {
      explain.source = status.mem !== undefined ? 'pve-status' : 'cluster-resources';
      inputs = { used };
    }
  }
  if (explain && inputs) {
    inputs.maxmem = maxmem;
    if (balloon > 0) inputs.balloon = balloon;
    explain.inputs = inputs;
  }
  const m = memoryOf(total, used);
  if (balloon > 0) m.balloon = balloon;
  return m;
}

const EXCLUDED_FS_TYPES = new Set([
  'tmpfs',
  'devtmpfs',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'overlay',
  'overlayfs',
  // Read-only image filesystems (Home Assistant OS mounts / as erofs, always 100% full).
  'squashfs',
  'erofs',
  'nfs',
  'nfs4',
  'cifs',
  'smbfs',
  'smb3',
  'autofs',
  'devpts',
  'securityfs',
  'pstore',
  'bpf',
  'tracefs',
  'debugfs',
  'mqueue',
  'hugetlbfs',
  'configfs',
  'binfmt_misc',
  'ramfs',
  'efivarfs',
  'fusectl',
  'iso9660',
  'udf',
  'rpc_pipefs',
  'nsfs',
  'glusterfs',
  'ceph',
  '9p',
  'virtiofs',
]);
const EXCLUDED_MOUNT_PREFIXES = ['/dev', '/proc', '/sys', '/run', '/var/lib/docker', '/snap', '/boot/efi'];

function isRealFilesystem(fs: { name?: string; mountpoint?: string; type?: string }): boolean {
  const type = (fs.type ?? '').toLowerCase();
  if (EXCLUDED_FS_TYPES.has(type) || type.startsWith('fuse')) return false;
  const mp = fs.mountpoint ?? '';
  if (EXCLUDED_MOUNT_PREFIXES.some((p) => mp === p || mp.startsWith(`${p}/`))) return false;
  if ((fs.name ?? '').includes('System Reserved') || mp.includes('System Reserved')) return false;
  return true;
}

export interface AgentDisks {
  disk: Disk;
  disks: Disk[];
}

/** Sums the guest agent's real filesystems; undefined when none is usable. */
export function agentDisks(fsinfo: PveAgentFsInfo | undefined): AgentDisks | 'special-only' | undefined {
  const list = Array.isArray(fsinfo?.result)
    ? fsinfo.result
    : Array.isArray(fsinfo)
      ? (fsinfo as PveAgentFsInfo['result'])
      : undefined;
  if (!list || list.length === 0) return undefined;
  const disks: Disk[] = [];
  const seen = new Set<string>();
  for (const fs of list ?? []) {
    if (!isRealFilesystem(fs)) continue;
    const total = num(fs['total-bytes']);
    if (!(total > 0)) continue;
    const used = num(fs['used-bytes']);
    const device = fs.disk?.[0]?.dev ?? fs.name ?? '';
    // Bind mounts and btrfs subvolumes show one filesystem several times.
    const key = `${device}|${total}|${used}`;
    if (device && seen.has(key)) continue;
    seen.add(key);
    disks.push({
      total,
      used,
      free: Math.max(0, total - used),
      usage: percent(used, total),
      mountpoint: fs.mountpoint ?? '',
      type: fs.type ?? '',
      device,
    });
  }
  if (disks.length === 0) return 'special-only';
  disks.sort((a, b) => (a.mountpoint ?? '').localeCompare(b.mountpoint ?? ''));
  const total = disks.reduce((s, d) => s + d.total, 0);
  const used = disks.reduce((s, d) => s + d.used, 0);
  return { disk: { total, used, free: Math.max(0, total - used), usage: percent(used, total) }, disks };
}

function isDroppedAddress(a: string): boolean {
  const l = a.toLowerCase();
  return l.startsWith('127.') || l.startsWith('fe80') || l === '::1';
}

type InterfaceItem = NonNullable<PveAgentNetworkInterfaces['result']>[number] & PveLxcInterface;

/**
 * An interface's addresses in either shape: the agent's `ip-addresses`, or the `inet`/`inet6`
 * strings (`10.0.0.5/24`) that are all a container's interfaces carry on PVE ≤ 8.3.
 */
function interfaceAddresses(itf: InterfaceItem): string[] {
  const list = itf['ip-addresses'];
  if (Array.isArray(list) && list.length) return list.map((a) => str(a['ip-address']));
  const out: string[] = [];
  for (const v of [itf.inet, itf.inet6]) {
    if (typeof v !== 'string') continue;
    // One address per field in PVE's code; split anyway in case a list ever arrives joined.
    for (const part of v.split(/[\s,]+/)) {
      const addr = part.split('/')[0];
      if (addr) out.push(addr);
    }
  }
  return out;
}

/** Agent network interfaces: no loopback/link-local addresses, empty interfaces dropped, sorted. */
export function agentInterfaces(net: PveAgentNetworkInterfaces | undefined): {
  interfaces: GuestNetworkInterface[];
  ipAddresses: string[];
} {
  const list = Array.isArray(net?.result)
    ? net.result
    : Array.isArray(net)
      ? (net as PveAgentNetworkInterfaces['result'])
      : [];
  const interfaces: GuestNetworkInterface[] = [];
  const ips = new Set<string>();
  for (const itf of (list ?? []) as InterfaceItem[]) {
    const name = str(itf.name);
    if (!name || name === 'lo') continue;
    const addresses = [...new Set(interfaceAddresses(itf).filter((a) => a && !isDroppedAddress(a)))].sort();
    const mac = itf['hardware-address'] ?? itf.hwaddr;
    const rx = optNum(itf.statistics?.['rx-bytes']);
    const tx = optNum(itf.statistics?.['tx-bytes']);
    if (addresses.length === 0 && !rx && !tx) continue;
    const entry: GuestNetworkInterface = { name };
    if (mac && mac !== '00:00:00:00:00:00') entry.mac = mac;
    if (addresses.length) entry.addresses = addresses;
    if (rx !== undefined) entry.rxBytes = rx;
    if (tx !== undefined) entry.txBytes = tx;
    for (const a of addresses) ips.add(a);
    interfaces.push(entry);
  }
  interfaces.sort((a, b) => a.name.localeCompare(b.name));
  return { interfaces, ipAddresses: [...ips].sort() };
}

/**
 * The agent's answers (filesystems, interfaces, OS) are fetched every few minutes but normalised
 * on every 10-s cycle from the poller's cached copy. The result depends only on that answer, so
 * it is kept per answer object: 10,000 guests then cost a lookup each instead of fresh arrays,
 * sorts and Sets every cycle. The results are shared by successive Guest objects, which is safe
 * because committed state is never mutated.
 */
const disksMemo = new WeakMap<object, ReturnType<typeof agentDisks>>();
const interfacesMemo = new WeakMap<object, ReturnType<typeof agentInterfaces>>();
const osMemo = new WeakMap<object, ReturnType<typeof agentOs>>();

function memo<I, O>(cache: WeakMap<object, O>, input: I | undefined, f: (i: I | undefined) => O): O {
  if (input === null || typeof input !== 'object') return f(input);
  let out = cache.get(input);
  if (out === undefined && !cache.has(input)) {
    out = f(input);
    cache.set(input, out);
  }
  return out as O;
}

/**
 * The fields of an agent's network answer that `agentInterfaces` reads. The poller keeps each
 * guest's answer for 5 minutes; keeping only these (not packet and error counters, address types,
 * prefixes) keeps several megabytes of raw JSON out of the live heap of a 10,000-guest estate.
 */
export function compactAgentNetwork(
  net: PveAgentNetworkInterfaces | PveAgentNetworkInterfaces['result'] | PveLxcInterface[] | undefined,
): PveAgentNetworkInterfaces | undefined {
  const list = (Array.isArray(net) ? net : net?.result) as InterfaceItem[] | undefined;
  if (!Array.isArray(list)) return net as PveAgentNetworkInterfaces | undefined;
  return {
    // Both container shapes become the agent's: `hwaddr` → hardware-address, inet/inet6 → ip-addresses.
    result: list.map((itf) => {
      const out: NonNullable<PveAgentNetworkInterfaces['result']>[number] = { name: itf.name };
      const mac = itf['hardware-address'] ?? itf.hwaddr;
      if (mac !== undefined) out['hardware-address'] = mac;
      const addresses = interfaceAddresses(itf);
      if (addresses.length) out['ip-addresses'] = addresses.map((a) => ({ 'ip-address': a }));
      const st = itf.statistics;
      if (st) out.statistics = { 'rx-bytes': st['rx-bytes'], 'tx-bytes': st['tx-bytes'] };
      return out;
    }),
  };
}

/**
 * The fields of a VM's status/current that the normaliser reads (not block stats, NICs, HA,
 * proxmox-support …). The poller reduces each answer to this on arrival: 7,000 raw answers held
 * until the end of the cycle would otherwise outlive the young generation and be copied into the
 * old one, only to die there a few seconds later.
 */
export function compactVmStatus(raw: PveVmStatus): PveVmStatus {
  const b = raw.ballooninfo;
  // One object literal: every compacted status gets the same shape (fast to build and to read).
  return {
    status: raw.status,
    vmid: raw.vmid,
    name: raw.name,
    cpu: raw.cpu,
    cpus: raw.cpus,
    mem: raw.mem,
    maxmem: raw.maxmem,
    balloon: raw.balloon,
    freemem: raw.freemem,
    disk: raw.disk,
    maxdisk: raw.maxdisk,
    netin: raw.netin,
    netout: raw.netout,
    diskread: raw.diskread,
    diskwrite: raw.diskwrite,
    uptime: raw.uptime,
    agent: raw.agent,
    lock: raw.lock,
    tags: raw.tags,
    template: raw.template,
    // Filled from the guest's /proc/meminfo by the poller; declared here so the shape stays one.
    meminfo: raw.meminfo,
    ballooninfo:
      b && typeof b === 'object'
        ? { actual: b.actual, max_mem: b.max_mem, total_mem: b.total_mem, free_mem: b.free_mem }
        : undefined,
  };
}

/** The fields of a get-fsinfo answer that `agentDisks` reads (see compactVmStatus). */
export function compactAgentFsInfo(fsinfo: PveAgentFsInfo | undefined): PveAgentFsInfo | undefined {
  const list = Array.isArray(fsinfo) ? (fsinfo as PveAgentFsInfo['result']) : fsinfo?.result;
  if (!Array.isArray(list)) return fsinfo;
  return {
    result: list.map((fs) => {
      const out: NonNullable<PveAgentFsInfo['result']>[number] = {
        name: fs.name,
        mountpoint: fs.mountpoint,
        type: fs.type,
        'total-bytes': fs['total-bytes'],
        'used-bytes': fs['used-bytes'],
      };
      const dev = Array.isArray(fs.disk) ? fs.disk[0]?.dev : undefined;
      if (dev !== undefined) out.disk = [{ dev }];
      return out;
    }),
  };
}

/** The fields of an agent's get-osinfo answer that `agentOs` reads (see compactAgentNetwork). */
export function compactAgentOs(os: PveAgentOsInfo | undefined): PveAgentOsInfo | undefined {
  const r = os?.result ?? (os as PveAgentOsInfo['result']);
  if (!r || typeof r !== 'object') return os;
  return {
    result: { name: r.name, 'pretty-name': r['pretty-name'], version: r.version, 'version-id': r['version-id'] },
  };
}

/** /proc/meminfo text (kB values) → bytes; undefined when MemTotal is missing. */
export function parseMemInfo(
  content: string | undefined,
): { total: number; available?: number; free?: number; buffers?: number; cached?: number } | undefined {
  if (!content) return undefined;
  const total = memInfoField(content, 'MemTotal');
  if (!total) return undefined;
  return {
    total,
    available: memInfoField(content, 'MemAvailable'),
    free: memInfoField(content, 'MemFree'),
    buffers: memInfoField(content, 'Buffers'),
    cached: memInfoField(content, 'Cached'),
  };
}

/**
 * One `Key:   123 kB` line of /proc/meminfo, in bytes. Looks the five keys up directly instead of
 * splitting and matching all ~50 lines: this runs for every agent VM on every cycle.
 */
function memInfoField(content: string, key: string): number | undefined {
  let start: number;
  if (content.startsWith(`${key}:`)) start = 0;
  else {
    const nl = content.indexOf(`\n${key}:`);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = content.indexOf('\n', start);
  const m = /^\w+:\s+(\d+)\s*kB/.exec(content.slice(start, end < 0 ? undefined : end));
  return m ? Number(m[1]) * 1024 : undefined;
}

export function agentOs(os: PveAgentOsInfo | undefined): { osName?: string; osVersion?: string } {
  const r = os?.result ?? (os as PveAgentOsInfo['result']);
  if (!r || typeof r !== 'object') return {};
  const osName = str(r['pretty-name'] ?? r.name) || undefined;
  const osVersion = str(r.version ?? r['version-id']) || undefined;
  return { osName, osVersion };
}

/** Why a VM's disk figure is unknown (contract: diskStatusReason). */
export type DiskStatusReason =
  | 'vm-stopped'
  | 'agent-disabled'
  | 'agent-not-running'
  | 'agent-timeout'
  | 'permission-denied'
  | 'special-filesystems-only'
  | 'no-filesystems'
  | 'agent-error'
  /** status/current itself failed (the VM's agent setting is then unknown). */
  | 'status-unavailable'
  | 'status-timeout';

export interface AgentData {
  fsinfo?: PveAgentFsInfo;
  /** Set when get-fsinfo failed. */
  fsError?: DiskStatusReason;
  network?: PveAgentNetworkInterfaces;
  osinfo?: PveAgentOsInfo;
}

export interface GuestInput {
  instance: string;
  resource: PveResource;
  /** status/current of a running VM. */
  vmStatus?: PveVmStatus;
  /** Set when status/current of a running VM failed: why. */
  statusError?: DiskStatusReason;
  agent?: AgentData;
  prevCounters?: IoCounters;
  now: number;
}

export function splitTags(tags: string | undefined): string[] {
  if (!tags) return [];
  return tags
    .split(/[;,\s]+/)
    .map((t) => t.trim())
    .filter(Boolean);
}

export function normaliseGuest(input: GuestInput): { guest: Guest; counters: IoCounters } {
  const { instance, resource: r, vmStatus: s, now } = input;
  const type = r.type === 'lxc' ? 'lxc' : 'qemu';
  const node = str(r.node);
  const vmid = num(r.vmid);
  const status = str(s?.status ?? r.status, 'unknown');
  const running = status === 'running';

  // I/O counters: VM status/current when running, else /cluster/resources.
  const src = type === 'qemu' && s && running ? s : r;
  const counters: IoCounters = {
    netin: num(src.netin),
    netout: num(src.netout),
    diskread: num(src.diskread),
    diskwrite: num(src.diskwrite),
    at: now,
    memoryInputs: undefined,
  };
  const rates = running
    ? ioRates(counters, input.prevCounters)
    : { networkIn: 0, networkOut: 0, diskRead: 0, diskWrite: 0 };

  let memory: Memory;
  let disk: Disk;
  let diskSource: DiskSource;
  const explain: MemoryExplain = {};
  // The optional fields, each set or left undefined (JSON leaves those out): every guest then has
  // the same keys in the same order, one object shape for every reader of the state.
  let disks: Disk[] | undefined;
  let diskStatusReason: DiskStatusReason | undefined;
  let lock: string | undefined;
  let networkInterfaces: GuestNetworkInterface[] | undefined;
  let ipAddresses: string[] | undefined;
  let osName: string | undefined;
  let osVersion: string | undefined;
  if (type === 'qemu') {
    memory = vmMemory(r, s, explain);
    const maxdisk = num(s?.maxdisk ?? r.maxdisk);
    let reason: DiskStatusReason | undefined;
    const agentEnabled = flag(s?.agent);
    if (!running) reason = 'vm-stopped';
    else if (input.statusError) reason = input.statusError;
    else if (!agentEnabled) reason = 'agent-disabled';
    else if (input.agent?.fsError) reason = input.agent.fsError;
    else {
      const d = memo(disksMemo, input.agent?.fsinfo, agentDisks);
      if (d === undefined) reason = input.agent?.fsinfo ? 'no-filesystems' : 'agent-not-running';
      else if (d === 'special-only') reason = 'special-filesystems-only';
      else {
        disk = d.disk;
        disks = d.disks;
      }
    }
    // Fallback: allocated size, usage unknown (−1).
    diskSource = reason ? 'unknown' : 'agent-filesystems';
    disk ??= { total: maxdisk, used: 0, free: 0, usage: -1 };
    if (reason) {
      diskStatusReason = reason;
      lock = (s?.lock ?? r.lock) || undefined;
    }
    if (running && agentEnabled) {
      const net = memo(interfacesMemo, input.agent?.network, agentInterfaces);
      if (net.interfaces.length) networkInterfaces = net.interfaces;
      if (net.ipAddresses.length) ipAddresses = net.ipAddresses;
      const os = memo(osMemo, input.agent?.osinfo, agentOs);
      osName = os.osName || undefined;
      osVersion = os.osVersion || undefined;
    }
  } else {
    const maxmem = num(r.maxmem);
    memory = memoryOf(maxmem, running ? num(r.mem) : 0);
    // A container's memory is its cgroup's usage as the host measures it, without page cache.
    explain.source = running ? 'cluster-resources' : 'stopped';
    if (running) explain.inputs = { maxmem, used: num(r.mem) };
    diskSource = 'cluster-resources';
    const maxdisk = num(r.maxdisk);
    const used = num(r.disk);
    disk = { total: maxdisk, used, free: Math.max(0, maxdisk - used), usage: percent(used, maxdisk) };
    lock = r.lock || undefined;
    // /lxc/{vmid}/interfaces has the agent's shape: addresses of running containers.
    if (running && input.agent?.network) {
      const net = memo(interfacesMemo, input.agent.network, agentInterfaces);
      if (net.interfaces.length) networkInterfaces = net.interfaces;
      if (net.ipAddresses.length) ipAddresses = net.ipAddresses;
    }
  }

  const tags = splitTags(s?.tags ?? r.tags);
  const guest: Guest = {
    id: guestId(instance, node, vmid),
    vmid,
    name: str(s?.name ?? r.name) || `${type === 'qemu' ? 'VM' : 'CT'} ${vmid}`,
    node,
    instance,
    status,
    type,
    // /cluster/resources can report a container's CPU as a tiny negative number.
    cpu: running ? Math.max(0, num(s?.cpu ?? r.cpu)) : 0,
    cpus: num(s?.cpus ?? r.maxcpu),
    memory,
    disk,
    memorySource: explain.source,
    diskSource,
    disks,
    diskStatusReason,
    lock,
    networkInterfaces,
    ipAddresses,
    osName,
    osVersion,
    networkIn: rates.networkIn,
    networkOut: rates.networkOut,
    diskRead: rates.diskRead,
    diskWrite: rates.diskWrite,
    uptime: running ? num(s?.uptime ?? r.uptime) : 0,
    template: false,
    lastSeen: now,
    mem: memory.used,
    maxmem: memory.total,
    tags: tags.length ? tags.join(',') : undefined,
    memoryInputs: undefined,
    // Set by the poller once it knows the instance's backups.
    lastBackup: undefined,
  };
  if (explain.inputs) {
    const prev = input.prevCounters?.memoryInputs;
    // Steady figures reuse last poll's object: 10,000 guests then allocate no inputs per cycle.
    guest.memoryInputs = prev && sameInputs(prev, explain.inputs) ? prev : explain.inputs;
    counters.memoryInputs = guest.memoryInputs;
  }
  return { guest, counters };
}
