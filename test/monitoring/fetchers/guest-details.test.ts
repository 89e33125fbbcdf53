/**
 * Guest details: status/current of every running VM each cycle (not stopped ones, templates or
 * containers), its agent only when enabled, the Guest built in the same chain; a failed status
 * gives the guest a reason that says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestAgentFetcher } from '../../../src/collect/pve/guest-agent.js';
import { GuestDetailsFetcher, statusReason } from '../../../src/collect/pve/guest-details.js';
import { ProxmoxError } from '../../../src/proxmox/errors.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
const fetcher = new GuestDetailsFetcher(new GuestAgentFetcher());
const status = (vmid: number) => rig.calls(new RegExp(`/qemu/${vmid}/status/current$`));
const agent = (vmid: number) => rig.calls(new RegExp(`/qemu/${vmid}/agent/`));

beforeAll(async () => {
  rig = await startRig(labSpec());
});
afterAll(async () => {
  await rig?.close();
});

describe('guest details', () => {
  it('one status per running VM per cycle; the agent only where enabled; guests built', async () => {
    const c = await rig.cycle();
    await fetcher.fetch(c);
    expect([status(100), status(101), status(102), status(9000)]).toEqual([1, 1, 0, 0]);
    expect(rig.calls(/\/lxc\/\d+\/status\/current$/)).toBe(0);
    expect(agent(100)).toBeGreaterThan(0);
    expect(agent(101)).toBe(0);
    expect([...c.runningVms.keys()].sort()).toEqual(['qemu/100', 'qemu/101']);
    const app = c.runningVms.get('qemu/100')!;
    expect(app.guest).toMatchObject({ vmid: 100, name: 'app', status: 'running' });
    expect(app.guest.osName).toBeTruthy();
    expect(c.runningVms.get('qemu/101')!.guest.osName).toBeUndefined();
    expect(app.counters.at).toBe(c.now);

    // The next cycle rates against the counters it is handed.
    rig.clock.advance(10_000);
    const next = await rig.cycle([], new Map([...c.runningVms].map(([id, b]) => [id, b.counters])));
    await fetcher.fetch(next);
    expect([status(100), status(101)]).toEqual([2, 2]);
    expect(next.runningVms.get('qemu/100')!.guest.networkIn).toBeGreaterThanOrEqual(0);
  });

  it('a failed status: the guest says why and the cycle goes on', async () => {
    await rig.fault({ target: 'lab', kind: 'http500', path: '/nodes/n2/qemu/101/status/current' });
    const c = await rig.cycle();
    await fetcher.fetch(c);
    await rig.clearFaults();
    expect(c.runningVms.get('qemu/101')!.guest.diskStatusReason).toBe('status-unavailable');
    expect(c.runningVms.get('qemu/100')!.guest.diskStatusReason).toBeUndefined();
  });

  it('nothing is asked when VMs are not monitored', async () => {
    const before = status(100) + status(101);
    const c = await rig.cycle();
    c.want.vms = false;
    await fetcher.fetch(c);
    expect(status(100) + status(101)).toBe(before);
    expect(c.runningVms.size).toBe(0);
  });

  it('names the reason of a failed status', () => {
    const err = (kind: ProxmoxError['kind']) => new ProxmoxError(kind, 'x');
    expect(statusReason(err('forbidden'))).toBe('permission-denied');
    expect(statusReason(err('timeout'))).toBe('status-timeout');
    expect(statusReason(err('http'))).toBe('status-unavailable');
    expect(statusReason(new Error('x'))).toBe('status-unavailable');
  });
});
