import { describe, expect, it } from 'vitest';
import { UiPreferences } from '../schemas/ui-settings.js';
import { UiSettingsError, uiDefaults, validateUiSettings } from './ui-settings.js';

function refusal(raw: unknown): { field: string; message: string } {
  try {
    validateUiSettings(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(UiSettingsError);
    return { field: (err as UiSettingsError).field, message: (err as Error).message };
  }
  throw new Error('the update was accepted');
}

describe('UI preferences', () => {
  it('has a default for every preference the schema declares, and no other', () => {
    expect(Object.keys(uiDefaults()).sort()).toEqual(Object.keys(UiPreferences).sort());
  });

  it('takes the allowed values and range from the schema, flat or wrapped in current', () => {
    const { maximum } = UiPreferences.refreshInterval as unknown as { maximum: number };
    expect(validateUiSettings({ refreshInterval: maximum, theme: 'dark' })).toEqual({
      refreshInterval: maximum,
      theme: 'dark',
    });
    expect(validateUiSettings({ current: { compactMode: true } })).toEqual({ compactMode: true });
    expect(refusal({ refreshInterval: maximum + 1 })).toEqual({
      field: 'refreshInterval',
      message: `refreshInterval: must be <= ${maximum}`,
    });
    expect(refusal({ current: { theme: 'blue' } })).toEqual({
      field: 'current.theme',
      message: 'current.theme: must be one of: system, light, dark',
    });
    expect(refusal(['theme'])).toMatchObject({ field: 'body' });
  });

  it('refuses a preference it does not know, by name', () => {
    expect(refusal({ theme: 'dark', fontSize: 12 })).toEqual({
      field: 'fontSize',
      message: 'fontSize: is not a known setting',
    });
  });
});
