/**
 * The /metrics tests' tools: a Pulse holding an API token, the simulator's whole demo estate
 * (PVE cluster and standalone node, PBS, PMG) registered in it, a scrape, and reading one sample.
 */
import type { Simulator } from '../../sim/index.js';
import { startTestPulse, type TestPulse } from './pulse.js';
import { addNodes, allNodeBodies } from './sim.js';

export const TOKEN = 'c3'.repeat(32);

export async function startMetricsPulse(env: Record<string, string> = {}, dataDir?: string): Promise<TestPulse> {
  return startTestPulse({ env: { API_TOKENS: TOKEN, ...env }, ...(dataDir ? { dataDir } : {}) });
}

export async function scrape(pulse: TestPulse, headers: Record<string, string> = { 'x-api-token': TOKEN }) {
  const res = await fetch(`${pulse.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Adds every PVE, PBS and PMG instance of the simulator through the API, then polls once. */
export async function addDemoInstances(pulse: TestPulse, sim: Simulator): Promise<void> {
  await addNodes(pulse.url, allNodeBodies(sim), { 'x-api-token': TOKEN });
  await pulse.deps.monitoring.pollNow();
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
