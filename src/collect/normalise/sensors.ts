/**
 * `sensors -j` (lm-sensors JSON) → Temperature (wire contract §1.1), and NVMe temperatures onto
 * physical disks (§1.5). Pure: the caller passes the text and the time.
 *
 * The JSON is `{chip: {"Adapter": "...", feature: {subfeature: value}}}`, where a chip name is
 * `<driver>-<bus>-<address>` (`coretemp-isa-0000`, `k10temp-pci-00c3`, `nvme-pci-0100`) and a
 * temperature reading is the `tempN_input` subfeature of a feature (`Package id 0`, `Core 3`,
 * `Tctl`, `Composite`).
 */
import type { PhysicalDisk, Temperature } from '../../model/state.js';
import { rfc3339 } from './values.js';

/** Drivers whose chips describe the CPU. */
const CPU_DRIVERS = new Set(['coretemp', 'k10temp', 'zenpower', 'cpu_thermal', 'soc_thermal']);

type Chip = Record<string, unknown>;

/** The first plausible `tempN_input` reading of a feature. */
function reading(feature: unknown): number | undefined {
  if (!feature || typeof feature !== 'object' || Array.isArray(feature)) return undefined;
  for (const [k, v] of Object.entries(feature as Record<string, unknown>)) {
    if (!/^temp\d+_input$/.test(k)) continue;
    // Unconnected or broken sensors report 0, -273.15 or 255-ish values: not temperatures.
    if (typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 150) return v;
  }
  return undefined;
}

/** The JSON object inside the command output (sensors may print warnings around it). */
function parseDocument(stdout: string): Record<string, Chip> | undefined {
  const start = stdout.indexOf('{');
  const end = stdout.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const doc: unknown = JSON.parse(stdout.slice(start, end + 1));
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
    return doc as Record<string, Chip>;
  } catch {
    return undefined;
  }
}

/** `nvme-pci-0100` → `nvme0100` (the contract's `nvme<pci-suffix>`). */
export function nvmeDeviceName(chip: string): string {
  const m = /^nvme-pci-([0-9a-f]+)$/i.exec(chip);
  return m ? `nvme${m[1]}` : chip.replace(/-/g, '');
}

const maxOf = (a: number | undefined, b: number) => (a === undefined ? b : Math.max(a, b));

export function unavailableTemperature(now: number): Temperature {
  return { available: false, hasCPU: false, hasNVMe: false, lastUpdate: rfc3339(now) };
}

/**
 * Parses `sensors -j` output. Intel: `Package id N` → cpuPackage (the hottest package),
 * `Core N` → cores. AMD: `Tdie`, else `Tctl` → cpuPackage, `TccdN` → cores. NVMe chips: the
 * `Composite` reading (else the first) per drive, sorted by device name. Anything unreadable →
 * `available: false`.
 */
export function parseSensors(stdout: string, now: number): Temperature {
  const doc = parseDocument(stdout);
  if (!doc) return unavailableTemperature(now);
  let hasCPU = false;
  let hasNVMe = false;
  let intelPackage: number | undefined;
  let tdie: number | undefined;
  let tctl: number | undefined;
  let other: number | undefined;
  const cores: Array<{ core: number; temp: number }> = [];
  const nvme: Array<{ device: string; temp: number }> = [];

  for (const [chipName, chip] of Object.entries(doc)) {
    if (!chip || typeof chip !== 'object' || Array.isArray(chip)) continue;
    const driver = chipName.split('-')[0].toLowerCase();
    if (driver === 'nvme') {
      hasNVMe = true;
      const temp =
        reading(chip.Composite) ??
        Object.entries(chip)
          .map(([k, f]) => (k === 'Adapter' ? undefined : reading(f)))
          .find((t) => t !== undefined);
      if (temp !== undefined) nvme.push({ device: nvmeDeviceName(chipName), temp });
      continue;
    }
    if (!CPU_DRIVERS.has(driver)) continue;
    hasCPU = true;
    for (const [feature, value] of Object.entries(chip)) {
      if (feature === 'Adapter') continue;
      const temp = reading(value);
      if (temp === undefined) continue;
      const core = /^(?:Core |Tccd)(\d+)$/i.exec(feature);
      if (/^Package id \d+$/i.test(feature)) intelPackage = maxOf(intelPackage, temp);
      else if (feature === 'Tdie') tdie = maxOf(tdie, temp);
      else if (feature === 'Tctl') tctl = maxOf(tctl, temp);
      else if (core) cores.push({ core: Number(core[1]), temp });
      // Single-sensor SoCs (Raspberry Pi's cpu_thermal reports `temp1`).
      else if (driver === 'cpu_thermal' || driver === 'soc_thermal') other = maxOf(other, temp);
    }
  }

  cores.sort((a, b) => a.core - b.core);
  nvme.sort((a, b) => a.device.localeCompare(b.device));
  const cpuPackage = intelPackage ?? tdie ?? tctl ?? other;
  const cpuMax = cores.length ? Math.max(...cores.map((c) => c.temp)) : cpuPackage;
  const out: Temperature = {
    available: cpuPackage !== undefined || cores.length > 0 || nvme.length > 0,
    hasCPU,
    hasNVMe,
    lastUpdate: rfc3339(now),
  };
  if (cpuPackage !== undefined) out.cpuPackage = cpuPackage;
  if (cpuMax !== undefined) out.cpuMax = cpuMax;
  if (cores.length) out.cores = cores;
  if (nvme.length) out.nvme = nvme;
  return out;
}

/**
 * Puts each node's NVMe temperatures (sensor order, i.e. sorted by device name) onto its nvme
 * disks in device-path order; other disks keep what they have. Disks of nodes without readings
 * are returned as they are (same objects).
 */
export function applyNvmeTemperatures(disks: PhysicalDisk[], byNode: ReadonlyMap<string, number[]>): PhysicalDisk[] {
  if (byNode.size === 0) return disks;
  const next = new Map<string, number>();
  const sorted = [...disks].sort((a, b) => a.devPath.localeCompare(b.devPath));
  const assigned = new Map<PhysicalDisk, number>();
  for (const d of sorted) {
    const temps = byNode.get(d.node);
    if (!temps || !(/nvme/.test(d.devPath) || d.type === 'nvme')) continue;
    const i = next.get(d.node) ?? 0;
    if (i >= temps.length) continue;
    next.set(d.node, i + 1);
    assigned.set(d, Math.round(temps[i]));
  }
  return disks.map((d) => {
    const t = assigned.get(d);
    return t === undefined || t === d.temperature ? d : { ...d, temperature: t };
  });
}
