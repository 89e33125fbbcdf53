/**
 * Replies whose schemas once left parts open: every field /api/diagnostics sends under
 * `services.discovery` and `services.updates`, and every storage field /api/storage sends (shared
 * storage's node lists, a ZFS pool and its devices), is declared in the reply schema. The web UI
 * reads its types from those schemas, so an undeclared field is one the UI cannot see.
 */
import type { TSchema } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbsBackup, Storage } from '../../src/model/state.js';
import { DiagnosticsReport } from '../../src/schemas/diagnostics.js';
import { PbsBackup as PbsBackupSchema, StorageItem, ZfsPool } from '../../src/schemas/storage.js';
import { api } from '../helpers/http.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';

/** The keys of `value` that the object schema `schema` does not name. */
function undeclared(value: unknown, schema: TSchema): string[] {
  const declared = Object.keys((schema as { properties?: object }).properties ?? {});
  return Object.keys(value as object).filter((k) => !declared.includes(k));
}

const base = {
  instance: 'pve',
  status: 'available',
  total: 1000,
  used: 400,
  free: 600,
  usage: 40,
  enabled: true,
  active: true,
};
const ZFS: Storage = {
  ...base,
  id: 'pve-node1-tank',
  name: 'tank',
  node: 'node1',
  type: 'zfspool',
  content: 'images,rootdir',
  shared: false,
  zfsPool: {
    name: 'tank',
    state: 'DEGRADED',
    status: 'One or more devices has been removed.',
    scan: 'scrub repaired 0B',
    readErrors: 0,
    writeErrors: 1,
    checksumErrors: 2,
    devices: [
      { name: 'sda', type: 'disk', state: 'ONLINE', readErrors: 0, writeErrors: 0, checksumErrors: 0 },
      {
        name: 'sdb',
        type: 'disk',
        state: 'REMOVED',
        readErrors: 0,
        writeErrors: 1,
        checksumErrors: 2,
        message: 'gone',
      },
    ],
  },
};
const SHARED: Storage = {
  ...base,
  id: 'pve-cluster-nfs',
  name: 'nfs',
  node: 'cluster',
  nodes: ['node1', 'node2'],
  nodeIds: ['pve-node1', 'pve-node2'],
  nodeCount: 2,
  type: 'nfs',
  content: 'backup',
  shared: true,
};

const PBS_BACKUP: PbsBackup = {
  id: 'pbs-backup1-store-ns-vm-100-1767225600',
  instance: 'backup1',
  datastore: 'store',
  namespace: 'ns',
  backupType: 'vm',
  vmid: '100',
  backupTime: 1_767_225_600,
  size: 5e9,
  protected: false,
  verified: true,
  verifiedAt: 1_767_229_200,
  encrypted: true,
  comment: 'nightly',
  files: ['index.json.blob', 'drive-scsi0.img.fidx'],
  owner: 'root@pam!pulse',
};

describe('replies declare every field they send', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse();
    // The monitor's first composition is due on the next turn; made now, it cannot replace ours.
    pulse.deps.monitoring.slices.flush();
    pulse.deps.state.commit((d) => {
      d.storage = [ZFS, SHARED];
      d.pbsBackups = [PBS_BACKUP];
    });
  });
  afterAll(() => pulse.close());

  it('/api/diagnostics: services.discovery and services.updates', async () => {
    const res = await api(pulse.url, 'GET', '/api/diagnostics');
    expect(res.status).toBe(200);
    const { discovery, updates } = (res.body as { services: Record<string, object> }).services;
    const services = DiagnosticsReport.properties.services.properties;
    expect(discovery).toMatchObject({ scanning: false, servers: 0 });
    expect(updates).toMatchObject({ status: 'idle' });
    expect(undeclared(discovery, services.discovery)).toEqual([]);
    expect(undeclared(updates, services.updates)).toEqual([]);
  });

  it.each([ZFS.id, SHARED.id])('/api/storage/%s', async (id) => {
    const res = await api(pulse.url, 'GET', `/api/storage/${id}`);
    expect(res.status).toBe(200);
    const data = (res.body as { data: Record<string, unknown> }).data;
    expect(data.id).toBe(id);
    expect(undeclared(data, StorageItem)).toEqual([]);
  });

  it('/api/storage/<id> sends the ZFS pool and its devices as declared', async () => {
    const res = await api(pulse.url, 'GET', `/api/storage/${ZFS.id}`);
    const pool = (res.body as { data: Storage }).data.zfsPool;
    expect(pool).toEqual(ZFS.zfsPool);
    expect(undeclared(pool, ZfsPool)).toEqual([]);
    const device = ZfsPool.properties.devices.items;
    for (const d of pool?.devices ?? []) expect(undeclared(d, device)).toEqual([]);
  });

  it.each(['/api/backups', '/api/backups/pbs'])('%s: a PBS backup with every optional field', async (path) => {
    const res = await api(pulse.url, 'GET', path);
    expect(res.status).toBe(200);
    const body = res.body as { pbsBackups?: object[]; backups?: object[] };
    const [sent] = body.pbsBackups ?? body.backups ?? [];
    expect(sent).toEqual({ ...PBS_BACKUP, backupTime: '2026-01-01T00:00:00Z' });
    expect(undeclared(sent, PbsBackupSchema)).toEqual([]);
  });
});
