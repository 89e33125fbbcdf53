/**
 * Configuration export/import (published API "Export/Import Configuration", wire contract §7.4):
 *   POST /api/config/export {passphrase}        → {status:"success", data}
 *   POST /api/config/import {data, passphrase}  → {status:"success", message, summary}
 *   POST /api/config/import {data, passphrase, dryRun:true} → {status:"success", preview} (Pulse-only)
 *
 * Who may call them is decided by canExport (src/security/export-access.ts): a signed-in caller
 * (session, API token — also `?token=` here — or Basic); without any credentials configured,
 * private networks only unless ALLOW_UNPROTECTED_EXPORT=true. The gate's `export` rate class
 * limits both routes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { badRequest, forbidden, unauthorized } from '../http/errors.js';
import { CLIENT_ERRORS } from '../schemas/common.js';
import { ExportBody, ExportReply, ImportBody, ImportReply } from '../schemas/transfer.js';
import { canExport } from '../security/export-access.js';
import type { Services } from '../services.js';
import { TransferError } from '../settings/transfer/cipher.js';

export function registerExportImportRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'configTransfer' | 'security' | 'settings'>,
): void {
  const allowUnprotected = deps.settings.allowUnprotectedExport;

  // Runs before body validation, so a caller who may not export learns nothing about the body.
  const checkAccess = async (req: FastifyRequest) => {
    if (canExport(deps.security, req, allowUnprotected)) return;
    if (deps.security.requiresAuth()) throw unauthorized();
    throw forbidden(
      'Export and import are only allowed from private networks while no authentication is configured (set ALLOW_UNPROTECTED_EXPORT=true to allow them from anywhere)',
    );
  };

  const transferErrors = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TransferError) throw badRequest(err.message);
      throw err;
    }
  };

  app.post<{ Body: Static<typeof ExportBody> }>(
    '/api/config/export',
    {
      config: { guard: 'admin' },
      preValidation: checkAccess,
      schema: {
        summary: 'Export the configuration, encrypted under a passphrase',
        body: ExportBody,
        response: { 200: ExportReply, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const data = await transferErrors(() => deps.configTransfer.export(req.body.passphrase));
      deps.security.audit.record({
        event: 'config_export',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
      });
      return { status: 'success', data };
    },
  );

  app.post<{ Body: Static<typeof ImportBody> }>(
    '/api/config/import',
    {
      config: { guard: 'admin' },
      preValidation: checkAccess,
      schema: {
        summary: 'Import an exported configuration (replaces nodes, alerts, notifications, system settings)',
        body: ImportBody,
        response: { 200: ImportReply, ...CLIENT_ERRORS },
      },
    },
    async (req) => {
      const body = req.body;
      // dryRun: decrypt and validate only, and say what would be replaced (nothing is written).
      if (body.dryRun === true) {
        const preview = await transferErrors(() => deps.configTransfer.preview(body.data, body.passphrase));
        return { status: 'success', preview };
      }
      const summary = await transferErrors(() => deps.configTransfer.import(body.data, body.passphrase));
      deps.security.audit.record({
        event: 'config_import',
        username: req.auth?.username,
        ip: req.clientIp,
        success: true,
        details: { ...summary },
      });
      return { status: 'success', message: 'Configuration imported successfully', summary };
    },
  );
}
