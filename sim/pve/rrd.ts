/**
 * rrddata rows in the shapes recorded from real hosts (../shared/fixtures/pve-rrd): PVE 8 and
 * PVE 9 carry different field sets (PVE 9 adds memavailable/arcsize/pressure for nodes and
 * memhost/pressure for guests). Rates are bytes per second averaged over the step; the newest
 * row has no samples yet, like a real RRD.
 */
import { guestCpu, naturalCounter, nodeCpu, nodeMem, nodeRootUsed, nodeSwapUsed } from '../estate/metrics.js';
import type { Guest, PveInstance, PveNode } from '../estate/model.js';
import { unit } from '../random.js';
import { guestUsed, majorVersion } from './views.js';

export const TIMEFRAME_STEP: Record<string, number> = { hour: 60, day: 1800, week: 10800, month: 43200, year: 604800 };
const ROWS = 70;

function times(timeframe: string, now: number): number[] {
  const step = TIMEFRAME_STEP[timeframe] ?? 60;
  const last = Math.floor(now / 1000 / step) * step;
  return Array.from({ length: ROWS }, (_, i) => last - (ROWS - 1 - i) * step);
}

export function nodeRrd(inst: PveInstance, n: PveNode, timeframe: string, now: number): Record<string, number>[] {
  const v9 = majorVersion(inst, n) >= 9;
  const bootSec = n.bootedAt / 1000;
  return times(timeframe, now).map((t, i, all) => {
    const row: Record<string, number> = { time: t };
    if (i === all.length - 1 || t < bootSec || n.down) return row;
    const ms = t * 1000;
    const cpu = nodeCpu(n, ms);
    const used = nodeMem(n, ms);
    Object.assign(row, {
      cpu,
      iowait: cpu * 0.02,
      loadavg: cpu * n.cpus,
      maxcpu: n.cpus,
      memtotal: n.maxmem,
      memused: used,
      netin: 20_000 + unit(n.seed, 'netin') * 200_000 * (0.5 + cpu),
      netout: 15_000 + unit(n.seed, 'netout') * 150_000 * (0.5 + cpu),
      roottotal: n.rootTotal,
      rootused: nodeRootUsed(n, ms),
      swaptotal: n.swapTotal,
      swapused: nodeSwapUsed(n, ms),
    });
    if (v9) {
      Object.assign(row, {
        memavailable: n.maxmem - used * 0.9,
        arcsize: Math.floor(n.maxmem * 0.05),
        pressurecpusome: cpu * 5,
        pressureiosome: cpu * 0.3,
        pressureiofull: cpu * 0.1,
        pressurememorysome: 0,
        pressurememoryfull: 0,
      });
    }
    return row;
  });
}

export function guestRrd(inst: PveInstance, g: Guest, timeframe: string, now: number): Record<string, number>[] {
  const v9 = majorVersion(inst, g.node) >= 9;
  const step = TIMEFRAME_STEP[timeframe] ?? 60;
  const startedSec = g.startedAt / 1000;
  return times(timeframe, now).map((t, i, all) => {
    const row: Record<string, number> = { time: t, maxcpu: g.cpus, maxmem: g.maxmem, maxdisk: g.maxdisk, disk: 0 };
    const running = g.status === 'running' && t >= startedSec;
    if (i === all.length - 1 || !running) return row;
    const ms = t * 1000;
    const rate = (c: 'netin' | 'netout' | 'diskread' | 'diskwrite') =>
      (naturalCounter(g, c, ms) - naturalCounter(g, c, ms - step * 1000)) / step;
    const cpu = guestCpu(g, ms);
    // The same figure status/current reports as mem (for a ballooning VM, the guest's own use).
    const mem = guestUsed(g, ms);
    Object.assign(row, {
      cpu,
      mem,
      netin: rate('netin'),
      netout: rate('netout'),
      diskread: rate('diskread'),
      diskwrite: rate('diskwrite'),
    });
    if (g.type === 'lxc') row.disk = Math.floor(g.maxdisk * (0.1 + unit(g.seed, 'disk') * 0.7));
    if (v9) {
      if (g.type === 'qemu') row.memhost = mem * 1.03;
      Object.assign(row, {
        pressurecpusome: cpu * 0.05,
        pressurecpufull: cpu * 0.03,
        pressureiosome: 0.1,
        pressureiofull: 0.09,
        pressurememorysome: 0,
        pressurememoryfull: 0,
      });
    }
    return row;
  });
}
