/**
 * The permission check of a PVE instance: every feature with whether the token/user can serve it,
 * checked every 5 minutes together with the instance's /version (which privileges a grant names
 * depends on it), and the features it cannot serve reported in every cycle in between, under any
 * problem a call of the cycle itself runs into.
 */
import { type FeatureProblem, problemsOf } from '../../proxmox/privileges.js';
import { checkPveFeatures, PeriodicPermissionCheck, type PermissionCheck } from '../pve-permissions.js';
import type { PveCycle, PveFetcher } from './fetcher.js';

export class PermissionsFetcher implements PveFetcher {
  readonly name = 'permissions';
  readonly #check = new PeriodicPermissionCheck();
  #checked: PermissionCheck | undefined;
  #problems: FeatureProblem[] = [];

  /** The latest check (undefined until one answered). */
  get last(): PermissionCheck | undefined {
    return this.#check.last;
  }

  async fetch(cycle: PveCycle): Promise<void> {
    await this.#check.run(cycle.now, async () => {
      const firstOnline = cycle.nodes.find((r) => r.status === 'online')?.node;
      const [features, version] = await Promise.all([
        checkPveFeatures(cycle.api, firstOnline, cycle.opt),
        cycle.api.version(cycle.opt).then(
          (v) => v.version,
          () => undefined,
        ),
      ]);
      return version ? { features, version } : { features };
    });
    if (this.#check.last !== this.#checked) {
      this.#checked = this.#check.last;
      this.#problems = problemsOf(this.#checked?.features ?? []);
    }
    const seen = cycle.problems.byFeature;
    for (const p of this.#problems) if (!seen.has(p.feature)) seen.set(p.feature, p);
  }
}
