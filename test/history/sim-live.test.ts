/**
 * Live state and history against the simulator over HTTPS: a metric changed through the
 * simulator's control API reaches /ws within one poll interval and then /api/charts, and the recorded
 * history is still there after Pulse restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../sim/index.js';
import { api } from '../helpers/http.js';
import { startFastPulse, type TestPulse, tempDir, untilCycles } from '../helpers/pulse.js';
import { control, pveBody, startSim } from '../helpers/sim.js';
import { TestWsClient, wsUrl } from '../ws/client.js';

let sim: Simulator;
let pulse: TestPulse;
const dataDir = tempDir();

beforeAll(async () => {
  sim = await startSim('demo');
  pulse = await startFastPulse(dataDir);
  pulse.deps.wsHub.coalesceMs = 100;
  const r = await api(pulse.url, 'POST', '/api/config/nodes', pveBody(sim));
  expect(r.status).toBeLessThan(300);
  await untilCycles(pulse, 5, () => pulse.deps.state.get().vms.length > 0);
});

afterAll(async () => {
  await pulse?.close();
  await sim?.stop();
});

describe('simulator → state → /ws and /api/charts', () => {
  it('a changed VM cpu reaches WS clients and the VM chart within one interval', async () => {
    const c = await TestWsClient.open(wsUrl(pulse.url));
    await c.waitFor('initialState');
    const vm = pulse.deps.state.get().vms.find((g) => g.status === 'running');
    if (!vm) throw new Error('no running VM in the demo estate');
    await control(sim, 'PUT', `/guests/${vm.instance}/${vm.vmid}/metrics`, { cpu: 0.777 });
    await untilCycles(pulse, 2, () => pulse.deps.state.get().vms.find((g) => g.id === vm.id)?.cpu === 0.777);
    // The hub broadcasts within its coalescing window after the commit.
    for (let i = 0; i < 50; i++) {
      const last = c.messages.filter((m) => m.type === 'rawData').at(-1);
      if (last?.data.vms.find((g: { id: string }) => g.id === vm.id)?.cpu === 0.777) break;
      await c.waitFor('rawData', c.messages.filter((m) => m.type === 'rawData').length + 1);
    }
    const last = c.messages.filter((m) => m.type === 'rawData').at(-1);
    expect(last?.data.vms.find((g: { id: string }) => g.id === vm.id)?.cpu).toBe(0.777);
    c.close();

    // A 10-s step averages the polls inside it; once a whole step has passed at the new value,
    // the chart's last point is exactly it (a few 1-s polls).
    let charts = (await api(pulse.url, 'GET', '/api/charts?range=5m')).body;
    for (let i = 0; i < 15 && Math.abs(charts.data[vm.id].cpu.at(-1).value - 77.7) > 0.01; i++) {
      await pulse.deps.monitoring.nextCycle();
      charts = (await api(pulse.url, 'GET', '/api/charts?range=5m')).body;
    }
    const cpu: Array<{ value: number }> = charts.data[vm.id].cpu;
    expect(cpu.at(-1)?.value).toBeCloseTo(77.7, 1);
    for (const n of pulse.deps.state.get().nodes) expect(charts.nodeData[n.id].cpu.length).toBeGreaterThan(0);
    for (const s of pulse.deps.state.get().storage) expect(charts.storageData[s.id].disk.length).toBeGreaterThan(0);
  });

  it('history recorded from the simulator survives a restart', async () => {
    const before = (await api(pulse.url, 'GET', '/api/charts?range=5m')).body;
    const nodeId = Object.keys(before.nodeData)[0];
    const firstPoint = before.nodeData[nodeId].cpu[0];
    await pulse.close();
    pulse = await startFastPulse(dataDir);
    await untilCycles(pulse, 5, () => pulse.deps.state.get().nodes.some((n) => n.id === nodeId));
    const after = (await api(pulse.url, 'GET', '/api/charts?range=5m')).body;
    expect(after.nodeData[nodeId].cpu[0].timestamp).toBeLessThanOrEqual(firstPoint.timestamp);
    expect(after.nodeData[nodeId].cpu.length).toBeGreaterThanOrEqual(before.nodeData[nodeId].cpu.length);
  });
});
