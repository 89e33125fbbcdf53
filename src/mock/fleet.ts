/**
 * The mock-mode fleet (pure): a PVE cluster of generated nodes, VMs, containers and storage in the
 * /api/state shapes, from a config and a seeded random source, and a metrics step that moves CPU,
 * memory and I/O a little (when `randomMetrics` is on). Used for demos and UI development.
 */
import type { Guest, Memory, Node, Storage } from '../model/state.js';

export interface MockConfig {
  nodeCount: number;
  vmsPerNode: number;
  lxcsPerNode: number;
  dockerHostCount: number;
  dockerContainersPerHost: number;
  randomMetrics: boolean;
  /** Node names kept under heavy load (CPU and memory near their limits). */
  highLoadNodes: string[];
  /** Share of guests that are stopped, 0–1. */
  stoppedPercent: number;
}

export const DEFAULT_MOCK_CONFIG: MockConfig = {
  nodeCount: 7,
  vmsPerNode: 5,
  lxcsPerNode: 8,
  dockerHostCount: 0,
  dockerContainersPerHost: 0,
  randomMetrics: true,
  highLoadNodes: [],
  stoppedPercent: 0.2,
};

export class MockConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'MockConfigError';
  }
}

const LIMITS = { nodeCount: [1, 100], vmsPerNode: [0, 200], lxcsPerNode: [0, 200] } as const;

/** Applies a camelCase partial config from the API (PascalCase accepted too) onto `base`. */
export function mergeMockConfig(base: MockConfig, raw: unknown): MockConfig {
  if (raw === undefined || raw === null) return base;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new MockConfigError('config', 'must be an object');
  const b = raw as Record<string, unknown>;
  const pick = (camel: string, pascal: string) => (b[camel] !== undefined ? b[camel] : b[pascal]);
  const out = { ...base };
  for (const [key, [min, max]] of Object.entries(LIMITS) as Array<[keyof typeof LIMITS, readonly [number, number]]>) {
    const pascal = key === 'vmsPerNode' ? 'VMsPerNode' : key === 'lxcsPerNode' ? 'LXCsPerNode' : 'NodeCount';
    const v = pick(key, pascal);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new MockConfigError(key, `must be a whole number from ${min} to ${max}`);
    }
    out[key] = v;
  }
  for (const [key, pascal] of [
    ['dockerHostCount', 'DockerHostCount'],
    ['dockerContainersPerHost', 'DockerContainersPerHost'],
  ] as const) {
    const v = pick(key, pascal);
    if (v === undefined) continue;
    // Docker hosts come from real agents only; the mock fleet does not invent them.
    if (v !== 0) throw new MockConfigError(key, 'is not supported by this mock fleet (only 0)');
  }
  const rm = pick('randomMetrics', 'RandomMetrics');
  if (rm !== undefined) {
    if (typeof rm !== 'boolean') throw new MockConfigError('randomMetrics', 'must be true or false');
    out.randomMetrics = rm;
  }
  const sp = pick('stoppedPercent', 'StoppedPercent');
  if (sp !== undefined) {
    if (typeof sp !== 'number' || !(sp >= 0 && sp <= 1))
      throw new MockConfigError('stoppedPercent', 'must be between 0 and 1');
    out.stoppedPercent = sp;
  }
  const hl = pick('highLoadNodes', 'HighLoadNodes');
  if (hl !== undefined) {
    if (hl === null) out.highLoadNodes = [];
    else if (!Array.isArray(hl) || hl.some((n) => typeof n !== 'string' || n.length > 64) || hl.length > 100) {
      throw new MockConfigError('highLoadNodes', 'must be a list of node names');
    } else out.highLoadNodes = hl as string[];
  }
  return out;
}

/** mulberry32: small, fast, deterministic; plenty for fake metrics. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MockFleet {
  nodes: Node[];
  vms: Guest[];
  containers: Guest[];
  storage: Storage[];
  connectionHealth: Record<string, boolean>;
}

export const MOCK_INSTANCE = 'mock-cluster';
const GiB = 1024 ** 3;

function memory(total: number, usedFraction: number): Memory {
  const used = Math.round(total * usedFraction);
  return { total, used, free: total - used, usage: total ? (used / total) * 100 : 0 };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

const VM_NAMES = ['web', 'db', 'cache', 'mail', 'proxy', 'ci', 'git', 'vpn', 'dns', 'backup', 'media', 'monitor'];
const CT_NAMES = ['nginx', 'redis', 'postgres', 'grafana', 'pihole', 'mqtt', 'home', 'files', 'syncthing', 'adguard'];

export function generateFleet(cfg: MockConfig, now: number, random: () => number): MockFleet {
  const nodes: Node[] = [];
  const vms: Guest[] = [];
  const containers: Guest[] = [];
  const storage: Storage[] = [];
  const health: Record<string, boolean> = { [MOCK_INSTANCE]: true };
  let vmid = 100;
  for (let i = 1; i <= cfg.nodeCount; i++) {
    const name = `pve${i}`;
    const hot = cfg.highLoadNodes.includes(name);
    const cores = [8, 16, 32, 64][Math.floor(random() * 4)];
    const memTotal = [32, 64, 128, 256][Math.floor(random() * 4)] * GiB;
    const diskTotal = 100 * GiB;
    nodes.push({
      id: `${MOCK_INSTANCE}-${name}`,
      name,
      instance: MOCK_INSTANCE,
      host: `https://10.0.0.${10 + i}:8006`,
      status: 'online',
      type: 'node',
      cpu: hot ? 0.85 + random() * 0.13 : 0.05 + random() * 0.45,
      memory: memory(memTotal, hot ? 0.86 + random() * 0.1 : 0.3 + random() * 0.4),
      disk: { ...memory(diskTotal, 0.2 + random() * 0.4) },
      uptime: Math.floor(86400 * (1 + random() * 60)),
      loadAverage: [random() * cores * 0.5, random() * cores * 0.5, random() * cores * 0.5].map(
        (x) => Math.round(x * 100) / 100,
      ),
      kernelVersion: '6.8.12-4-pve',
      pveVersion: 'pve-manager/8.4.1',
      cpuInfo: { model: 'Mock CPU @ 3.0GHz', cores, sockets: 1, mhz: '3000.000' },
      lastSeen: now,
      connectionHealth: 'healthy',
      isClusterMember: true,
      clusterName: MOCK_INSTANCE,
    });
    for (const [kind, count, names, into] of [
      ['qemu', cfg.vmsPerNode, VM_NAMES, vms],
      ['lxc', cfg.lxcsPerNode, CT_NAMES, containers],
    ] as const) {
      for (let g = 0; g < count; g++) {
        const id = vmid++;
        const running = random() >= cfg.stoppedPercent;
        const maxmem = [1, 2, 4, 8][Math.floor(random() * 4)] * GiB;
        const maxdisk = [8, 16, 32, 64][Math.floor(random() * 4)] * GiB;
        const mem = memory(maxmem, running ? 0.2 + random() * 0.6 : 0);
        const guest: Guest = {
          id: `${MOCK_INSTANCE}-${name}-${id}`,
          vmid: id,
          name: `${names[(id + g) % names.length]}-${id}`,
          node: name,
          instance: MOCK_INSTANCE,
          status: running ? 'running' : 'stopped',
          type: kind,
          cpu: running ? random() * (hot ? 0.9 : 0.4) : 0,
          cpus: [1, 2, 4][Math.floor(random() * 3)],
          memory: mem,
          disk: memory(maxdisk, 0.1 + random() * 0.7),
          networkIn: running ? Math.round(random() * 2_000_000) : 0,
          networkOut: running ? Math.round(random() * 2_000_000) : 0,
          diskRead: running ? Math.round(random() * 5_000_000) : 0,
          diskWrite: running ? Math.round(random() * 5_000_000) : 0,
          uptime: running ? Math.floor(random() * 30 * 86400) : 0,
          template: false,
          tags: random() < 0.3 ? 'mock' : undefined,
          lastSeen: now,
          mem: mem.used,
          maxmem,
        };
        if (!guest.tags) delete guest.tags;
        into.push(guest);
      }
    }
    for (const [st, type, content, total] of [
      ['local', 'dir', 'iso,vztmpl,backup', 100 * GiB],
      ['local-lvm', 'lvmthin', 'images,rootdir', 500 * GiB],
    ] as const) {
      const used = Math.round(total * (0.2 + random() * 0.6));
      storage.push({
        id: `${MOCK_INSTANCE}-${name}-${st}`,
        name: st,
        node: name,
        instance: MOCK_INSTANCE,
        type,
        status: 'available',
        total,
        used,
        free: total - used,
        usage: (used / total) * 100,
        content,
        shared: false,
        enabled: true,
        active: true,
      });
    }
  }
  return { nodes, vms, containers, storage, connectionHealth: health };
}

/** One step of random drift for running guests and nodes (returns new objects; input untouched). */
export function driftFleet(fleet: MockFleet, cfg: MockConfig, now: number, random: () => number): MockFleet {
  const step = (x: number, span: number, lo: number, hi: number) => clamp(x + (random() - 0.5) * span, lo, hi);
  const guest = (g: Guest): Guest => {
    if (g.status !== 'running' || !g.memory) return { ...g, lastSeen: now };
    const mem = memory(g.memory.total, step(g.memory.usage / 100, 0.05, 0.05, 0.98));
    return {
      ...g,
      cpu: step(g.cpu, 0.1, 0, 1),
      memory: mem,
      mem: mem.used,
      networkIn: Math.round(step(g.networkIn, 400_000, 0, 10_000_000)),
      networkOut: Math.round(step(g.networkOut, 400_000, 0, 10_000_000)),
      diskRead: Math.round(step(g.diskRead, 1_000_000, 0, 50_000_000)),
      diskWrite: Math.round(step(g.diskWrite, 1_000_000, 0, 50_000_000)),
      uptime: g.uptime + 1,
      lastSeen: now,
    };
  };
  return {
    ...fleet,
    nodes: fleet.nodes.map((n) => {
      const hot = cfg.highLoadNodes.includes(n.name);
      const lo = hot ? 0.85 : 0.02;
      return {
        ...n,
        cpu: step(n.cpu, 0.08, lo, hot ? 0.99 : 0.8),
        memory: n.memory ? memory(n.memory.total, step(n.memory.usage / 100, 0.03, hot ? 0.85 : 0.1, 0.97)) : n.memory,
        lastSeen: now,
      };
    }),
    vms: fleet.vms.map(guest),
    containers: fleet.containers.map(guest),
  };
}
