/**
 * Driving the Proxmox simulator from tests: starting it, its control API, and the bodies that
 * register its instances in Pulse.
 */
import { type InstanceReady, type PmgReady, type Simulator, startSimulator } from '../../sim/index.js';
import { api } from './http.js';

/** The built-in estate with a fixed seed, so every run sees the same guests. */
export async function startSim(estate: 'demo' | 'small' = 'demo'): Promise<Simulator> {
  return startSimulator({ estate, seed: 42, port: 0 });
}

/** The simulator's control API; throws on an error reply. */
export async function control(sim: Simulator | string, method: string, path: string, body?: unknown) {
  const r = await api(typeof sim === 'string' ? sim : sim.controlUrl, method, path, body);
  if (r.status >= 300) throw new Error(`simulator control ${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

/**
 * Guests' CPU wanders up to ~97 % in the simulator: holds every running guest of `instance` at
 * 5 % so only what a test pushes can cross a CPU threshold.
 */
export async function holdGuestCpuLow(controlUrl: string, instance: string): Promise<void> {
  const guests = (await control(controlUrl, 'GET', `/guests/${instance}`)) as Array<{ vmid: number; status: string }>;
  for (const g of guests.filter((x) => x.status === 'running')) {
    await control(controlUrl, 'PUT', `/guests/${instance}/${g.vmid}/metrics`, { cpu: 0.05 });
  }
}

/** The POST /api/config/nodes body for a simulated PVE or PBS server: API token, pinned fingerprint. */
export function tokenNodeBody(type: 'pve' | 'pbs', p: Omit<InstanceReady, 'user' | 'password'>) {
  return {
    type,
    name: p.name,
    host: p.url,
    tokenName: p.tokenId,
    tokenValue: p.tokenSecret,
    fingerprint: p.fingerprint,
  };
}

/** The body for a simulated PMG server, which logs in with user@realm + password (it has no API tokens). */
export function pmgNodeBody(p: PmgReady) {
  return { type: 'pmg', name: p.name, host: p.url, user: p.user, password: p.password, fingerprint: p.fingerprint };
}

/** The body for the simulator's `i`-th PVE server, with `extra` fields on top. */
export function pveBody(sim: Simulator, i = 0, extra: Record<string, unknown> = {}) {
  return { ...tokenNodeBody('pve', sim.ready.pve[i]), ...extra };
}

/** The bodies for every PVE, PBS and PMG server of the simulator. */
export function allNodeBodies(sim: Simulator): Array<Record<string, unknown>> {
  return [
    ...sim.ready.pve.map((p) => tokenNodeBody('pve', p)),
    ...sim.ready.pbs.map((p) => tokenNodeBody('pbs', p)),
    ...sim.ready.pmg.map(pmgNodeBody),
  ];
}

/** Registers node bodies in Pulse over the API, with `headers` (a token, a session) on top; throws on any refusal. */
export async function addNodes(
  pulseUrl: string,
  bodies: Array<Record<string, unknown>>,
  headers: Record<string, string> = {},
): Promise<void> {
  for (const body of bodies) {
    const r = await api(pulseUrl, 'POST', '/api/config/nodes', body, headers);
    if (r.status !== 201) throw new Error(`adding ${body.name}: ${r.status} ${r.text}`);
  }
}

/** Registers a simulated PVE instance in Pulse over the API (token auth, pinned fingerprint). */
export async function addPveInstance(pulseUrl: string, p: Omit<InstanceReady, 'user' | 'password'>): Promise<void> {
  await addNodes(pulseUrl, [tokenNodeBody('pve', p)]);
}
