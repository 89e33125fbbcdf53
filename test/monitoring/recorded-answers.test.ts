/**
 * The normalisers on answers real Proxmox hosts gave (test/fixtures/proxmox, provenance in
 * SOURCES.md there). Each expected value is what the Proxmox UI shows for the same answer,
 * worked out by hand in the comment above it; Pulse must show the same figure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normaliseDatastore, normaliseJobs } from '../../src/collect/normalise/pbs.js';
import { normaliseMailStats, normaliseQueue, qshapeSummary } from '../../src/collect/normalise/pmg.js';
import { normaliseCeph } from '../../src/collect/normalise/pve-ceph.js';
import {
  agentDisks,
  compactAgentFsInfo,
  compactAgentNetwork,
  compactVmStatus,
  normaliseGuest,
  vmMemory,
} from '../../src/collect/normalise/pve-guest.js';
import { nodeMemory, normaliseNode, rrdMemAvailable } from '../../src/collect/normalise/pve-node.js';
import type { PveResource } from '../../src/proxmox/pve.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, '../fixtures/proxmox');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')).data;
const NOW = Date.UTC(2026, 11, 5, 3, 0, 0);

function node(status: unknown, maxcpu: number) {
  const resource: PveResource = { id: 'node/pve', type: 'node', node: 'pve', status: 'online', maxcpu };
  return normaliseNode({
    instance: 'lab',
    host: 'https://pve:8006',
    resource,
    status: status as never,
    health: 'healthy',
    now: NOW,
  });
}

describe('PVE node status', () => {
  it('PVE 7.4: memory, root disk, CPU, load, versions', () => {
    const n = node(fixture('pve-node/pve7.4-node-status.json'), 20);
    // UI: Memory usage 16.56% (5.19 GiB of 31.34 GiB) — 5573386240 / 33649070080 = 0.16563.
    expect(n.memory).toMatchObject({ total: 33649070080, used: 5573386240, usage: 16.56 });
    // UI: HD space 3.00% (2.82 GiB of 93.93 GiB) — rootfs 3026546688 / 100861726720; free is `avail`.
    expect(n.disk).toMatchObject({ total: 100861726720, used: 3026546688, free: 92664442880, usage: 3 });
    // UI: CPU usage 80.32% of 20 CPU(s) (2 sockets); load average 16.00,16.06,16.10.
    expect(n.cpu).toBeCloseTo(0.8032, 4);
    expect(n.cpuInfo).toEqual({
      model: 'Intel(R) Xeon(R) CPU E5-2670 v2 @ 2.50GHz',
      cores: 20,
      sockets: 2,
      mhz: '2499.998',
    });
    expect(n.loadAverage).toEqual([16, 16.06, 16.1]);
    expect(n.kernelVersion).toBe('Linux 5.15.102-1-pve #1 SMP PVE 5.15.102-1 (2023-03-14T13:48Z)');
    expect(n.pveVersion).toBe('pve-manager/7.4-3/9002ab8a');
    expect(n.uptime).toBe(42061);
  });

  it('PVE 7.1: a node at 79% memory', () => {
    const n = node(fixture('pve-node/pve7.1-node-status.json'), 32);
    // UI: Memory usage 79.07% (99.45 GiB of 125.78 GiB) — 106784067584 / 135051665408.
    expect(n.memory).toMatchObject({ used: 106784067584, usage: 79.07 });
    // UI: HD space 1.51% — 1453588480 / 96210518016 = 0.015108.
    expect(n.disk?.usage).toBe(1.51);
    // UI: CPU usage 0.34% of 32 CPU(s).
    expect(n.cpu * 100).toBeCloseTo(0.335, 3);
  });

  it('PVE 8 (no `available`): used as PVE reports it', () => {
    // UI: 17.31% — used 5686247424 of 32850432000. total − free would say 23.80%: free excludes cache.
    expect(nodeMemory(fixture('pve-node/pve8-node-status-memory.json'), undefined)).toMatchObject({
      used: 5686247424,
      usage: 17.31,
    });
  });

  it('PVE 9 (`available`): total − available, which equals PVE’s own used', () => {
    // UI: 22.14% — 33438765056 − 26035453952 = 7403311104 (the `used` PVE sends).
    expect(nodeMemory(fixture('pve-node/pve9-node-status-memory.json'), undefined)).toMatchObject({
      used: 7403311104,
      usage: 22.14,
    });
    // UI: 59.71% on a 4 GB node — 4102828032 − 1652948992 = 2449879040.
    expect(nodeMemory(fixture('pve-node/pve9-small-node-status-memory.json'), undefined)).toMatchObject({
      used: 2449879040,
      usage: 59.71,
    });
  });

  it('rrddata without `ds`: memavailable read from the newest row that has it', () => {
    // The PVE 9 recording's last row: memavailable 9764272810.66666 of memtotal 16535748608.
    expect(rrdMemAvailable(fixture('pve-rrd/pve9_node_rrddata.json'))).toBeCloseTo(9764272810.66666, 3);
    // PVE 8 nodes record memused/memtotal only: nothing to take.
    expect(rrdMemAvailable(fixture('pve-rrd/pve8_node_rrddata.json'))).toBeUndefined();
  });
});

describe('ballooned VM status/current', () => {
  const vm = (maxmem: number): PveResource => ({
    id: 'qemu/101',
    type: 'qemu',
    node: 'pve',
    vmid: 101,
    status: 'running',
    maxmem,
  });

  it('2 GiB VM: used = total_mem − free_mem, PVE’s own mem', () => {
    const st = compactVmStatus(fixture('pve-guest/balloon-status-current-2g.json'));
    // UI: Memory usage 63.67% (1.27 GiB of 2.00 GiB) — mem 1367207936 = 2125611008 − 758403072,
    // of maxmem 2147483648 (balloon = maxmem, so the total shown is maxmem).
    // maxmem − free_mem (the old reading) would give 1389080576 = 64.68%.
    expect(vmMemory(vm(2147483648), st)).toMatchObject({ total: 2147483648, used: 1367207936, usage: 63.67 });
  });

  it('8 GiB VM with only freemem: PVE’s mem, not maxmem − freemem', () => {
    const st = compactVmStatus(fixture('pve-guest/balloon-status-current-8g.json'));
    // UI: 15.61% — mem 1340489728 of 8589934592. maxmem − freemem would give 18.66%, 3 points over:
    // freemem is measured against the guest's MemTotal (8327667712 = mem + freemem), not maxmem.
    expect(vmMemory(vm(8589934592), st)).toMatchObject({ used: 1340489728, usage: 15.61 });
  });
});

describe('container interfaces', () => {
  const ct: PveResource = {
    id: 'lxc/200',
    type: 'lxc',
    node: 'pve',
    vmid: 200,
    status: 'running',
    maxmem: 536870912,
    mem: 34304000,
    maxdisk: 8350298112,
    disk: 640397312,
  };
  const guestWith = (list: unknown) =>
    normaliseGuest({ instance: 'lab', resource: ct, agent: { network: compactAgentNetwork(list as never) }, now: NOW })
      .guest;

  it('the hwaddr/inet/inet6 shape (PVE ≤ 8.3) gives the address and MAC', () => {
    // UI (container Network / Summary IPs): eth0 192.168.3.95/22, bc:24:11:89:67:07. Loopback and
    // link-local fe80:: are dropped (wire contract §1.1).
    const g = guestWith(fixture('pve-guest/lxc-interfaces-hwaddr-inet.json'));
    expect(g.ipAddresses).toEqual(['192.168.3.95']);
    expect(g.networkInterfaces).toEqual([{ name: 'eth0', mac: 'bc:24:11:89:67:07', addresses: ['192.168.3.95'] }]);
  });

  it('the agent-style shape (8.4+) gives the same', () => {
    const g = guestWith(fixture('pve-guest/lxc-interfaces-agent-style.json'));
    expect(g.ipAddresses).toEqual(['192.168.3.95']);
    expect(g.networkInterfaces).toEqual([{ name: 'eth0', mac: 'bc:24:11:89:67:07', addresses: ['192.168.3.95'] }]);
  });

  it('a container whose DHCP got no lease (PVE 9.2.2 recording) has no address to show', () => {
    // UI: eth0 shows only fe80::be24:11ff:fe8c:bdca/64 — link-local, which Pulse does not list.
    const g = guestWith(fixture('pve-guest/lxc-interfaces-pve9.2-no-dhcp.json'));
    expect(g.ipAddresses).toBeUndefined();
    expect(g.networkInterfaces).toBeUndefined();
  });

  it('a container CPU reported slightly negative reads as 0', () => {
    const g = normaliseGuest({ instance: 'lab', resource: { ...ct, cpu: -0.0000271 }, now: NOW }).guest;
    expect(g.cpu).toBe(0);
  });
});

describe('agent get-fsinfo', () => {
  it('Home Assistant OS: the erofs root (100% by construction) is not a data disk', () => {
    // The guest reports / as erofs, 229113856 of 229113856 bytes (100%): a read-only image, not
    // usage. With nothing else reported, the VM's disk usage is unknown (−1), never 100%.
    const fs = compactAgentFsInfo(fixture('pve-guest/agent-fsinfo-haos-erofs.json'));
    expect(agentDisks(fs)).toBe('special-only');
    const vm: PveResource = {
      id: 'qemu/100',
      type: 'qemu',
      node: 'pve',
      vmid: 100,
      status: 'running',
      maxdisk: 34359738368,
    };
    const g = normaliseGuest({
      instance: 'lab',
      resource: vm,
      vmStatus: { status: 'running', agent: 1, maxdisk: 34359738368 },
      agent: { fsinfo: fs },
      now: NOW,
    }).guest;
    expect(g.diskStatusReason).toBe('special-filesystems-only');
    expect(g.disk).toMatchObject({ total: 34359738368, usage: -1 });
  });

  it('Ubuntu with snaps: squashfs loops skipped, the ext4 /boot counted', () => {
    // /snap/firefox/6782 (squashfs, 100%) is skipped; /boot: 275972096 of 1916223488 = 14.40%.
    const d = agentDisks(compactAgentFsInfo(fixture('pve-guest/agent-fsinfo-ubuntu-snap.json')));
    expect(d).not.toBe('special-only');
    if (d === 'special-only' || d === undefined) return;
    expect(d.disks).toEqual([
      {
        total: 1916223488,
        used: 275972096,
        free: 1640251392,
        usage: 14.4,
        mountpoint: '/boot',
        type: 'ext4',
        device: '/dev/sda2',
      },
    ]);
  });
});

describe('Ceph status and pool list', () => {
  it('raw totals from pgmap, pools sized from bytes_used / percent_used', () => {
    const c = normaliseCeph({
      instance: 'lab',
      status: fixture('pve-ceph/ceph-octopus-status.json'),
      pools: fixture('pve-ceph/ceph-octopus-pool-list.json'),
      now: NOW,
    });
    // UI (Ceph dashboard, Usage): 73.94% — 16260328382464 of 21990790324224 raw; Pulse keeps one decimal.
    expect(c).toMatchObject({
      totalBytes: 21990790324224,
      usedBytes: 16260328382464,
      availableBytes: 5730461941760,
      usagePercent: 73.9,
    });
    // UI (Pools, "Used (%)"): lava 14 TiB (86.58%). Its size is 14 TiB / 0.8658 = 16.17 TiB, so
    // 2.17 TiB remain (raw) — ceph df's MAX AVAIL 763 GiB × 3 replicas = 2.24 TiB, within the
    // rounding of "14 TiB". device_health_metrics: 26 MiB (0.00%): no size can be derived.
    expect(c.pools).toEqual([
      {
        id: 1,
        name: 'lava',
        storedBytes: 15393162788864,
        availableBytes: 2385958011395,
        objects: 0,
        percentUsed: 0.8658,
      },
      { id: 2, name: 'device_health_metrics', storedBytes: 27262976, availableBytes: 0, objects: 0, percentUsed: 0 },
    ]);
  });
});

describe('PBS datastore usage and GC', () => {
  it('datastore usage with the dedup factor of its last GC', () => {
    const [usage] = fixture('pbs/status-datastore-usage.json');
    // UI (Datastore summary): Usage 84.01% (193.43 GiB of 230.24 GiB); Deduplication Factor
    // 134222368 / 43329242 = 3.10.
    expect(normaliseDatastore('main', usage, [])).toMatchObject({
      total: 247212277760,
      used: 207692513280,
      free: 39519764480,
      usage: 84.01,
      deduplicationFactor: 3.1,
      status: 'available',
    });
    // The verbose per-store status (the fallback) gives the same usage.
    expect(normaliseDatastore('main', fixture('pbs/datastore-main-status-verbose.json'), []).usage).toBe(84.01);
  });

  it('/admin/gc entries are keyed by store (they have no id)', () => {
    // UI (Prune & GC jobs): datastore main, schedule daily, last run OK.
    expect(normaliseJobs('garbage', fixture('pbs/admin-gc.json'))).toEqual([
      {
        id: 'main',
        store: 'main',
        type: 'garbage',
        schedule: 'daily',
        lastRun: 1790078188,
        nextRun: 1790121600,
        lastState: 'OK',
      },
    ]);
  });
});

describe('PMG statistics and qshape', () => {
  it('the day’s mail totals', () => {
    // UI (Statistics → Mail): 40 incoming, 8 spam, 2 virus, 2 bounces, 10 junk; average
    // processing time 0.68 s (Pulse keeps milliseconds: 684.675).
    expect(normaliseMailStats(fixture('pmg/statistics-mail-day.json'), NOW)).toMatchObject({
      countTotal: 40,
      countIn: 40,
      countOut: 0,
      spamIn: 8,
      virusIn: 2,
      bouncesIn: 2,
      junkIn: 10,
      bytesIn: 22109,
      averageProcessTimeMs: 684.675,
    });
  });

  it('a deferred qshape: TOTAL row as strings, oldest bucket 40m', () => {
    // UI (Queues → deferred, qshape): TOTAL 7 — 5 under 5 min, 2 in the 40m column (20–40 min):
    // the oldest age qshape can tell is the bucket's lower bound, 20 min = 1200 s.
    const deferred = qshapeSummary(fixture('pmg/qshape-deferred.json'));
    expect(deferred).toEqual({ count: 7, oldestAge: 1200 });
    const empty = qshapeSummary(fixture('pmg/qshape-empty.json'));
    expect(empty).toEqual({ count: 0, oldestAge: 0 });
    expect(normaliseQueue({ deferred, active: empty, hold: empty, incoming: empty }, NOW)).toMatchObject({
      deferred: 7,
      total: 7,
      oldestAge: 1200,
    });
  });
});
