/**
 * Pulse (with an API token) polling the simulator's demo estate — PVE cluster and standalone
 * node, PBS, PMG — for the /metrics tests.
 */
import type { Simulator } from '../../sim/index.js';
import { startTestPulse } from '../helpers/pulse.js';
import { pveBody, type TestPulse } from '../monitoring/harness.js';

export const TOKEN = 'c3'.repeat(32);

export async function scrape(pulse: TestPulse, headers: Record<string, string> = { 'x-api-token': TOKEN }) {
  const res = await fetch(`${pulse.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Adds every PVE, PBS and PMG instance of the simulator through the API, then polls once. */
export async function addDemoInstances(pulse: TestPulse, sim: Simulator): Promise<void> {
  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(`${pulse.url}/api/config/nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-token': TOKEN },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`add ${body.name}: ${res.status} ${await res.text()}`);
  };
  for (let i = 0; i < sim.ready.pve.length; i++) await post(pveBody(sim, i));
  for (const p of sim.ready.pbs) {
    await post({
      type: 'pbs',
      name: p.name,
      host: p.url,
      tokenName: p.tokenId,
      tokenValue: p.tokenSecret,
      fingerprint: p.fingerprint,
    });
  }
  for (const p of sim.ready.pmg) {
    await post({
      type: 'pmg',
      name: p.name,
      host: p.url,
      user: p.user,
      password: p.password,
      fingerprint: p.fingerprint,
    });
  }
  await pulse.deps.monitoring.pollNow();
}

export async function startMetricsPulse(env: Record<string, string> = {}, dataDir?: string): Promise<TestPulse> {
  return startTestPulse({ env: { API_TOKENS: TOKEN, ...env }, ...(dataDir ? { dataDir } : {}) });
}

/** The value of the one sample of `name` whose labels include all of `labels`. */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `)) {
      if (Object.keys(labels).length === 0) return Number(line.slice(name.length + 1));
      continue;
    }
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const body = line.slice(name.length + 1, close);
    const got = Object.fromEntries([...body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(close + 1).trim());
  }
  return undefined;
}
