/**
 * End to end across a restart (issue 6: "active alerts, acknowledgements and history survive a
 * restart"; "nothing queued is lost on restart"). Pulse polls the simulator, a VM's CPU alert is
 * sent and acknowledged while one receiver is down; Pulse stops with that delivery still queued
 * and starts again on the same data directory. Afterwards the queued message arrives, the alert is
 * still active and acknowledged, it is not sent a second time, and its resolve goes out once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { e2eAlertConfig } from '../helpers/alerts.js';
import { api as call, waitFor } from '../helpers/http.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';
import { HttpReceiver } from '../helpers/receivers.js';
import { addPveInstance, holdGuestCpuLow, control as simControl } from '../helpers/sim.js';

const INSTANCE = 'pve-cluster';
const VMID = 102; // win-dc on pve1
const HEALTHY = '/healthy';
const DOWN = '/down';

let sim: Simulator;
let rx: HttpReceiver;
let pulse: Awaited<ReturnType<typeof startTestPulse>>;
const dataDir = tempDir('pulse-e2e-restart-');
let alertId = '';

const api = (method: string, path: string, body?: unknown) => call(pulse.url, method, path, body);
const control = (method: string, path: string, body?: unknown) => simControl(sim.controlUrl, method, path, body);
// biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
const active = async (): Promise<any[]> => (await api('GET', '/api/alerts/active')).body;
const events = (path: string) => rx.ok(path).map((r) => JSON.parse(r.body).event as string);

async function startPulse(): Promise<void> {
  pulse = await startTestPulse({ dataDir, env: { PULSE_ALLOW_LOOPBACK_WEBHOOKS: 'true' } });
  pulse.deps.systemSettings.save({ pvePollingInterval: 1 });
}

beforeAll(async () => {
  [sim, rx] = await Promise.all([startSimulator({ estate: 'demo', seed: 42, port: 0 }), new HttpReceiver().start()]);
  await startPulse();
  expect((await api('PUT', '/api/alerts/config', { enabled: false })).status).toBe(200);
  expect((await api('POST', '/api/notifications/', { retryBaseSeconds: 1, maxAttempts: 20 })).status).toBe(200);
  for (const path of [HEALTHY, DOWN]) {
    const r = await api('POST', '/api/notifications/webhooks', {
      name: `e2e${path}`,
      service: 'generic',
      url: `${rx.url}${path}`,
    });
    expect(r.status, r.text).toBe(200);
  }
  rx.failFirst(DOWN, 1_000_000); // down until the test says otherwise

  await holdGuestCpuLow(sim.controlUrl, INSTANCE);
  const p = sim.ready.pve.find((x) => x.name === INSTANCE);
  if (!p) throw new Error('demo estate has no pve-cluster');
  await addPveInstance(pulse.url, p);
  const seen = await waitFor(
    async () => {
      const s = (await api('GET', '/api/state')).body;
      return s.vms.find((g: { vmid: number; status: string }) => g.vmid === VMID && g.status === 'running') &&
        s.physicalDisks.length > 0
        ? s
        : undefined;
    },
    'the demo cluster in /api/state',
    30_000,
  );
  alertId = `${seen.vms.find((g: { vmid: number }) => g.vmid === VMID).id}-cpu`;
  const config = await api(
    'PUT',
    '/api/alerts/config',
    e2eAlertConfig(seen.physicalDisks.map((d: { id: string }) => d.id)),
  );
  expect(config.status, config.text).toBe(200);
  expect(await active()).toEqual([]);
});

afterAll(async () => {
  await pulse?.close();
  await Promise.all([sim?.stop(), rx?.close()]);
});

describe('alerts and queued notifications across a restart', () => {
  it('keeps the active, acknowledged alert and delivers what was queued', async () => {
    await control('PUT', `/guests/${INSTANCE}/${VMID}/metrics`, { cpu: 0.92 });
    await waitFor(async () => (await active()).some((a) => a.id === alertId), `alert ${alertId}`);
    await waitFor(() => rx.ok(HEALTHY).length >= 1 && rx.all(DOWN).length >= 1, 'the alert at both receivers');
    const ack = await api('POST', `/api/alerts/${encodeURIComponent(alertId)}/acknowledge`, { user: 'ops' });
    expect(ack.status, ack.text).toBe(200);

    // The down receiver's delivery is still waiting in the queue when Pulse stops.
    // (The healthy receiver's job leaves the queue just after its reply is read.)
    await waitFor(async () => {
      const queued = (await api('GET', '/api/notifications/queue')).body as Array<{ targetName: string }>;
      return queued.length === 1 && queued[0].targetName === `e2e${DOWN}`;
    }, 'only the down receiver’s delivery in the queue');
    await pulse.close();
    rx.failFirst(DOWN, 0);

    await startPulse();
    // Restored before the first poll of the new process.
    const restored = (await active()).find((a) => a.id === alertId);
    expect(restored).toMatchObject({ acknowledged: true, ackUser: 'ops', resourceName: 'win-dc' });
    await waitFor(() => rx.ok(DOWN).length >= 1, 'the queued message after the restart');
    expect(events(DOWN)).toEqual(['alert']);
    expect(JSON.parse(rx.ok(DOWN)[0].body).alerts[0].id).toBe(alertId);
    expect((await api('GET', '/api/notifications/dead-letter')).body).toEqual([]);

    // The new process polls the VM, still over the threshold: the alert is the same one.
    await waitFor(
      async () => pulse.deps.state.get().vms.some((g) => g.vmid === VMID && g.cpu > 0.9),
      'the first poll after the restart',
    );
    pulse.deps.alerts.evaluateNow();
    const after = (await active()).find((a) => a.id === alertId);
    expect(after).toMatchObject({ acknowledged: true, startTime: restored.startTime });
  });

  it('does not send the alert again, and sends its resolve once', async () => {
    await control('PUT', `/guests/${INSTANCE}/${VMID}/metrics`, { cpu: 0.05 });
    await waitFor(async () => !(await active()).some((a) => a.id === alertId), 'the alert to resolve');
    await waitFor(() => events(HEALTHY).includes('resolved') && events(DOWN).includes('resolved'), 'the resolves');
    await waitFor(
      async () =>
        pulse.deps.alerts.pendingNotifications().length === 0 &&
        ((await api('GET', '/api/notifications/queue')).body as unknown[]).length === 0,
      'the queue to drain',
    );
    expect(events(HEALTHY)).toEqual(['alert', 'resolved']);
    expect(events(DOWN)).toEqual(['alert', 'resolved']);
    const history = (await api('GET', '/api/alerts/history')).body as Array<{ id: string; resolvedTime?: string }>;
    expect(history.filter((h) => h.id === alertId)).toHaveLength(1);
    expect(history.find((h) => h.id === alertId)?.resolvedTime).toBeTruthy();
  });
});
