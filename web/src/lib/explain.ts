/**
 * "Explain this number": how Pulse computed a node's or guest's memory and disk figure, from the
 * source and raw inputs the server attaches, and why the Proxmox UI can show another figure.
 */
import type { Guest, MemoryInputs, Node } from '@model/state';
import { formatBytes } from './format';

export interface Explanation {
  /** How the figure was computed, with the inputs. */
  how: string;
  /** Why Proxmox's own UI can show a different figure; empty when it shows the same. */
  differs: string;
}

const b = (v: number | undefined) => formatBytes(v, 1);

/** The figure's "used of total", with the inputs that made it. */
function of(used: number, total: number | undefined): string {
  return `${b(used)} of ${b(total)}`;
}

export function explainMemory(r: Node | Guest): Explanation | undefined {
  const src = r.memorySource;
  const i: MemoryInputs = r.memoryInputs ?? {};
  const m = r.memory;
  if (!src || !m) return undefined;
  const used = m.used;
  const vmNote =
    'Proxmox shows the host’s view (memory the VM has touched, page cache included), so its figure is usually higher.';
  const totalNote =
    i.balloon && i.maxmem && i.balloon < i.maxmem
      ? ` The total is the balloon target (${b(i.balloon)}), not the configured ${b(i.maxmem)}.`
      : '';
  switch (src) {
    case 'guest-meminfo':
      return {
        how: `used = MemTotal − MemAvailable from the guest agent (/proc/meminfo): ${of((i.total ?? 0) - (i.available ?? 0), i.total)}.${totalNote}`,
        differs: vmNote,
      };
    case 'guest-meminfo-free':
      return {
        how: `used = MemTotal − (MemFree + Buffers + Cached) from the guest agent (/proc/meminfo, no MemAvailable in this kernel): ${of(used, i.total)}.${totalNote}`,
        differs: vmNote,
      };
    case 'balloon-info':
      return {
        how: `used = total_mem − free_mem from the balloon driver's statistics: ${of((i.total ?? 0) - (i.free ?? 0), i.total)}.${totalNote}`,
        differs: 'Proxmox computes the same difference; the page cache counts as used in both.',
      };
    case 'pve-status':
      return {
        how: `used = the VM's mem of status/current (no guest agent memory data, no balloon statistics): ${of(used, m.total)}.`,
        differs:
          'This is the host’s view, page cache included; enable the guest agent and grant VM.GuestAgent.FileRead (PVE 9) or VM.Monitor (PVE 8) for the guest’s own figure.',
      };
    case 'cluster-resources':
      return {
        how: `used = mem of /cluster/resources: ${of(used, m.total)}.`,
        differs:
          r.type === 'lxc'
            ? 'Proxmox shows the same figure (the container’s memory cgroup without page cache).'
            : 'status/current did not answer this cycle, so the host’s coarser figure is shown.',
      };
    case 'node-status-available':
      return {
        how: `used = total − available from /nodes/${r.name}/status: ${of(used, i.total)}.`,
        differs: 'Proxmox VE 9 shows the same figure; Proxmox VE 8 counts the ZFS ARC and caches as used.',
      };
    case 'node-status-free':
      return {
        how: `used = total − (free + buffers + cached) from /nodes/${r.name}/status: ${of(used, i.total)}.`,
        differs: 'Proxmox shows its own `used`, which counts buffers and cache as used, so it is higher.',
      };
    case 'rrd-memavailable':
      return {
        how: `used = total − memavailable of the node's RRD (its status has no available figure): ${of(used, i.total)}.`,
        differs: 'Proxmox VE 8 shows total − free, which counts the ZFS ARC and caches as used, so it is higher.',
      };
    case 'node-status-used':
      return { how: `used as /nodes/${r.name}/status reports it: ${of(used, i.total)}.`, differs: '' };
    case 'stopped':
      return { how: 'The guest is not running: nothing is in use.', differs: '' };
    case 'previous-poll':
      return {
        how: `Kept from the last poll that had a figure: ${of(used, m.total)}.`,
        differs: 'This figure may be stale.',
      };
  }
  return undefined;
}

const DISK_REASONS: Record<string, string> = {
  'vm-stopped': 'the VM is stopped',
  'agent-disabled': 'the guest agent is not enabled in the VM’s options',
  'agent-not-running': 'the guest agent does not answer',
  'agent-timeout': 'the guest agent did not answer in time',
  'permission-denied': 'the token lacks VM.GuestAgent.Audit (PVE 9) or VM.Monitor (PVE 8) on /vms',
  'special-filesystems-only': 'the guest reports only special filesystems',
  'no-filesystems': 'the guest agent reports no filesystems',
  'agent-error': 'the guest agent answered with an error',
  'status-unavailable': 'status/current failed',
  'status-timeout': 'status/current did not answer in time',
};

export function explainDisk(r: Node | Guest): Explanation | undefined {
  const d = r.disk;
  if (!r.diskSource || !d) return undefined;
  switch (r.diskSource) {
    case 'agent-filesystems': {
      const n = (r as Guest).disks?.length ?? 0;
      return {
        how: `used = the sum of ${n} filesystem${n === 1 ? '' : 's'} the guest agent reports (tmpfs, snaps, network shares left out): ${of(d.used, d.total)}.`,
        differs:
          'Proxmox shows only the virtual disk’s allocated size for VMs; its usage figure is 0 or what the storage has written.',
      };
    }
    case 'unknown': {
      const reason = (r as Guest).diskStatusReason;
      return {
        how: `Usage unknown: ${reason ? (DISK_REASONS[reason] ?? reason) : 'no figure'}. ${b(d.total)} allocated.`,
        differs: 'Proxmox shows no usage for a VM’s disks either.',
      };
    }
    case 'cluster-resources':
      return {
        how: `used = disk of /cluster/resources: ${of(d.used, d.total)}.`,
        differs: 'Proxmox shows the same figure.',
      };
    case 'node-rootfs':
      return {
        how: `used = rootfs used of /nodes/${r.name}/status (the root filesystem): ${of(d.used, d.total)}.`,
        differs: 'Proxmox shows the same root filesystem figure.',
      };
    case 'local-storage':
      return {
        how: `used = the node's local storage (status and /cluster/resources had no figure): ${of(d.used, d.total)}.`,
        differs: 'Proxmox shows the root filesystem, which can be smaller than the local storage.',
      };
    case 'previous-poll':
      return {
        how: `Kept from the last poll that had a figure: ${of(d.used, d.total)}.`,
        differs: 'This figure may be stale.',
      };
  }
  return undefined;
}

/** One line for a hover title. */
export const explainLine = (e: Explanation | undefined) => (e ? `\n${e.how}${e.differs ? `\n${e.differs}` : ''}` : '');
