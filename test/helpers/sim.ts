/**
 * Driving the Proxmox simulator from tests: its control API, and registering its instances in Pulse.
 */
import type { Simulator } from '../../sim/index.js';
import { api } from './http.js';

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

/** Registers a simulated PVE instance in Pulse over the API (token auth, pinned fingerprint). */
export async function addPveInstance(
  pulseUrl: string,
  p: { name: string; url: string; tokenId: string; tokenSecret: string; fingerprint: string },
): Promise<void> {
  const r = await api(pulseUrl, 'POST', '/api/config/nodes', {
    type: 'pve',
    name: p.name,
    host: p.url,
    tokenName: p.tokenId,
    tokenValue: p.tokenSecret,
    fingerprint: p.fingerprint,
  });
  if (r.status !== 201) throw new Error(`adding ${p.name}: ${r.status} ${r.text}`);
}
