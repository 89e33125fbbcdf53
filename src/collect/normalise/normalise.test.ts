import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestId, nodeId, storageId } from './ids.js';
import {
  dedupFactor,
  normaliseDatastore,
  normaliseNamespaces,
  normalisePbsInstance,
  normalisePbsSnapshots,
} from './pbs.js';
import { normaliseMailCount, normaliseMailStats, normaliseQueue, normaliseSpamScores, qshapeSummary } from './pmg.js';
import { normaliseSnapshots, normaliseStorageBackups, normaliseTasks } from './pve-backups.js';
import { normaliseCeph } from './pve-ceph.js';
import { normaliseDisks } from './pve-disks.js';
import {
  agentDisks,
  agentInterfaces,
  agentOs,
  compactAgentFsInfo,
  compactAgentNetwork,
  compactAgentOs,
  compactVmStatus,
  ioRates,
  normaliseGuest,
  parseMemInfo,
  vmMemory,
} from './pve-guest.js';
import { nodeMemory, normaliseNode, offlineNode } from './pve-node.js';
import { normaliseStorage, normaliseZfsPool } from './pve-storage.js';
import { num } from './values.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Real Proxmox replies (a copy of ../shared/fixtures, see test/fixtures/proxmox/README.md).
const FIXTURES = path.resolve(here, '../../../test/fixtures/proxmox');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')).data;

const GiB = 1024 ** 3;
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('values', () => {
  it('coerces PMG-style loose numbers', () => {
    expect(num('25')).toBe(25);
    expect(num('')).toBe(0);
    expect(num(null)).toBe(0);
    expect(num('x', 7)).toBe(7);
    expect(num(Number.NaN)).toBe(0);
  });
});

describe('ids (§1.2–1.5)', () => {
  it('drops the instance prefix only when instance == node', () => {
    expect(guestId('pve1', 'pve1', 100)).toBe('pve1-100');
    expect(guestId('cluster', 'pve1', 100)).toBe('cluster-pve1-100');
    expect(storageId('pve1', 'pve1', 'local')).toBe('pve1-local');
    expect(nodeId('cluster', 'pve2')).toBe('cluster-pve2');
  });
});

describe('node', () => {
  it('an offline node keeps its identity but drops live readings, its temperature included', () => {
    const online = normaliseNode({
      instance: 'pve',
      resource: { node: 'pve1', status: 'online', cpu: 0.5 },
      now: 1,
    } as never);
    const prev = {
      ...online,
      temperature: { available: true, hasCPU: true, hasNVMe: false, cpuPackage: 90, lastUpdate: 'x' },
    };
    const off = offlineNode(prev as never);
    expect(off.id).toBe(online.id);
    expect(off.status).toBe('offline');
    expect(off.cpu).toBe(0);
    expect(off.temperature).toBeUndefined();
  });

  const resource = {
    id: 'node/pve1',
    type: 'node',
    node: 'pve1',
    status: 'online',
    cpu: 0.25,
    maxcpu: 8,
    mem: 5 * GiB,
    maxmem: 16 * GiB,
    disk: 10 * GiB,
    maxdisk: 100 * GiB,
    uptime: 3600,
  };
  const status = {
    cpu: 0.25,
    cpuinfo: { cores: 4, cpus: 8, model: 'Intel Xeon', sockets: 1, mhz: '2400.000' },
    kversion: 'Linux 6.8.12-4-pve #1 SMP',
    pveversion: 'pve-manager/8.3.0/abc',
    loadavg: ['0.50', '0.40', '0.30'],
    memory: { total: 16 * GiB, used: 12 * GiB, free: 4 * GiB, available: 10 * GiB },
    rootfs: { total: 50 * GiB, used: 20 * GiB, avail: 28 * GiB, free: 30 * GiB },
  };

  it('uses total − available for memory and rootfs for disk', () => {
    const n = normaliseNode({ instance: 'c', host: 'https://h:8006', resource, status, health: 'healthy', now: NOW });
    expect(n).toMatchObject({
      id: 'c-pve1',
      status: 'online',
      cpu: 0.25,
      loadAverage: [0.5, 0.4, 0.3],
      kernelVersion: 'Linux 6.8.12-4-pve #1 SMP',
      pveVersion: 'pve-manager/8.3.0/abc',
      cpuInfo: { model: 'Intel Xeon', cores: 8, sockets: 1, mhz: '2400.000' },
      lastSeen: NOW,
      isClusterMember: false,
    });
    expect(n.memory).toEqual({ total: 16 * GiB, used: 6 * GiB, free: 10 * GiB, usage: 37.5 });
    expect(n.disk).toEqual({ total: 50 * GiB, used: 20 * GiB, free: 28 * GiB, usage: 40 });
  });

  it('falls back to the RRD memavailable on PVE 8 (no `available` in status)', () => {
    const rows = fixture('pve-rrd/pve8_node_rrddata.json') as Array<Record<string, number>>;
    const pve9 = fixture('pve-rrd/pve9_node_rrddata.json') as Array<Record<string, number>>;
    // PVE 8 RRD has no memavailable: no RRD figure, so `used` is taken as reported.
    expect(rows.some((r) => 'memavailable' in r)).toBe(false);
    const last = [...pve9].reverse().find((r) => typeof r.memavailable === 'number')!;
    const m8 = { total: last.memtotal, used: last.memtotal - 1000, free: 1000 };
    expect(nodeMemory({ memory: m8 }, undefined)?.used).toBe(last.memtotal - 1000);
    const m = nodeMemory({ memory: m8 }, last.memavailable);
    expect(m?.used).toBeCloseTo(last.memtotal - last.memavailable, 0);
  });

  it('free+buffers+cached when `available` is absent', () => {
    expect(nodeMemory({ memory: { total: 100, used: 90, free: 10, buffers: 5, cached: 25 } }, undefined)?.used).toBe(
      60,
    );
  });

  it('keeps the last memory when a poll brings none, and marks offline nodes', () => {
    const first = normaliseNode({ instance: 'c', host: 'h', resource, status, health: 'healthy', now: NOW });
    const off = normaliseNode({
      instance: 'c',
      host: 'h',
      resource: { ...resource, status: 'offline', mem: undefined, maxmem: undefined, cpu: undefined },
      health: 'healthy',
      now: NOW + 10_000,
      prev: first,
    });
    expect(off.status).toBe('offline');
    expect(off.connectionHealth).toBe('error');
    expect(off.memory).toEqual(first.memory);
    expect(off.lastSeen).toBe(NOW);
  });
});

describe('guests', () => {
  const vmRes = {
    id: 'qemu/100',
    type: 'qemu',
    node: 'pve1',
    vmid: 100,
    name: 'web',
    status: 'running',
    cpu: 0.1,
    maxcpu: 4,
    mem: 3 * GiB,
    maxmem: 8 * GiB,
    disk: 0,
    maxdisk: 32 * GiB,
    netin: 1000,
    netout: 2000,
    diskread: 0,
    diskwrite: 0,
    uptime: 99,
    tags: 'prod;web',
  };

  it('VM memory: balloon total, guest available memory first', () => {
    // free_mem is relative to the guest's total_mem (3.875 GiB), not to the 4 GiB balloon.
    const guestTotal = 3.875 * GiB;
    const st = {
      status: 'running',
      maxmem: 8 * GiB,
      mem: guestTotal - 1 * GiB,
      balloon: 4 * GiB,
      freemem: 1 * GiB,
      ballooninfo: { actual: 4 * GiB, max_mem: 8 * GiB, total_mem: guestTotal, free_mem: 1 * GiB },
    };
    expect(vmMemory(vmRes, st)).toMatchObject({ total: 4 * GiB, used: 2.875 * GiB, balloon: 4 * GiB });
    // freemem without total_mem cannot be placed against any total: PVE's own mem is used.
    const noTotal = { status: 'running', maxmem: 8 * GiB, mem: 2.5 * GiB, balloon: 4 * GiB, freemem: 1 * GiB };
    expect(vmMemory(vmRes, noTotal).used).toBe(2.5 * GiB);
    const withMeminfo = { ...st, meminfo: { total: 4 * GiB, available: 3 * GiB } };
    expect(vmMemory(vmRes, withMeminfo).used).toBe(1 * GiB);
    // balloon == maxmem: total stays maxmem; no guest figures → status mem.
    expect(vmMemory(vmRes, { status: 'running', maxmem: 8 * GiB, mem: 5 * GiB, balloon: 8 * GiB }).used).toBe(5 * GiB);
    // stopped: used 0.
    expect(vmMemory({ ...vmRes, status: 'stopped' }, undefined)).toMatchObject({ total: 8 * GiB, used: 0, usage: 0 });
  });

  it('container interfaces: an empty ip-addresses list falls back to inet/inet6', () => {
    // Reported for DHCP containers (NX211/traefik-proxmox-provider#53): the agent-style list is
    // there but empty, the address only in `inet`.
    const net = compactAgentNetwork([
      { name: 'eth0', hwaddr: 'bc:24:11:00:00:01', 'ip-addresses': [], inet: '10.0.0.7/24', inet6: 'fd00::7/64' },
    ]);
    expect(agentInterfaces(net)).toEqual({
      interfaces: [{ name: 'eth0', mac: 'bc:24:11:00:00:01', addresses: ['10.0.0.7', 'fd00::7'] }],
      ipAddresses: ['10.0.0.7', 'fd00::7'],
    });
  });

  it('parses /proc/meminfo from the agent', () => {
    const mi = parseMemInfo(
      'MemTotal:        8000 kB\nMemFree:   1000 kB\nMemAvailable:    6000 kB\nBuffers: 10 kB\nCached: 20 kB\n',
    );
    expect(mi).toEqual({
      total: 8000 * 1024,
      available: 6000 * 1024,
      free: 1000 * 1024,
      buffers: 10 * 1024,
      cached: 20 * 1024,
    });
    expect(parseMemInfo('garbage')).toBeUndefined();
  });

  it('agent disks: real filesystems only, one entry each, summed', () => {
    const fs = {
      result: [
        {
          name: 'sda1',
          mountpoint: '/',
          type: 'ext4',
          'total-bytes': 100,
          'used-bytes': 40,
          disk: [{ dev: '/dev/sda1' }],
        },
        { name: 'sda2', mountpoint: '/boot/efi', type: 'vfat', 'total-bytes': 10, 'used-bytes': 1 },
        { name: 'tmpfs', mountpoint: '/run', type: 'tmpfs', 'total-bytes': 10, 'used-bytes': 1 },
        { name: 'snap', mountpoint: '/snap/core/1', type: 'squashfs', 'total-bytes': 10, 'used-bytes': 10 },
        {
          name: 'sdb1',
          mountpoint: '/data',
          type: 'xfs',
          'total-bytes': 300,
          'used-bytes': 60,
          disk: [{ dev: '/dev/sdb1' }],
        },
        { name: 'System Reserved', mountpoint: 'System Reserved', type: 'NTFS', 'total-bytes': 5, 'used-bytes': 1 },
      ],
    };
    const d = agentDisks(fs);
    expect(d).not.toBe('special-only');
    if (!d || d === 'special-only') throw new Error('expected disks');
    expect(d.disk).toEqual({ total: 400, used: 100, free: 300, usage: 25 });
    expect(d.disks.map((x) => x.mountpoint)).toEqual(['/', '/data']);
    expect(d.disks[0]).toMatchObject({ device: '/dev/sda1', type: 'ext4', usage: 40 });
    expect(agentDisks({ result: [{ mountpoint: '/run', type: 'tmpfs', 'total-bytes': 1, 'used-bytes': 1 }] })).toBe(
      'special-only',
    );
  });

  it('agent interfaces: loopback and link-local dropped, sorted', () => {
    const r = agentInterfaces({
      result: [
        { name: 'lo', 'ip-addresses': [{ 'ip-address': '127.0.0.1' }] },
        {
          name: 'eth1',
          'hardware-address': 'aa:bb:cc:dd:ee:01',
          'ip-addresses': [{ 'ip-address': 'fe80::1' }, { 'ip-address': '10.0.0.9' }],
          statistics: { 'rx-bytes': 5, 'tx-bytes': 6 },
        },
        { name: 'eth0', 'ip-addresses': [{ 'ip-address': '192.168.1.5' }, { 'ip-address': '10.0.0.5' }] },
        { name: 'docker0', 'ip-addresses': [] },
      ],
    });
    expect(r.interfaces.map((i) => i.name)).toEqual(['eth0', 'eth1']);
    expect(r.interfaces[1]).toEqual({
      name: 'eth1',
      mac: 'aa:bb:cc:dd:ee:01',
      addresses: ['10.0.0.9'],
      rxBytes: 5,
      txBytes: 6,
    });
    expect(r.ipAddresses).toEqual(['10.0.0.5', '10.0.0.9', '192.168.1.5']);
  });

  it('a compacted status/current and get-fsinfo normalise exactly like the full answers', () => {
    const status = {
      status: 'running',
      vmid: 101,
      name: 'db-01',
      cpu: 0.31,
      cpus: 4,
      mem: 6 * GiB,
      maxmem: 8 * GiB,
      balloon: 7 * GiB,
      balloon_min: 4 * GiB,
      freemem: 1 * GiB,
      ballooninfo: { actual: 7 * GiB, max_mem: 8 * GiB, total_mem: 7 * GiB, free_mem: GiB, major_page_faults: 5 },
      maxdisk: 32 * GiB,
      netin: 1000,
      netout: 2000,
      diskread: 3000,
      diskwrite: 4000,
      uptime: 500,
      agent: 1,
      lock: 'backup',
      tags: 'db;prod',
      ha: { managed: 0 },
      blockstat: { scsi0: { rd_bytes: 3000, wr_bytes: 4000 } },
      nics: { tap101i0: { netin: 1000, netout: 2000 } },
      'proxmox-support': { 'pbs-dirty-bitmap': true },
    };
    const fsinfo = {
      result: [
        {
          name: 'sda1',
          mountpoint: '/',
          type: 'ext4',
          'total-bytes': 30 * GiB,
          'used-bytes': 12 * GiB,
          disk: [{ dev: '/dev/sda1', serial: 'x', 'bus-type': 'scsi', target: 0 }],
        },
        { name: 'tmpfs', mountpoint: '/run', type: 'tmpfs', 'total-bytes': GiB, 'used-bytes': 1 },
      ],
    };
    const resource = { ...vmRes, vmid: 101, name: 'db-01', status: 'running' };
    const input = (s: unknown, f: unknown) =>
      ({ instance: 'c', resource, vmStatus: s, agent: { fsinfo: f }, now: NOW }) as never;
    const full = normaliseGuest(input(status, fsinfo));
    const compact = normaliseGuest(input(compactVmStatus(status as never), compactAgentFsInfo(fsinfo as never)));
    expect(compact).toEqual(full);
    expect(full.guest.disks?.length).toBe(1);
    expect(Object.keys(compactVmStatus(status as never))).not.toContain('blockstat');
  });

  it('the compact agent answers the poller keeps normalise exactly like the full ones', () => {
    const full = {
      result: [
        { name: 'lo', 'ip-addresses': [{ 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 }] },
        {
          name: 'ens18',
          'hardware-address': 'bc:24:11:00:00:01',
          'ip-addresses': [
            { 'ip-address': '10.0.0.9', 'ip-address-type': 'ipv4', prefix: 24 },
            { 'ip-address': 'fe80::1', 'ip-address-type': 'ipv6', prefix: 64 },
          ],
          statistics: { 'rx-bytes': 5, 'rx-packets': 1, 'rx-errs': 0, 'rx-dropped': 0, 'tx-bytes': 6, 'tx-packets': 2 },
        },
        { name: 'docker0' },
      ],
    };
    const compact = compactAgentNetwork(full);
    expect(agentInterfaces(compact)).toEqual(agentInterfaces(full));
    expect(JSON.stringify(compact)).not.toContain('rx-packets');
    // The container shape (a bare list) gives the same result too.
    expect(agentInterfaces(compactAgentNetwork(full.result))).toEqual(agentInterfaces(full.result as never));
    const os = {
      result: { name: 'Debian GNU/Linux', 'pretty-name': 'Debian 12', version: '12', id: 'debian', machine: 'x86_64' },
    };
    expect(agentOs(compactAgentOs(os))).toEqual(agentOs(os));
    expect(compactAgentNetwork(undefined)).toBeUndefined();
  });

  it('rates are counter deltas per second, 0 on the first sample and after resets', () => {
    const a = { netin: 1000, netout: 0, diskread: 0, diskwrite: 500, at: NOW };
    const b = { netin: 21000, netout: 0, diskread: 0, diskwrite: 100, at: NOW + 10_000 };
    expect(ioRates(a, undefined)).toEqual({ networkIn: 0, networkOut: 0, diskRead: 0, diskWrite: 0 });
    expect(ioRates(b, a)).toEqual({ networkIn: 2000, networkOut: 0, diskRead: 0, diskWrite: 0 });
  });

  it('a running VM without agent: allocated disk, usage −1, reason; tags joined', () => {
    const { guest } = normaliseGuest({
      instance: 'c',
      resource: vmRes,
      vmStatus: {
        status: 'running',
        maxmem: 8 * GiB,
        mem: 3 * GiB,
        maxdisk: 32 * GiB,
        cpus: 4,
        netin: 1000,
        netout: 2000,
      },
      now: NOW,
    });
    expect(guest).toMatchObject({
      id: 'c-pve1-100',
      type: 'qemu',
      status: 'running',
      cpus: 4,
      disk: { total: 32 * GiB, used: 0, free: 0, usage: -1 },
      diskStatusReason: 'agent-disabled',
      tags: 'prod,web',
      template: false,
      lastSeen: NOW,
    });
  });

  it('a VM with a timed-out agent says so', () => {
    const { guest } = normaliseGuest({
      instance: 'c',
      resource: vmRes,
      vmStatus: { status: 'running', agent: 1, maxmem: 8 * GiB, mem: 3 * GiB, maxdisk: 32 * GiB },
      agent: { fsError: 'agent-timeout' },
      now: NOW,
    });
    expect(guest.diskStatusReason).toBe('agent-timeout');
    expect(guest.disk?.usage).toBe(-1);
  });

  it('containers use mem/maxmem and disk/maxdisk', () => {
    const { guest } = normaliseGuest({
      instance: 'pve1',
      resource: {
        id: 'lxc/200',
        type: 'lxc',
        node: 'pve1',
        vmid: 200,
        name: 'ct',
        status: 'running',
        cpu: 0.5,
        maxcpu: 2,
        mem: 256,
        maxmem: 1024,
        disk: 10,
        maxdisk: 40,
        uptime: 5,
        lock: 'backup',
      },
      now: NOW,
    });
    expect(guest).toMatchObject({
      id: 'pve1-200',
      type: 'lxc',
      memory: { total: 1024, used: 256, free: 768, usage: 25 },
      disk: { total: 40, used: 10, free: 30, usage: 25 },
      lock: 'backup',
    });
  });

  it('gives every guest the same keys in the same order; absent fields are undefined, so JSON leaves them out', () => {
    const guests = [
      normaliseGuest({ instance: 'c', resource: { ...vmRes, status: 'stopped', lock: 'backup' }, now: NOW }).guest,
      normaliseGuest({
        instance: 'c',
        resource: vmRes,
        vmStatus: { status: 'running', agent: 1, maxmem: 8 * GiB, mem: 3 * GiB, tags: 'a;b' },
        agent: {
          fsinfo: { result: [{ name: 'sda1', mountpoint: '/', type: 'ext4', 'total-bytes': 100, 'used-bytes': 40 }] },
          network: { result: [{ name: 'eth0', 'ip-addresses': [{ 'ip-address': '10.0.0.5' }] }] },
          osinfo: { result: { 'pretty-name': 'Debian 12', version: '12' } },
        },
        now: NOW,
      }).guest,
      normaliseGuest({ instance: 'c', resource: { ...vmRes, id: 'lxc/200', type: 'lxc', vmid: 200 }, now: NOW }).guest,
    ];
    const keys = Object.keys(guests[0]);
    for (const g of guests) expect(Object.keys(g)).toEqual(keys);
    // The agent VM carries every optional field; the stopped one only its reason and lock, in the
    // order the fields have always had in the document.
    expect(Object.keys(JSON.parse(JSON.stringify(guests[1])))).toEqual(
      keys.filter((k) => !['diskStatusReason', 'lock', 'lastBackup'].includes(k)),
    );
    expect(guests[1]).toMatchObject({ osName: 'Debian 12', ipAddresses: ['10.0.0.5'], tags: 'a,b' });
    expect(JSON.parse(JSON.stringify(guests[0]))).toMatchObject({ diskStatusReason: 'vm-stopped', lock: 'backup' });
    expect(Object.keys(JSON.parse(JSON.stringify(guests[0])))).not.toContain('osName');
  });
});

describe('storage', () => {
  const res = (node: string, storage: string, extra: Record<string, unknown> = {}) => ({
    id: `storage/${node}/${storage}`,
    type: 'storage',
    node,
    storage,
    status: 'available',
    disk: 30,
    maxdisk: 100,
    plugintype: 'dir',
    content: 'iso,backup',
    shared: 0,
    ...extra,
  });

  it('shared storage appears once with its nodes; local storage per node', () => {
    const list = normaliseStorage({
      instance: 'c',
      resources: [
        res('pve2', 'nfs', { plugintype: 'nfs', shared: 1 }),
        res('pve1', 'nfs', { plugintype: 'nfs', shared: 1 }),
        res('pve1', 'local'),
        res('pve2', 'local'),
      ],
      config: [
        { storage: 'nfs', type: 'nfs', content: 'backup,iso' },
        { storage: 'local', type: 'dir', content: 'vztmpl,iso,backup' },
      ],
    });
    const nfs = list.filter((s) => s.name === 'nfs');
    expect(nfs).toHaveLength(1);
    expect(nfs[0]).toMatchObject({
      id: 'c-pve1-nfs',
      node: 'cluster',
      nodes: ['pve1', 'pve2'],
      nodeIds: ['c-pve1', 'c-pve2'],
      nodeCount: 2,
      shared: true,
      content: 'backup,iso',
      usage: 30,
      free: 70,
      avail: 70,
      status: 'available',
    });
    expect(list.filter((s) => s.name === 'local').map((s) => s.id)).toEqual(['c-pve1-local', 'c-pve2-local']);
    expect(list.find((s) => s.id === 'c-pve1-local')?.content).toBe('backup,iso,vztmpl');
  });

  it('disabled storage and unreachable nodes keep their last values', () => {
    const prev = normaliseStorage({ instance: 'n', resources: [res('n', 'local')] });
    const next = normaliseStorage({
      instance: 'n',
      resources: [res('n', 'local', { status: 'unknown', disk: undefined, maxdisk: undefined })],
      config: [{ storage: 'local', type: 'dir', disable: 1 }],
      prev: new Map(prev.map((s) => [s.id, s])),
    });
    expect(next[0]).toMatchObject({ id: 'n-local', total: 100, used: 30, status: 'disabled', enabled: false });
  });

  it('ZFS pool health attached to zfspool storage by pool name', () => {
    const pool = normaliseZfsPool({
      name: 'rpool',
      state: 'DEGRADED',
      status: 'One or more devices could not be used',
      scan: 'scrub repaired 0B',
      errors: 'No known data errors',
      children: [
        {
          name: 'rpool',
          state: 'DEGRADED',
          read: 0,
          write: 0,
          cksum: 0,
          msg: '',
          children: [
            {
              name: 'mirror-0',
              state: 'DEGRADED',
              read: 0,
              write: 0,
              cksum: 0,
              msg: '',
              children: [
                { name: 'sda2', state: 'ONLINE', read: 0, write: 0, cksum: 0, msg: '' },
                { name: 'sdb2', state: 'FAULTED', read: 3, write: 1, cksum: 7, msg: 'too many errors' },
              ],
            },
          ],
        },
      ],
    });
    expect(pool).toMatchObject({ name: 'rpool', state: 'DEGRADED', readErrors: 3, writeErrors: 1, checksumErrors: 7 });
    expect(pool.devices.map((d) => [d.name, d.type, d.state])).toEqual([
      ['mirror-0', 'vdev', 'DEGRADED'],
      ['sda2', 'disk', 'ONLINE'],
      ['sdb2', 'disk', 'FAULTED'],
    ]);
    expect(pool.devices[2].message).toBe('too many errors');
    const list = normaliseStorage({
      instance: 'n',
      resources: [res('n', 'local-zfs', { plugintype: 'zfspool' })],
      config: [{ storage: 'local-zfs', type: 'zfspool', pool: 'rpool/data' }],
      zfs: new Map([['n', new Map([['rpool', pool]])]]),
    });
    expect(list[0].zfsPool?.state).toBe('DEGRADED');
  });
});

describe('ceph', () => {
  it('reads a Squid status (no num_mgrs, no mons array)', () => {
    const c = normaliseCeph({ instance: 'c', status: fixture('pve-ceph/ceph-squid-status.json'), now: NOW });
    expect(c).toMatchObject({
      id: 'c-9d4c2f0a-1626-4f6e-9b7a-squid0000001',
      name: 'Ceph',
      health: 'HEALTH_OK',
      numMons: 3,
      numMgrs: 2,
      numOsds: 6,
      numOsdsUp: 6,
      numOsdsIn: 6,
      numPGs: 129,
      totalBytes: 12002349744128,
      usedBytes: 3000587436032,
      availableBytes: 9001762308096,
      lastUpdated: NOW,
    });
    expect(c.usagePercent).toBe(25);
    expect(c.services).toEqual([
      { type: 'mon', running: 3, total: 3 },
      { type: 'mgr', running: 2, total: 2 },
      { type: 'osd', running: 6, total: 6 },
    ]);
  });
});

describe('physical disks', () => {
  it('ids from the device path, wearout clamped, NVMe temperatures mapped in order', () => {
    const d = normaliseDisks(
      'pve1',
      'n1',
      [
        {
          devpath: '/dev/sda',
          model: 'HDD',
          serial: 's1',
          type: 'hdd',
          size: 1000,
          health: 'PASSED',
          wearout: 'N/A',
          rpm: 7200,
          used: 'ZFS',
        },
        {
          devpath: '/dev/nvme0n1',
          model: 'NVMe',
          serial: 's2',
          type: 'nvme',
          size: 500,
          health: 'PASSED',
          wearout: 97,
        },
      ],
      NOW,
      [41.6],
    );
    expect(d.map((x) => x.id)).toEqual(['pve1-n1--dev-nvme0n1', 'pve1-n1--dev-sda']);
    expect(d[0]).toMatchObject({ wearout: 97, temperature: 42, rpm: 0 });
    expect(d[1]).toMatchObject({
      wearout: -1,
      temperature: 0,
      rpm: 7200,
      used: 'ZFS',
      lastChecked: new Date(NOW).toISOString(),
    });
  });
});

describe('pve backups', () => {
  it('vzdump tasks only, storage backups deduplicated by volid, snapshots without "current"', () => {
    const tasks = normaliseTasks('c', [
      {
        upid: 'UPID:pve1:1:2:3:vzdump:100:root@pam:',
        node: 'pve1',
        type: 'vzdump',
        id: '100',
        status: 'OK',
        starttime: 10,
        endtime: 20,
      },
      {
        upid: 'UPID:pve1:1:2:3:qmstart:100:root@pam:',
        node: 'pve1',
        type: 'qmstart',
        id: '100',
        status: 'OK',
        starttime: 5,
      },
      { upid: 'UPID:pve1:1:2:4:vzdump::root@pam:', node: 'pve1', type: 'vzdump', id: '', starttime: 30 },
    ]);
    expect(tasks).toHaveLength(2);
    expect(tasks[0]).toMatchObject({
      id: 'c-UPID:pve1:1:2:3:vzdump:100:root@pam:',
      vmid: 100,
      status: 'OK',
      endTime: 20,
    });
    expect(tasks[1]).toMatchObject({ vmid: 0, status: '', endTime: 0 });

    const item = {
      volid: 'nfs:backup/vzdump-qemu-100-2025_01_01-00_00_00.vma.zst',
      format: 'vma.zst',
      size: 5,
      ctime: 100,
      vmid: 100,
      content: 'backup',
      notes: 'web',
      verification: { state: 'ok' },
    };
    const b = normaliseStorageBackups('c', [
      {
        node: 'pve1',
        storage: 'nfs',
        storageType: 'nfs',
        content: [item, { volid: 'nfs:vztmpl/debian.tar.zst', content: 'vztmpl' }],
      },
      { node: 'pve2', storage: 'nfs', storageType: 'nfs', content: [item] },
      {
        node: 'pve1',
        storage: 'pbs-main',
        storageType: 'pbs',
        content: [
          { volid: 'pbs-main:backup/ct/200/2025-01-01T00:00:00Z', format: 'pbs-ct', size: 7, ctime: 200, vmid: 200 },
        ],
      },
    ]);
    expect(b).toHaveLength(2);
    expect(b[0]).toMatchObject({ type: 'lxc', isPBS: true, vmid: 200, time: 200 });
    expect(b[1]).toMatchObject({
      type: 'qemu',
      isPBS: false,
      verified: true,
      verification: 'ok',
      notes: 'web',
      protected: false,
    });

    const s = normaliseSnapshots('c', 'pve1', 'qemu', 100, [
      { name: 'before-upgrade', description: 'x', snaptime: 50, vmstate: 1 },
      { name: 'current', description: 'You are here!', parent: 'before-upgrade' },
    ]);
    expect(s).toEqual([
      {
        id: 'c-pve1-100-before-upgrade',
        name: 'before-upgrade',
        node: 'pve1',
        instance: 'c',
        type: 'qemu',
        vmid: 100,
        time: 50,
        description: 'x',
        vmstate: true,
      },
    ]);
  });
});

describe('pbs', () => {
  it('datastore usage, dedup factor and namespaces', () => {
    const st = { total: 1000, used: 250, avail: 750, 'gc-status': { 'disk-bytes': 100, 'index-data-bytes': 450 } };
    expect(dedupFactor(st)).toBe(4.5);
    const ds = normaliseDatastore('main', st, [{ ns: 'prod/web' }, { ns: 'prod' }, { ns: '' }]);
    expect(ds).toMatchObject({
      name: 'main',
      total: 1000,
      used: 250,
      free: 750,
      usage: 25,
      status: 'available',
      deduplicationFactor: 4.5,
    });
    expect(ds.namespaces).toEqual([
      { path: '', depth: 0 },
      { path: 'prod', parent: '', depth: 1 },
      { path: 'prod/web', parent: 'prod', depth: 2 },
    ]);
    expect(normaliseNamespaces(undefined)).toEqual([{ path: '', depth: 0 }]);
  });

  it('instance and backups', () => {
    const inst = normalisePbsInstance({
      name: 'main',
      host: 'https://pbs:8007',
      version: '3.4.1',
      status: { cpu: 0.12, uptime: 50, memory: { total: 200, used: 50 } },
      datastores: [],
      jobs: { sync: [], verify: [], prune: [], garbage: [] },
      now: NOW,
    });
    expect(inst).toMatchObject({
      id: 'pbs-main',
      status: 'online',
      version: '3.4.1',
      cpu: 0.12,
      memory: 25,
      memoryUsed: 50,
      memoryTotal: 200,
      connectionHealth: 'healthy',
    });
    const b = normalisePbsSnapshots('main', 'store', 'prod', [
      {
        'backup-type': 'vm',
        'backup-id': '100',
        'backup-time': 1700000000,
        size: 10,
        protected: false,
        files: ['index.json.blob', { filename: 'drive-scsi0.img.fidx' }],
        verification: { state: 'ok' },
        owner: 'root@pam',
      },
    ]);
    expect(b[0]).toEqual({
      id: 'pbs-main-store-prod-vm-100-1700000000',
      instance: 'main',
      datastore: 'store',
      namespace: 'prod',
      backupType: 'vm',
      vmid: '100',
      backupTime: 1700000000,
      size: 10,
      protected: false,
      verified: true,
      files: ['index.json.blob', 'drive-scsi0.img.fidx'],
      owner: 'root@pam',
    });
  });
});

describe('pmg (mixed types from production hosts)', () => {
  it('mail statistics', () => {
    const s = normaliseMailStats(fixture('pmg/statistics-mail-mixed-types.json'), NOW);
    expect(s).toMatchObject({
      timeframe: 'day',
      countTotal: 37,
      countIn: 25,
      countOut: 12,
      spamIn: 7,
      spamOut: 0,
      virusIn: 0,
      bouncesOut: 1,
      bytesIn: 1024,
      bytesOut: 2048,
      averageProcessTimeMs: 750,
      junkIn: 3,
      rblRejects: 2,
      pregreetRejects: 0,
      greylistCount: 7,
    });
  });

  it('queue, mail counts and spam scores', () => {
    // qshape TOTAL rows with string figures; the oldest deferred mail sits in the 10m bucket (5–10 min).
    const shape = (total: string, bucket: string) => [{ domain: 'TOTAL', total, '5m': '0', [bucket]: '1' }];
    expect(
      normaliseQueue(
        {
          active: qshapeSummary(shape('3', '5m')),
          deferred: qshapeSummary(shape('4', '10m')),
          hold: qshapeSummary([{ domain: 'TOTAL', total: '1', '5m': '1' }]),
          incoming: qshapeSummary(shape('2', '5m')),
        },
        NOW,
      ),
    ).toMatchObject({ active: 3, deferred: 4, hold: 1, incoming: 2, total: 10, oldestAge: 300 });
    const c = normaliseMailCount([{ time: 1700000000, count: '5', count_in: 3, count_out: '2', index: 0 }]);
    expect(c[0]).toMatchObject({
      timestamp: '2023-11-14T22:13:20.000Z',
      count: 5,
      countIn: 3,
      countOut: 2,
      timeframe: 'hour',
      windowEnd: '0001-01-01T00:00:00Z',
    });
    expect(normaliseSpamScores([{ level: '3', count: '4', ratio: 0.1 }])).toEqual([{ score: '3', count: 4 }]);
  });
});
