/**
 * Typed PVE API calls used by the poller. Raw shapes follow the official schema
 * (../shared/proxmox-api/pve-apidata.js); fields the schema omits but PVE sends (balloon,
 * freemem, meminfo on status/current) are optional.
 */
import type { ProxmoxClient, RequestOptions } from './client.js';

export interface PveVersion {
  version: string;
  release: string;
  repoid?: string;
}

export interface PveResource {
  id: string;
  type: 'node' | 'storage' | 'pool' | 'qemu' | 'lxc' | 'openvz' | 'sdn' | 'network' | string;
  node?: string;
  status?: string;
  name?: string;
  vmid?: number;
  cpu?: number;
  maxcpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  netin?: number;
  netout?: number;
  diskread?: number;
  diskwrite?: number;
  uptime?: number;
  template?: boolean | number;
  tags?: string;
  lock?: string;
  storage?: string;
  plugintype?: string;
  content?: string;
  shared?: boolean | number;
  level?: string;
}

export interface PveClusterStatusEntry {
  type: 'cluster' | 'node';
  id: string;
  name: string;
  ip?: string;
  nodeid?: number;
  online?: boolean | number;
  local?: boolean | number;
  nodes?: number;
  quorate?: boolean | number;
}

export interface PveNodeListEntry {
  node: string;
  status: string;
  cpu?: number;
  maxcpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  uptime?: number;
  ssl_fingerprint?: string;
}

export interface PveNodeStatus {
  cpu?: number;
  cpuinfo?: { cores?: number; cpus?: number; model?: string; sockets?: number; mhz?: string | number };
  'current-kernel'?: { release?: string; version?: string; machine?: string; sysname?: string };
  kversion?: string;
  pveversion?: string;
  loadavg?: Array<string | number>;
  memory?: {
    total?: number;
    used?: number;
    free?: number;
    available?: number;
    avail?: number;
    buffers?: number;
    cached?: number;
  };
  rootfs?: { total?: number; used?: number; free?: number; avail?: number };
  uptime?: number;
  wait?: number;
}

export interface PveStorageConfig {
  storage: string;
  type?: string;
  content?: string;
  shared?: number | boolean;
  disable?: number | boolean;
  nodes?: string;
  pool?: string;
}

export interface PveNodeStorage {
  storage: string;
  type: string;
  content?: string;
  total?: number;
  used?: number;
  avail?: number;
  active?: number | boolean;
  enabled?: number | boolean;
  shared?: number | boolean;
}

export interface PveVmStatus {
  status: string;
  vmid?: number;
  name?: string;
  cpu?: number;
  cpus?: number;
  mem?: number;
  maxmem?: number;
  balloon?: number;
  freemem?: number;
  meminfo?: { total?: number; used?: number; free?: number; available?: number; buffers?: number; cached?: number };
  ballooninfo?: { actual?: number; max_mem?: number; total_mem?: number; free_mem?: number };
  disk?: number;
  maxdisk?: number;
  netin?: number;
  netout?: number;
  diskread?: number;
  diskwrite?: number;
  uptime?: number;
  agent?: number | boolean;
  lock?: string;
  tags?: string;
  template?: number | boolean;
}

export interface PveAgentFsInfo {
  result?: Array<{
    name?: string;
    mountpoint?: string;
    type?: string;
    'total-bytes'?: number;
    'used-bytes'?: number;
    disk?: Array<{ dev?: string; serial?: string }>;
  }>;
}

export interface PveAgentNetworkInterfaces {
  result?: Array<{
    name?: string;
    'hardware-address'?: string;
    'ip-addresses'?: Array<{ 'ip-address'?: string; 'ip-address-type'?: string; prefix?: number }>;
    statistics?: { 'rx-bytes'?: number; 'tx-bytes'?: number };
  }>;
}

export interface PveAgentOsInfo {
  result?: { name?: string; 'pretty-name'?: string; version?: string; 'version-id'?: string; id?: string };
}

export interface PveZfsPoolSummary {
  name: string;
  health: string;
  size?: number;
  alloc?: number;
  free?: number;
  frag?: number;
  dedup?: number;
}

export interface PveZfsChild {
  name: string;
  state?: string;
  read?: number;
  write?: number;
  cksum?: number;
  msg?: string;
  children?: PveZfsChild[];
}

export interface PveZfsPoolDetail {
  name: string;
  state: string;
  status?: string;
  scan?: string;
  errors?: string;
  action?: string;
  children?: PveZfsChild[];
}

export interface PveDisk {
  devpath: string;
  model?: string;
  serial?: string;
  type?: string;
  size?: number;
  health?: string;
  wearout?: number | string;
  rpm?: number | string;
  used?: string;
  vendor?: string;
}

export interface PveTask {
  upid: string;
  node: string;
  type: string;
  id?: string;
  status?: string;
  starttime?: number;
  endtime?: number;
  user?: string;
}

export interface PveStorageContent {
  volid: string;
  content?: string;
  format?: string;
  size?: number;
  ctime?: number;
  vmid?: number;
  notes?: string;
  protected?: number | boolean;
  verification?: { state?: string; upid?: string };
  /** PBS storage: the key fingerprint, or '1', when the backup is encrypted. */
  encrypted?: string;
  subtype?: string;
}

export interface PveSnapshot {
  name: string;
  description?: string;
  parent?: string;
  snaptime?: number;
  vmstate?: number | boolean;
}

export type PveCephStatus = Record<string, unknown>;

/** One entry of `/nodes/{n}/ceph/pool`: `percent_used` is Ceph's fraction 0–1 of the pool's raw capacity. */
export interface PveCephPoolEntry {
  pool?: number;
  pool_name?: string;
  bytes_used?: number;
  percent_used?: number;
  size?: number;
  min_size?: number;
  pg_num?: number;
  type?: string;
}

/**
 * One entry of `/nodes/{n}/lxc/{id}/interfaces`: PVE ≤ 8.3 sends `hwaddr`, `inet` and `inet6`
 * (address/prefix strings); 8.4+ adds the agent-style `hardware-address` and `ip-addresses`.
 */
export interface PveLxcInterface {
  name?: string;
  hwaddr?: string;
  inet?: string;
  inet6?: string;
  'hardware-address'?: string;
  'ip-addresses'?: Array<{ 'ip-address'?: string; 'ip-address-type'?: string; prefix?: number }>;
}

export type PvePermissions = Record<string, Record<string, number | boolean>>;

const enc = encodeURIComponent;

/** The PVE calls the poller and test-connection make. */
export class PveApi {
  constructor(readonly client: ProxmoxClient) {}

  version(o?: RequestOptions) {
    return this.client.get<PveVersion>('/version', o);
  }
  clusterStatus(o?: RequestOptions) {
    return this.client.get<PveClusterStatusEntry[]>('/cluster/status', o);
  }
  resources(o?: RequestOptions) {
    return this.client.get<PveResource[]>('/cluster/resources', o);
  }
  nodes(o?: RequestOptions) {
    return this.client.get<PveNodeListEntry[]>('/nodes', o);
  }
  nodeStatus(node: string, o?: RequestOptions) {
    return this.client.get<PveNodeStatus>(`/nodes/${enc(node)}/status`, o);
  }
  nodeMemoryRrd(node: string, o?: RequestOptions) {
    return this.client.get<Array<Record<string, number>>>(`/nodes/${enc(node)}/rrddata`, {
      ...o,
      // rrddata takes only timeframe and cf (real PVE answers 400 to `ds`): rows carry every source.
      query: { timeframe: 'hour', cf: 'AVERAGE' },
    });
  }
  storageConfig(o?: RequestOptions) {
    return this.client.get<PveStorageConfig[]>('/storage', o);
  }
  nodeStorage(node: string, o?: RequestOptions) {
    return this.client.get<PveNodeStorage[]>(`/nodes/${enc(node)}/storage`, o);
  }
  vmStatus(node: string, vmid: number, o?: RequestOptions) {
    return this.client.get<PveVmStatus>(`/nodes/${enc(node)}/qemu/${vmid}/status/current`, o);
  }
  agentFsInfo(node: string, vmid: number, o?: RequestOptions) {
    return this.client.get<PveAgentFsInfo>(`/nodes/${enc(node)}/qemu/${vmid}/agent/get-fsinfo`, o);
  }
  agentNetwork(node: string, vmid: number, o?: RequestOptions) {
    return this.client.get<PveAgentNetworkInterfaces>(
      `/nodes/${enc(node)}/qemu/${vmid}/agent/network-get-interfaces`,
      o,
    );
  }
  agentOsInfo(node: string, vmid: number, o?: RequestOptions) {
    return this.client.get<PveAgentOsInfo>(`/nodes/${enc(node)}/qemu/${vmid}/agent/get-osinfo`, o);
  }
  /** Network interfaces of a running container (two shapes, see PveLxcInterface). */
  lxcInterfaces(node: string, vmid: number, o?: RequestOptions) {
    return this.client.get<PveLxcInterface[]>(`/nodes/${enc(node)}/lxc/${vmid}/interfaces`, o);
  }
  /** Reads a file through the guest agent (used for /proc/meminfo). */
  agentFileRead(node: string, vmid: number, file: string, o?: RequestOptions) {
    return this.client.get<{ content?: string; truncated?: boolean }>(
      `/nodes/${enc(node)}/qemu/${vmid}/agent/file-read`,
      {
        ...o,
        query: { file },
      },
    );
  }
  zfsPools(node: string, o?: RequestOptions) {
    return this.client.get<PveZfsPoolSummary[]>(`/nodes/${enc(node)}/disks/zfs`, o);
  }
  zfsPool(node: string, pool: string, o?: RequestOptions) {
    return this.client.get<PveZfsPoolDetail>(`/nodes/${enc(node)}/disks/zfs/${enc(pool)}`, o);
  }
  disks(node: string, o?: RequestOptions) {
    return this.client.get<PveDisk[]>(`/nodes/${enc(node)}/disks/list`, o);
  }
  tasks(node: string, o?: RequestOptions) {
    return this.client.get<PveTask[]>(`/nodes/${enc(node)}/tasks`, {
      ...o,
      query: { typefilter: 'vzdump', limit: 200 },
    });
  }
  storageContent(node: string, storage: string, o?: RequestOptions) {
    return this.client.get<PveStorageContent[]>(`/nodes/${enc(node)}/storage/${enc(storage)}/content`, {
      ...o,
      query: { content: 'backup' },
    });
  }
  snapshots(node: string, type: 'qemu' | 'lxc', vmid: number, o?: RequestOptions) {
    return this.client.get<PveSnapshot[]>(`/nodes/${enc(node)}/${type}/${vmid}/snapshot`, o);
  }
  cephStatus(o?: RequestOptions) {
    return this.client.get<PveCephStatus>('/cluster/ceph/status', o);
  }
  cephPools(node: string, o?: RequestOptions) {
    return this.client.get<PveCephPoolEntry[]>(`/nodes/${enc(node)}/ceph/pool`, o);
  }
  permissions(o?: RequestOptions) {
    return this.client.get<PvePermissions>('/access/permissions', o);
  }
}
