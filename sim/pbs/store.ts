/**
 * PBS datastore contents computed from the clock: backup groups (from the estate's guests plus a
 * few host backups) spread over namespaces, snapshots every `intervalHours` keeping the last
 * `keep`, with verification state, protection, owner, comment and size.
 */
import type { PbsDatastore, PbsInstance } from '../estate/model.js';
import { hash32, unit } from '../random.js';

export interface Group {
  ns: string;
  type: 'vm' | 'ct' | 'host';
  id: string;
  comment: string;
  owner: string;
  seed: number;
  /** Unix seconds after which the group gets no snapshots. */
  stoppedAt?: number;
  verify: boolean;
  /** Fingerprint of the client-side key the group's snapshots are encrypted with, if any. */
  fingerprint?: string;
}

/** An archive of a snapshot as the snapshot list reports it (PBS's BackupContent). */
export interface BackupContent {
  filename: string;
  'crypt-mode'?: 'none' | 'encrypt' | 'sign-only';
  size?: number;
}

export interface Snapshot {
  group: Group;
  time: number;
  size: number;
  protected: boolean;
  verification?: { state: 'ok' | 'failed'; upid: string };
}

/**
 * The key fingerprint a guest's (or host's) backups are encrypted with, or undefined for plain
 * backups. Keyed by backup type and ID alone so that a PVE storage listing the same guest's PBS
 * backups reports the same key; about one group in five is encrypted, under one of two keys.
 */
export function backupKeyFingerprint(type: Group['type'], id: string): string | undefined {
  const h = hash32(0x5eed, `crypt/${type}/${id}`);
  if (h % 5 !== 0) return undefined;
  const key = (h >>> 8) % 2;
  const bytes: string[] = [];
  for (let i = 0; i < 32; i += 4) {
    const w = hash32(0x5eed, `key${key}/${i}`);
    for (let b = 0; b < 4; b++) bytes.push(((w >>> (b * 8)) & 0xff).toString(16).padStart(2, '0'));
  }
  return bytes.join(':');
}

const groupCache = new WeakMap<PbsDatastore, Group[]>();

/** Namespace a group lands in: `prod` for names with prod/web, `prod/db` for db names, else root. */
function nsFor(ds: PbsDatastore, name: string, seed: number): string {
  const has = (ns: string) => ds.namespaces.includes(ns);
  if (/db/.test(name) && has('prod/db')) return 'prod/db';
  if (/(web|prod|k8s)/.test(name) && has('prod')) return 'prod';
  const i = seed % ds.namespaces.length;
  return ds.namespaces[i] === undefined ? '' : seed % 3 === 0 ? ds.namespaces[i] : '';
}

export function groupsOf(inst: PbsInstance, ds: PbsDatastore): Group[] {
  const hit = groupCache.get(ds);
  if (hit) return hit;
  const out: Group[] = [];
  // A group is (namespace, type, id): guests of two PVE instances sharing a vmid back up into one
  // group, as they would on a real PBS without separate namespaces; keep the first.
  const seen = new Set<string>();
  const guests = inst.guestIds
    .filter((g) => !seen.has(`${g.type}/${g.id}`) && seen.add(`${g.type}/${g.id}`))
    .slice(0, ds.groups);
  for (const g of guests) {
    const seed = hash32(ds.seed, `${g.type}/${g.id}`);
    out.push({
      ns: nsFor(ds, g.name, seed),
      type: g.type,
      id: String(g.id),
      comment: g.name,
      owner: seed % 4 === 0 ? 'backup@pbs' : 'root@pam!pulse',
      seed,
      stoppedAt: g.stoppedAt,
      verify: g.verify,
      fingerprint: backupKeyFingerprint(g.type, String(g.id)),
    });
  }
  for (const host of ['pbs-config', 'fileserver']) {
    if (out.length >= ds.groups + 2) break;
    out.push({
      ns: '',
      type: 'host',
      id: host,
      comment: `${host} file backup`,
      owner: 'root@pam',
      seed: hash32(ds.seed, `host/${host}`),
      verify: true,
      fingerprint: backupKeyFingerprint('host', host),
    });
  }
  groupCache.set(ds, out);
  return out;
}

/** Archives the backup manifest records, with each one's share of the snapshot size. */
const MANIFEST: Record<Group['type'], Array<[string, number]>> = {
  vm: [
    ['qemu-server.conf.blob', 0],
    ['drive-scsi0.img.fidx', 1],
  ],
  ct: [
    ['pct.conf.blob', 0],
    ['root.pxar.didx', 0.998],
    ['catalog.pcat1.didx', 0.002],
  ],
  host: [
    ['root.pxar.didx', 0.997],
    ['catalog.pcat1.didx', 0.003],
  ],
};

/**
 * The files list of a snapshot in PBS's shape: the manifest's archives carry their crypt mode and
 * size, while the manifest itself and the client log (written after it) carry neither. Their sizes
 * add up to the snapshot's size, as PBS sums them.
 */
export function filesOf(s: Snapshot): BackupContent[] {
  const mode = s.group.fingerprint ? 'encrypt' : 'none';
  const entries = MANIFEST[s.group.type];
  // A config blob is a few hundred bytes; the archives split the rest by share.
  const blob = entries.some(([, share]) => share === 0) ? 300 + (s.group.seed % 900) : 0;
  let left = s.size - blob;
  const out: BackupContent[] = entries.map(([filename, share], i) => {
    const size = share === 0 ? blob : i === entries.length - 1 ? left : Math.floor((s.size - blob) * share);
    if (share !== 0) left -= size;
    return { filename, 'crypt-mode': mode, size };
  });
  out.push({ filename: 'index.json.blob' });
  if (s.group.type !== 'host') out.push({ filename: 'client.log.blob' });
  return out;
}

export function pbsUpid(
  node: string,
  type: string,
  workerId: string,
  start: number,
  authid: string,
  seed: number,
): string {
  const hex = (n: number, w = 8) => n.toString(16).toUpperCase().padStart(w, '0');
  const pid = 1000 + (hash32(seed, `${type}/${workerId}/${start}`) % 60000);
  const escaped = workerId.replace(/:/g, '\\x3a').replace(/\//g, '\\x2f');
  return `UPID:${node}:${hex(pid)}:${hex(50000 + (pid % 997))}:${hex(hash32(seed, `tid${start}`) % 4096)}:${hex(start)}:${type}:${escaped}:${authid}:`;
}

/** Snapshots of a group present at `nowSec`, oldest first. */
export function snapshotsOf(inst: PbsInstance, ds: PbsDatastore, g: Group, nowSec: number): Snapshot[] {
  const step = ds.intervalHours * 3600;
  const offset = 2 * 3600 + (g.seed % 3600);
  const out: Snapshot[] = [];
  const until = g.stoppedAt === undefined ? nowSec : Math.min(nowSec, g.stoppedAt);
  let t = Math.floor((until - offset) / step) * step + offset;
  if (t > until) t -= step;
  const verifyAt = 6 * 3600;
  for (let i = 0; i < ds.keep; i++, t -= step) {
    const age = nowSec - t;
    const base = 2 * 1024 ** 3 + (g.seed % 40) * 1024 ** 3;
    const snap: Snapshot = {
      group: g,
      time: t,
      size: Math.floor(base * (1 + unit(g.seed, `sz${t}`) * 0.1)),
      protected: unit(g.seed, `prot${t}`) < 0.03,
    };
    if (g.verify && age >= verifyAt) {
      snap.verification = {
        state: unit(g.seed, `ver${t}`) < 0.02 ? 'failed' : 'ok',
        upid: pbsUpid(
          inst.nodeName,
          'verificationjob',
          `${ds.name}:v-${ds.name}`,
          t + verifyAt - 600,
          'root@pam',
          inst.seed,
        ),
      };
    }
    out.push(snap);
  }
  return out.reverse();
}

export function groupDir(g: Group): string {
  return `${g.type}/${g.id}`;
}
