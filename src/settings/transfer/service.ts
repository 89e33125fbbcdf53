/**
 * ConfigTransfer: encrypted export and import of the whole configuration (wire contract §7.4).
 *
 * Import order: decrypt → parse and validate every section → one SQLite transaction that
 * replaces nodes, system settings, email, webhooks, guest metadata and (last, because it also
 * updates the engine in memory) the alert config → restart pollers. A wrong passphrase or any
 * invalid section is refused before the first write, so nothing stored is lost.
 */
import fs from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { AlertService } from '../../alerts/service.js';
import type { Clock } from '../../clock.js';
import { MetaRepo } from '../../db/meta-repo.js';
import type { PulseEvents } from '../../events.js';
import type { GuestMetadataService } from '../../guest-metadata/service.js';
import type { Logger } from '../../logging.js';
import type { NotificationService } from '../../notify/service.js';
import { localOffsetMinutes, toRfc3339 } from '../../state/raw-shape.js';
import type { Settings } from '../env.js';
import type { NodesRepo } from '../nodes-repo.js';
import type { SystemSettingsService } from '../system-settings.js';
import { decryptConfig, encryptConfig, TransferError, validatePassphrase } from './cipher.js';
import { buildDocument, type ExportDocument, type ParsedImport, parseDocument } from './document.js';

/** The services whose configuration an export holds and an import replaces. */
interface Deps {
  db: Database;
  clock: Clock;
  logger: Logger;
  settings: Settings;
  nodes: NodesRepo;
  systemSettings: SystemSettingsService;
  /** Brings the pollers in line with the stored instances after an import replaced them. */
  reloadPollers: () => void;
  alerts: AlertService;
  notifications: NotificationService;
  guestMetadata: GuestMetadataService;
  events: PulseEvents;
}

export interface ImportSummary {
  nodes: number;
  webhooks?: number;
  guestMetadata?: number;
  alerts: boolean;
  email: boolean;
  system: boolean;
}

interface NodeBrief {
  name: string;
  type: string;
  host: string;
}

export interface ImportPreview {
  incoming: Omit<ImportSummary, 'nodes'> & { nodes: NodeBrief[] };
  current: { nodes: NodeBrief[]; webhooks: number; guestMetadata: number };
}

const INIT_IMPORT_KEY = 'config_transfer.init_import_done';

export class ConfigTransfer {
  constructor(private readonly deps: Deps) {}

  /** The current configuration as the export's plaintext document (secrets in clear). */
  document(): ExportDocument {
    const d = this.deps;
    const now = d.clock.now();
    return buildDocument(
      {
        nodes: d.nodes.list(),
        alerts: d.alerts.getConfig(),
        email: d.notifications.store.getEmail(),
        webhooks: d.notifications.store.listWebhooks(),
        system: d.systemSettings.get(),
        guestMetadata: d.guestMetadata.all(),
      },
      toRfc3339(now, localOffsetMinutes(now)),
    );
  }

  /** → base64 of salt ‖ nonce ‖ ciphertext+tag. Throws TransferError for a weak passphrase. */
  async export(passphrase: unknown): Promise<string> {
    const pass = validatePassphrase(passphrase);
    return encryptConfig(JSON.stringify(this.document()), pass);
  }

  /** Decrypts, validates and applies an export. Throws TransferError (→ 400) with nothing changed. */
  async import(data: unknown, passphrase: unknown): Promise<ImportSummary> {
    return this.apply(await this.parse(data, passphrase));
  }

  /**
   * What an import would replace, without writing anything: the UI shows it before asking for
   * confirmation, since an import deletes every configured node first.
   */
  async preview(data: unknown, passphrase: unknown): Promise<ImportPreview> {
    const p = await this.parse(data, passphrase);
    const current = this.deps.nodes.list();
    return {
      incoming: {
        nodes: p.nodes.map((n) => ({ name: n.name, type: n.type, host: n.host })),
        webhooks: p.webhooks?.length,
        guestMetadata: p.guestMetadata?.length,
        alerts: p.alerts !== undefined,
        email: p.email !== undefined,
        system: p.system !== undefined,
      },
      current: {
        nodes: current.map((n) => ({ name: n.name, type: n.type, host: n.host })),
        webhooks: this.deps.notifications.store.listWebhooks().length,
        guestMetadata: this.deps.guestMetadata.repo.list().length,
      },
    };
  }

  private async parse(data: unknown, passphrase: unknown): Promise<ParsedImport> {
    if (typeof passphrase !== 'string' || passphrase === '') throw new TransferError('passphrase is required');
    const plaintext = await decryptConfig(data, passphrase);
    return parseDocument(plaintext, {
      webhookPolicy: {
        allowLoopback: this.deps.settings.allowLoopbackWebhooks,
        now: this.deps.clock.now(),
        publicUrl: this.deps.settings.publicUrl ?? '',
      },
    });
  }

  apply(p: ParsedImport): ImportSummary {
    const { db, nodes, systemSettings, notifications, guestMetadata, alerts, clock } = this.deps;
    const oldWebhookIds = notifications.store.listWebhooks().map((w) => w.id);
    db.transaction(() => {
      for (const n of nodes.list()) nodes.delete(n.uid);
      for (const n of p.nodes) nodes.insert(n);
      if (p.system) {
        // A replacement, not a merge: keys the export leaves out fall back to their defaults.
        db.prepare('DELETE FROM system_settings').run();
        systemSettings.save(p.system);
      }
      if (p.email) notifications.store.saveEmail(p.email);
      if (p.webhooks) {
        for (const id of oldWebhookIds) notifications.store.deleteWebhook(id);
        const now = clock.now();
        for (const w of p.webhooks) notifications.store.saveWebhook(w, now);
      }
      if (p.guestMetadata) guestMetadata.repo.replaceAll(p.guestMetadata);
      // Last: it also swaps the engine's in-memory config, which a rollback could not undo.
      if (p.alerts) alerts.updateConfig(p.alerts);
    })();

    this.deps.reloadPollers();
    if (p.webhooks) {
      // Deliveries queued for webhooks that no longer exist can never be sent.
      const kept = new Set(p.webhooks.map((w) => w.id));
      for (const id of oldWebhookIds) if (!kept.has(id)) notifications.queue.dropTarget('webhook', id);
    }
    if (p.system?.theme !== undefined) this.deps.events.emit('settingsUpdate', { theme: p.system.theme });
    this.deps.logger.info({ nodes: p.nodes.length }, 'configuration imported');
    return {
      nodes: p.nodes.length,
      webhooks: p.webhooks?.length,
      guestMetadata: p.guestMetadata?.length,
      alerts: p.alerts !== undefined,
      email: p.email !== undefined,
      system: p.system !== undefined,
    };
  }

  /**
   * PULSE_INIT_CONFIG_DATA (or _FILE) with PULSE_INIT_CONFIG_PASSPHRASE: imported once, at the
   * first start of an installation that has no nodes yet. A failure is logged, not fatal.
   */
  async importInitialConfig(): Promise<boolean> {
    const initial = this.deps.settings.initialConfig;
    if (initial === undefined) return false;
    const { file, passphrase } = initial;
    let data = initial.data;
    const meta = new MetaRepo(this.deps.db);
    if (meta.get(INIT_IMPORT_KEY) || this.deps.nodes.list().length > 0) return false;
    try {
      if (!data && file) data = fs.readFileSync(file, 'utf8').trim();
      const summary = await this.import(data, passphrase);
      meta.set(INIT_IMPORT_KEY, String(this.deps.clock.now()));
      this.deps.logger.info(summary, 'initial configuration imported from PULSE_INIT_CONFIG_*');
      return true;
    } catch (err) {
      this.deps.logger.error(
        { err: err instanceof TransferError ? err.message : err },
        'initial configuration import (PULSE_INIT_CONFIG_*) failed',
      );
      return false;
    }
  }
}
