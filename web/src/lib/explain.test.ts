import type { Guest, Node } from '@model/state';
import { describe, expect, it } from 'vitest';
import { explainDisk, explainMemory } from './explain';

const GiB = 1024 ** 3;
const guest = (extra: Partial<Guest>): Guest =>
  ({
    id: 'pve1-100',
    name: 'web',
    type: 'qemu',
    memory: { total: 8 * GiB, used: 0, free: 0, usage: 0 },
    ...extra,
  }) as Guest;

describe('explain this number', () => {
  it('names MemTotal − MemAvailable with the inputs', () => {
    const g = guest({
      memory: { total: 8 * GiB, used: 3.1 * GiB, free: 4.9 * GiB, usage: 38.75 },
      memorySource: 'guest-meminfo',
      memoryInputs: { total: 8 * GiB, available: 4.9 * GiB, maxmem: 8 * GiB },
    });
    const e = explainMemory(g);
    expect(e?.how).toBe('used = MemTotal − MemAvailable from the guest agent (/proc/meminfo): 3.1 GB of 8.0 GB.');
    expect(e?.differs).toMatch(/page cache/);
  });

  it('says when the total is the balloon target', () => {
    const g = guest({
      memory: { total: 4 * GiB, used: 1 * GiB, free: 3 * GiB, usage: 25 },
      memorySource: 'balloon-info',
      memoryInputs: { total: 3.875 * GiB, free: 2.875 * GiB, maxmem: 8 * GiB, balloon: 4 * GiB },
    });
    expect(explainMemory(g)?.how).toMatch(
      /total_mem − free_mem .*1\.0 GB of 3\.9 GB\. The total is the balloon target \(4\.0 GB\)/,
    );
  });

  it('node RRD fallback explains why PVE 8 shows more', () => {
    const n = {
      name: 'pve1',
      type: 'node',
      memory: { total: 32 * GiB, used: 8 * GiB, free: 24 * GiB, usage: 25 },
      memorySource: 'rrd-memavailable',
      memoryInputs: { total: 32 * GiB, available: 24 * GiB },
    } as unknown as Node;
    expect(explainMemory(n)?.differs).toMatch(/ZFS ARC/);
  });

  it('disk: unknown with the reason, and nothing without a source', () => {
    const g = guest({
      disk: { total: 32 * GiB, used: 0, free: 0, usage: -1 },
      diskSource: 'unknown',
      diskStatusReason: 'permission-denied',
    });
    expect(explainDisk(g)?.how).toMatch(/^Usage unknown: the token lacks VM.GuestAgent.Audit/);
    expect(explainDisk(guest({}))).toBeUndefined();
  });
});
