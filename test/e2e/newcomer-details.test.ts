/**
 * Issue 18, "details a newcomer noticed", server side: the system settings read before anything
 * was saved shows the values in effect (the settings page showed empty fields), and a webhook to
 * localhost is refused with the name of the setting that allows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/http.js';
import { startTestPulse } from '../helpers/pulse.js';

let pulse: Awaited<ReturnType<typeof startTestPulse>>;

beforeAll(async () => {
  pulse = await startTestPulse({ env: { PULSE_ALLOW_LOOPBACK_WEBHOOKS: 'false', CONNECTION_TIMEOUT: '45' } });
});
afterAll(async () => {
  await pulse?.close();
});

describe('newcomer details', () => {
  it('/api/system/settings shows the effective values before the first save', async () => {
    const r = await api(pulse.url, 'GET', '/api/system/settings');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      pvePollingInterval: 10,
      pbsPollingInterval: 60,
      pmgPollingInterval: 60,
      connectionTimeout: 45,
      autoUpdateEnabled: false,
      discoveryEnabled: false,
      envOverrides: { connectionTimeout: true },
    });
    expect(typeof r.body.logLevel).toBe('string');
    // Saving one field leaves the others at their effective values.
    expect((await api(pulse.url, 'POST', '/api/system/settings/update', { pvePollingInterval: 30 })).status).toBe(200);
    expect((await api(pulse.url, 'GET', '/api/system/settings')).body).toMatchObject({
      pvePollingInterval: 30,
      pbsPollingInterval: 60,
      connectionTimeout: 45,
    });
  });

  it('a loopback webhook is refused naming PULSE_ALLOW_LOOPBACK_WEBHOOKS', async () => {
    const r = await api(pulse.url, 'POST', '/api/notifications/webhooks', {
      name: 'local',
      service: 'generic',
      url: 'http://127.0.0.1:9/hook',
    });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/PULSE_ALLOW_LOOPBACK_WEBHOOKS=true/);
  });
});
