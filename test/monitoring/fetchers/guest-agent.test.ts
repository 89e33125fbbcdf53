/**
 * The guest agent of a running VM: get-fsinfo and /proc/meminfo every cycle, network and OS once
 * per 5 minutes per guest (forgotten when the guest goes), a Windows guest's missing meminfo not
 * asked again, a timing-out agent reported as such.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactVmStatus } from '../../../src/collect/normalise/pve-guest.js';
import { FIVE_MIN } from '../../../src/collect/pve/fetcher.js';
import { agentReason, GuestAgentFetcher } from '../../../src/collect/pve/guest-agent.js';
import { ProxmoxError } from '../../../src/proxmox/errors.js';
import { labSpec, type Rig, startRig } from './rig.js';

let rig: Rig;
let agent: GuestAgentFetcher;
const calls = (vmid: number, what: string) => rig.calls(new RegExp(`/qemu/${vmid}/agent/${what}`));

/** One cycle's agent fetch for a VM on n1, as its details chain makes it. */
async function fetchAgent(vmid: number) {
  const c = await rig.cycle();
  const vmStatus = compactVmStatus(await c.api.vmStatus('n1', vmid, c.opt));
  const data = await agent.fetch(c.api, `qemu/${vmid}`, 'n1', vmid, vmStatus, c.now, c.opt, c.problems);
  return { data, vmStatus };
}

beforeAll(async () => {
  rig = await startRig(
    labSpec({
      guests: [
        { vmid: 100, type: 'qemu', node: 'n1', name: 'app', agent: true, memMiB: 2048 },
        { vmid: 103, type: 'qemu', node: 'n1', name: 'win', agent: true, ostype: 'win11', memMiB: 4096 },
      ],
    }),
  );
  agent = new GuestAgentFetcher();
});
afterAll(async () => {
  await rig?.close();
});

describe('guest agent', () => {
  it('filesystems and meminfo each cycle; network and OS once per 5 minutes', async () => {
    const first = await fetchAgent(100);
    expect(first.data.fsinfo?.result?.length).toBeGreaterThan(0);
    expect(first.data.network?.result?.length).toBeGreaterThan(0);
    expect(first.data.osinfo).toBeDefined();
    expect(first.vmStatus.meminfo).toBeDefined();
    rig.clock.advance(FIVE_MIN - 1);
    const second = await fetchAgent(100);
    expect([calls(100, 'get-fsinfo'), calls(100, 'file-read'), calls(100, 'network-get-interfaces')]).toEqual([
      2, 2, 1,
    ]);
    expect(calls(100, 'get-osinfo')).toBe(1);
    expect(second.data.network).toEqual(first.data.network);
    rig.clock.advance(1);
    await fetchAgent(100);
    expect([calls(100, 'network-get-interfaces'), calls(100, 'get-osinfo')]).toEqual([2, 2]);
  });

  it('a gone guest is forgotten: it is asked for its network again when it is back', async () => {
    agent.prune(new Map([['qemu/103', true]]));
    await fetchAgent(100);
    expect(calls(100, 'network-get-interfaces')).toBe(3);
  });

  it('a guest without /proc/meminfo (Windows) is not asked for it again', async () => {
    await fetchAgent(103);
    await fetchAgent(103);
    expect(calls(103, 'file-read')).toBe(1);
    expect(calls(103, 'get-fsinfo')).toBe(2);
  });

  it('an agent that times out: fsError says so and nothing more is asked', async () => {
    await rig.fault({ target: 'lab/100', kind: 'agenttimeout' });
    const before = calls(100, 'file-read');
    const { data } = await fetchAgent(100);
    await rig.clearFaults();
    expect(data.fsError).toBe('agent-timeout');
    expect(calls(100, 'file-read')).toBe(before);
  });

  it('names the reason of a failed get-fsinfo', () => {
    const http = (status: number, message: string) => new ProxmoxError('http', message, { status });
    expect(agentReason(new ProxmoxError('timeout', 'x'))).toBe('agent-timeout');
    expect(agentReason(new ProxmoxError('forbidden', 'x'))).toBe('permission-denied');
    expect(agentReason(http(500, 'QEMU guest agent is not running'))).toBe('agent-not-running');
    expect(agentReason(http(500, 'got timeout'))).toBe('agent-timeout');
    expect(agentReason(http(500, 'something else'))).toBe('agent-not-running');
    expect(agentReason(new Error('x'))).toBe('agent-error');
  });
});
