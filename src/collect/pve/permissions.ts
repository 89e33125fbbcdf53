/**
 * The privileges the token/user lacks, checked every 5 minutes (findPveProblems) and reported in
 * every cycle in between, under any problem a call of the cycle itself runs into.
 */
import type { FeatureProblem } from '../../proxmox/privileges.js';
import { findPveProblems } from '../pve-permissions.js';
import { Cadence, FIVE_MIN, type PveCycle, type PveFetcher } from './fetcher.js';

const NONE = (): FeatureProblem[] => [];

export class PermissionsFetcher implements PveFetcher {
  readonly name = 'permissions';
  readonly #cadence = new Cadence(() => FIVE_MIN);
  #problems: FeatureProblem[] = [];

  async fetch(cycle: PveCycle): Promise<void> {
    if (this.#cadence.due(cycle.now)) {
      this.#cadence.ran(cycle.now);
      const firstOnline = cycle.nodes.find((r) => r.status === 'online')?.node;
      this.#problems = await findPveProblems(cycle.api, firstOnline, cycle.opt).catch(NONE);
    }
    const seen = cycle.problems.byFeature;
    for (const p of this.#problems) if (!seen.has(p.feature)) seen.set(p.feature, p);
  }
}
