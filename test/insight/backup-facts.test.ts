/** What a backup listing says about verification time and encryption, read from real-shaped answers. */
import { describe, expect, it } from 'vitest';
import { normalisePbsSnapshots } from '../../src/collect/normalise/pbs.js';
import { normaliseStorageBackups } from '../../src/collect/normalise/pve-backups.js';
import { upidStartTime } from '../../src/collect/normalise/values.js';

// 0x6744A3C0 = 1732551616
const PBS_UPID = 'UPID:pbs:000012F4:0000C350:00000A1B:6744A3C0:verificationjob:main\\x3av\\x2dmain:root@pam:';
const PVE_UPID = 'UPID:pve1:0001E240:0158D7A1:6744A3C0:vzdump:100:root@pam:';

describe('backup facts', () => {
  it('reads the start time of PBS and PVE task ids, and nothing from anything else', () => {
    expect(upidStartTime(PBS_UPID)).toBe(0x6744a3c0);
    expect(upidStartTime(PVE_UPID)).toBe(0x6744a3c0);
    expect(upidStartTime(undefined)).toBeUndefined();
    expect(upidStartTime('not-a-upid')).toBeUndefined();
    expect(upidStartTime('UPID:pve1:x:y:zz:vzdump:100:root@pam:')).toBeUndefined();
  });

  it('PBS snapshots: verify time from the verification task, encryption from the key fingerprint or crypt modes', () => {
    const base = { 'backup-type': 'vm' as const, 'backup-id': '100', size: 1 };
    const list = normalisePbsSnapshots('pbs-1', 'main', '', [
      {
        ...base,
        'backup-time': 1_732_500_000,
        fingerprint: 'aa:bb:cc',
        verification: { state: 'ok', upid: PBS_UPID },
        files: [{ filename: 'drive-scsi0.img.fidx', 'crypt-mode': 'encrypt' }, { filename: 'index.json.blob' }],
      },
      {
        ...base,
        'backup-time': 1_732_400_000,
        files: [
          { filename: 'drive-scsi0.img.fidx', 'crypt-mode': 'encrypt' },
          { filename: 'index.json.blob', 'crypt-mode': 'none' },
        ],
      },
      { ...base, 'backup-time': 1_732_300_000, files: [{ filename: 'drive-scsi0.img.fidx', 'crypt-mode': 'none' }] },
      { ...base, 'backup-time': 1_732_200_000, files: ['drive-scsi0.img.fidx'] },
      // Signed with a key but not encrypted: the fingerprint is there, the archives say sign-only.
      {
        ...base,
        'backup-time': 1_732_100_000,
        fingerprint: 'aa:bb:cc',
        files: [{ filename: 'drive-scsi0.img.fidx', 'crypt-mode': 'sign-only' }],
      },
      // Only a fingerprint (an older listing without modes): encrypted.
      { ...base, 'backup-time': 1_732_000_000, fingerprint: 'aa:bb:cc', files: ['drive-scsi0.img.fidx'] },
    ]);
    expect(list.map((b) => [b.backupTime, b.verified, b.verifiedAt, b.encrypted])).toEqual([
      [1_732_500_000, true, 0x6744a3c0, true],
      [1_732_400_000, false, undefined, true],
      [1_732_300_000, false, undefined, false],
      // Plain file names (the schema's spelling) say nothing about encryption.
      [1_732_200_000, false, undefined, undefined],
      [1_732_100_000, false, undefined, false],
      [1_732_000_000, false, undefined, true],
    ]);
  });

  it("PVE's view of a PBS storage: the `encrypted` fingerprint and the verification task", () => {
    const list = normaliseStorageBackups('pve1', [
      {
        node: 'n1',
        storage: 'pbs-main',
        storageType: 'pbs',
        content: [
          {
            volid: 'pbs-main:backup/vm/100/2024-11-25T10:00:00Z',
            content: 'backup',
            format: 'pbs-vm',
            vmid: 100,
            ctime: 1_732_528_800,
            encrypted: '12:34:56',
            verification: { state: 'ok', upid: PBS_UPID },
          },
          {
            volid: 'pbs-main:backup/vm/101/2024-11-25T10:00:00Z',
            content: 'backup',
            format: 'pbs-vm',
            vmid: 101,
            ctime: 1_732_528_800,
          },
        ],
      },
      {
        node: 'n1',
        storage: 'nfs',
        storageType: 'nfs',
        content: [{ volid: 'nfs:backup/vzdump-qemu-102-2024_11_25-10_00_00.vma.zst', vmid: 102, ctime: 1 }],
      },
    ]);
    const by = Object.fromEntries(list.map((b) => [b.vmid, b]));
    expect([by[100].encrypted, by[100].verifiedAt]).toEqual([true, 0x6744a3c0]);
    expect([by[101].encrypted, by[101].verifiedAt]).toEqual([false, undefined]);
    expect(by[102].encrypted).toBeUndefined();
  });
});
