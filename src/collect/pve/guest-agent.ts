/**
 * The guest agent of one running VM, as part of its details chain: filesystems (get-fsinfo) and
 * the guest's own /proc/meminfo every cycle, network interfaces and OS every 5 minutes per guest.
 * A 403 on the file-read means the token lacks the privilege for every VM alike: it is remembered
 * for the instance, reported each cycle, and asked again only after an hour; guests without
 * /proc/meminfo (Windows) are not asked again.
 */
import { ProxmoxError } from '../../proxmox/errors.js';
import type { PveAgentNetworkInterfaces, PveAgentOsInfo, PveApi, PveVmStatus } from '../../proxmox/pve.js';
import {
  type AgentData,
  compactAgentFsInfo,
  compactAgentNetwork,
  compactAgentOs,
  type DiskStatusReason,
  parseMemInfo,
} from '../normalise/pve-guest.js';
import { FIVE_MIN, HOUR, type ProblemLog, type PveCycle } from './fetcher.js';

/** Why get-fsinfo failed: the guest's disk figure is unknown for that reason. */
export function agentReason(err: unknown): DiskStatusReason {
  if (err instanceof ProxmoxError) {
    if (err.kind === 'timeout') return 'agent-timeout';
    if (err.kind === 'forbidden') return 'permission-denied';
    if (/not running|No QEMU guest agent|guest agent is not/i.test(err.message)) return 'agent-not-running';
    if (err.kind === 'http' && err.status === 500 && /timeout|timed out|got timeout/i.test(err.message))
      return 'agent-timeout';
    if (err.kind === 'http' && err.status === 500) return 'agent-not-running';
  }
  return 'agent-error';
}

const UNANSWERED = (): undefined => undefined;

export class GuestAgentFetcher {
  readonly name = 'guest agent';
  readonly #slow = new Map<string, { at: number; network?: PveAgentNetworkInterfaces; osinfo?: PveAgentOsInfo }>();
  /** Guests whose agent cannot read /proc/meminfo (Windows). */
  readonly #noMeminfo = new Set<string>();
  /** When agent/file-read last answered 403 (0: never), and that answer, to keep reporting it. */
  #fileReadDeniedAt = 0;
  #fileReadDenial: ProxmoxError | undefined;

  /** Reports a remembered file-read refusal in this cycle too (called once per cycle). */
  remind(cycle: PveCycle): void {
    if (this.#fileReadDenial && cycle.now - this.#fileReadDeniedAt < HOUR) cycle.problems.record(this.#fileReadDenial);
  }

  /**
   * The agent's data for a running VM with the agent enabled; sets `vmStatus.meminfo` when the
   * guest's /proc/meminfo was read. Failures of get-fsinfo become `fsError`.
   */
  async fetch(
    api: PveApi,
    id: string,
    node: string,
    vmid: number,
    vmStatus: PveVmStatus,
    now: number,
    opt: { signal?: AbortSignal; timeoutMs: number },
    problems: ProblemLog,
  ): Promise<AgentData> {
    const agentOpt = { signal: opt.signal, timeoutMs: Math.min(opt.timeoutMs, 5000) };
    const agent: AgentData = {};
    try {
      agent.fsinfo = compactAgentFsInfo(await api.agentFsInfo(node, vmid, agentOpt));
    } catch (err) {
      agent.fsError = agentReason(err);
      if (agent.fsError === 'permission-denied') problems.record(err);
    }
    // The guest's own available memory (page cache is free memory to the guest).
    if (!agent.fsError && !this.#noMeminfo.has(id) && now - this.#fileReadDeniedAt >= HOUR) {
      try {
        const mi = parseMemInfo((await api.agentFileRead(node, vmid, '/proc/meminfo', agentOpt)).content);
        if (mi) vmStatus.meminfo = mi;
        else this.#noMeminfo.add(id);
      } catch (err) {
        if (err instanceof ProxmoxError && err.kind === 'forbidden') {
          this.#fileReadDeniedAt = now;
          this.#fileReadDenial = err;
        }
        // Windows guests have no /proc/meminfo: stop asking.
        else if (err instanceof ProxmoxError && /No such file|open file/i.test(err.message)) this.#noMeminfo.add(id);
      }
    }
    const cached = this.#slow.get(id);
    if (!agent.fsError && (!cached || now - cached.at >= FIVE_MIN)) {
      const [network, osinfo] = await Promise.all([
        api.agentNetwork(node, vmid, agentOpt).catch(UNANSWERED),
        api.agentOsInfo(node, vmid, agentOpt).catch(UNANSWERED),
      ]);
      this.#slow.set(id, { at: now, network: compactAgentNetwork(network), osinfo: compactAgentOs(osinfo) });
    }
    const slow = this.#slow.get(id);
    agent.network = slow?.network;
    agent.osinfo = slow?.osinfo;
    return agent;
  }

  prune(keep: ReadonlyMap<string, unknown>): void {
    for (const k of this.#slow.keys()) if (!keep.has(k)) this.#slow.delete(k);
  }
}
