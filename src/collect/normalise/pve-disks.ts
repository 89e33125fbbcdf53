/** /nodes/{n}/disks/list → PhysicalDisk (wire-contract §1.5). */
import type { PhysicalDisk } from '../../model/state.js';
import type { PveDisk } from '../../proxmox/pve.js';
import { diskId } from './ids.js';
import { num, optNum, rfc3339, str } from './values.js';

export function normaliseDisks(
  instance: string,
  node: string,
  disks: PveDisk[],
  now: number,
  /** NVMe temperatures of the node in sensor order, mapped onto nvme disks in sorted order. */
  nvmeTemps: number[] = [],
): PhysicalDisk[] {
  const sorted = [...disks].filter((d) => d?.devpath).sort((a, b) => a.devpath.localeCompare(b.devpath));
  let nvmeIndex = 0;
  return sorted.map((d) => {
    const wear = optNum(d.wearout);
    const isNvme = /nvme/.test(d.devpath) || d.type === 'nvme';
    const temperature = isNvme && nvmeIndex < nvmeTemps.length ? Math.round(nvmeTemps[nvmeIndex++]) : 0;
    return {
      id: diskId(instance, node, d.devpath),
      node,
      instance,
      devPath: d.devpath,
      model: str(d.model),
      serial: str(d.serial),
      type: str(d.type),
      size: num(d.size),
      health: str(d.health, 'UNKNOWN'),
      wearout: wear === undefined ? -1 : Math.max(0, Math.min(100, Math.round(wear))),
      temperature,
      rpm: num(d.rpm),
      used: str(d.used),
      lastChecked: rfc3339(now),
    };
  });
}
