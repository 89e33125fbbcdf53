/**
 * Metric values as pure functions of (entity, simulated time). CPU and memory wander smoothly,
 * counters grow at a per-entity rate while running, uptime grows. Control-API overrides win.
 */
import { unit, wander } from '../random.js';
import { type CounterName, type Guest, MiB, type PveNode, type Storage } from './model.js';

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function guestUptime(g: Guest, now: number): number {
  if (g.status !== 'running') return 0;
  if (g.overrides.uptime !== undefined) return g.overrides.uptime;
  return Math.max(0, Math.floor((now - g.startedAt) / 1000));
}

export function guestCpu(g: Guest, now: number): number {
  if (g.status !== 'running') return 0;
  if (g.overrides.cpu !== undefined) return g.overrides.cpu;
  const base = 0.01 + unit(g.seed, 'cpu') ** 2 * 0.6;
  return clamp01(base * (0.4 + 1.2 * wander(g.seed, now / 1000, 45)));
}

export function guestMem(g: Guest, now: number): number {
  if (g.status !== 'running') return 0;
  if (g.overrides.mem !== undefined) return g.overrides.mem;
  const base = 0.25 + unit(g.seed, 'mem') * 0.6;
  return Math.floor(g.maxmem * clamp01(base * (0.92 + 0.16 * wander(g.seed ^ 0x55, now / 1000, 300))));
}

/** Used root disk; PVE reports 0 for VMs (it cannot see inside them without the agent). */
export function guestDisk(g: Guest, now: number): number {
  if (g.overrides.disk !== undefined) return g.overrides.disk;
  if (g.type === 'qemu') return 0;
  const base = 0.1 + unit(g.seed, 'disk') * 0.7;
  return Math.floor(g.maxdisk * clamp01(base + (now - g.startedAt) / 86400_000 / 3000));
}

const COUNTER_RATE: Record<CounterName, number> = {
  netin: 400_000,
  netout: 250_000,
  diskread: 900_000,
  diskwrite: 600_000,
};

/** Bytes since the guest started, growing at a per-guest rate; held while overridden. */
export function guestCounter(g: Guest, name: CounterName, now: number): number {
  if (g.status !== 'running') return 0;
  const held = g.overrides[name];
  if (held !== undefined) return held;
  return naturalCounter(g, name, now) + (g.counterOffsets[name] ?? 0);
}

export function naturalCounter(g: Guest, name: CounterName, now: number): number {
  const rate = COUNTER_RATE[name] * (0.05 + unit(g.seed, name) * 1.9);
  return Math.floor(rate * Math.max(0, (now - g.startedAt) / 1000));
}

/** Balloon target: the guest's minimum when ballooning, else maxmem. */
export function guestBalloonMin(g: Guest): number {
  return g.balloon ? Math.floor(g.maxmem / 2 / MiB) * MiB : g.maxmem;
}

export function nodeUptime(n: PveNode, now: number): number {
  if (n.overrides.uptime !== undefined) return n.overrides.uptime;
  return Math.floor((now - n.bootedAt) / 1000);
}

export function nodeCpu(n: PveNode, now: number): number {
  if (n.overrides.cpu !== undefined) return n.overrides.cpu;
  const base = 0.05 + unit(n.seed, 'cpu') * 0.4;
  return clamp01(base * (0.6 + 0.8 * wander(n.seed, now / 1000, 60)));
}

export function nodeMem(n: PveNode, now: number): number {
  if (n.overrides.mem !== undefined) return n.overrides.mem;
  const base = 0.3 + unit(n.seed, 'mem') * 0.45;
  return Math.floor(n.maxmem * clamp01(base * (0.95 + 0.1 * wander(n.seed ^ 0x77, now / 1000, 600))));
}

export function nodeRootUsed(n: PveNode, now: number): number {
  if (n.overrides.disk !== undefined) return n.overrides.disk;
  const base = 0.08 + unit(n.seed, 'root') * 0.4;
  return Math.floor(n.rootTotal * clamp01(base + (now - n.bootedAt) / 86400_000 / 5000));
}

export function nodeSwapUsed(n: PveNode, now: number): number {
  if (n.overrides.swap !== undefined) return n.overrides.swap;
  return Math.floor(n.swapTotal * unit(n.seed, 'swap') * 0.2 * (0.9 + 0.2 * wander(n.seed ^ 0x99, now / 1000, 900)));
}

export function nodeLoadavg(n: PveNode, now: number): [string, string, string] {
  const l = nodeCpu(n, now) * n.cpus;
  return [l.toFixed(2), (l * 0.9).toFixed(2), (l * 0.8).toFixed(2)];
}

/** Storage usage drifts slowly upwards around its configured fraction. */
export function storageUsed(s: Storage, now: number): number {
  if (s.fillPerDay !== undefined) {
    // A filling storage grows steadily (no wander), so a forecast has a known answer.
    const days = Math.max(0, now - (s.fillSince ?? now)) / 86_400_000;
    return Math.floor(s.total * clamp01(s.usedFraction + s.fillPerDay * days));
  }
  const f = clamp01(s.usedFraction * (0.98 + 0.04 * wander(s.seed, now / 1000, 3600)));
  return Math.floor(s.total * f);
}
