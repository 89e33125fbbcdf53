import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse } from '../helpers/pulse.js';

describe('Docker hosts and the alert engine', () => {
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
  let pulse: Awaited<ReturnType<typeof startTestPulse>>;
  beforeAll(async () => {
    pulse = await startTestPulse({ clock });
  });
  afterAll(() => pulse.close());

  const active = async () =>
    ((await (await fetch(`${pulse.url}/api/alerts/active`)).json()) as Array<{ id: string; type: string }>).map(
      (a) => a.id,
    );

  it('a silent host raises docker-host-offline; removing the host removes its alerts', async () => {
    const res = await fetch(`${pulse.url}/api/agents/docker/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        agent: { id: 'alerting', intervalSeconds: 30 },
        host: { hostname: 'alerting-host' },
        containers: [],
      }),
    });
    expect(res.status).toBe(200);
    clock.advance(121_000);
    pulse.deps.docker.checkLiveness();
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      pulse.deps.alerts.evaluateNow();
    }
    expect(await active()).toContain('docker-host-offline-alerting');

    const del = await fetch(`${pulse.url}/api/agents/docker/hosts/alerting`, { method: 'DELETE' });
    expect((await del.json()).message).toBe('Docker host removed');
    expect(await active()).not.toContain('docker-host-offline-alerting');
  });
});
