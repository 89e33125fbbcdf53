/** Typed PBS API calls (shapes from ../shared/proxmox-api/pbs-apidata.js). */
import type { ProxmoxClient, RequestOptions } from './client.js';

export interface PbsVersion {
  version: string;
  release: string;
  repoid?: string;
}

export interface PbsNodeStatus {
  cpu?: number;
  wait?: number;
  uptime?: number;
  kversion?: string;
  loadavg?: number[];
  memory?: { total?: number; used?: number; free?: number };
  root?: { total?: number; used?: number; avail?: number };
  swap?: { total?: number; used?: number; free?: number };
  cpuinfo?: { cpus?: number; model?: string; sockets?: number };
}

export interface PbsDatastoreListEntry {
  store: string;
  comment?: string;
  maintenance?: string;
  'mount-status'?: string;
}

export interface PbsGcStatus {
  'disk-bytes'?: number;
  'index-data-bytes'?: number;
  'disk-chunks'?: number;
  'index-file-count'?: number;
}

export interface PbsDatastoreStatus {
  total?: number;
  used?: number;
  avail?: number;
  'gc-status'?: PbsGcStatus;
}

export interface PbsDatastoreUsage {
  store: string;
  total?: number;
  used?: number;
  avail?: number;
  error?: string;
  'gc-status'?: PbsGcStatus;
}

export interface PbsNamespaceEntry {
  ns: string;
  comment?: string;
}

export interface PbsSnapshot {
  'backup-type': 'vm' | 'ct' | 'host';
  'backup-id': string;
  'backup-time': number;
  comment?: string;
  files?: Array<string | { filename?: string; 'crypt-mode'?: string }>;
  /** The encryption key's fingerprint, on encrypted snapshots. */
  fingerprint?: string;
  owner?: string;
  protected?: boolean | number;
  size?: number;
  verification?: { state?: string; upid?: string };
}

/** A sync/verify/prune job (keyed by `id`) or a GC entry (keyed by `store`: `/admin/gc` has no `id`). */
export interface PbsJobEntry {
  id?: string;
  store: string;
  schedule?: string;
  comment?: string;
  'next-run'?: number;
  'last-run-endtime'?: number;
  'last-run-state'?: string;
  remote?: string;
  'remote-store'?: string;
}

const enc = encodeURIComponent;

export class PbsApi {
  constructor(readonly client: ProxmoxClient) {}

  version(o?: RequestOptions) {
    return this.client.get<PbsVersion>('/version', o);
  }
  nodeStatus(o?: RequestOptions) {
    return this.client.get<PbsNodeStatus>('/nodes/localhost/status', o);
  }
  datastores(o?: RequestOptions) {
    return this.client.get<PbsDatastoreListEntry[]>('/admin/datastore', o);
  }
  datastoreStatus(store: string, o?: RequestOptions) {
    return this.client.get<PbsDatastoreStatus>(`/admin/datastore/${enc(store)}/status`, o);
  }
  datastoreUsage(o?: RequestOptions) {
    return this.client.get<PbsDatastoreUsage[]>('/status/datastore-usage', o);
  }
  namespaces(store: string, o?: RequestOptions) {
    return this.client.get<PbsNamespaceEntry[]>(`/admin/datastore/${enc(store)}/namespace`, o);
  }
  snapshots(store: string, ns: string, o?: RequestOptions) {
    return this.client.get<PbsSnapshot[]>(`/admin/datastore/${enc(store)}/snapshots`, {
      ...o,
      query: ns ? { ns } : undefined,
    });
  }
  syncJobs(o?: RequestOptions) {
    return this.client.get<PbsJobEntry[]>('/admin/sync', o);
  }
  verifyJobs(o?: RequestOptions) {
    return this.client.get<PbsJobEntry[]>('/admin/verify', o);
  }
  pruneJobs(o?: RequestOptions) {
    return this.client.get<PbsJobEntry[]>('/admin/prune', o);
  }
  gcJobs(o?: RequestOptions) {
    return this.client.get<PbsJobEntry[]>('/admin/gc', o);
  }
}
