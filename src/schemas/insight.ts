/**
 * Answers Pulse computes beyond the live state (docs/INSIGHT.md): storage-full forecasts, the
 * backup coverage audit and its policy. The policy's types and ranges are declared here once; the
 * backup policy module applies them to the stored policy too, and checks what a schema
 * cannot say (tag and guest keys, unknown fields).
 */
import { type Static, type TSchema, Type } from 'typebox';
import { Open } from './common.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const CoverageReason = Type.Enum(['no-backup', 'stale', 'unverified', 'single-target', 'few-restore-points']);

export const ForecastQuery = Type.Object({
  instance: Type.Optional(Type.String({ description: 'Only this instance' })),
  id: Type.Optional(Type.String({ description: 'Only this storage, datastore or pool' })),
});

const StorageForecast = Open({
  kind: Type.Enum(['storage', 'pbs-datastore', 'ceph-pool']),
  id: Type.String(),
  name: Type.String(),
  node: Type.String(),
  instance: Type.String(),
  type: Type.String(),
  usage: Type.Number({ description: 'Current usage, percent' }),
  warnPercent: Type.Number({ description: 'The usage alert threshold the forecast projects to' }),
  trend: Type.Enum(['growing', 'flat', 'shrinking', 'insufficient']),
  bytesPerDay: Type.Number(),
  usedBytes: Type.Number(),
  totalBytes: Type.Number(),
  warnAt: Type.Union([Type.String({ description: 'RFC3339' }), Type.Null()]),
  fullAt: Type.Union([Type.String({ description: 'RFC3339' }), Type.Null()]),
  daysToWarn: Nullable(Type.Number()),
  daysToFull: Nullable(Type.Number()),
  confidence: Type.Number({ description: '0–1' }),
  samples: Type.Integer(),
  spanMs: Type.Number(),
  drops: Type.Integer(),
});

export const ForecastReply = Open({
  computedAt: Type.String({ description: 'RFC3339' }),
  horizonDays: Type.Number(),
  forecasts: Type.Array(StorageForecast, { description: 'Soonest full first' }),
});
export type ForecastReply = Static<typeof ForecastReply>;

export const CoverageQuery = Type.Object({
  atRisk: Type.Optional(Type.Enum(['true', 'false', '1', '0'], { description: 'Only guests at risk, or only not' })),
  reason: Type.Optional(CoverageReason),
  instance: Type.Optional(Type.String()),
});

const Policy = {
  maxAgeHours: Type.Integer({ minimum: 1, maximum: 24 * 366, description: 'Newest backup at most this old' }),
  minRestorePoints: Type.Integer({ minimum: 0, maximum: 100_000, description: 'Restore points over all targets' }),
  requireVerified: Type.Boolean({ description: 'At least one verified PBS snapshot' }),
  minTargets: Type.Integer({ minimum: 1, maximum: 10, description: 'Targets with a recent enough backup' }),
};
export const BackupPolicy = Open(Policy);
const PolicyOverride = Open({
  maxAgeHours: Type.Optional(Policy.maxAgeHours),
  minRestorePoints: Type.Optional(Policy.minRestorePoints),
  requireVerified: Type.Optional(Policy.requireVerified),
  minTargets: Type.Optional(Policy.minTargets),
});

export const PolicyConfig = Open({
  global: BackupPolicy,
  tags: Type.Record(Type.String(), PolicyOverride, { description: 'tag → fields overriding the global policy' }),
  guests: Type.Record(Type.String(), PolicyOverride, { description: '<instance>:<vmid> → fields overriding all else' }),
});

/** Sections left out take their defaults. */
export const PolicyConfigBody = Open({
  global: Type.Optional(BackupPolicy),
  tags: Type.Optional(PolicyConfig.properties.tags),
  guests: Type.Optional(PolicyConfig.properties.guests),
});

const GuestCoverage = Open({
  key: Type.String({ description: '<instance>:<vmid>' }),
  guestId: Type.String(),
  instance: Type.String(),
  node: Type.String(),
  vmid: Type.Integer(),
  name: Type.String(),
  type: Type.String(),
  tags: Type.Array(Type.String()),
  policy: BackupPolicy,
  policySource: Type.String({ description: 'global, tag:<tag> or guest' }),
  targets: Type.Array(
    Open({
      kind: Type.Enum(['pve-storage', 'pbs']),
      target: Type.String(),
      newest: Type.Number({ description: 'unix seconds' }),
      ageHours: Type.Number(),
      restorePoints: Type.Integer(),
      newestVerified: Type.Union([Type.Boolean(), Type.Null()]),
      newestVerifiedAt: Nullable(Type.Number({ description: 'unix seconds PBS last verified the newest backup' })),
      newestEncrypted: Nullable(Type.Boolean({ description: 'null when the listing does not say' })),
      newestProtected: Type.Boolean(),
      verifiedCount: Type.Integer(),
      protectedCount: Type.Integer(),
    }),
  ),
  newestAgeHours: Nullable(Type.Number()),
  restorePoints: Type.Integer(),
  verified: Type.Boolean(),
  lastVerifiedAt: Nullable(Type.Number({ description: 'unix seconds' })),
  newestEncrypted: Nullable(Type.Boolean()),
  atRisk: Type.Boolean(),
  flags: Type.Array(Open({ reason: CoverageReason, message: Type.String() })),
  status: Type.Enum(['judged', 'pending', 'unknown'], {
    description:
      'judged: every source that could hold its backups has been listed; pending: a listing has not arrived since start; unknown: a source failed to list. Only judged guests carry flags.',
  }),
  statusReason: Type.Optional(Type.String({ description: 'why the guest is not judged' })),
});

export const CoverageReply = Open({
  computedAt: Type.String({ description: 'RFC3339' }),
  backupsKnown: Type.Boolean({ description: 'False while no backup of any guest has been seen yet' }),
  summary: Open({
    guests: Type.Integer(),
    atRisk: Type.Integer(),
    pending: Type.Integer(),
    unknown: Type.Integer(),
    byReason: Type.Record(Type.String(), Type.Integer()),
  }),
  unattributedPbsGroups: Type.Integer(),
  guests: Type.Array(GuestCoverage, { description: 'Guests at risk first' }),
});
export type CoverageReply = Static<typeof CoverageReply>;
