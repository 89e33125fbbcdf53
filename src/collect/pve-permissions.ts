/**
 * Finding which features a PVE/PBS/PMG token or user can serve. List endpoints (/cluster/resources,
 * /storage, PBS's /admin/datastore) silently filter what the caller may not see, so a token without
 * VM.Audit just sees no guests. /access/permissions tells directly; where it is unavailable,
 * single-object probes do: PVE checks the privilege before looking the object up, so 403 means
 * "missing privilege" and any other answer (even "does not exist") means it is granted. PMG has
 * no ACLs: its features are probed.
 */
import { ProxmoxError } from '../proxmox/errors.js';
import type { PbsApi } from '../proxmox/pbs.js';
import type { PmgApi } from '../proxmox/pmg.js';
import {
  catalogue,
  type FeatureProblem,
  type FeatureStatus,
  featureOfPath,
  type PermissionsAnswer,
  PMG_ROLE_LABEL,
  pbsFeatureStatus,
  pveFeatureStatus,
} from '../proxmox/privileges.js';
import type { PveApi } from '../proxmox/pve.js';
import { Cadence, FIVE_MIN } from './pve/fetcher.js';

/** A poller's latest permission check: every feature, when it ran, and the version that answered. */
export interface PermissionCheck {
  features: FeatureStatus[];
  /** ms of the check */
  at: number;
  /** The instance's own /version answer (PVE: which privileges a grant has to name). */
  version?: string;
}

/**
 * A poller's permission check, run at most every 5 minutes: privileges change rarely, and the
 * 403s its calls meet report a change in between. A failed check keeps the previous answer, as a
 * timeout says nothing about privileges.
 */
export class PeriodicPermissionCheck {
  readonly #cadence = new Cadence(() => FIVE_MIN);
  #last: PermissionCheck | undefined;

  get last(): PermissionCheck | undefined {
    return this.#last;
  }

  async run(now: number, check: () => Promise<Omit<PermissionCheck, 'at'>>): Promise<void> {
    if (!this.#cadence.due(now)) return;
    this.#cadence.ran(now);
    try {
      this.#last = { ...(await check()), at: now };
    } catch {
      // Keep the previous answer (see above).
    }
  }
}

/** A vmid no one uses: the permission check on /vms/<vmid> runs before the lookup. */
const PROBE_VMID = 999999999;

interface Opts {
  signal?: AbortSignal;
  timeoutMs: number;
}

async function denied(p: Promise<unknown>): Promise<ProxmoxError | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof ProxmoxError && err.kind === 'forbidden' ? err : undefined;
  }
}

/** Every PVE feature with whether it works: from /access/permissions, else from three probes. */
export async function checkPveFeatures(api: PveApi, node: string | undefined, opts: Opts): Promise<FeatureStatus[]> {
  try {
    return pveFeatureStatus(await api.permissions(opts));
  } catch (err) {
    if (err instanceof ProxmoxError && err.isNetwork) throw err;
  }
  const out = catalogue('pve');
  if (!node) return out;
  const [vm, sys, store] = await Promise.all([
    denied(api.vmStatus(node, PROBE_VMID, opts)),
    denied(api.nodeStatus(node, opts)),
    denied(api.client.get(`/nodes/${encodeURIComponent(node)}/storage/local/status`, opts)),
  ]);
  const set = (feature: string, err: ProxmoxError | undefined) => {
    const f = out.find((x) => x.feature === feature);
    if (!f) return;
    f.works = !err;
    f.evidence = 'probe';
    if (err?.privilege) f.privilege = err.privilege;
  };
  set('VMs and containers', vm);
  set('node status (memory, load, versions)', sys);
  set('storage and backups', store);
  return out;
}

/**
 * Every PBS feature with whether it works, per datastore and namespace: from /access/permissions
 * (any user may read their own), else the catalogue with nothing decided.
 */
export async function checkPbsFeatures(api: PbsApi, stores: readonly string[], opts: Opts): Promise<FeatureStatus[]> {
  let perms: PermissionsAnswer;
  try {
    perms = await api.client.get<PermissionsAnswer>('/access/permissions', opts);
  } catch (err) {
    if (err instanceof ProxmoxError && err.isNetwork) throw err;
    return catalogue('pbs');
  }
  const withNs = await Promise.all(
    stores.map(async (store) => {
      try {
        const list = await api.namespaces(store, opts);
        return { store, namespaces: list.map((n) => n.ns).filter((ns) => ns.length > 0) };
      } catch {
        return { store };
      }
    }),
  );
  return pbsFeatureStatus(perms, withNs);
}

/**
 * Every PMG feature, probed: a 403 means the user's role does not allow it, an answer that it
 * does; anything else leaves it undecided.
 */
export async function checkPmgFeatures(api: PmgApi, now: number, opts: Opts): Promise<FeatureStatus[]> {
  const out = catalogue('pmg');
  const probe = async (feature: string, call: () => Promise<unknown>) => {
    const f = out.find((x) => x.feature === feature);
    if (!f) return;
    try {
      await call();
      f.works = true;
      f.evidence = 'probe';
    } catch (err) {
      if (err instanceof ProxmoxError && err.kind === 'forbidden') {
        f.works = false;
        f.evidence = 'probe';
        f.privilege = err.privilege ?? PMG_ROLE_LABEL;
      }
    }
  };
  // Cluster members name the node whose queues to probe (PMG lists itself with list_single_node).
  let node: string | undefined;
  await probe('cluster nodes', async () => {
    node = (await api.clusterStatus(opts)).find((m) => m.name)?.name;
  });
  const end = Math.floor(now / 1000);
  await Promise.all([
    probe('mail statistics', () => api.mailStats(end - 3600, end, opts)),
    probe('quarantine', () => api.spamStatus(opts)),
    node ? probe('mail queues', () => api.postfixQshape(node as string, 'deferred', opts)) : Promise.resolve(),
  ]);
  return out;
}

/** A 403 met on `path` as the problem of the feature it serves. */
export function deniedProblem(
  err: unknown,
  product: 'pve' | 'pbs' | 'pmg',
  fallbackPriv: string,
): FeatureProblem | undefined {
  if (!(err instanceof ProxmoxError) || err.kind !== 'forbidden') return undefined;
  const p = {
    feature: featureOfPath(product, err.path ?? ''),
    privilege: err.privilege ?? fallbackPriv,
    ...(err.privilegePath ? { path: err.privilegePath } : {}),
  };
  return {
    ...p,
    message: `Missing privilege ${p.privilege}${p.path ? ` on ${p.path}` : ''}: ${p.feature} cannot be monitored`,
  };
}
