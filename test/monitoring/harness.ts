/**
 * Pulse + the Proxmox simulator over real HTTPS, with short polling intervals, for the
 * monitoring integration tests.
 */
import { type Simulator, startSimulator } from '../../sim/index.js';
import { startTestPulse } from '../helpers/pulse.js';

export type TestPulse = Awaited<ReturnType<typeof startTestPulse>>;

export async function startSim(estate: 'demo' | 'small' = 'demo'): Promise<Simulator> {
  return startSimulator({ estate, seed: 42, port: 0 });
}

/** Starts Pulse and sets 1 s polling for every product (below the API's 10 s minimum: tests only). */
export async function startFastPulse(dataDir?: string): Promise<TestPulse> {
  const pulse = await startTestPulse(dataDir ? { dataDir } : {});
  pulse.deps.systemSettings.save({ pvePollingInterval: 1, pbsPollingInterval: 1, pmgPollingInterval: 1 });
  return pulse;
}

export async function api(pulse: TestPulse, method: string, path: string, body?: unknown) {
  const res = await fetch(`${pulse.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

export async function control(sim: Simulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

/** Waits (in poll cycles, never wall-clock assertions) until `check` holds; fails after `cycles`. */
export async function untilCycles(
  pulse: TestPulse,
  cycles: number,
  check: () => boolean,
  id = 'pve-0',
): Promise<number> {
  const uid = pulse.deps.monitoring.nodes.byPublicId(id)?.uid;
  for (let i = 0; i <= cycles; i++) {
    if (check()) return i;
    await pulse.deps.monitoring.nextCycle(uid);
  }
  throw new Error(`condition not met within ${cycles} cycles`);
}

export function pveBody(sim: Simulator, i = 0, extra: Record<string, unknown> = {}) {
  const p = sim.ready.pve[i];
  return {
    type: 'pve',
    name: p.name,
    host: p.url,
    tokenName: p.tokenId,
    tokenValue: p.tokenSecret,
    fingerprint: p.fingerprint,
    ...extra,
  };
}
