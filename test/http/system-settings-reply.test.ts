/**
 * GET /api/system/settings and GET /api/config/system send the settings in effect, and their reply
 * schema names every field they send: after every field the update accepts has been saved, the
 * replies hold the saved values and nothing the schema leaves out (the test server's strict
 * response check holds them to the declared types).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemSettingsReply, SystemSettingsUpdate } from '../../src/schemas/system-settings.js';
import { api } from '../helpers/http.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';

// Switches that would start work (update checks, network scans) are saved as off: only their
// presence matters here.
const EVERY_FIELD = {
  pvePollingInterval: 20,
  pbsPollingInterval: 30,
  pmgPollingInterval: 40,
  backendPort: 7656,
  frontendPort: 7657,
  connectionTimeout: 45,
  autoUpdateCheckInterval: 12,
  updateChannel: 'rc',
  theme: 'dark',
  autoUpdateTime: '03:30',
  logLevel: 'WARN',
  discoverySubnet: '192.168.1.0/24',
  allowedOrigins: 'https://dash.example/',
  allowedEmbedOrigins: 'https://wiki.example',
  autoUpdateEnabled: false,
  discoveryEnabled: false,
  allowEmbedding: true,
  metricsPublic: true,
};

describe('system settings replies', () => {
  let pulse: TestPulse;
  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(() => pulse.close());

  it('saves a value for every field the update schema accepts', () => {
    expect(Object.keys(EVERY_FIELD).sort()).toEqual(Object.keys(SystemSettingsUpdate.properties).sort());
  });

  it.each(['/api/system/settings', '/api/config/system'])('%s sends the saved fields, each declared', async (path) => {
    expect((await api(pulse.url, 'POST', '/api/system/settings/update', EVERY_FIELD)).status).toBe(200);
    const res = await api(pulse.url, 'GET', path);
    expect(res.status).toBe(200);
    // As validation stores them: the log level in lower case, origins without a trailing slash.
    expect(res.body).toMatchObject({ ...EVERY_FIELD, logLevel: 'warn', allowedOrigins: 'https://dash.example' });
    const declared = Object.keys(SystemSettingsReply.properties);
    expect(Object.keys(res.body).filter((k) => !declared.includes(k))).toEqual([]);
  });
});
