/**
 * The estate description a simulator starts from: JSON-friendly, small, deterministic given
 * `seed`. Built-in estates (demo, small, large, xlarge, mixed) are produced by builtin.ts in this same shape,
 * and `--estate file.json` accepts it directly.
 */

/** Privileges per ACL path, e.g. `{"/": ["Sys.Audit", "VM.Audit"]}`; `"*"` grants every privilege. */
export type AclSpec = Record<string, string[]>;

export interface UserSpec {
  userid: string; // user@realm
  password: string;
  acl?: AclSpec; // default: every privilege on "/"
  role?: string; // PMG role (admin, audit, qmanager, helpdesk); default admin
}

export interface TokenSpec {
  tokenid: string; // user@realm!name
  secret: string;
  acl?: AclSpec;
  role?: string;
}

export interface NodeSpec {
  name: string;
  cpus?: number;
  memGiB?: number;
  rootGiB?: number;
  /** pve-manager version of this node; default the instance's `version` (mixed clusters mid-upgrade). */
  version?: string;
}

export type GuestType = 'qemu' | 'lxc';

export interface GuestSpec {
  vmid: number;
  type: GuestType;
  node: string;
  name?: string;
  status?: 'running' | 'stopped';
  template?: boolean;
  tags?: string[];
  lock?: string;
  agent?: boolean; // qemu: guest agent running (implies configured)
  agentConfigured?: boolean; // qemu: `agent: 1` in the config (default: true when agent, else false)
  balloon?: boolean; // qemu: ballooning device with a minimum below maxmem
  cpus?: number;
  memMiB?: number;
  diskGiB?: number;
  pool?: string;
  hastate?: string;
  ostype?: string;
  backup?: boolean; // included in the nightly vzdump job (default true unless template)
  backupStoppedDaysAgo?: number; // its backups (PVE and PBS) stopped this many days before the estate's start
  backupVerify?: boolean; // PBS verifies its snapshots (default true)
}

export interface StorageSpec {
  storage: string;
  type: 'dir' | 'lvmthin' | 'lvm' | 'zfspool' | 'nfs' | 'cifs' | 'cephfs' | 'rbd' | 'pbs';
  content: string; // comma list: images,rootdir,backup,iso,vztmpl,snippets
  shared?: boolean;
  nodes?: string[]; // restrict to these nodes; default every node
  totalGiB?: number;
  usedFraction?: number;
  fillPerDay?: number; // share of capacity added per day since the estate started (a filling disk)
  enabled?: boolean;
  server?: string; // nfs/cifs/pbs
  datastore?: string; // pbs
}

export interface PveSpec {
  name: string; // instance name: the address prefix in the control API
  cluster?: string; // cluster name; absent means a standalone node
  version?: string; // pve-manager version, e.g. 9.0.10 or 8.4.1
  nodes: Array<string | NodeSpec>;
  guests?: GuestSpec[];
  /** Generated guests on top of `guests`, spread over the nodes. */
  generate?: { guests: number; vmidStart?: number };
  storages?: StorageSpec[];
  ceph?: { health: 'HEALTH_OK' | 'HEALTH_WARN' };
  users?: UserSpec[];
  tokens?: TokenSpec[];
}

export interface PbsDatastoreSpec {
  name: string;
  totalGiB?: number;
  usedFraction?: number;
  namespaces?: string[]; // e.g. ["", "prod", "prod/db"]
  /** Backup groups per namespace: generated from the PVE guests unless given. */
  groups?: number;
  /** Snapshots kept per group (one per `intervalHours`). */
  keep?: number;
  intervalHours?: number;
}

export interface PbsSpec {
  name: string;
  version?: string;
  datastores: PbsDatastoreSpec[];
  users?: UserSpec[];
  tokens?: TokenSpec[];
}

export interface PmgSpec {
  name: string;
  version?: string;
  nodes?: string[]; // cluster members; first is master
  domains?: string[];
  /** Mails per hour on average (drives statistics). */
  mailPerHour?: number;
  /** PMG logs in with user@realm + password only (no API tokens exist on PMG). */
  users?: UserSpec[];
}

export interface EstateSpec {
  name: string;
  seed?: number;
  pve?: PveSpec[];
  pbs?: PbsSpec[];
  pmg?: PmgSpec[];
}
