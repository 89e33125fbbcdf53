/**
 * What `sensors -j` prints on a simulated PVE node: an Intel `coretemp` or AMD `k10temp` chip
 * (after the node's CPU model), an ACPI zone, and NVMe drives (one by default, matching the
 * node's /dev/nvme0n1 in /disks/list). The CPU package follows the node's CPU load, so a busy node
 * runs warmer; the control API can pin the package and the NVMe readings.
 */
import { nodeCpu } from './estate/metrics.js';
import type { PveNode } from './estate/model.js';
import { unit, wander } from './random.js';

export interface SensorsOverride {
  /** Pinned CPU package temperature, °C. */
  cpuPackage?: number;
  /** Pinned NVMe composite temperatures, °C, one per drive (0–2 drives). */
  nvme?: number[];
}

export interface SimTemperatures {
  vendor: 'intel' | 'amd';
  cpuPackage: number;
  cores: number[];
  nvme: number[];
}

/** coretemp reports whole degrees; k10temp in steps of 1/8 °C. */
const step = (vendor: 'intel' | 'amd', v: number) => (vendor === 'intel' ? Math.round(v) : Math.round(v * 8) / 8);

export function simTemperatures(n: PveNode, now: number, o: SensorsOverride = {}): SimTemperatures {
  const vendor = /AMD/i.test(n.cpuModel) ? 'amd' : 'intel';
  const natural = 30 + 15 * unit(n.seed, 'temp') + 35 * nodeCpu(n, now);
  const cpuPackage = step(vendor, o.cpuPackage ?? natural);
  // Intel: one sensor per physical core (capped to keep the output small); AMD: one per CCD.
  const count =
    vendor === 'intel' ? Math.max(1, Math.min(16, Math.floor(n.cpus / 2))) : Math.max(1, Math.ceil(n.cpus / 16));
  const cores = Array.from({ length: count }, (_, i) =>
    step(vendor, Math.max(1, cpuPackage - 1 - 6 * unit(n.seed, `core${i}`))),
  );
  const nvme = o.nvme ?? [
    Math.round((32 + 12 * unit(n.seed, 'nvme0') + 4 * wander(n.seed ^ 0x3d, now / 1000, 300)) * 100) / 100,
  ];
  return { vendor, cpuPackage, cores, nvme };
}

const num = (v: number) => Number(v.toFixed(3));

/** The JSON document (as lm-sensors lays it out) for these temperatures. */
export function sensorsDocument(t: SimTemperatures): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  if (t.vendor === 'intel') {
    const chip: Record<string, unknown> = { Adapter: 'ISA adapter' };
    chip['Package id 0'] = {
      temp1_input: num(t.cpuPackage),
      temp1_max: 80,
      temp1_crit: 100,
      temp1_crit_alarm: 0,
    };
    t.cores.forEach((c, i) => {
      const k = i + 2;
      chip[`Core ${i}`] = {
        [`temp${k}_input`]: num(c),
        [`temp${k}_max`]: 80,
        [`temp${k}_crit`]: 100,
        [`temp${k}_crit_alarm`]: 0,
      };
    });
    doc['coretemp-isa-0000'] = chip;
  } else {
    const chip: Record<string, unknown> = { Adapter: 'PCI adapter', Tctl: { temp1_input: num(t.cpuPackage) } };
    t.cores.forEach((c, i) => {
      chip[`Tccd${i + 1}`] = { [`temp${i + 3}_input`]: num(c) };
    });
    doc['k10temp-pci-00c3'] = chip;
  }
  doc['acpitz-acpi-0'] = { Adapter: 'ACPI interface', temp1: { temp1_input: 27.8, temp1_crit: 119 } };
  t.nvme.forEach((temp, i) => {
    doc[`nvme-pci-0${i + 1}00`] = {
      Adapter: 'PCI adapter',
      Composite: {
        temp1_input: num(temp),
        temp1_max: 81.85,
        temp1_min: -273.15,
        temp1_crit: 84.85,
        temp1_alarm: 0,
      },
      'Sensor 1': { temp2_input: num(temp), temp2_max: 65261.85, temp2_min: -273.15 },
    };
  });
  return doc;
}

/** `sensors -j` stdout: lm-sensors indents with three spaces. */
export function sensorsOutput(t: SimTemperatures): string {
  return `${JSON.stringify(sensorsDocument(t), null, 3)}\n`;
}
