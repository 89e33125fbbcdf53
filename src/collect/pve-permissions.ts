/**
 * Finding the privileges a PVE token/user lacks. List endpoints (/cluster/resources, /storage)
 * silently filter what the caller may not see, so a token without VM.Audit just sees no guests.
 * /access/permissions tells directly; where it is unavailable, single-object probes do: PVE
 * checks the privilege before looking the object up, so 403 means "missing privilege" and any
 * other answer (even "does not exist") means it is granted.
 */
import { ProxmoxError } from '../proxmox/errors.js';
import { type FeatureProblem, missingPvePrivileges, problemMessage } from '../proxmox/privileges.js';
import type { PveApi } from '../proxmox/pve.js';

/** A vmid no one uses: the permission check on /vms/<vmid> runs before the lookup. */
const PROBE_VMID = 999999999;

async function denied(p: Promise<unknown>): Promise<ProxmoxError | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof ProxmoxError && err.kind === 'forbidden' ? err : undefined;
  }
}

export async function findPveProblems(
  api: PveApi,
  node: string | undefined,
  opts: { signal?: AbortSignal; timeoutMs: number },
): Promise<FeatureProblem[]> {
  try {
    return missingPvePrivileges(await api.permissions(opts));
  } catch (err) {
    if (err instanceof ProxmoxError && err.isNetwork) throw err;
  }
  if (!node) return [];
  const problems: FeatureProblem[] = [];
  const add = (feature: string, privilege: string, path: string) => {
    const p = { feature, privilege, path };
    problems.push({ ...p, message: problemMessage(p) });
  };
  const [vm, sys, store] = await Promise.all([
    denied(api.vmStatus(node, PROBE_VMID, opts)),
    denied(api.nodeStatus(node, opts)),
    denied(api.client.get(`/nodes/${encodeURIComponent(node)}/storage/local/status`, opts)),
  ]);
  if (vm) add('VMs and containers', vm.privilege ?? 'VM.Audit', vm.privilegePath ?? '/vms');
  if (sys)
    add('node status, cluster membership, disks, ZFS and Ceph', sys.privilege ?? 'Sys.Audit', sys.privilegePath ?? '/');
  if (store) add('storage and backups', store.privilege ?? 'Datastore.Audit', store.privilegePath ?? '/storage');
  return problems;
}
