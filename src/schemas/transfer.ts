/**
 * Configuration export and import (wire contract §7.4). The passphrase rules (at least 12
 * characters) and the export's contents are checked by the transfer service, which also serves
 * the import at first start from PULSE_INIT_CONFIG_*.
 */
import { type Static, Type } from 'typebox';
import { Open } from './common.js';

const Passphrase = Type.String({ description: 'At least 12 characters; the export is encrypted under it' });

export const ExportBody = Open({ passphrase: Passphrase });

export const ExportReply = Open({
  status: Type.Literal('success'),
  data: Type.String({ description: 'base64 of salt ‖ nonce ‖ AES-256-GCM ciphertext and tag' }),
});
export type ExportReply = Static<typeof ExportReply>;

export const ImportBody = Open({
  data: Type.String({ description: 'What /api/config/export returned' }),
  passphrase: Passphrase,
  dryRun: Type.Optional(Type.Boolean({ description: 'Decrypt and check only, and say what would be replaced' })),
});

const ImportSummary = Open({
  nodes: Type.Integer(),
  webhooks: Type.Optional(Type.Integer()),
  guestMetadata: Type.Optional(Type.Integer()),
  alerts: Type.Boolean(),
  email: Type.Boolean(),
  system: Type.Boolean(),
});
export type ImportSummary = Static<typeof ImportSummary>;

const NodeBrief = Open({ name: Type.String(), type: Type.String(), host: Type.String() });
export type ImportNodeBrief = Static<typeof NodeBrief>;

const ImportPreview = Open({
  incoming: Open({
    nodes: Type.Array(NodeBrief),
    webhooks: Type.Optional(Type.Integer()),
    guestMetadata: Type.Optional(Type.Integer()),
    alerts: Type.Boolean(),
    email: Type.Boolean(),
    system: Type.Boolean(),
  }),
  current: Open({ nodes: Type.Array(NodeBrief), webhooks: Type.Integer(), guestMetadata: Type.Integer() }),
});
export type ImportPreview = Static<typeof ImportPreview>;

/** A real import answers message and summary; a dry run answers preview. */
export const ImportReply = Open({
  status: Type.Literal('success'),
  message: Type.Optional(Type.String()),
  summary: Type.Optional(ImportSummary),
  preview: Type.Optional(ImportPreview),
});
export type ImportReply = Static<typeof ImportReply>;
