/**
 * Wire types of /api/state and /ws, shared by server and web UI (import type only).
 * Field names, units and IDs follow ../shared/spec/wire-contract.md §1. Times marked "ms" are
 * unix milliseconds in the frontend shape (GET /api/state, WS rawData).
 */
import type { DockerHost } from './docker.js';

export interface Memory {
  /** bytes */
  total: number;
  used: number;
  free: number;
  /** percent 0–100 (0 when total is 0) */
  usage: number;
  /** VM balloon target in bytes, when ballooning is active */
  balloon?: number;
  swapUsed?: number;
  swapTotal?: number;
}

export interface Disk {
  total: number;
  used: number;
  free: number;
  /** percent 0–100; −1 for VMs when unknown */
  usage: number;
  mountpoint?: string;
  type?: string;
  device?: string;
}

/**
 * Where a memory figure comes from (Pulse extension, "explain this number"). The strings are
 * shared constants, so 10,000 guests carry a pointer each rather than a string of their own.
 */
export type MemorySource =
  /** used = MemTotal − MemAvailable of the guest's /proc/meminfo, read through the agent */
  | 'guest-meminfo'
  /** used = MemTotal − (MemFree + Buffers + Cached): a guest kernel without MemAvailable */
  | 'guest-meminfo-free'
  /** used = total_mem − free_mem of the balloon driver's statistics (status/current ballooninfo) */
  | 'balloon-info'
  /** used = PVE's own `mem` of status/current (the host's view, includes the guest's page cache) */
  | 'pve-status'
  /** used = `mem` of /cluster/resources (containers, or VMs whose status/current did not answer) */
  | 'cluster-resources'
  /** node: used = total − available of /nodes/{node}/status */
  | 'node-status-available'
  /** node: used = total − (free + buffers + cached) of /nodes/{node}/status */
  | 'node-status-free'
  /** node: used = total − memavailable of the node's RRD (PVE 8 status has no `available`) */
  | 'rrd-memavailable'
  /** node: `used` of /nodes/{node}/status as PVE computed it */
  | 'node-status-used'
  /** the guest is not running: nothing is used */
  | 'stopped'
  /** kept from the last poll that had it */
  | 'previous-poll';

/** The raw figures a memory value was computed from, in bytes (only those that were used). */
export interface MemoryInputs {
  total?: number;
  available?: number;
  free?: number;
  buffers?: number;
  cached?: number;
  used?: number;
  /** the VM's configured maximum and balloon target, which decide the shown total */
  maxmem?: number;
  balloon?: number;
}

/** Where a disk figure comes from; `unknown` pairs with diskStatusReason. */
export type DiskSource =
  /** the guest agent's filesystems (get-fsinfo), real ones summed */
  | 'agent-filesystems'
  /** `disk`/`maxdisk` of /cluster/resources (containers: the host measures their rootfs) */
  | 'cluster-resources'
  /** node: rootfs of /nodes/{node}/status */
  | 'node-rootfs'
  /** node: its local storage, when neither status nor /cluster/resources had a figure */
  | 'local-storage'
  | 'previous-poll'
  /** only the allocated size is known (usage −1); diskStatusReason says why */
  | 'unknown';

export interface CpuInfo {
  model: string;
  cores: number;
  sockets: number;
  /** as PVE reports it: a string */
  mhz: string;
}

export interface Temperature {
  cpuPackage?: number;
  cpuMax?: number;
  cores?: Array<{ core: number; temp: number }>;
  nvme?: Array<{ device: string; temp: number }>;
  available: boolean;
  hasCPU: boolean;
  hasNVMe: boolean;
  /** RFC3339 */
  lastUpdate: string;
}

export interface GuestNetworkInterface {
  name: string;
  mac?: string;
  addresses?: string[];
  rxBytes?: number;
  txBytes?: number;
}

export type HealthLevel = 'healthy' | 'degraded' | 'error';

export interface Node {
  /** `<instance>-<node>` */
  id: string;
  name: string;
  displayName?: string;
  instance: string;
  host?: string;
  status: 'online' | 'offline' | 'unknown';
  type: 'node';
  /** fraction 0–1 */
  cpu: number;
  memory?: Memory;
  disk?: Disk;
  memorySource?: MemorySource;
  memoryInputs?: MemoryInputs;
  diskSource?: DiskSource;
  /** seconds */
  uptime: number;
  loadAverage: number[];
  kernelVersion: string;
  pveVersion: string;
  cpuInfo: CpuInfo;
  temperature?: Temperature;
  /** ms */
  lastSeen: number;
  connectionHealth: HealthLevel;
  /**
   * Seconds since this node's data was last refreshed, present only while it is stale (the
   * instance has not answered for more than two polling intervals). Pulse extension.
   */
  dataAgeSeconds?: number;
  isClusterMember?: boolean;
  clusterName?: string;
  // frontend extras
  node?: string;
  mem?: number;
  maxmem?: number;
  maxdisk?: number;
}

export type GuestType = 'qemu' | 'lxc';

export interface Guest {
  /** `<node>-<vmid>` when instance name == node name, else `<instance>-<node>-<vmid>` */
  id: string;
  vmid: number;
  name: string;
  node: string;
  instance: string;
  status: string;
  type: GuestType;
  /** fraction 0–1 */
  cpu: number;
  cpus: number;
  memory?: Memory;
  disk?: Disk;
  disks?: Disk[];
  diskStatusReason?: string;
  memorySource?: MemorySource;
  memoryInputs?: MemoryInputs;
  diskSource?: DiskSource;
  ipAddresses?: string[];
  osName?: string;
  osVersion?: string;
  networkInterfaces?: GuestNetworkInterface[];
  /** bytes/s */
  networkIn: number;
  networkOut: number;
  diskRead: number;
  diskWrite: number;
  /** seconds */
  uptime: number;
  template: boolean;
  /** ms, when a backup of this guest is known */
  lastBackup?: number;
  /** comma-joined in the frontend shape */
  tags?: string;
  lock?: string;
  /** ms */
  lastSeen: number;
  mem?: number;
  maxmem?: number;
}

export interface ZfsDevice {
  name: string;
  type: string;
  state: string;
  readErrors: number;
  writeErrors: number;
  checksumErrors: number;
  message?: string;
}

export interface ZfsPool {
  name: string;
  state: string;
  status: string;
  scan: string;
  readErrors: number;
  writeErrors: number;
  checksumErrors: number;
  devices: ZfsDevice[];
}

export interface Storage {
  id: string;
  name: string;
  /** frontend duplicate of name */
  storage?: string;
  node: string;
  instance: string;
  nodes?: string[];
  nodeIds?: string[];
  nodeCount?: number;
  type: string;
  status: 'available' | 'inactive' | 'disabled' | string;
  total: number;
  used: number;
  free: number;
  /** frontend duplicate of free */
  avail?: number;
  usage: number;
  content: string;
  shared: boolean;
  enabled: boolean;
  active: boolean;
  zfsPool?: ZfsPool;
}

export interface CephPool {
  id: number;
  name: string;
  storedBytes: number;
  availableBytes: number;
  objects: number;
  percentUsed: number;
}

export interface CephService {
  type: string;
  running: number;
  total: number;
  message?: string;
}

export interface CephCluster {
  id: string;
  instance: string;
  name: string;
  fsid?: string;
  health: string;
  healthMessage?: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  usagePercent: number;
  numMons: number;
  numMgrs: number;
  numOsds: number;
  numOsdsUp: number;
  numOsdsIn: number;
  numPGs: number;
  /** always on the wire (`[]` when none) */
  pools?: CephPool[];
  services?: CephService[];
  /** ms in the store; unix seconds in /api/state (the published example), RFC3339 in the raw shape */
  lastUpdated: number;
}

export interface PhysicalDisk {
  id: string;
  node: string;
  instance: string;
  devPath: string;
  model: string;
  serial: string;
  type: string;
  size: number;
  health: string;
  /** % life left 0–100, −1 unknown */
  wearout: number;
  temperature: number;
  rpm: number;
  used: string;
  /** RFC3339 */
  lastChecked: string;
}

export interface PbsNamespace {
  path: string;
  parent?: string;
  depth: number;
}

export interface PbsDatastore {
  name: string;
  total: number;
  used: number;
  free: number;
  usage: number;
  status: string;
  error?: string;
  namespaces?: PbsNamespace[];
  deduplicationFactor?: number;
}

export interface PbsJob {
  id: string;
  store: string;
  type: 'sync' | 'verify' | 'prune' | 'garbage' | 'backup';
  schedule?: string;
  lastRun?: number;
  nextRun?: number;
  lastState?: string;
  comment?: string;
}

export interface PbsInstance {
  id: string;
  name: string;
  host: string;
  status: 'online' | 'offline';
  version: string;
  cpu: number;
  memory: number;
  memoryUsed: number;
  memoryTotal: number;
  uptime: number;
  datastores: PbsDatastore[];
  backupJobs: PbsJob[];
  syncJobs: PbsJob[];
  verifyJobs: PbsJob[];
  pruneJobs: PbsJob[];
  garbageJobs: PbsJob[];
  connectionHealth: 'healthy' | 'unhealthy' | 'error';
  /** RFC3339 */
  lastSeen: string;
}

export interface PmgQueueStatus {
  active: number;
  deferred: number;
  hold: number;
  incoming: number;
  total: number;
  /** seconds */
  oldestAge: number;
  updatedAt: string;
}

export interface PmgNode {
  name: string;
  status: string;
  role: string;
  uptime?: number;
  loadAvg?: string;
  queueStatus?: PmgQueueStatus;
}

export interface PmgMailStats {
  timeframe: string;
  countTotal: number;
  countIn: number;
  countOut: number;
  spamIn: number;
  spamOut: number;
  virusIn: number;
  virusOut: number;
  bouncesIn: number;
  bouncesOut: number;
  bytesIn: number;
  bytesOut: number;
  greylistCount: number;
  junkIn: number;
  averageProcessTimeMs: number;
  rblRejects: number;
  pregreetRejects: number;
  updatedAt: string;
}

export interface PmgMailCount {
  timestamp: string;
  count: number;
  countIn: number;
  countOut: number;
  spamIn: number;
  spamOut: number;
  virusIn: number;
  virusOut: number;
  rblRejects: number;
  pregreet: number;
  bouncesIn: number;
  bouncesOut: number;
  greylist: number;
  index: number;
  timeframe: 'hour';
  windowStart: string;
  windowEnd: string;
}

export interface PmgInstance {
  id: string;
  name: string;
  host: string;
  status: 'online' | 'offline';
  version: string;
  nodes?: PmgNode[];
  mailStats?: PmgMailStats;
  mailCount?: PmgMailCount[];
  spamDistribution?: Array<{ score: string; count: number }>;
  quarantine?: { spam: number; virus: number; attachment: number; blacklisted: number };
  connectionHealth: 'healthy' | 'unhealthy';
  lastSeen: string;
  lastUpdated: string;
}

export interface BackupTask {
  id: string;
  node: string;
  instance: string;
  type: 'vzdump';
  vmid: number;
  status: string;
  /** unix seconds (0 while unknown) in the store; RFC3339 on the wire (state/raw-shape.ts WireTimes) */
  startTime: number;
  endTime: number;
}

export interface StorageBackup {
  id: string;
  storage: string;
  node: string;
  instance: string;
  type: 'qemu' | 'lxc' | 'host' | 'unknown';
  vmid: number;
  /** unix seconds in the store; RFC3339 on the wire (WireTimes) */
  time: number;
  /** unix seconds, also on the wire */
  ctime: number;
  size: number;
  format: string;
  notes?: string;
  protected: boolean;
  volid: string;
  isPBS: boolean;
  verified: boolean;
  verification?: string;
  /** PBS storage only: when the snapshot was last verified (unix seconds). */
  verifiedAt?: number;
  /** PBS storage only: whether the snapshot is encrypted (PVE's `encrypted` field). */
  encrypted?: boolean;
}

export interface GuestSnapshot {
  id: string;
  name: string;
  node: string;
  instance: string;
  type: GuestType;
  vmid: number;
  /** unix seconds in the store; RFC3339 on the wire (WireTimes) */
  time: number;
  description?: string;
  parent?: string;
  vmstate: boolean;
}

export interface PbsBackup {
  id: string;
  instance: string;
  datastore: string;
  namespace: string;
  backupType: 'vm' | 'ct' | 'host';
  vmid: string;
  /** unix seconds in the store; RFC3339 on the wire (WireTimes) */
  backupTime: number;
  size: number;
  protected: boolean;
  verified: boolean;
  /** When PBS last verified the snapshot (unix seconds, the start of its verify task). */
  verifiedAt?: number;
  /** Whether the snapshot is encrypted (an encryption key fingerprint or an encrypted archive). */
  encrypted?: boolean;
  comment?: string;
  files?: string[];
  owner?: string;
}

/** Where a source's backup listing stands (PVE storage contents, PBS snapshots). */
export interface BackupListing {
  /** unix ms of the last complete listing; absent until one arrived. */
  listedAt?: number;
  /** Why the latest listing failed or is incomplete; absent when it succeeded. */
  error?: string;
}

export interface BackupSource extends BackupListing {
  kind: 'pve' | 'pbs';
  instance: string;
}

export interface PveBackups {
  backupTasks: BackupTask[];
  storageBackups: StorageBackup[];
  guestSnapshots: GuestSnapshot[];
}

export type AlertLevel = 'warning' | 'critical';

export interface Alert {
  id: string;
  type: string;
  level: AlertLevel;
  resourceId: string;
  resourceName: string;
  node: string;
  instance: string;
  message: string;
  value: number;
  threshold: number;
  /** RFC3339 */
  startTime: string;
  acknowledged: boolean;
  ackTime?: string;
  ackUser?: string;
}

export interface ResolvedAlert extends Omit<Alert, 'ackTime' | 'ackUser'> {
  resolvedTime: string;
}

export interface Stats {
  startTime: string;
  uptime: number;
  pollingCycles: number;
  webSocketClients: number;
  version: string;
}

export interface Performance {
  apiCallDuration: Record<string, number> | null;
  lastPollDuration: number;
  pollingStartTime: string;
  totalApiCalls: number;
  failedApiCalls: number;
}

/** GET /api/state and WS `rawData`. */
export interface PulseState {
  nodes: Node[];
  vms: Guest[];
  containers: Guest[];
  dockerHosts: DockerHost[];
  storage: Storage[];
  cephClusters: CephCluster[];
  physicalDisks: PhysicalDisk[];
  pbs: PbsInstance[];
  pmg: PmgInstance[];
  pveBackups: PveBackups;
  pbsBackups: PbsBackup[];
  metrics: Record<string, unknown>;
  performance: Performance | Record<string, never>;
  stats: Stats | Record<string, never>;
  activeAlerts: Alert[];
  recentlyResolved: ResolvedAlert[];
  /** instance key → reachable */
  connectionHealth: Record<string, boolean>;
  /**
   * Each source that lists backups (`pve:<instance>`, `pbs:<instance>`) and whether its listing
   * has come in since start; the coverage audit judges no guest before it has. Not on the wire.
   */
  backupSources?: Record<string, BackupSource>;
  /** ms */
  lastUpdate: number;
}

/** An alert as REST (`/api/alerts/active`, history) and WS `alert` messages carry it. */
export interface FullAlert extends Alert {
  /** RFC3339 */
  lastSeen: string;
  metadata?: Record<string, unknown>;
  lastNotified?: string;
  lastEscalation?: number;
  escalationTimes?: string[];
}

/**
 * What the alert engine hands to notifications: one event per alert that should be sent.
 * `fired` = new notified alert or re-notification, `escalated` = escalation level reached,
 * `resolved` = the condition cleared (notify on resolve).
 */
export interface AlertNotification {
  kind: 'fired' | 'escalated' | 'resolved';
  alert: FullAlert;
  /** For `escalated`: which channels the level asks for. */
  channels?: Array<'email' | 'webhook'>;
  /** For grouped sends: alerts (e.g. guests of an offline node) folded under this root alert. */
  grouped?: FullAlert[];
}
