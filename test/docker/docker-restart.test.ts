import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;

const body = (id: string) => ({
  agent: { id, version: '4.24.0', intervalSeconds: 30 },
  host: { hostname: `${id}-host` },
  containers: [{ id: 'c1', name: 'app', state: 'running', cpuPercent: 3.5 }],
});

describe('Docker hosts across a restart', () => {
  const dataDir = tempDir();
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
  let pulse: Pulse;
  afterAll(() => pulse?.close());

  const report = (id: string) =>
    fetch(`${pulse.url}/api/agents/docker/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body(id)),
    });
  const hosts = async () =>
    (await (await fetch(`${pulse.url}/api/state`)).json()).dockerHosts as Array<{ id: string; status: string }>;

  it('keeps hosts, hidden flags and re-enrolment blocks; restored hosts are judged by their last report', async () => {
    pulse = await startTestPulse({ dataDir, clock });
    for (const id of ['keep', 'hidden', 'removed']) expect((await report(id)).status).toBe(200);
    await fetch(`${pulse.url}/api/agents/docker/hosts/hidden?hide=true`, { method: 'DELETE' });
    await fetch(`${pulse.url}/api/agents/docker/hosts/removed?force=true`, { method: 'DELETE' });
    await pulse.close();

    pulse = await startTestPulse({ dataDir, clock });
    let list = await hosts();
    expect(list.map((h) => h.id)).toEqual(['keep']);
    expect(list[0]).toMatchObject({ status: 'online', containers: [{ id: 'c1', cpuPercent: 3.5 }] });
    expect((await report('removed')).status).toBe(400);
    await pulse.close();

    clock.advance(5 * 60_000);
    pulse = await startTestPulse({ dataDir, clock });
    list = await hosts();
    expect(list[0]).toMatchObject({ id: 'keep', status: 'offline' });
    expect((await (await fetch(`${pulse.url}/api/state`)).json()).connectionHealth['docker-keep']).toBe(false);
    // The hidden host is still known: it can be unhidden.
    expect((await fetch(`${pulse.url}/api/agents/docker/hosts/hidden/unhide`, { method: 'POST' })).status).toBe(200);
    expect((await hosts()).map((h) => h.id).sort()).toEqual(['hidden', 'keep']);
  });
});
