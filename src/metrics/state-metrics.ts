/**
 * The watched estate as Prometheus metrics: every resource of one state snapshot turned into
 * gauges of a private prom-client Registry (never the global one, so nothing else leaks in).
 *
 * Naming follows Prometheus conventions (base units, `_bytes`, `_seconds`, `_ratio` in 0–1) and
 * prometheus-pve-exporter where the two overlap (`cpu_usage_ratio`, `memory_usage_bytes`,
 * `memory_size_bytes`, `disk_usage_bytes`, `disk_size_bytes`, `uptime_seconds`, labels `id`,
 * `node`, `name`, `type`, `storage`). `id` is Pulse's own resource id, the one /api/state and
 * alerts carry, so a series can be joined with the API.
 */
import { type Metric, Registry } from 'prom-client';
import type { DockerContainer, DockerHost } from '../model/docker.js';
import type { Guest, Node, PbsInstance, PbsJob, PmgInstance, PulseState, Storage } from '../model/state.js';

type LabelValues = Record<string, string | number>;

const NODE_LABELS = ['instance', 'node', 'id', 'name', 'type'] as const;
const GUEST_LABELS = ['instance', 'node', 'id', 'name', 'type', 'vmid'] as const;
const STORAGE_LABELS = ['instance', 'node', 'id', 'name', 'type', 'storage'] as const;
const PBS_LABELS = ['instance', 'id', 'name'] as const;
const DATASTORE_LABELS = ['instance', 'id', 'name', 'datastore'] as const;
const DOCKER_HOST_LABELS = ['instance', 'node', 'id', 'name'] as const;
const DOCKER_CONTAINER_LABELS = ['instance', 'node', 'id', 'name', 'image'] as const;

const NO_LABELS: LabelValues = Object.freeze({}) as LabelValues;

interface Sample {
  value: number;
  /** Labels of this sample only (e.g. `direction`), formatted per sample. */
  labels: LabelValues;
  /**
   * The resource's identity labels: one object per resource shared by all its families, which
   * prom-client's formatter turns into text once (it caches by object) instead of once per sample.
   */
  sharedLabels: LabelValues;
}

/**
 * One gauge family registered in the prom-client Registry, which formats it. Samples are appended
 * straight from the state instead of through Gauge.set, whose per-call label hashing cost as much
 * as the formatting itself on a 10,000-guest estate (docs/BENCHMARKS.md).
 */
class Family {
  readonly type = 'gauge';
  readonly aggregator = 'sum';
  values: Sample[] = [];
  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    /** The labels its samples carry (documentation; each sample brings its own). */
    readonly labelNames: readonly string[],
  ) {
    registry.registerMetric(this as unknown as Metric);
  }
  /** Adds a sample unless the value is not a finite number (unknown values are absent series). */
  set(shared: LabelValues, value: number | undefined | null, labels: LabelValues = NO_LABELS): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return;
    this.values.push({ value, labels, sharedLabels: shared });
  }
  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values };
  }
  reset(): void {
    this.values = [];
  }
}

/**
 * Identity labels per state object: pollers keep unchanged objects from version to version, so
 * the labels (and prom-client's text for them) are built once per object, not once per render.
 */
const labelCache = new WeakMap<object, LabelValues>();
function labelsOf(obj: object, build: () => LabelValues): LabelValues {
  let l = labelCache.get(obj);
  if (!l) {
    l = build();
    labelCache.set(obj, l);
  }
  return l;
}

const bool = (b: boolean): number => (b ? 1 : 0);

/** Ceph health as a number: 0 OK, 1 WARN, 2 ERR (anything else, e.g. unknown: 3). */
function cephHealthCode(health: string): number {
  if (health === 'HEALTH_OK') return 0;
  if (health === 'HEALTH_WARN') return 1;
  if (health === 'HEALTH_ERR') return 2;
  return 3;
}

/**
 * Builds the estate registry once; `render(state)` fills it from a snapshot, serialises it and
 * empties it again (so the label sets of 10,000 guests do not stay in memory between versions).
 */
export class StateMetrics {
  readonly registry = new Registry();
  readonly #f: Record<string, Family> = {};
  readonly #all: Family[] = [];

  constructor() {
    const r = this.registry;
    const def = (key: string, name: string, help: string, labels: readonly string[]) => {
      const f = new Family(r, name, help, labels);
      this.#f[key] = f;
      this.#all.push(f);
    };
    // Nodes
    def('nodeUp', 'pulse_node_up', 'Proxmox VE node is online (1) or not (0).', NODE_LABELS);
    def('nodeCpu', 'pulse_node_cpu_usage_ratio', 'Node CPU utilisation, 0–1.', NODE_LABELS);
    def('nodeCpus', 'pulse_node_cpus', 'Logical CPUs of the node.', NODE_LABELS);
    def('nodeMemUsed', 'pulse_node_memory_usage_bytes', 'Node memory in use, bytes.', NODE_LABELS);
    def('nodeMemSize', 'pulse_node_memory_size_bytes', 'Node memory total, bytes.', NODE_LABELS);
    def('nodeMemRatio', 'pulse_node_memory_usage_ratio', 'Node memory in use, 0–1.', NODE_LABELS);
    def('nodeDiskUsed', 'pulse_node_disk_usage_bytes', 'Node root filesystem in use, bytes.', NODE_LABELS);
    def('nodeDiskSize', 'pulse_node_disk_size_bytes', 'Node root filesystem size, bytes.', NODE_LABELS);
    def('nodeDiskRatio', 'pulse_node_disk_usage_ratio', 'Node root filesystem in use, 0–1.', NODE_LABELS);
    def('nodeUptime', 'pulse_node_uptime_seconds', 'Node uptime, seconds.', NODE_LABELS);
    def('nodeLoad1', 'pulse_node_load1', 'Node load average over 1 minute.', NODE_LABELS);
    def('nodeLoad5', 'pulse_node_load5', 'Node load average over 5 minutes.', NODE_LABELS);
    def('nodeLoad15', 'pulse_node_load15', 'Node load average over 15 minutes.', NODE_LABELS);
    def('nodeTemp', 'pulse_node_cpu_temperature_celsius', 'CPU package temperature, °C.', NODE_LABELS);
    // Guests (VMs and containers)
    def('guestUp', 'pulse_guest_up', 'Guest is running (1) or not (0).', GUEST_LABELS);
    def('guestCpu', 'pulse_guest_cpu_usage_ratio', 'Guest CPU utilisation of its CPUs, 0–1.', GUEST_LABELS);
    def('guestCpus', 'pulse_guest_cpus', 'CPUs assigned to the guest.', GUEST_LABELS);
    def('guestMemUsed', 'pulse_guest_memory_usage_bytes', 'Guest memory in use, bytes.', GUEST_LABELS);
    def('guestMemSize', 'pulse_guest_memory_size_bytes', 'Guest memory total, bytes.', GUEST_LABELS);
    def('guestMemRatio', 'pulse_guest_memory_usage_ratio', 'Guest memory in use, 0–1.', GUEST_LABELS);
    def(
      'guestDiskUsed',
      'pulse_guest_disk_usage_bytes',
      'Guest disk in use, bytes (absent when unknown).',
      GUEST_LABELS,
    );
    def('guestDiskSize', 'pulse_guest_disk_size_bytes', 'Guest disk size, bytes.', GUEST_LABELS);
    def(
      'guestDiskRatio',
      'pulse_guest_disk_usage_ratio',
      'Guest disk in use, 0–1 (absent when unknown).',
      GUEST_LABELS,
    );
    def('guestNetIn', 'pulse_guest_network_receive_bytes_per_second', 'Guest network receive rate.', GUEST_LABELS);
    def('guestNetOut', 'pulse_guest_network_transmit_bytes_per_second', 'Guest network send rate.', GUEST_LABELS);
    def('guestDiskRead', 'pulse_guest_disk_read_bytes_per_second', 'Guest disk read rate.', GUEST_LABELS);
    def('guestDiskWrite', 'pulse_guest_disk_write_bytes_per_second', 'Guest disk write rate.', GUEST_LABELS);
    def('guestUptime', 'pulse_guest_uptime_seconds', 'Guest uptime, seconds.', GUEST_LABELS);
    // Storage and ZFS
    def('storageUp', 'pulse_storage_up', 'Storage is available and active (1) or not (0).', STORAGE_LABELS);
    def('storageSize', 'pulse_storage_size_bytes', 'Storage size, bytes.', STORAGE_LABELS);
    def('storageUsed', 'pulse_storage_usage_bytes', 'Storage in use, bytes.', STORAGE_LABELS);
    def('storageFree', 'pulse_storage_free_bytes', 'Storage free, bytes.', STORAGE_LABELS);
    def('storageRatio', 'pulse_storage_usage_ratio', 'Storage in use, 0–1.', STORAGE_LABELS);
    def(
      'storageShared',
      'pulse_storage_shared',
      'Storage is shared among cluster nodes (1) or not (0).',
      STORAGE_LABELS,
    );
    def('zfsUp', 'pulse_zfs_pool_up', 'ZFS pool state is ONLINE (1) or not (0).', [...STORAGE_LABELS, 'pool']);
    def('zfsErrors', 'pulse_zfs_pool_errors', 'ZFS pool error count by kind.', [...STORAGE_LABELS, 'pool', 'kind']);
    // Ceph
    const cephLabels = ['instance', 'id', 'name'];
    def('cephHealth', 'pulse_ceph_health_status', 'Ceph health: 0 OK, 1 WARN, 2 ERR, 3 unknown.', cephLabels);
    def('cephSize', 'pulse_ceph_size_bytes', 'Ceph raw capacity, bytes.', cephLabels);
    def('cephUsed', 'pulse_ceph_usage_bytes', 'Ceph raw capacity in use, bytes.', cephLabels);
    def('cephAvail', 'pulse_ceph_available_bytes', 'Ceph raw capacity available, bytes.', cephLabels);
    def('cephRatio', 'pulse_ceph_usage_ratio', 'Ceph raw capacity in use, 0–1.', cephLabels);
    def('cephOsds', 'pulse_ceph_osds', 'Ceph OSDs by state (total, up, in).', [...cephLabels, 'state']);
    def('cephMons', 'pulse_ceph_monitors', 'Ceph monitors.', cephLabels);
    def('cephMgrs', 'pulse_ceph_managers', 'Ceph managers.', cephLabels);
    def('cephPgs', 'pulse_ceph_placement_groups', 'Ceph placement groups.', cephLabels);
    def('cephPoolStored', 'pulse_ceph_pool_stored_bytes', 'Ceph pool data stored, bytes.', [...cephLabels, 'pool']);
    def('cephPoolAvail', 'pulse_ceph_pool_available_bytes', 'Ceph pool space available, bytes.', [
      ...cephLabels,
      'pool',
    ]);
    def('cephPoolObjects', 'pulse_ceph_pool_objects', 'Ceph pool objects.', [...cephLabels, 'pool']);
    def('cephPoolRatio', 'pulse_ceph_pool_usage_ratio', 'Ceph pool in use, 0–1.', [...cephLabels, 'pool']);
    // Physical disks
    const diskLabels = ['instance', 'node', 'id', 'name', 'type', 'model'];
    def('diskSize', 'pulse_physical_disk_size_bytes', 'Physical disk size, bytes.', diskLabels);
    def('diskHealthy', 'pulse_physical_disk_healthy', 'SMART health PASSED/OK (1) or not (0).', diskLabels);
    def(
      'diskLife',
      'pulse_physical_disk_life_remaining_ratio',
      'SSD life left, 0–1 (absent when unknown).',
      diskLabels,
    );
    def(
      'diskTemp',
      'pulse_physical_disk_temperature_celsius',
      'Disk temperature, °C (absent when unknown).',
      diskLabels,
    );
    // PBS
    def('pbsUp', 'pulse_pbs_up', 'Proxmox Backup Server reachable (1) or not (0).', PBS_LABELS);
    def('pbsCpu', 'pulse_pbs_cpu_usage_ratio', 'PBS host CPU utilisation, 0–1.', PBS_LABELS);
    def('pbsMemUsed', 'pulse_pbs_memory_usage_bytes', 'PBS host memory in use, bytes.', PBS_LABELS);
    def('pbsMemSize', 'pulse_pbs_memory_size_bytes', 'PBS host memory total, bytes.', PBS_LABELS);
    def('pbsUptime', 'pulse_pbs_uptime_seconds', 'PBS host uptime, seconds.', PBS_LABELS);
    def('dsSize', 'pulse_pbs_datastore_size_bytes', 'PBS datastore size, bytes.', DATASTORE_LABELS);
    def('dsUsed', 'pulse_pbs_datastore_usage_bytes', 'PBS datastore in use, bytes.', DATASTORE_LABELS);
    def('dsFree', 'pulse_pbs_datastore_free_bytes', 'PBS datastore free, bytes.', DATASTORE_LABELS);
    def('dsRatio', 'pulse_pbs_datastore_usage_ratio', 'PBS datastore in use, 0–1.', DATASTORE_LABELS);
    def('dsDedup', 'pulse_pbs_datastore_deduplication_factor', 'PBS datastore deduplication factor.', DATASTORE_LABELS);
    const jobLabels = ['instance', 'id', 'name', 'type', 'datastore'];
    def('jobOk', 'pulse_pbs_job_last_run_success', 'Last run of the PBS job ended OK (1) or not (0).', jobLabels);
    def('jobLast', 'pulse_pbs_job_last_run_timestamp_seconds', 'End of the PBS job’s last run, unix s.', jobLabels);
    def('jobNext', 'pulse_pbs_job_next_run_timestamp_seconds', 'Next scheduled run of the PBS job, unix s.', jobLabels);
    // PMG
    def('pmgUp', 'pulse_pmg_up', 'Proxmox Mail Gateway reachable (1) or not (0).', PBS_LABELS);
    const mailLabels = [...PBS_LABELS, 'direction'];
    def('mail', 'pulse_pmg_mail_messages', 'Mails over the last day by direction.', mailLabels);
    def('mailSpam', 'pulse_pmg_mail_spam_messages', 'Spam mails over the last day by direction.', mailLabels);
    def('mailVirus', 'pulse_pmg_mail_virus_messages', 'Virus mails over the last day by direction.', mailLabels);
    def('mailBounces', 'pulse_pmg_mail_bounce_messages', 'Bounces over the last day by direction.', mailLabels);
    def('mailBytes', 'pulse_pmg_mail_bytes', 'Mail volume over the last day by direction, bytes.', mailLabels);
    def('mailRejects', 'pulse_pmg_mail_rejects', 'Mails rejected over the last day by reason.', [
      ...PBS_LABELS,
      'reason',
    ]);
    def('mailAvg', 'pulse_pmg_mail_average_process_time_seconds', 'Average mail processing time.', PBS_LABELS);
    def('quarantine', 'pulse_pmg_quarantine_messages', 'Mails in quarantine by kind.', [...PBS_LABELS, 'kind']);
    def('queue', 'pulse_pmg_queue_messages', 'Postfix queue length by node and queue.', [
      ...PBS_LABELS,
      'node',
      'queue',
    ]);
    def('queueAge', 'pulse_pmg_queue_oldest_age_seconds', 'Age of the oldest queued mail.', [...PBS_LABELS, 'node']);
    // Docker
    def('dhUp', 'pulse_docker_host_up', 'Docker host reporting (1) or offline (0).', DOCKER_HOST_LABELS);
    def('dhCpus', 'pulse_docker_host_cpus', 'CPUs of the Docker host.', DOCKER_HOST_LABELS);
    def('dhMem', 'pulse_docker_host_memory_size_bytes', 'Memory of the Docker host, bytes.', DOCKER_HOST_LABELS);
    def('dhUptime', 'pulse_docker_host_uptime_seconds', 'Docker host uptime, seconds.', DOCKER_HOST_LABELS);
    const dc = DOCKER_CONTAINER_LABELS;
    def('dcUp', 'pulse_docker_container_up', 'Container is running (1) or not (0).', dc);
    def('dcCpu', 'pulse_docker_container_cpu_usage_ratio', 'Container CPU use as a share of the host, 0–1.', dc);
    def('dcMemUsed', 'pulse_docker_container_memory_usage_bytes', 'Container memory in use, bytes.', dc);
    def('dcMemLimit', 'pulse_docker_container_memory_limit_bytes', 'Container memory limit, bytes.', dc);
    def('dcMemRatio', 'pulse_docker_container_memory_usage_ratio', 'Container memory of its limit, 0–1.', dc);
    def('dcUptime', 'pulse_docker_container_uptime_seconds', 'Container uptime, seconds.', dc);
    def('dcRestarts', 'pulse_docker_container_restarts', 'Restarts Docker counted for the container.', dc);
    def('dcHealthy', 'pulse_docker_container_healthy', 'Health check passes (1) or fails (0); absent without one.', dc);
    // Alerts and connections
    def('alerts', 'pulse_alerts_active', 'Active alerts by level and type.', ['level', 'type']);
    def('conn', 'pulse_connection_healthy', 'Connection to a monitored instance is healthy (1) or not (0).', [
      'instance',
    ]);
  }

  /** Fills the registry from `state`, returns the text exposition and empties the registry. */
  async render(state: Readonly<PulseState>): Promise<string> {
    try {
      for (const n of state.nodes ?? []) this.#node(n);
      for (const g of state.vms ?? []) this.#guest(g);
      for (const g of state.containers ?? []) this.#guest(g);
      for (const s of state.storage ?? []) this.#storage(s);
      this.#ceph(state);
      this.#disks(state);
      for (const p of state.pbs ?? []) this.#pbs(p);
      for (const p of state.pmg ?? []) this.#pmg(p);
      for (const h of state.dockerHosts ?? []) this.#dockerHost(h);
      this.#alerts(state);
      for (const [instance, ok] of Object.entries(state.connectionHealth ?? {})) {
        this.#f.conn.set({ instance }, bool(ok));
      }
      return await this.registry.metrics();
    } finally {
      for (const f of this.#all) f.reset();
    }
  }

  #node(n: Node): void {
    const f = this.#f;
    const l = labelsOf(n, () => ({
      instance: n.instance,
      node: n.name,
      id: n.id,
      name: n.displayName ?? n.name,
      type: 'node',
    }));
    f.nodeUp.set(l, bool(n.status === 'online'));
    f.nodeCpu.set(l, n.cpu);
    f.nodeCpus.set(l, n.cpuInfo?.cores);
    f.nodeUptime.set(l, n.uptime);
    if (n.memory && n.memory.total > 0) {
      f.nodeMemUsed.set(l, n.memory.used);
      f.nodeMemSize.set(l, n.memory.total);
      f.nodeMemRatio.set(l, n.memory.used / n.memory.total);
    }
    if (n.disk && n.disk.total > 0) {
      f.nodeDiskUsed.set(l, n.disk.used);
      f.nodeDiskSize.set(l, n.disk.total);
      f.nodeDiskRatio.set(l, n.disk.used / n.disk.total);
    }
    const load = n.loadAverage ?? [];
    f.nodeLoad1.set(l, load[0]);
    f.nodeLoad5.set(l, load[1]);
    f.nodeLoad15.set(l, load[2]);
    if (n.temperature?.available) f.nodeTemp.set(l, n.temperature.cpuPackage ?? n.temperature.cpuMax);
  }

  #guest(g: Guest): void {
    const f = this.#f;
    const l = labelsOf(g, () => ({
      instance: g.instance,
      node: g.node,
      id: g.id,
      name: g.name,
      type: g.type,
      vmid: g.vmid,
    }));
    f.guestUp.set(l, bool(g.status === 'running'));
    f.guestCpu.set(l, g.cpu);
    f.guestCpus.set(l, g.cpus);
    f.guestUptime.set(l, g.uptime);
    f.guestNetIn.set(l, g.networkIn);
    f.guestNetOut.set(l, g.networkOut);
    f.guestDiskRead.set(l, g.diskRead);
    f.guestDiskWrite.set(l, g.diskWrite);
    if (g.memory && g.memory.total > 0) {
      f.guestMemUsed.set(l, g.memory.used);
      f.guestMemSize.set(l, g.memory.total);
      f.guestMemRatio.set(l, g.memory.used / g.memory.total);
    }
    if (g.disk && g.disk.total > 0) {
      f.guestDiskSize.set(l, g.disk.total);
      // usage −1 means "not known" (no guest agent): a size without a fill level, not a zero.
      if (g.disk.usage >= 0) {
        f.guestDiskUsed.set(l, g.disk.used);
        f.guestDiskRatio.set(l, g.disk.used / g.disk.total);
      }
    }
  }

  #storage(s: Storage): void {
    const f = this.#f;
    const l = labelsOf(s, () => ({
      instance: s.instance,
      node: s.node,
      id: s.id,
      name: s.name,
      type: s.type,
      storage: s.name,
    }));
    f.storageUp.set(l, bool(s.status === 'available' && s.active !== false));
    f.storageShared.set(l, bool(s.shared));
    if (s.total > 0) {
      f.storageSize.set(l, s.total);
      f.storageUsed.set(l, s.used);
      f.storageFree.set(l, s.free);
      f.storageRatio.set(l, s.used / s.total);
    }
    const z = s.zfsPool;
    if (z) {
      const zl = { ...l, pool: z.name };
      f.zfsUp.set(zl, bool(z.state === 'ONLINE'));
      f.zfsErrors.set(zl, z.readErrors, { kind: 'read' });
      f.zfsErrors.set(zl, z.writeErrors, { kind: 'write' });
      f.zfsErrors.set(zl, z.checksumErrors, { kind: 'checksum' });
    }
  }

  #ceph(state: Readonly<PulseState>): void {
    const f = this.#f;
    for (const c of state.cephClusters ?? []) {
      const l = { instance: c.instance, id: c.id, name: c.name };
      f.cephHealth.set(l, cephHealthCode(c.health));
      f.cephSize.set(l, c.totalBytes);
      f.cephUsed.set(l, c.usedBytes);
      f.cephAvail.set(l, c.availableBytes);
      if (c.totalBytes > 0) f.cephRatio.set(l, c.usedBytes / c.totalBytes);
      f.cephOsds.set(l, c.numOsds, { state: 'total' });
      f.cephOsds.set(l, c.numOsdsUp, { state: 'up' });
      f.cephOsds.set(l, c.numOsdsIn, { state: 'in' });
      f.cephMons.set(l, c.numMons);
      f.cephMgrs.set(l, c.numMgrs);
      f.cephPgs.set(l, c.numPGs);
      for (const p of c.pools ?? []) {
        const pl = { ...l, pool: p.name };
        f.cephPoolStored.set(pl, p.storedBytes);
        f.cephPoolAvail.set(pl, p.availableBytes);
        f.cephPoolObjects.set(pl, p.objects);
        const total = p.storedBytes + p.availableBytes;
        if (total > 0) f.cephPoolRatio.set(pl, p.storedBytes / total);
      }
    }
  }

  #disks(state: Readonly<PulseState>): void {
    const f = this.#f;
    for (const d of state.physicalDisks ?? []) {
      const l = labelsOf(d, () => ({
        instance: d.instance,
        node: d.node,
        id: d.id,
        name: d.devPath,
        type: d.type,
        model: d.model,
      }));
      f.diskSize.set(l, d.size);
      f.diskHealthy.set(l, bool(/^(PASSED|OK)$/i.test(d.health)));
      if (d.wearout >= 0) f.diskLife.set(l, d.wearout / 100);
      if (d.temperature > 0) f.diskTemp.set(l, d.temperature);
    }
  }

  #pbs(p: PbsInstance): void {
    const f = this.#f;
    const l = { instance: p.name, id: p.id, name: p.name };
    f.pbsUp.set(l, bool(p.status === 'online'));
    if (p.status === 'online') {
      f.pbsCpu.set(l, p.cpu);
      f.pbsMemUsed.set(l, p.memoryUsed);
      f.pbsMemSize.set(l, p.memoryTotal);
      f.pbsUptime.set(l, p.uptime);
    }
    for (const d of p.datastores ?? []) {
      const dl = { ...l, datastore: d.name };
      f.dsSize.set(dl, d.total);
      f.dsUsed.set(dl, d.used);
      f.dsFree.set(dl, d.free);
      if (d.total > 0) f.dsRatio.set(dl, d.used / d.total);
      f.dsDedup.set(dl, d.deduplicationFactor);
    }
    const jobs: PbsJob[] = [
      ...(p.backupJobs ?? []),
      ...(p.syncJobs ?? []),
      ...(p.verifyJobs ?? []),
      ...(p.pruneJobs ?? []),
      ...(p.garbageJobs ?? []),
    ];
    for (const j of jobs) {
      const jl = { instance: p.name, id: j.id, name: j.comment || j.id, type: j.type, datastore: j.store };
      if (j.lastState !== undefined) f.jobOk.set(jl, bool(/^ok$/i.test(j.lastState)));
      f.jobLast.set(jl, j.lastRun);
      f.jobNext.set(jl, j.nextRun);
    }
  }

  #pmg(p: PmgInstance): void {
    const f = this.#f;
    const l = { instance: p.name, id: p.id, name: p.name };
    f.pmgUp.set(l, bool(p.status === 'online'));
    const m = p.mailStats;
    if (m) {
      f.mail.set(l, m.countIn, { direction: 'in' });
      f.mail.set(l, m.countOut, { direction: 'out' });
      f.mailSpam.set(l, m.spamIn, { direction: 'in' });
      f.mailSpam.set(l, m.spamOut, { direction: 'out' });
      f.mailVirus.set(l, m.virusIn, { direction: 'in' });
      f.mailVirus.set(l, m.virusOut, { direction: 'out' });
      f.mailBounces.set(l, m.bouncesIn, { direction: 'in' });
      f.mailBounces.set(l, m.bouncesOut, { direction: 'out' });
      f.mailBytes.set(l, m.bytesIn, { direction: 'in' });
      f.mailBytes.set(l, m.bytesOut, { direction: 'out' });
      f.mailRejects.set(l, m.rblRejects, { reason: 'rbl' });
      f.mailRejects.set(l, m.pregreetRejects, { reason: 'pregreet' });
      f.mailRejects.set(l, m.greylistCount, { reason: 'greylist' });
      f.mailAvg.set(l, m.averageProcessTimeMs / 1000);
    }
    if (p.quarantine) {
      f.quarantine.set(l, p.quarantine.spam, { kind: 'spam' });
      f.quarantine.set(l, p.quarantine.virus, { kind: 'virus' });
    }
    for (const n of p.nodes ?? []) {
      const q = n.queueStatus;
      if (!q) continue;
      for (const queue of ['active', 'deferred', 'hold', 'incoming'] as const) {
        f.queue.set(l, q[queue], { node: n.name, queue });
      }
      f.queueAge.set(l, q.oldestAge, { node: n.name });
    }
  }

  #dockerHost(h: DockerHost): void {
    const f = this.#f;
    const instance = `docker-${h.id}`;
    const l = { instance, node: h.hostname, id: h.id, name: h.displayName || h.hostname };
    f.dhUp.set(l, bool(h.status === 'online'));
    f.dhCpus.set(l, h.cpus);
    f.dhMem.set(l, h.totalMemoryBytes);
    f.dhUptime.set(l, h.uptimeSeconds);
    for (const c of h.containers ?? []) this.#container(instance, h, c);
  }

  #container(instance: string, h: DockerHost, c: DockerContainer): void {
    const f = this.#f;
    const l = labelsOf(c, () => ({ instance, node: h.hostname, id: c.id, name: c.name, image: c.image }));
    f.dcUp.set(l, bool(c.state === 'running'));
    f.dcCpu.set(l, c.cpuPercent / 100);
    f.dcMemUsed.set(l, c.memoryUsageBytes);
    if (c.memoryLimitBytes > 0) {
      f.dcMemLimit.set(l, c.memoryLimitBytes);
      f.dcMemRatio.set(l, c.memoryUsageBytes / c.memoryLimitBytes);
    }
    f.dcUptime.set(l, c.uptimeSeconds);
    f.dcRestarts.set(l, c.restartCount);
    if (c.health === 'healthy' || c.health === 'unhealthy') f.dcHealthy.set(l, bool(c.health === 'healthy'));
  }

  #alerts(state: Readonly<PulseState>): void {
    const counts = new Map<string, { level: string; type: string; n: number }>();
    for (const a of state.activeAlerts ?? []) {
      const key = `${a.level}\u0000${a.type}`;
      const c = counts.get(key);
      if (c) c.n++;
      else counts.set(key, { level: a.level, type: a.type, n: 1 });
    }
    for (const c of counts.values()) this.#f.alerts.set({ level: c.level, type: c.type }, c.n);
  }
}
