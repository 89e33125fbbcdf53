/**
 * System settings (wire-contract §7.2): persisted in `system_settings`, validated here, read by
 * the scheduler (polling intervals, connection timeout). Listeners hear about every change so
 * pollers pick up new intervals without a restart.
 */
import type { Database } from 'better-sqlite3';
import { parseOriginList } from './input-validation.js';

export interface SystemSettings {
  pvePollingInterval: number;
  pbsPollingInterval: number;
  pmgPollingInterval: number;
  backendPort?: number;
  frontendPort?: number;
  allowedOrigins?: string;
  connectionTimeout?: number;
  updateChannel?: 'stable' | 'rc';
  autoUpdateEnabled: boolean;
  autoUpdateCheckInterval?: number;
  autoUpdateTime?: string;
  logLevel?: string;
  discoveryEnabled: boolean;
  discoverySubnet?: string;
  theme?: 'light' | 'dark';
  allowEmbedding: boolean;
  allowedEmbedOrigins?: string;
  /** GET /metrics without an API token (for scrapers on a trusted network); default protected. */
  metricsPublic: boolean;
}

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

type Body = Record<string, unknown>;

function intIn(body: Body, field: string, ok: (n: number) => boolean, rule: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || !ok(n)) throw new SettingsValidationError(field, rule);
  return n;
}

function strField(body: Body, field: string, max = 2000): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > max) throw new SettingsValidationError(field, 'must be a string');
  return v;
}

function boolField(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new SettingsValidationError(field, 'must be true or false');
  return v;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Validates a partial update from the API; returns only the fields present. */
export function validateSettingsUpdate(raw: unknown): Partial<SystemSettings> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SettingsValidationError('body', 'must be a JSON object');
  }
  const b = raw as Body;
  const out: Partial<SystemSettings> = {};
  const poll = (n: number) => n >= 10 && n <= 3600;
  const pollRule = 'must be a whole number of seconds between 10 and 3600';
  const set = <K extends keyof SystemSettings>(k: K, v: SystemSettings[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('pvePollingInterval', intIn(b, 'pvePollingInterval', poll, pollRule));
  set('pbsPollingInterval', intIn(b, 'pbsPollingInterval', poll, pollRule));
  set('pmgPollingInterval', intIn(b, 'pmgPollingInterval', poll, pollRule));
  const port = (n: number) => n >= 1 && n <= 65535;
  set('backendPort', intIn(b, 'backendPort', port, 'must be a port number 1–65535'));
  set('frontendPort', intIn(b, 'frontendPort', port, 'must be a port number 1–65535'));
  set(
    'connectionTimeout',
    intIn(b, 'connectionTimeout', (n) => n === 0 || (n >= 1 && n <= 300), 'must be 0 or 1–300 seconds'),
  );
  set(
    'autoUpdateCheckInterval',
    intIn(b, 'autoUpdateCheckInterval', (n) => n === 0 || (n >= 1 && n <= 168), 'must be 0 or 1–168 hours'),
  );
  const channel = strField(b, 'updateChannel');
  if (channel !== undefined) {
    if (channel !== 'stable' && channel !== 'rc')
      throw new SettingsValidationError('updateChannel', 'must be stable or rc');
    out.updateChannel = channel;
  }
  const theme = strField(b, 'theme');
  if (theme !== undefined && theme !== '') {
    if (theme !== 'light' && theme !== 'dark') throw new SettingsValidationError('theme', 'must be light or dark');
    out.theme = theme;
  }
  const time = strField(b, 'autoUpdateTime');
  if (time !== undefined && time !== '') {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw new SettingsValidationError('autoUpdateTime', 'must be HH:MM');
    out.autoUpdateTime = time;
  }
  const level = strField(b, 'logLevel');
  if (level !== undefined && level !== '') {
    if (!LOG_LEVELS.includes(level.toLowerCase())) {
      throw new SettingsValidationError('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`);
    }
    out.logLevel = level.toLowerCase();
  }
  const subnet = strField(b, 'discoverySubnet', 200);
  if (subnet !== undefined) {
    if (subnet !== '' && subnet !== 'auto' && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(subnet)) {
      throw new SettingsValidationError('discoverySubnet', 'must be a CIDR subnet like 192.168.1.0/24, or auto');
    }
    out.discoverySubnet = subnet;
  }
  set('allowedOrigins', originsField(b, 'allowedOrigins'));
  set('allowedEmbedOrigins', originsField(b, 'allowedEmbedOrigins'));
  set('autoUpdateEnabled', boolField(b, 'autoUpdateEnabled'));
  set('discoveryEnabled', boolField(b, 'discoveryEnabled'));
  set('allowEmbedding', boolField(b, 'allowEmbedding'));
  set('metricsPublic', boolField(b, 'metricsPublic'));
  return out;
}

/** A comma-separated origin list, each entry checked (see input-validation.ts). */
function originsField(body: Body, field: string): string | undefined {
  const v = strField(body, field);
  if (v === undefined) return undefined;
  try {
    return parseOriginList(v);
  } catch (err) {
    throw new SettingsValidationError(field, (err as Error).message);
  }
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
