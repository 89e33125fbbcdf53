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
}

export interface Snapshot {
  group: Group;
  time: number;
  size: number;
  protected: boolean;
  verification?: { state: 'ok' | 'failed'; upid: string };
  files: string[];
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
    });
  }
  groupCache.set(ds, out);
  return out;
}

const FILES: Record<Group['type'], string[]> = {
  vm: ['client.log.blob', 'drive-scsi0.img.fidx', 'index.json.blob', 'qemu-server.conf.blob'],
  ct: ['catalog.pcat1.didx', 'client.log.blob', 'index.json.blob', 'pct.conf.blob', 'root.pxar.didx'],
  host: ['catalog.pcat1.didx', 'index.json.blob', 'root.pxar.didx'],
};

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
      files: FILES[g.type],
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
