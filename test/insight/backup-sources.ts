import type { BackupSource, PulseState } from '../../src/model/state.js';

/**
 * The state with every backup source it mentions (the guests' PVE instances, the PBS instances
 * of its snapshots) marked as listed at `at`: what the pollers report once start-up is over.
 */
export function allListed(state: PulseState, at = 1): PulseState {
  const sources: Record<string, BackupSource> = {};
  for (const g of [...state.vms, ...state.containers])
    sources[`pve:${g.instance}`] = { kind: 'pve', instance: g.instance, listedAt: at };
  for (const b of state.pbsBackups ?? [])
    sources[`pbs:${b.instance}`] = { kind: 'pbs', instance: b.instance, listedAt: at };
  return { ...state, backupSources: sources };
}
