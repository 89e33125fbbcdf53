/**
 * Legacy UI preferences behind GET /api/settings and POST /api/settings/update: theme, refresh
 * interval, dashboard layout and display units, kept in the `ui_settings` table. Each field's type
 * and allowed values are in src/schemas/ui-settings.ts, its default here; unknown fields and bad
 * values are refused with the field name.
 */
import type { Database } from 'better-sqlite3';
import { conforming } from '../http/schema-check.js';
import { UiPreferences, UiSettingsUpdateBody } from '../schemas/ui-settings.js';

export type UiSettingKey = keyof typeof UiPreferences;
export type UiSettings = Record<UiSettingKey, string | number | boolean>;

/** What each preference is until someone changes it; the values it may take are in the schema. */
const DEFAULTS = {
  theme: 'system',
  refreshInterval: 10,
  dashboardLayout: 'list',
  compactMode: false,
  showStoppedGuests: true,
  groupByNode: true,
  temperatureUnit: 'celsius',
  timeFormat: '24h',
  byteUnits: 'binary',
} as const satisfies UiSettings;

const isKnown = (key: string): key is UiSettingKey => Object.hasOwn(UiPreferences, key);

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
  return { ...DEFAULTS };
}

/**
 * Validates a partial update (flat, or wrapped as {current: {...}} as GET returns it) against the
 * route schema; the one rule left here is that only known preferences may be sent.
 */
export function validateUiSettings(raw: unknown): Partial<UiSettings> {
  const outer = conforming(UiSettingsUpdateBody, raw, (p) => new UiSettingsError(p.field, p.rule));
  const body: Record<string, unknown> = outer.current ?? outer;
  const out: Partial<UiSettings> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!isKnown(key)) throw new UiSettingsError(key, 'is not a known setting');
    out[key] = value as string | number | boolean;
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
      if (!isKnown(r.key)) continue;
      try {
        out[r.key] = JSON.parse(r.value);
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
