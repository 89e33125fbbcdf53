/**
 * System settings (wire-contract §7.2): persisted in `system_settings`, validated here (the route
 * schema, then the rules a schema cannot express), read by the scheduler (polling intervals,
 * connection timeout). Listeners hear about every change so pollers pick up new intervals without
 * a restart.
 */
import type { Database } from 'better-sqlite3';
import { conforming } from '../http/schema-check.js';
import { LOG_LEVELS, SystemSettingsUpdate, type SystemSettingsValues } from '../schemas/system-settings.js';
import { parseOriginList } from './input-validation.js';

/** The settings in effect; their shape is declared once, with the routes' schemas. */
export type SystemSettings = SystemSettingsValues;

export const DEFAULT_SYSTEM_SETTINGS: SystemSettings = {
  pvePollingInterval: 10,
  pbsPollingInterval: 60,
  pmgPollingInterval: 60,
  autoUpdateEnabled: false,
  discoveryEnabled: false,
  allowEmbedding: false,
  metricsPublic: false,
};

export class SettingsValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'SettingsValidationError';
  }
}

/** Fields whose schema check is all there is: copied as given. */
const PLAIN_FIELDS = [
  'pvePollingInterval',
  'pbsPollingInterval',
  'pmgPollingInterval',
  'backendPort',
  'frontendPort',
  'connectionTimeout',
  'autoUpdateCheckInterval',
  'updateChannel',
  'autoUpdateEnabled',
  'discoveryEnabled',
  'allowEmbedding',
  'metricsPublic',
] as const satisfies ReadonlyArray<keyof SystemSettings>;

/**
 * Validates a partial update (from the API or a config import); returns only the fields present.
 * Types and ranges come from the route schema; what it cannot say is checked here.
 */
export function validateSettingsUpdate(raw: unknown): Partial<SystemSettings> {
  const b = conforming(SystemSettingsUpdate, raw, (p) => new SettingsValidationError(p.field, p.rule));
  const out: Record<string, unknown> = {};
  for (const k of PLAIN_FIELDS) if (b[k] !== undefined && b[k] !== null) out[k] = b[k];
  if (b.theme) out.theme = b.theme;
  if (b.autoUpdateTime) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(b.autoUpdateTime)) {
      throw new SettingsValidationError('autoUpdateTime', 'must be HH:MM');
    }
    out.autoUpdateTime = b.autoUpdateTime;
  }
  if (b.logLevel) {
    // Case-insensitive, which an enum cannot say.
    if (!(LOG_LEVELS as readonly string[]).includes(b.logLevel.toLowerCase())) {
      throw new SettingsValidationError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
    }
    out.logLevel = b.logLevel.toLowerCase();
  }
  const subnet = b.discoverySubnet;
  if (subnet !== undefined && subnet !== null) {
    if (subnet !== '' && subnet !== 'auto' && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(subnet)) {
      throw new SettingsValidationError('discoverySubnet', 'must be a CIDR subnet like 192.168.1.0/24, or auto');
    }
    out.discoverySubnet = subnet;
  }
  for (const field of ['allowedOrigins', 'allowedEmbedOrigins'] as const) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    try {
      out[field] = parseOriginList(v);
    } catch (err) {
      throw new SettingsValidationError(field, (err as Error).message);
    }
  }
  return out as Partial<SystemSettings>;
}

export type SettingsListener = (next: SystemSettings) => void;

export class SystemSettingsService {
  readonly #db: Database;
  readonly #listeners = new Set<SettingsListener>();
  #cache: SystemSettings | undefined;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Whether anything was ever saved (GET /api/system/settings distinguishes "no file"). */
  hasStored(): boolean {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM system_settings').get() as { n: number }).n > 0;
  }

  /** Only the keys that were saved. */
  stored(): Partial<SystemSettings> {
    const out: Record<string, unknown> = {};
    for (const r of this.#db.prepare('SELECT key, value FROM system_settings').all() as Array<{
      key: string;
      value: string;
    }>) {
      try {
        out[r.key] = JSON.parse(r.value);
      } catch {
        // A value we cannot read is treated as unset.
      }
    }
    return out as Partial<SystemSettings>;
  }

  get(): SystemSettings {
    this.#cache ??= { ...DEFAULT_SYSTEM_SETTINGS, ...this.stored() };
    return this.#cache;
  }

  /**
   * Saves fields (already validated by the caller; code paths such as tests may set intervals
   * below the API's 10 s minimum). Notifies listeners.
   */
  save(partial: Partial<SystemSettings>): SystemSettings {
    const upsert = this.#db.prepare(
      'INSERT INTO system_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.#db.transaction(() => {
      for (const [k, v] of Object.entries(partial)) if (v !== undefined) upsert.run(k, JSON.stringify(v));
    })();
    this.#cache = undefined;
    const next = this.get();
    for (const l of this.#listeners) l(next);
    return next;
  }

  onChange(listener: SettingsListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
