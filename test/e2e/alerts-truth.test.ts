/**
 * End to end, issue 18 "alerts must never lie": Pulse polls the simulator and tells a real webhook
 * receiver about snapshot-age alerts (snapshots arrive in a background fetch after the guests).
 * Pulse then restarts on the same data directory, and later goes into mock mode and out again.
 * Each time its first polls see the guests before their snapshots; the receiver must not be told
 * those alerts resolved, nor be told about them a second time, and they stay the same alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { e2eAlertConfig } from '../helpers/alerts.js';
import { api as call, waitFor } from '../helpers/http.js';
import { startTestPulse, tempDir } from '../helpers/pulse.js';
import { HttpReceiver } from '../helpers/receivers.js';
import { addPveInstance, holdGuestCpuLow } from '../helpers/sim.js';

const INSTANCE = 'pve-cluster';
const PATH = '/hook';

let sim: Simulator;
let rx: HttpReceiver;
let pulse: Awaited<ReturnType<typeof startTestPulse>>;
const dataDir = tempDir('pulse-e2e-truth-');

const api = (method: string, path: string, body?: unknown) => call(pulse.url, method, path, body);
// biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
const active = async (): Promise<any[]> => (await api('GET', '/api/alerts/active')).body;
const snapshotAlerts = async () =>
  (await active())
    .filter((a) => a.type === 'snapshot-age')
    .map((a) => `${a.id}@${a.startTime}`)
    .sort();
/** Every snapshot-age alert the receiver was told about, with the event ('alert' / 'resolved'). */
const told = () =>
  rx.ok(PATH).flatMap((r) => {
    const body = JSON.parse(r.body) as { event: string; alerts: Array<{ id: string }> };
    return body.alerts.map((a) => `${body.event} ${a.id}`).filter((t) => t.includes(' snapshot-age-'));
  });

async function startPulse(): Promise<void> {
  pulse = await startTestPulse({ dataDir, env: { PULSE_ALLOW_LOOPBACK_WEBHOOKS: 'true' } });
  pulse.deps.systemSettings.save({ pvePollingInterval: 1 });
}

/** The instance's guests and then its snapshots are in the state (two separate fetches). */
async function polledWithSnapshots(): Promise<void> {
  await waitFor(
    () => pulse.deps.state.get().vms.some((g) => g.instance === INSTANCE),
    'the guests in the state',
    30_000,
  );
  await waitFor(
    () => pulse.deps.state.get().pveBackups.guestSnapshots.some((s) => s.instance === INSTANCE),
    'the snapshots in the state',
    30_000,
  );
  // A round on the complete picture, then everything handed to the notifier delivered.
  pulse.deps.alerts.evaluateNow();
  pulse.deps.alerts.flushNotifications();
  await waitFor(
    async () => ((await api('GET', '/api/notifications/queue')).body as unknown[]).length === 0,
    'the delivery queue to drain',
  );
}

beforeAll(async () => {
  [sim, rx] = await Promise.all([startSimulator({ estate: 'demo', seed: 42, port: 0 }), new HttpReceiver().start()]);
  await startPulse();
  expect((await api('PUT', '/api/alerts/config', { enabled: false })).status).toBe(200);
  const hook = await api('POST', '/api/notifications/webhooks', {
    name: 'e2e truth',
    service: 'generic',
    url: `${rx.url}${PATH}`,
  });
  expect(hook.status, hook.text).toBe(200);
  await holdGuestCpuLow(sim.controlUrl, INSTANCE);
  const p = sim.ready.pve.find((x) => x.name === INSTANCE);
  if (!p) throw new Error('demo estate has no pve-cluster');
  await addPveInstance(pulse.url, p);
  await polledWithSnapshots();
  const disks = pulse.deps.state.get().physicalDisks.map((d) => d.id);
  // Every snapshot older than a day alerts; nothing else can (CPU held low, the rest off).
  const config = await api('PUT', '/api/alerts/config', {
    ...e2eAlertConfig(disks),
    guestDefaults: { cpu: { trigger: -1 }, memory: { trigger: -1 }, disk: { trigger: -1 } },
    disableAllNodes: true,
    disableAllGuestsOffline: true,
    snapshotAge: { enabled: true, warningDays: 1, criticalDays: 3650 },
  });
  expect(config.status, config.text).toBe(200);
  await polledWithSnapshots();
  await waitFor(async () => (await snapshotAlerts()).length > 0, 'snapshot-age alerts');
  await waitFor(() => told().length > 0, 'the alerts at the receiver');
}, 120_000);

afterAll(async () => {
  await pulse?.close();
  await Promise.all([sim?.stop(), rx?.close()]);
});

describe('destinations are not told "resolved" for data that has not arrived yet', () => {
  it('after a restart', async () => {
    const before = await snapshotAlerts();
    const toldBefore = told();
    expect(toldBefore.length).toBe(before.length);
    expect(toldBefore.every((t) => t.startsWith('alert '))).toBe(true);
    await pulse.close();

    await startPulse();
    // The first rounds of the new process see guests without snapshots.
    await waitFor(
      () => pulse.deps.state.get().vms.some((g) => g.instance === INSTANCE),
      'the first poll after the restart',
      30_000,
    );
    pulse.deps.alerts.evaluateNow();
    expect(await snapshotAlerts()).toEqual(before);
    await polledWithSnapshots();
    expect(await snapshotAlerts()).toEqual(before);
    expect(told()).toEqual(toldBefore);
    // History: still open, and it knows they were told.
    const history = (await api('GET', '/api/alerts/history?limit=0')).body as Array<{
      type: string;
      status: string;
      notifications: { count: number };
    }>;
    const snaps = history.filter((h) => h.type === 'snapshot-age');
    expect(snaps.length).toBe(before.length);
    expect(snaps.every((h) => h.status === 'active' && h.notifications.count === 1)).toBe(true);
  }, 120_000);

  it('after leaving mock mode', async () => {
    const before = await snapshotAlerts();
    const toldBefore = told();
    const on = await api('PUT', '/api/system/mock-mode', { enabled: true });
    expect(on.status, on.text).toBe(200);
    expect(await snapshotAlerts()).toEqual([]);
    const off = await api('PUT', '/api/system/mock-mode', { enabled: false });
    expect(off.status, off.text).toBe(200);
    // Restored at once, before any poll.
    expect(await snapshotAlerts()).toEqual(before);
    await polledWithSnapshots();
    expect(await snapshotAlerts()).toEqual(before);
    expect(told()).toEqual(toldBefore);
  }, 120_000);
});
