/**
 * Builders for PulseState fragments in alert tests: complete, contract-shaped objects with
 * healthy defaults, so a test states only what matters to it.
 */
import type { Guest, Node, PhysicalDisk, PulseState, Storage } from '../../src/model/state.js';
import { emptyState } from '../../src/state/store.js';

const GIB = 1024 ** 3;

export function node(over: Partial<Node> & { name: string }): Node {
  const instance = over.instance ?? 'pve1';
  return {
    id: `${instance}-${over.name}`,
    instance,
    status: 'online',
    type: 'node',
    cpu: 0.1,
    memory: { total: 64 * GIB, used: 16 * GIB, free: 48 * GIB, usage: 25 },
    disk: { total: 100 * GIB, used: 20 * GIB, free: 80 * GIB, usage: 20 },
    uptime: 86_400,
    loadAverage: [0.5, 0.4, 0.3],
    kernelVersion: '6.8.12-1-pve',
    pveVersion: 'pve-manager/8.2.4',
    cpuInfo: { model: 'Xeon', cores: 16, sockets: 1, mhz: '2400' },
    lastSeen: 0,
    connectionHealth: 'healthy',
    ...over,
  };
}

export function guest(over: Partial<Guest> & { vmid: number; node: string }): Guest {
  const instance = over.instance ?? 'pve1';
  return {
    id: instance === over.node ? `${over.node}-${over.vmid}` : `${instance}-${over.node}-${over.vmid}`,
    name: `guest-${over.vmid}`,
    instance,
    status: 'running',
    type: 'qemu',
    cpu: 0.05,
    cpus: 4,
    memory: { total: 8 * GIB, used: 2 * GIB, free: 6 * GIB, usage: 25 },
    disk: { total: 32 * GIB, used: 8 * GIB, free: 24 * GIB, usage: 25 },
    networkIn: 0,
    networkOut: 0,
    diskRead: 0,
    diskWrite: 0,
    uptime: 3600,
    template: false,
    lastSeen: 0,
    ...over,
  };
}

export function storage(over: Partial<Storage> & { name: string; node: string }): Storage {
  const instance = over.instance ?? 'pve1';
  return {
    id: instance === over.node ? `${over.node}-${over.name}` : `${instance}-${over.node}-${over.name}`,
    instance,
    type: 'dir',
    status: 'available',
    total: 1000 * GIB,
    used: 100 * GIB,
    free: 900 * GIB,
    usage: 10,
    content: 'images,rootdir',
    shared: false,
    enabled: true,
    active: true,
    ...over,
  };
}

export function disk(over: Partial<PhysicalDisk> & { node: string; devPath: string }): PhysicalDisk {
  const instance = over.instance ?? 'pve1';
  return {
    id: `${instance}-${over.node}-${over.devPath.replaceAll('/', '-')}`,
    instance,
    model: 'Samsung SSD',
    serial: 'S1',
    type: 'ssd',
    size: 1e12,
    health: 'PASSED',
    wearout: 95,
    temperature: 35,
    rpm: 0,
    used: 'ZFS',
    lastChecked: '2026-01-01T00:00:00Z',
    ...over,
  };
}

export function stateWith(parts: Partial<PulseState>): PulseState {
  return { ...emptyState(), ...parts };
}
