/** PBS answers → PbsInstance / PbsBackup (wire-contract §1.6). Pure. */
import type { PbsBackup, PbsDatastore, PbsInstance, PbsJob, PbsNamespace } from '../../model/state.js';
import type {
  PbsDatastoreStatus,
  PbsJobEntry,
  PbsNamespaceEntry,
  PbsNodeStatus,
  PbsSnapshot,
} from '../../proxmox/pbs.js';
import { pbsBackupId, pbsInstanceId } from './ids.js';
import { flag, num, optNum, percent, rfc3339, str, upidStartTime } from './values.js';

/** index-data-bytes / disk-bytes from the last GC: how much logical data each stored byte holds. */
export function dedupFactor(status: PbsDatastoreStatus | undefined): number | undefined {
  const gc = status?.['gc-status'];
  const disk = optNum(gc?.['disk-bytes']);
  const index = optNum(gc?.['index-data-bytes']);
  if (!disk || !index || disk <= 0) return undefined;
  return Math.round((index / disk) * 100) / 100;
}

/** Namespaces as a sorted tree listing, root "" first. */
export function normaliseNamespaces(list: PbsNamespaceEntry[] | undefined): PbsNamespace[] {
  const paths = new Set<string>(['']);
  for (const n of list ?? []) if (typeof n?.ns === 'string') paths.add(n.ns);
  return [...paths]
    .sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
    .map((path) => {
      const parts = path === '' ? [] : path.split('/');
      const ns: PbsNamespace = { path, depth: parts.length };
      if (parts.length > 0) ns.parent = parts.slice(0, -1).join('/');
      return ns;
    });
}

export function normaliseDatastore(
  name: string,
  status: PbsDatastoreStatus | undefined,
  namespaces: PbsNamespaceEntry[] | undefined,
  error?: string,
): PbsDatastore {
  const total = num(status?.total);
  const used = num(status?.used);
  const free = optNum(status?.avail) ?? Math.max(0, total - used);
  const ds: PbsDatastore = {
    name,
    total,
    used,
    free,
    usage: percent(used, total),
    status: error ? 'unavailable' : 'available',
    namespaces: normaliseNamespaces(namespaces),
  };
  const f = dedupFactor(status);
  if (f !== undefined) ds.deduplicationFactor = f;
  if (error) ds.error = error;
  return ds;
}

export function normaliseJobs(type: PbsJob['type'], list: PbsJobEntry[] | undefined): PbsJob[] {
  return (list ?? []).map((j) => {
    // GC entries have no id: there is at most one per datastore, so the store names it.
    const job: PbsJob = { id: str(j.id) || (type === 'garbage' ? str(j.store) : ''), store: str(j.store), type };
    if (j.schedule) job.schedule = j.schedule;
    if (j['last-run-endtime'] !== undefined) job.lastRun = num(j['last-run-endtime']);
    if (j['next-run'] !== undefined) job.nextRun = num(j['next-run']);
    if (j['last-run-state']) job.lastState = j['last-run-state'];
    if (j.comment) job.comment = j.comment;
    return job;
  });
}

export interface PbsInstanceInput {
  name: string;
  host: string;
  version?: string;
  status?: PbsNodeStatus;
  datastores: PbsDatastore[];
  jobs: { sync: PbsJob[]; verify: PbsJob[]; prune: PbsJob[]; garbage: PbsJob[] };
  now: number;
}

export function normalisePbsInstance(input: PbsInstanceInput): PbsInstance {
  const mem = input.status?.memory;
  const total = num(mem?.total);
  const used = num(mem?.used);
  return {
    id: pbsInstanceId(input.name),
    name: input.name,
    host: input.host,
    status: 'online',
    version: input.version || 'connected',
    cpu: num(input.status?.cpu),
    memory: percent(used, total),
    memoryUsed: used,
    memoryTotal: total,
    uptime: num(input.status?.uptime),
    datastores: input.datastores,
    backupJobs: [],
    syncJobs: input.jobs.sync,
    verifyJobs: input.jobs.verify,
    pruneJobs: input.jobs.prune,
    garbageJobs: input.jobs.garbage,
    connectionHealth: 'healthy',
    lastSeen: rfc3339(input.now),
  };
}

export function offlinePbs(prev: PbsInstance | undefined, name: string, host: string, now: number): PbsInstance {
  if (prev) return { ...prev, status: 'offline', connectionHealth: 'error' };
  return {
    id: pbsInstanceId(name),
    name,
    host,
    status: 'offline',
    version: 'unknown',
    cpu: 0,
    memory: 0,
    memoryUsed: 0,
    memoryTotal: 0,
    uptime: 0,
    datastores: [],
    backupJobs: [],
    syncJobs: [],
    verifyJobs: [],
    pruneJobs: [],
    garbageJobs: [],
    connectionHealth: 'error',
    lastSeen: rfc3339(now),
  };
}

export function normalisePbsSnapshots(
  instance: string,
  datastore: string,
  namespace: string,
  list: PbsSnapshot[],
): PbsBackup[] {
  const out: PbsBackup[] = [];
  for (const s of list) {
    if (!s?.['backup-id']) continue;
    const type = s['backup-type'];
    const time = num(s['backup-time']);
    const b: PbsBackup = {
      id: pbsBackupId(instance, datastore, namespace, type, s['backup-id'], time),
      instance,
      datastore,
      namespace,
      backupType: type === 'ct' || type === 'host' ? type : 'vm',
      vmid: str(s['backup-id']),
      backupTime: time,
      size: num(s.size),
      protected: flag(s.protected),
      verified: s.verification?.state === 'ok',
    };
    const verifiedAt = upidStartTime(s.verification?.upid);
    if (verifiedAt !== undefined) b.verifiedAt = verifiedAt;
    // The archives' crypt modes decide: a signed-only backup also carries a key fingerprint, so the
    // fingerprint counts only when the listing gives no modes (plain file names tell nothing).
    const modes = Array.isArray(s.files)
      ? s.files.map((f) => (typeof f === 'object' ? f?.['crypt-mode'] : undefined)).filter((m) => m !== undefined)
      : [];
    if (modes.length > 0) b.encrypted = modes.includes('encrypt');
    else if (s.fingerprint) b.encrypted = true;
    if (s.comment) b.comment = s.comment;
    if (Array.isArray(s.files) && s.files.length) {
      b.files = s.files.map((f) => (typeof f === 'string' ? f : str(f?.filename))).filter(Boolean);
    }
    if (s.owner) b.owner = s.owner;
    out.push(b);
  }
  return out;
}
