/** Stable per-guest facts derived from the seed: MAC, IP, disk storage, OS details. */
import type { Guest, PveInstance, Storage } from '../estate/model.js';
import { hash32 } from '../random.js';

export function macOf(g: Guest, nic = 0): string {
  const h = hash32(g.seed, `mac${nic}`);
  const b = [0xbc, 0x24, 0x11, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return b.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

export function ipOf(g: Guest): string {
  return `10.${10 + (g.vmid >> 16)}.${(g.vmid >> 8) & 0xff}.${g.vmid & 0xff || 1}`;
}

export function ipv6Of(g: Guest): string {
  return `fd00:10::${g.vmid.toString(16)}`;
}

/** The storage holding the guest's root disk: a shared RBD pool for some, else local. */
export function diskStorageOf(inst: PveInstance, g: Guest): Storage | undefined {
  const want = g.type === 'qemu' ? 'images' : 'rootdir';
  const fits = inst.storages.filter(
    (s) => s.content.split(',').includes(want) && (!s.nodes || s.nodes.includes(g.node)) && s.enabled,
  );
  const shared = fits.find((s) => s.shared);
  if (shared && g.seed % 3 === 0) return shared;
  return fits.find((s) => !s.shared) ?? fits[0];
}

export function diskVolid(inst: PveInstance, g: Guest): string {
  const s = diskStorageOf(inst, g);
  const name = g.template ? `base-${g.vmid}-disk-0` : `vm-${g.vmid}-disk-0`;
  return `${s?.storage ?? 'local-lvm'}:${name}`;
}

export function isWindows(g: Guest): boolean {
  return g.ostype.startsWith('w');
}

export function osInfo(g: Guest): Record<string, string> {
  if (isWindows(g)) {
    return {
      id: 'mswindows',
      name: 'Microsoft Windows',
      'pretty-name': 'Windows Server 2022 Standard',
      'version-id': '2022',
      version: 'Microsoft Windows Server 2022',
      variant: 'server',
      'variant-id': 'server',
      'kernel-release': '20348',
      'kernel-version': '10.0',
      machine: 'x86_64',
    };
  }
  const ubuntu = g.seed % 2 === 0;
  return ubuntu
    ? {
        id: 'ubuntu',
        name: 'Ubuntu',
        'pretty-name': 'Ubuntu 24.04.3 LTS',
        'version-id': '24.04',
        version: '24.04.3 LTS (Noble Numbat)',
        'kernel-release': '6.8.0-85-generic',
        'kernel-version': '#85-Ubuntu SMP PREEMPT_DYNAMIC',
        machine: 'x86_64',
      }
    : {
        id: 'debian',
        name: 'Debian GNU/Linux',
        'pretty-name': 'Debian GNU/Linux 12 (bookworm)',
        'version-id': '12',
        version: '12 (bookworm)',
        'kernel-release': '6.1.0-40-amd64',
        'kernel-version': '#1 SMP PREEMPT_DYNAMIC Debian 6.1.153-1',
        machine: 'x86_64',
      };
}

export function gib(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 3)}G`;
}
