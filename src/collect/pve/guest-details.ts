/**
 * Running VMs' details: status/current of each running VM every cycle and, when its agent is
 * enabled, the guest agent's data (GuestAgentFetcher). Each VM is one chain — its status, then
 * its agent, then its Guest — 16 chains at a time, so a VM's answers are dropped once its guest is
 * built instead of all being held until the end of the cycle. A failed status leaves the guest to
 * the cluster-resources figures with a reason saying so.
 */
import { ProxmoxError } from '../../proxmox/errors.js';
import type { PveVmStatus } from '../../proxmox/pve.js';
import { settleLimit } from '../limit.js';
import { type AgentData, compactVmStatus, type DiskStatusReason, normaliseGuest } from '../normalise/pve-guest.js';
import { num } from '../normalise/values.js';
import type { PveCycle, PveFetcher } from './fetcher.js';
import type { GuestAgentFetcher } from './guest-agent.js';

/** Why a running VM's status/current failed: its disk figure is unknown for that reason. */
export function statusReason(err: unknown): DiskStatusReason {
  if (err instanceof ProxmoxError) {
    if (err.kind === 'forbidden') return 'permission-denied';
    if (err.kind === 'timeout') return 'status-timeout';
  }
  return 'status-unavailable';
}

export class GuestDetailsFetcher implements PveFetcher {
  readonly name = 'guest details';
  readonly #agent: GuestAgentFetcher;

  constructor(agent: GuestAgentFetcher) {
    this.#agent = agent;
  }

  async fetch(cycle: PveCycle): Promise<void> {
    this.#agent.remind(cycle);
    if (!cycle.want.vms) return;
    const { online, api, now, opt, problems, prevCounters, runningVms, instance } = cycle;
    const agent = this.#agent;
    const running = cycle.guests.filter(
      (g) => g.type === 'qemu' && g.status === 'running' && !num(g.template) && g.node && online.has(g.node),
    );
    await settleLimit(running, 16, async (g) => {
      const node = String(g.node);
      const vmid = Number(g.vmid);
      let vmStatus: PveVmStatus | undefined;
      let statusError: DiskStatusReason | undefined;
      let agentData: AgentData | undefined;
      try {
        vmStatus = compactVmStatus(await api.vmStatus(node, vmid, opt));
      } catch (err) {
        problems.record(err);
        statusError = statusReason(err);
      }
      if (vmStatus && (vmStatus.agent === 1 || vmStatus.agent === true) && vmStatus.status === 'running')
        agentData = await agent.fetch(api, g.id, node, vmid, vmStatus, now, opt, problems);
      runningVms.set(
        g.id,
        normaliseGuest({
          instance,
          resource: g,
          vmStatus,
          statusError,
          agent: agentData,
          prevCounters: prevCounters.get(g.id),
          now,
        }),
      );
    });
  }

  prune(keep: ReadonlyMap<string, unknown>): void {
    this.#agent.prune(keep);
  }
}
