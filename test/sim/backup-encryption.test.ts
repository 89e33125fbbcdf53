/**
 * Encrypted backups in the simulator, as real PBS and PVE report them: a PBS snapshot of an
 * encrypted group carries its key fingerprint and `crypt-mode: encrypt` on every manifest archive,
 * a plain one `crypt-mode: none` and no fingerprint; PVE's content listing of a PBS storage carries
 * the same fingerprint in `encrypted`. Replies are fetched over HTTPS from the demo estate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { pbsToken, pveToken, request } from './client.js';

interface Content {
  filename: string;
  'crypt-mode'?: string;
  size?: number;
}
interface SnapshotItem {
  'backup-type': string;
  'backup-id': string;
  'backup-time': number;
  fingerprint?: string;
  files: Content[];
  size: number;
}

let sim: Simulator;
let snapshots: SnapshotItem[];

beforeAll(async () => {
  sim = await startSimulator({ estate: 'demo' });
  const pbs = sim.ready.pbs[0];
  const headers = pbsToken(pbs.tokenId, pbs.tokenSecret);
  snapshots = [];
  for (const ns of ['', 'prod', 'prod/db']) {
    const r = await request(
      `${pbs.url}/api2/json/admin/datastore/main/snapshots${ns ? `?ns=${encodeURIComponent(ns)}` : ''}`,
      { headers },
    );
    expect(r.status).toBe(200);
    snapshots.push(...r.json.data);
  }
}, 60_000);
afterAll(() => sim?.stop());

const groupKey = (s: SnapshotItem) => `${s['backup-type']}/${s['backup-id']}`;

describe('PBS snapshot list', () => {
  it('lists files as objects; manifest archives carry crypt mode and size summing to the snapshot size', () => {
    expect(snapshots.length).toBeGreaterThan(20);
    for (const s of snapshots) {
      expect(s.files.every((f) => typeof f === 'object' && typeof f.filename === 'string')).toBe(true);
      const archives = s.files.filter((f) => f['crypt-mode'] !== undefined);
      expect(archives.length, groupKey(s)).toBeGreaterThan(0);
      expect(archives.every((f) => Number.isInteger(f.size))).toBe(true);
      expect(archives.reduce((n, f) => n + (f.size ?? 0), 0)).toBe(s.size);
      // The manifest itself is listed without crypt mode or size.
      expect(s.files.find((f) => f.filename === 'index.json.blob')).toEqual({ filename: 'index.json.blob' });
    }
  });

  it('encrypts every snapshot of about a fifth of the groups, with a key fingerprint', () => {
    const groups = new Map<string, SnapshotItem[]>();
    for (const s of snapshots) groups.set(groupKey(s), [...(groups.get(groupKey(s)) ?? []), s]);
    let encrypted = 0;
    for (const [key, list] of groups) {
      const modes = new Set(list.flatMap((s) => s.files.map((f) => f['crypt-mode']).filter(Boolean)));
      if (list[0].fingerprint) {
        encrypted++;
        expect(list[0].fingerprint, key).toMatch(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
        expect(list.every((s) => s.fingerprint === list[0].fingerprint)).toBe(true);
        expect([...modes]).toEqual(['encrypt']);
      } else {
        expect(list.every((s) => s.fingerprint === undefined)).toBe(true);
        expect([...modes]).toEqual(['none']);
      }
    }
    expect(encrypted).toBeGreaterThan(0);
    expect(encrypted / groups.size).toBeGreaterThan(0.1);
    expect(encrypted / groups.size).toBeLessThan(0.35);
  });
});

describe('PVE content of a PBS storage', () => {
  it('reports `encrypted` with the PBS key fingerprint for the encrypted guests only', async () => {
    const pve = sim.ready.pve[0];
    const r = await request(`${pve.url}/api2/json/nodes/pve1/storage/pbs-main/content?content=backup`, {
      headers: pveToken(pve.tokenId, pve.tokenSecret),
    });
    expect(r.status).toBe(200);
    const items: Array<{ vmid: number; subtype: string; encrypted?: string }> = r.json.data;
    const fingerprints = new Map(snapshots.map((s) => [groupKey(s), s.fingerprint]));
    let encrypted = 0;
    for (const item of items) {
      const key = `${item.subtype === 'qemu' ? 'vm' : 'ct'}/${item.vmid}`;
      if (!fingerprints.has(key)) continue;
      expect(item.encrypted, key).toBe(fingerprints.get(key));
      if (item.encrypted) encrypted++;
    }
    expect(encrypted).toBeGreaterThan(0);
    expect(items.some((i) => i.encrypted === undefined)).toBe(true);
  });
});
