/** Subnets to scan: CIDR parsing and the host's own private networks; pure except `localSubnets`. */
import os from 'node:os';

/** Largest scan accepted (a /20): bigger ranges take too long and look like a port scan. */
export const MAX_SCAN_HOSTS = 4096;

export class SubnetError extends Error {
  override name = 'SubnetError';
}

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The host addresses of a CIDR (network and broadcast addresses skipped for /0–/30). */
export function expandCidr(cidr: string): string[] {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr.trim());
  const base = m ? ipToInt(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (base === undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new SubnetError(`"${cidr}" is not a CIDR subnet like 192.168.1.0/24`);
  }
  const size = 2 ** (32 - prefix);
  if (size > MAX_SCAN_HOSTS + 2) throw new SubnetError(`subnet ${cidr} is too large (at most /20)`);
  const network = Math.floor(base / size) * size;
  if (size <= 2) return Array.from({ length: size }, (_, i) => intToIp(network + i));
  return Array.from({ length: size - 2 }, (_, i) => intToIp(network + 1 + i));
}

export function isPrivateIpv4(ip: string): boolean {
  const n = ipToInt(ip);
  if (n === undefined) return false;
  const a = n >>> 24;
  const b = (n >>> 16) & 255;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** "auto": the /24 around each private IPv4 address of this host. */
export function localSubnets(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4' || a.internal || !isPrivateIpv4(a.address)) continue;
      out.add(`${a.address.split('.').slice(0, 3).join('.')}.0/24`);
    }
  }
  return [...out];
}
