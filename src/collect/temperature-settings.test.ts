/** The PULSE_SENSORS_* variables as loadSettings reads them (src/settings/env.ts). */
import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../settings/env.js';

describe('temperature settings', () => {
  it('defaults: root on port 22, 30 s refresh, no key override, no host map', () => {
    const s = loadSettings({ PULSE_DATA_DIR: '/d' }, '/');
    expect(s).toMatchObject({ sensorsSshUser: 'root', sensorsSshPort: 22, sensorsRefreshSec: 30, sensorsSshHosts: {} });
    expect(s.sensorsSshKey).toBeUndefined();
  });

  it('reads the key path, user, port, refresh and the host map (names, instance/node, addresses, IPv6)', () => {
    const s = loadSettings(
      {
        PULSE_SENSORS_SSH_KEY: 'keys/id',
        PULSE_SENSORS_SSH_USER: 'monitor',
        PULSE_SENSORS_SSH_PORT: '2222',
        PULSE_SENSORS_REFRESH_SECONDS: '60',
        PULSE_SENSORS_SSH_HOSTS: 'pve1=127.0.0.1:40001, lab/pve2=jump.example, 10.0.0.13=[fd00::13]:22',
      },
      '/srv/pulse',
    );
    expect(s.sensorsSshKey).toBe('/srv/pulse/keys/id');
    expect(s.sensorsSshUser).toBe('monitor');
    expect(s.sensorsSshPort).toBe(2222);
    expect(s.sensorsRefreshSec).toBe(60);
    expect(s.sensorsSshHosts).toEqual({
      pve1: { host: '127.0.0.1', port: 40001 },
      'lab/pve2': { host: 'jump.example' },
      '10.0.0.13': { host: 'fd00::13', port: 22 },
    });
  });

  it('bad values name the variable', () => {
    for (const [k, v] of [
      ['PULSE_SENSORS_SSH_PORT', '0'],
      ['PULSE_SENSORS_SSH_PORT', 'ssh'],
      ['PULSE_SENSORS_REFRESH_SECONDS', '0'],
      ['PULSE_SENSORS_SSH_HOSTS', 'pve1'],
      ['PULSE_SENSORS_SSH_HOSTS', 'pve1=h:99999'],
      ['PULSE_SENSORS_SSH_HOSTS', 'pve1=a b'],
    ]) {
      expect(() => loadSettings({ [k]: v }), `${k}=${v}`).toThrow(SettingsError);
      expect(() => loadSettings({ [k]: v })).toThrow(k);
    }
  });
});
