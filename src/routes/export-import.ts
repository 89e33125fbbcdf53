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
import { badRequest, forbidden, unauthorized } from '../http/errors.js';
import { canExport } from '../security/export-access.js';
import type { Services } from '../services.js';
import { TransferError } from '../settings/transfer/cipher.js';

function bodyObject(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw badRequest('request body must be a JSON object');
  return b as Record<string, unknown>;
}

export function registerExportImportRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'configTransfer' | 'security' | 'settings'>,
): void {
  const allowUnprotected = deps.settings.allowUnprotectedExport;

  const checkAccess = (req: FastifyRequest) => {
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

  app.post('/api/config/export', { config: { guard: 'admin' } }, async (req) => {
    checkAccess(req);
    const body = bodyObject(req);
    const data = await transferErrors(() => deps.configTransfer.export(body.passphrase));
    deps.security.audit.record({
      event: 'config_export',
      username: req.auth?.username,
      ip: req.clientIp,
      success: true,
    });
    return { status: 'success', data };
  });

  app.post('/api/config/import', { config: { guard: 'admin' } }, async (req) => {
    checkAccess(req);
    const body = bodyObject(req);
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
  });
}
