/** /api/updates/* (wire contract §7.5): check, status, plan, apply and the update history. */
import { type Static, Type } from 'typebox';
import { Open } from './common.js';

const Channel = Type.Enum(['stable', 'rc'], { description: 'Defaults to the configured update channel' });
const HistoryStatus = Type.Enum(['in_progress', 'success', 'failed', 'rolled_back', 'cancelled']);

export const UpdateCheckQuery = Type.Object({ channel: Type.Optional(Channel) });

export const UpdateInfo = Open({
  available: Type.Boolean(),
  currentVersion: Type.String(),
  latestVersion: Type.String({ description: 'e.g. v4.30.0' }),
  releaseNotes: Type.String(),
  releaseDate: Type.String(),
  downloadUrl: Type.String(),
  isPrerelease: Type.Boolean(),
  warning: Type.Optional(Type.String({ description: 'Why no update can be offered, e.g. no feed configured' })),
  deploymentType: Type.String(),
});
export type UpdateInfo = Static<typeof UpdateInfo>;

export const UpdateStatus = Open({
  status: Type.Enum([
    'idle',
    'checking',
    'available',
    'downloading',
    'verifying',
    'extracting',
    'backing-up',
    'applying',
    'restarting',
    'completed',
    'error',
  ]),
  progress: Type.Number({ description: '0–100' }),
  message: Type.String(),
  error: Type.Optional(Type.String()),
  updatedAt: Type.String({ description: 'RFC3339' }),
});
export type UpdateStatus = Static<typeof UpdateStatus>;

export const UpdatePlanQuery = Type.Object({
  channel: Type.Optional(Channel),
  version: Type.Optional(Type.String({ description: 'The release to plan for, e.g. v4.30.0; default latest' })),
});

export const UpdatePlan = Open({
  version: Type.String({ description: 'The planned release, or latest' }),
  channel: Channel,
  canAutoUpdate: Type.Boolean(),
  steps: Type.Array(Type.String()),
  instructions: Type.Optional(Type.String()),
  prerequisites: Type.Optional(Type.Array(Type.String())),
  estimatedTime: Type.Optional(Type.String()),
  requiresRoot: Type.Boolean(),
  rollbackSupport: Type.Boolean(),
  downloadUrl: Type.Optional(Type.String()),
});
export type UpdatePlan = Static<typeof UpdatePlan>;

export const UpdateApplyBody = Open({
  downloadUrl: Type.String({ minLength: 1, description: 'A release tarball URL from the update feed' }),
});

export const UpdateApplyReply = Open({ status: Type.Literal('started'), message: Type.String() });

export const UpdateHistoryQuery = Type.Object({
  status: Type.Optional(HistoryStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, default: 50, description: 'Newest first; default 50' })),
});

export const UpdateHistoryEntry = Open({
  event_id: Type.String(),
  timestamp: Type.String({ description: 'RFC3339' }),
  action: Type.String(),
  channel: Type.String(),
  version_from: Type.String(),
  version_to: Type.String(),
  deployment_type: Type.String(),
  initiated_by: Type.String(),
  initiated_via: Type.String(),
  status: HistoryStatus,
  duration_ms: Type.Number(),
  backup_path: Type.Optional(Type.String()),
  log_path: Type.Optional(Type.String()),
  error: Type.Optional(
    Open({ message: Type.String(), code: Type.Optional(Type.String()), details: Type.Optional(Type.Unknown()) }),
  ),
  download_bytes: Type.Optional(Type.Number()),
  related_event_id: Type.Optional(Type.String()),
  notes: Type.Optional(Type.String()),
});
export type UpdateHistoryEntry = Static<typeof UpdateHistoryEntry>;

export const UpdateHistoryReply = Type.Array(UpdateHistoryEntry);

export const UpdateEntryQuery = Type.Object({ id: Type.String({ minLength: 1, description: 'event_id' }) });
