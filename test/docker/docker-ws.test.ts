import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPulse } from '../helpers/pulse.js';
import { TestWsClient, wsUrl } from '../ws/client.js';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

describe('Docker hosts over /ws', () => {
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    pulse = await startTestPulse();
    pulse.deps.wsHub.coalesceMs = 50;
  });
  afterAll(() => pulse.close());

  it('a report is broadcast as rawData (ms); requestData answers the raw shape (RFC3339)', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    await c.waitFor('initialState');
    const at = Date.UTC(2026, 2, 1, 12);
    const res = await fetch(`${pulse.url}/api/agents/docker/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        agent: { id: 'ws-agent', version: '4.24.0', intervalSeconds: 30 },
        host: { hostname: 'ws-host' },
        containers: [{ id: 'c1', name: 'app', state: 'running', createdAt: '2026-03-01T09:00:00Z' }],
        timestamp: new Date(at).toISOString(),
      }),
    });
    expect(res.status).toBe(200);

    for (;;) {
      const frames = await c.waitFor('rawData', 1, 5000);
      const hosts = frames[frames.length - 1].data.dockerHosts;
      if (hosts.length) {
        expect(hosts[0]).toMatchObject({ id: 'ws-agent', lastSeen: at, status: 'online' });
        expect(hosts[0].containers[0].createdAt).toBe(Date.UTC(2026, 2, 1, 9));
        break;
      }
      c.messages.splice(0);
    }

    c.messages.splice(0);
    c.send({ type: 'requestData' });
    // The reply is the one rawData in the raw shape (a late broadcast would carry ms).
    let raw = (await c.waitFor('rawData'))[0];
    for (let n = 2; typeof raw.data.dockerHosts[0]?.lastSeen !== 'string'; n++)
      raw = (await c.waitFor('rawData', n))[n - 1];
    const host = raw.data.dockerHosts[0];
    expect(host.lastSeen).toMatch(RFC3339);
    expect(Date.parse(host.lastSeen)).toBe(at);
    expect(host.containers[0].createdAt).toMatch(RFC3339);
    expect(raw.data.connectionHealth['docker-ws-agent']).toBe(true);
    c.close();
  });
});
