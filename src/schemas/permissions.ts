/**
 * The permission doctor's report (src/proxmox/privileges.ts), as the node list, the connection
 * test and the diagnostics report all send it.
 */
import { type Static, Type } from 'typebox';
import { Open } from './common.js';

/** A privilege the credentials lack, the feature it breaks, and where to grant it. */
export const MissingPrivilege = Open({
  feature: Type.String(),
  privilege: Type.String(),
  path: Type.Optional(Type.String()),
  message: Type.String(),
});

/** One feature of an instance: whether the credentials serve it, what it needs, and how that is known. */
export const FeatureStatus = Type.Object({
  feature: Type.String(),
  works: Type.Union([Type.Boolean(), Type.Null()], { description: 'null while unknown' }),
  privilege: Type.String(),
  path: Type.Optional(Type.String()),
  evidence: Type.Enum(['permissions', 'denied', 'probe', 'poller', 'unknown']),
});
export type FeatureStatus = Static<typeof FeatureStatus>;

/** Every feature of an instance, working or not, and what grants the missing ones. */
export const PermissionReport = Type.Object({
  features: Type.Array(FeatureStatus),
  missing: Type.Array(MissingPrivilege),
  grantCommand: Type.Optional(Type.String()),
});
export type PermissionReport = Static<typeof PermissionReport>;
