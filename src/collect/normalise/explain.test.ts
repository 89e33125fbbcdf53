import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PveVmStatus } from '../../proxmox/pve.js';
import { normaliseGuest, parseMemInfo, vmMemory } from './pve-guest.js';
import { type MemoryExplain, nodeMemory, normaliseNode } from './pve-node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, '../../../test/fixtures/proxmox');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')).data;
const GiB = 1024 ** 3;
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

// The head of a Debian 12 guest's /proc/meminfo as agent/file-read returns it (kB values).
const MEMINFO = `MemTotal:        8131412 kB
MemFree:          912344 kB
MemAvailable:    4870204 kB
Buffers:          120888 kB
Cached:          3725132 kB
SwapCached:            0 kB
`;
// An old guest kernel (< 3.14) reports no MemAvailable.
const MEMINFO_OLD = MEMINFO.replace(/MemAvailable:.*\n/, '');

const vmRes = {
  id: 'qemu/100',
  type: 'qemu',
  node: 'pve1',
  vmid: 100,
  name: 'web',
  status: 'running',
  mem: 0,
  maxmem: 8 * GiB,
};

describe('memory sources (explain this number)', () => {
  const balloon8g = fixture('pve-guest/balloon-status-current-8g.json') as PveVmStatus;

  it('guest /proc/meminfo MemAvailable', () => {
    const ex: MemoryExplain = {};
    const m = vmMemory(vmRes, { ...balloon8g, meminfo: parseMemInfo(MEMINFO) }, ex);
    expect(ex.source).toBe('guest-meminfo');
    expect(ex.inputs).toEqual({ total: 8131412 * 1024, available: 4870204 * 1024, maxmem: 8 * GiB, balloon: 8 * GiB });
    expect(m.used).toBe((8131412 - 4870204) * 1024);
  });

  it('guest /proc/meminfo without MemAvailable: free + buffers + cached', () => {
    const ex: MemoryExplain = {};
    const m = vmMemory(vmRes, { ...balloon8g, meminfo: parseMemInfo(MEMINFO_OLD) }, ex);
    expect(ex.source).toBe('guest-meminfo-free');
    expect(ex.inputs).toMatchObject({ total: 8131412 * 1024, free: 912344 * 1024, buffers: 120888 * 1024 });
    expect(m.used).toBe((8131412 - 912344 - 120888 - 3725132) * 1024);
  });

  it('balloon driver statistics', () => {
    const ex: MemoryExplain = {};
    const st = {
      status: 'running',
      maxmem: 8 * GiB,
      balloon: 4 * GiB,
      mem: 3 * GiB,
      ballooninfo: { actual: 4 * GiB, max_mem: 8 * GiB, total_mem: 3.875 * GiB, free_mem: 1 * GiB },
    };
    vmMemory(vmRes, st, ex);
    expect(ex).toEqual({
      source: 'balloon-info',
      inputs: { total: 3.875 * GiB, free: 1 * GiB, maxmem: 8 * GiB, balloon: 4 * GiB },
    });
  });

  it("PVE's own mem when the guest reports nothing, /cluster/resources when status/current is missing", () => {
    const ex: MemoryExplain = {};
    // The real answer has freemem but no ballooninfo.total_mem: it cannot be placed against a total.
    vmMemory(vmRes, balloon8g, ex);
    expect(ex.source).toBe('pve-status');
    expect(ex.inputs?.used).toBe(balloon8g.mem);
    const g = normaliseGuest({ instance: 'pve1', resource: { ...vmRes, mem: 2 * GiB }, now: NOW }).guest;
    expect(g.memorySource).toBe('cluster-resources');
    expect(g.memoryInputs).toEqual({ maxmem: 8 * GiB, used: 2 * GiB });
    const stopped = normaliseGuest({ instance: 'pve1', resource: { ...vmRes, status: 'stopped' }, now: NOW }).guest;
    expect(stopped.memorySource).toBe('stopped');
    expect(stopped.memoryInputs).toBeUndefined();
  });

  it('reuses last poll’s inputs object while the figures stay the same', () => {
    const input = {
      instance: 'pve1',
      resource: vmRes,
      vmStatus: { ...balloon8g, meminfo: parseMemInfo(MEMINFO) },
      now: NOW,
    };
    const a = normaliseGuest(input);
    const b = normaliseGuest({ ...input, prevCounters: a.counters, now: NOW + 10_000 });
    expect(b.guest.memoryInputs).toBe(a.guest.memoryInputs);
    const changed = { ...input.vmStatus, meminfo: { ...input.vmStatus.meminfo!, available: 1 * GiB } };
    const c = normaliseGuest({ ...input, vmStatus: changed, prevCounters: b.counters });
    expect(c.guest.memoryInputs).not.toBe(a.guest.memoryInputs);
    expect(c.guest.memoryInputs?.available).toBe(1 * GiB);
  });

  it('node: status available (PVE 9), RRD memavailable (PVE 8), status used', () => {
    const ex9: MemoryExplain = {};
    const pve9 = fixture('pve-node/pve9-node-status-memory.json');
    nodeMemory(pve9, undefined, ex9);
    expect(ex9).toEqual({ source: 'node-status-available', inputs: { total: 33438765056, available: 26035453952 } });
    const pve8 = fixture('pve-node/pve8-node-status-memory.json');
    const rows = fixture('pve-rrd/pve9_node_rrddata.json') as Array<Record<string, number>>;
    const avail = [...rows].reverse().find((r) => typeof r.memavailable === 'number')!.memavailable;
    const ex8: MemoryExplain = {};
    nodeMemory(pve8, avail, ex8);
    expect(ex8).toEqual({ source: 'rrd-memavailable', inputs: { total: 32850432000, available: avail } });
    const exUsed: MemoryExplain = {};
    nodeMemory(pve8, undefined, exUsed);
    expect(exUsed).toEqual({ source: 'node-status-used', inputs: { total: 32850432000, used: 5686247424 } });
  });

  it('node disk: rootfs, else /cluster/resources; memory falls back to /cluster/resources', () => {
    const resource = {
      id: 'node/pve1',
      type: 'node',
      node: 'pve1',
      status: 'online',
      maxmem: 16 * GiB,
      mem: 4 * GiB,
      maxdisk: 50 * GiB,
      disk: 10 * GiB,
    };
    const n = normaliseNode({ instance: 'pve1', host: 'h', resource, health: 'healthy', now: NOW });
    expect(n.memorySource).toBe('cluster-resources');
    expect(n.memoryInputs).toEqual({ total: 16 * GiB, used: 4 * GiB });
    expect(n.diskSource).toBe('cluster-resources');
    const status = { ...fixture('pve-node/pve9-node-status-memory.json'), rootfs: { total: 100, used: 40, avail: 55 } };
    const m = normaliseNode({ instance: 'pve1', host: 'h', resource, status, health: 'healthy', now: NOW });
    expect(m.diskSource).toBe('node-rootfs');
    expect(m.memorySource).toBe('node-status-available');
  });
});

describe('disk sources', () => {
  const fsinfo = fixture('pve-guest/agent-fsinfo-ubuntu-snap.json');
  const running = { status: 'running', agent: 1, maxmem: 8 * GiB, maxdisk: 32 * GiB };

  it('agent filesystems summed, or unknown with the reason', () => {
    const g = normaliseGuest({
      instance: 'pve1',
      resource: vmRes,
      vmStatus: running,
      agent: { fsinfo },
      now: NOW,
    }).guest;
    expect(g.diskSource).toBe('agent-filesystems');
    expect(g.disk?.usage).toBeGreaterThan(0);
    const noAgent = normaliseGuest({
      instance: 'pve1',
      resource: vmRes,
      vmStatus: { ...running, agent: 0 },
      now: NOW,
    }).guest;
    expect(noAgent.diskSource).toBe('unknown');
    expect(noAgent.diskStatusReason).toBe('agent-disabled');
    const denied = normaliseGuest({
      instance: 'pve1',
      resource: vmRes,
      vmStatus: running,
      agent: { fsError: 'permission-denied' },
      now: NOW,
    }).guest;
    expect(denied.diskSource).toBe('unknown');
    expect(denied.diskStatusReason).toBe('permission-denied');
  });

  it('containers: /cluster/resources', () => {
    const ct = {
      id: 'lxc/200',
      type: 'lxc',
      node: 'pve1',
      vmid: 200,
      status: 'running',
      mem: GiB,
      maxmem: 2 * GiB,
      disk: GiB,
      maxdisk: 8 * GiB,
    };
    const g = normaliseGuest({ instance: 'pve1', resource: ct, now: NOW }).guest;
    expect(g.diskSource).toBe('cluster-resources');
    expect(g.memorySource).toBe('cluster-resources');
  });
});
