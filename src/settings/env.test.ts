import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from './env.js';

describe('loadSettings', () => {
  it('applies the documented defaults', () => {
    const s = loadSettings({}, '/srv');
    expect(s.port).toBe(7655);
    expect(s.dataDir).toBe('/srv/data');
    expect(s.bindAddress).toBe('0.0.0.0');
    expect(s.logLevel).toBe('info');
    expect(s.bodyLimit).toBe(1024 * 1024);
    expect(s.apiTokens).toEqual([]);
  });

  it('prefers FRONTEND_PORT over PORT', () => {
    expect(loadSettings({ FRONTEND_PORT: '8080', PORT: '9090' }).port).toBe(8080);
    expect(loadSettings({ PORT: '9090' }).port).toBe(9090);
  });

  it('merges API_TOKENS with the legacy API_TOKEN without duplicates', () => {
    expect(loadSettings({ API_TOKENS: 'a, b', API_TOKEN: 'b' }).apiTokens).toEqual(['a', 'b']);
  });

  it.each([
    ['FRONTEND_PORT', 'abc'],
    ['FRONTEND_PORT', '70000'],
    ['PORT', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['BIND_ADDRESS', 'not an ip'],
    ['DISABLE_AUTH', 'maybe'],
    ['PULSE_PUBLIC_URL', 'ftp://x'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    try {
      loadSettings({ [name]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SettingsError);
      expect((err as SettingsError).variable).toBe(name);
      expect((err as Error).message).toContain(name);
    }
  });
});
