/**
 * Alerts over HTTP against a real server: a hot VM committed into the live state raises an
 * alert that shows in /api/alerts/active, /api/state and as an `alert` event; acknowledge,
 * unacknowledge and clear work through the API (including ids with `/`); config validation;
 * history; and active alerts, acknowledgements and history survive a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { FullAlert, PulseState } from '../../src/model/state.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';
import { TestWsClient, wsUrl } from '../ws/client.js';
import { guest, node } from './state-builders.js';

type Pulse = Awaited<ReturnType<typeof startTestPulse>>;

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const json = async (res: Response) => ({ status: res.status, body: await res.json() });

function hotState(cpu: number): Partial<PulseState> {
  return {
    nodes: [node({ name: 'pve1' })],
    vms: [guest({ vmid: 100, node: 'pve1', name: 'web', cpu })],
    dockerHosts: [
      {
        id: 'host1',
        hostname: 'dock',
        displayName: 'dock',
        status: 'online',
        containers: [{ id: 'abc', name: 'nginx', state: 'running', cpuPercent: 97, memoryPercent: 10 }],
      } as unknown as PulseState['dockerHosts'][number],
    ],
  };
}

describe('alerts API', () => {
  const dataDir = tempDir();
  const clock = new ManualClock(Date.now());
  let pulse: Pulse;
  const events: Array<[string, unknown]> = [];

  const api = (path: string, init?: RequestInit) =>
    fetch(`${pulse.url}${path}`, {
      ...init,
      headers: init?.body ? { 'content-type': 'application/json', ...init.headers } : init?.headers,
    });
  const active = async (): Promise<FullAlert[]> => (await api('/api/alerts/active')).json();

  beforeAll(async () => {
    pulse = await startTestPulse({ dataDir, clock });
    pulse.deps.events.on('alert', (a) => events.push(['alert', a.id]));
    pulse.deps.events.on('alertResolved', (r) => events.push(['alertResolved', r.alertId]));
  });
  afterAll(() => pulse.close());

  it('serves the config at /api/alerts/config and /api/alerts/', async () => {
    const a = await json(await api('/api/alerts/config'));
    const b = await json(await api('/api/alerts/'));
    expect(a.status).toBe(200);
    expect(a.body).toEqual(b.body);
    expect(a.body.guestDefaults.cpu).toEqual({ trigger: 80, clear: 75 });
    expect(a.body.pmgThresholds).toEqual(a.body.pmgDefaults);
  });

  it('rejects bad config naming the field, and stores good config (PUT and POST)', async () => {
    const bad = await json(
      await api('/api/alerts/config', {
        method: 'PUT',
        body: JSON.stringify({ guestDefaults: { cpu: { trigger: 80, clear: 90 } } }),
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('guestDefaults.cpu.clear');
    const tz = await json(
      await api('/api/alerts/', {
        method: 'POST',
        body: JSON.stringify({ schedule: { quietHours: { timezone: 'No/Where' } } }),
      }),
    );
    expect(tz.status).toBe(400);
    expect(tz.body.error).toContain('schedule.quietHours.timezone');
    expect((await api('/api/alerts/config', { method: 'PUT', body: '[1,2' })).status).toBe(400);

    const ok = await json(
      await api('/api/alerts/config', {
        method: 'PUT',
        body: JSON.stringify({
          // No grace period, no batching: the test sees the alert on the first round.
          metricTimeThresholds: { guest: { default: 0 }, docker: { default: 0 } },
          schedule: { grouping: { enabled: false }, cooldown: 0 },
        }),
      }),
    );
    expect(ok).toEqual({ status: 200, body: { status: 'success' } });
    const cfg = (await json(await api('/api/alerts/config'))).body;
    expect(cfg.metricTimeThresholds.guest.default).toBe(0);
    expect(cfg.schedule.cooldown).toBe(5); // zero resets to the default
    expect(cfg.schedule.grouping.enabled).toBe(false);
  });

  it('a hot VM raises an alert in /api/alerts/active, /api/state, as an alert event and on /ws', async () => {
    const ws = await TestWsClient.open(wsUrl(pulse.url));
    pulse.deps.state.commit((d) => Object.assign(d, hotState(0.93)));
    const alerts = await waitFor(async () => {
      const list = await active();
      return list.some((a) => a.id === 'pve1-100-cpu') ? list : undefined;
    }, 'the cpu alert');
    const cpu = alerts.find((a) => a.id === 'pve1-100-cpu')!;
    expect(cpu).toMatchObject({
      type: 'cpu',
      level: 'critical',
      resourceId: 'pve1-100',
      resourceName: 'web',
      node: 'pve1',
      instance: 'pve1',
      value: 93,
      threshold: 80,
      acknowledged: false,
      metadata: { resourceType: 'VM', clearThreshold: 75, unit: '%' },
    });
    expect(typeof cpu.lastSeen).toBe('string');
    expect(alerts.map((a) => a.id)).toContain('docker:host1/abc-cpu');
    expect(events).toContainEqual(['alert', 'pve1-100-cpu']);
    const onWs = await ws.waitFor('alert', 2);
    expect(onWs.map((m) => m.data.id).sort()).toEqual(['docker:host1/abc-cpu', 'pve1-100-cpu']);
    expect(onWs.find((m) => m.data.id === 'pve1-100-cpu')?.data).toMatchObject({
      level: 'critical',
      metadata: { unit: '%' },
    });
    ws.close();

    const state = (await json(await api('/api/state'))).body;
    const inState = state.activeAlerts.find((a: { id: string }) => a.id === 'pve1-100-cpu');
    expect(inState).toMatchObject({ id: 'pve1-100-cpu', level: 'critical' });
    expect(inState).not.toHaveProperty('metadata');
    expect(pulse.deps.state.get().activeAlerts.map((a) => a.id)).toContain('pve1-100-cpu');
  });

  it('acknowledge / unacknowledge through HTTP; unknown ids → 404', async () => {
    const ack = await json(await api('/api/alerts/pve1-100-cpu/acknowledge', { method: 'POST' }));
    expect(ack).toEqual({ status: 200, body: { success: true } });
    let a = (await active()).find((x) => x.id === 'pve1-100-cpu')!;
    expect(a).toMatchObject({ acknowledged: true, ackUser: 'admin' });
    expect(Date.parse(a.ackTime!)).toBe(clock.now());
    expect(pulse.deps.state.get().activeAlerts.find((x) => x.id === 'pve1-100-cpu')?.acknowledged).toBe(true);

    expect((await json(await api('/api/alerts/pve1-100-cpu/unacknowledge', { method: 'POST' }))).body).toEqual({
      success: true,
    });
    a = (await active()).find((x) => x.id === 'pve1-100-cpu')!;
    expect(a.acknowledged).toBe(false);
    expect(a).not.toHaveProperty('ackUser');

    const missing = await json(await api('/api/alerts/nope-cpu/acknowledge', { method: 'POST' }));
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('alert not found: nope-cpu');
    expect((await api('/api/alerts/%FF%FE/acknowledge', { method: 'POST' })).status).toBe(400);
    expect((await api('/api/alerts/x/explode', { method: 'POST' })).status).toBe(404);
  });

  it('ids containing "/" work, literally or encoded', async () => {
    const id = 'docker:host1/abc-cpu';
    expect((await api(`/api/alerts/${id}/acknowledge`, { method: 'POST' })).status).toBe(200);
    expect((await active()).find((x) => x.id === id)?.acknowledged).toBe(true);
    expect((await api(`/api/alerts/${encodeURIComponent(id)}/unacknowledge`, { method: 'POST' })).status).toBe(200);
    expect((await active()).find((x) => x.id === id)?.acknowledged).toBe(false);
  });

  it('bulk acknowledge reports per id', async () => {
    const res = await json(
      await api('/api/alerts/bulk/acknowledge', {
        method: 'POST',
        body: JSON.stringify({ alertIds: ['docker:host1/abc-cpu', 'ghost'], user: 'ops' }),
      }),
    );
    expect(res.body.results).toEqual([
      { alertId: 'docker:host1/abc-cpu', success: true },
      { alertId: 'ghost', success: false, error: 'alert not found: ghost' },
    ]);
    expect((await active()).find((x) => x.id === 'docker:host1/abc-cpu')?.ackUser).toBe('ops');
    expect((await api('/api/alerts/bulk/clear', { method: 'POST', body: JSON.stringify({}) })).status).toBe(400);
  });

  it('history lists alerts newest first and validates its parameters', async () => {
    const all = (await json(await api('/api/alerts/history'))).body as FullAlert[];
    expect(all.map((a) => a.id)).toEqual(expect.arrayContaining(['pve1-100-cpu', 'docker:host1/abc-cpu']));
    const one = (await json(await api('/api/alerts/history?resourceId=pve1-100&severity=critical&limit=1'))).body;
    expect(one.map((a: FullAlert) => a.id)).toEqual(['pve1-100-cpu']);
    expect(
      (await json(await api('/api/alerts/history?severity=warning'))).body.map((a: FullAlert) => a.id),
    ).not.toContain('pve1-100-cpu');
    for (const q of ['limit=-1', 'limit=20000', 'startTime=yesterday', 'severity=loud', 'offset=x']) {
      const res = await json(await api(`/api/alerts/history?${q}`));
      expect(res.status, q).toBe(400);
      expect(typeof res.body.error).toBe('string');
    }
  });

  it('restart with the same data dir keeps active alerts, acknowledgements and history', async () => {
    await api('/api/alerts/pve1-100-cpu/acknowledge', { method: 'POST', body: JSON.stringify({ user: 'alice' }) });
    await pulse.close();
    pulse = await startTestPulse({ dataDir, clock });
    pulse.deps.events.on('alertResolved', (r) => events.push(['alertResolved', r.alertId]));
    const list = await active();
    expect(list.find((a) => a.id === 'pve1-100-cpu')).toMatchObject({ acknowledged: true, ackUser: 'alice' });
    expect(pulse.deps.state.get().activeAlerts.map((a) => a.id)).toContain('pve1-100-cpu');
    const hist = (await json(await api('/api/alerts/history'))).body as FullAlert[];
    expect(hist.map((a) => a.id)).toContain('pve1-100-cpu');
    const cfg = (await json(await api('/api/alerts/config'))).body;
    expect(cfg.schedule.grouping.enabled).toBe(false);
  });

  it('clearing drops the alert and emits alertResolved; resolving by value goes to recentlyResolved', async () => {
    expect((await json(await api('/api/alerts/pve1-100-cpu/clear', { method: 'POST' }))).body).toEqual({
      success: true,
    });
    expect((await active()).map((a) => a.id)).not.toContain('pve1-100-cpu');
    expect(events).toContainEqual(['alertResolved', 'pve1-100-cpu']);
    expect(pulse.deps.state.get().recentlyResolved.map((a) => a.id)).not.toContain('pve1-100-cpu');
    // Clearing an unknown id is still 200.
    expect((await api('/api/alerts/unknown-id/clear', { method: 'POST' })).status).toBe(200);

    // The docker container cools down: its alert resolves into recentlyResolved.
    const cool = hotState(0.1);
    (cool.dockerHosts![0] as { containers: Array<{ cpuPercent: number }> }).containers[0].cpuPercent = 5;
    pulse.deps.state.commit((d) => Object.assign(d, cool));
    await waitFor(
      () => (pulse.deps.state.get().recentlyResolved.some((r) => r.id === 'docker:host1/abc-cpu') ? true : undefined),
      'the docker alert to resolve',
    );
    expect((await active()).map((a) => a.id)).not.toContain('docker:host1/abc-cpu');
    expect(events).toContainEqual(['alertResolved', 'docker:host1/abc-cpu']);
  });

  it('DELETE /api/alerts/history clears it', async () => {
    expect((await json(await api('/api/alerts/history', { method: 'DELETE' }))).body).toEqual({
      status: 'success',
      message: 'Alert history cleared',
    });
    expect((await json(await api('/api/alerts/history'))).body).toEqual([]);
  });
});
