/**
 * Legacy UI preferences behind GET /api/settings and POST /api/settings/update: theme, refresh
 * interval, dashboard layout and display units, kept in the `ui_settings` table. Each field has a
 * type, allowed values and a default; unknown fields and bad values are refused with the field name.
 */
import type { Database } from 'better-sqlite3';

type Field =
  | { kind: 'enum'; values: readonly string[]; default: string }
  | { kind: 'int'; min: number; max: number; default: number }
  | { kind: 'bool'; default: boolean };

export const UI_SETTING_FIELDS = {
  theme: { kind: 'enum', values: ['system', 'light', 'dark'], default: 'system' },
  /** Seconds between UI refreshes when the WebSocket is unavailable. */
  refreshInterval: { kind: 'int', min: 1, max: 300, default: 10 },
  dashboardLayout: { kind: 'enum', values: ['list', 'grid'], default: 'list' },
  compactMode: { kind: 'bool', default: false },
  showStoppedGuests: { kind: 'bool', default: true },
  groupByNode: { kind: 'bool', default: true },
  temperatureUnit: { kind: 'enum', values: ['celsius', 'fahrenheit'], default: 'celsius' },
  timeFormat: { kind: 'enum', values: ['24h', '12h'], default: '24h' },
  byteUnits: { kind: 'enum', values: ['binary', 'decimal'], default: 'binary' },
} as const satisfies Record<string, Field>;

export type UiSettingKey = keyof typeof UI_SETTING_FIELDS;
export type UiSettings = Record<UiSettingKey, string | number | boolean>;

export class UiSettingsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'UiSettingsError';
  }
}

export function uiDefaults(): UiSettings {
  const out = {} as UiSettings;
  for (const [k, f] of Object.entries(UI_SETTING_FIELDS)) out[k as UiSettingKey] = f.default;
  return out;
}

/** Validates a partial update (flat, or wrapped as {current: {...}} as GET returns it). */
export function validateUiSettings(raw: unknown): Partial<UiSettings> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new UiSettingsError('body', 'must be a JSON object');
  let body = raw as Record<string, unknown>;
  if (body.current && typeof body.current === 'object' && !Array.isArray(body.current)) {
    body = body.current as Record<string, unknown>;
  }
  const out: Partial<UiSettings> = {};
  for (const [key, value] of Object.entries(body)) {
    const f = (UI_SETTING_FIELDS as Record<string, Field>)[key];
    if (!f) throw new UiSettingsError(key, 'is not a known setting');
    if (f.kind === 'enum') {
      if (typeof value !== 'string' || !f.values.includes(value)) {
        throw new UiSettingsError(key, `must be one of ${f.values.join(', ')}`);
      }
    } else if (f.kind === 'int') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < f.min || value > f.max) {
        throw new UiSettingsError(key, `must be a whole number from ${f.min} to ${f.max}`);
      }
    } else if (typeof value !== 'boolean') {
      throw new UiSettingsError(key, 'must be true or false');
    }
    out[key as UiSettingKey] = value as string | number | boolean;
  }
  return out;
}

export class UiSettingsRepo {
  constructor(private readonly db: Database) {}

  get(): UiSettings {
    const out = uiDefaults();
    for (const r of this.db.prepare('SELECT key, value FROM ui_settings').all() as Array<{
      key: string;
      value: string;
    }>) {
      if (!(r.key in UI_SETTING_FIELDS)) continue;
      try {
        out[r.key as UiSettingKey] = JSON.parse(r.value);
      } catch {
        // unreadable value: the default stands
      }
    }
    return out;
  }

  save(partial: Partial<UiSettings>): UiSettings {
    const upsert = this.db.prepare(
      'INSERT INTO ui_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(partial)) upsert.run(k, JSON.stringify(v));
    })();
    return this.get();
  }
}
