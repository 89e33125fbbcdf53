/** /api/storage, /api/backups/*, /api/snapshots (wire-contract §3, times per §10). */
import { type Static, Type } from 'typebox';
import { Open } from './common.js';

const ErrorCounts = {
  readErrors: Type.Integer(),
  writeErrors: Type.Integer(),
  checksumErrors: Type.Integer(),
};

/** A ZFS pool's health (wire-contract §1.5 ZFSPool): only on ZFS storage matched by pool name. */
export const ZfsPool = Open({
  name: Type.String(),
  state: Type.String({ description: 'ONLINE, DEGRADED, FAULTED, OFFLINE, REMOVED or UNAVAIL' }),
  status: Type.String(),
  scan: Type.String(),
  ...ErrorCounts,
  devices: Type.Array(
    Open({
      name: Type.String(),
      type: Type.String(),
      state: Type.String(),
      ...ErrorCounts,
      message: Type.Optional(Type.String()),
    }),
  ),
});

export const StorageItem = Open({
  id: Type.String(),
  name: Type.String(),
  node: Type.String(),
  instance: Type.String(),
  nodes: Type.Optional(Type.Array(Type.String(), { description: 'Shared storage: the nodes that see it' })),
  nodeIds: Type.Optional(Type.Array(Type.String(), { description: 'Shared storage: <instance>-<node> of each' })),
  nodeCount: Type.Optional(Type.Integer()),
  type: Type.String(),
  status: Type.String(),
  total: Type.Number({ description: 'bytes' }),
  used: Type.Number({ description: 'bytes' }),
  free: Type.Number({ description: 'bytes' }),
  usage: Type.Number({ description: 'percent 0–100' }),
  content: Type.String(),
  shared: Type.Boolean(),
  enabled: Type.Boolean(),
  active: Type.Boolean(),
  // The raw shape's pool health; the frontend-shaped state leaves it out (wire-contract §1).
  zfsPool: Type.Optional(ZfsPool),
});

export const StorageListReply = Type.Object({ data: Type.Array(StorageItem), timestamp: Type.Integer() });
export const StorageOneReply = Type.Object({
  data: Type.Union([StorageItem, Type.Array(StorageItem)], { description: 'One storage, or a node’s storage list' }),
  timestamp: Type.Integer(),
});
export type StorageOneReply = Static<typeof StorageOneReply>;
export const IdParams = Type.Object({ id: Type.String({ minLength: 1 }) });

const Rfc3339 = Type.String({ description: 'RFC3339 time' });

export const BackupTask = Open({
  id: Type.String(),
  node: Type.String(),
  instance: Type.String(),
  vmid: Type.Number(),
  status: Type.String(),
  startTime: Rfc3339,
  endTime: Rfc3339,
});
export const StorageBackup = Open({
  id: Type.String(),
  storage: Type.String(),
  node: Type.String(),
  instance: Type.String(),
  vmid: Type.Number(),
  time: Rfc3339,
  size: Type.Number(),
  volid: Type.String(),
  isPBS: Type.Boolean(),
  protected: Type.Boolean(),
});
export const GuestSnapshot = Open({
  id: Type.String(),
  name: Type.String(),
  node: Type.String(),
  instance: Type.String(),
  vmid: Type.Number(),
  time: Rfc3339,
});
export const PbsBackup = Open({
  id: Type.String(),
  instance: Type.String(),
  datastore: Type.String(),
  namespace: Type.String(),
  backupType: Type.Enum(['vm', 'ct', 'host']),
  vmid: Type.String(),
  backupTime: Rfc3339,
  size: Type.Number(),
  protected: Type.Boolean(),
  verified: Type.Boolean(),
  verifiedAt: Type.Optional(Type.Integer({ description: 'unix seconds: the start of the last verify task' })),
  encrypted: Type.Optional(Type.Boolean()),
  comment: Type.Optional(Type.String()),
  files: Type.Optional(Type.Array(Type.String())),
  owner: Type.Optional(Type.String()),
});

export const BackupsReply = Type.Object({
  backupTasks: Type.Array(BackupTask),
  storageBackups: Type.Array(StorageBackup),
  guestSnapshots: Type.Array(GuestSnapshot),
  pbsBackups: Type.Array(PbsBackup),
});
export type BackupsReply = Static<typeof BackupsReply>;
export const PveBackupsReply = Type.Object({
  backups: Type.Object({
    backupTasks: Type.Array(BackupTask),
    storageBackups: Type.Array(StorageBackup),
    guestSnapshots: Type.Array(GuestSnapshot),
  }),
});
export const PbsBackupsReply = Type.Object({
  backups: Type.Array(PbsBackup),
  instances: Type.Array(Open({ id: Type.String(), name: Type.String() }), { description: 'PBS servers' }),
});
export const SnapshotsReply = Type.Object({ snapshots: Type.Array(GuestSnapshot) });
