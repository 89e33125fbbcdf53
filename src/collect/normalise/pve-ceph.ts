/**
 * /cluster/ceph/status + /nodes/{n}/ceph/pool → CephCluster (wire-contract §1.5, §10). Raw
 * totals come from the status's pgmap; pools from the node's pool list. Tolerates Squid's
 * slimmer maps.
 */
import type { CephCluster, CephPool, CephService } from '../../model/state.js';
import type { PveCephPoolEntry } from '../../proxmox/pve.js';
import { cephId } from './ids.js';
import { num, optNum, str } from './values.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

function healthMessage(health: Obj): string | undefined {
  const checks = obj(health.checks);
  const msgs: string[] = [];
  for (const [name, c] of Object.entries(checks)) {
    const summary = obj(obj(c).summary);
    msgs.push(str(summary.message) || name);
  }
  if (msgs.length) return msgs.join('; ');
  const summary = health.summary;
  if (Array.isArray(summary)) {
    const s = summary.map((x) => str(obj(x).summary)).filter(Boolean);
    if (s.length) return s.join('; ');
  }
  return undefined;
}

function services(status: Obj): CephService[] {
  const out: CephService[] = [];
  const monmap = obj(status.monmap);
  const mons = Array.isArray(monmap.mons) ? (monmap.mons as Obj[]) : undefined;
  const numMons = optNum(monmap.num_mons) ?? mons?.length ?? 0;
  const quorum = Array.isArray(status.quorum_names) ? (status.quorum_names as string[]) : undefined;
  if (numMons > 0) {
    const running = quorum ? quorum.length : numMons;
    const svc: CephService = { type: 'mon', running, total: numMons };
    if (mons && quorum && running < numMons) {
      const down = mons.map((m) => str(m.name)).filter((n) => n && !quorum.includes(n));
      if (down.length) svc.message = `Offline: ${down.map((d) => `mon.${d}`).join(', ')}`;
    }
    out.push(svc);
  }
  const mgrmap = obj(status.mgrmap);
  const available = mgrmap.available === true || mgrmap.available === 1;
  const standbys = optNum(mgrmap.num_standbys) ?? (Array.isArray(mgrmap.standbys) ? mgrmap.standbys.length : 0);
  const numMgrs = optNum(mgrmap.num_mgrs) ?? (available ? 1 : 0) + standbys;
  if (numMgrs > 0) out.push({ type: 'mgr', running: (available ? 1 : 0) + standbys, total: numMgrs });
  const osdmap = obj(obj(status.osdmap).osdmap ?? status.osdmap);
  const numOsds = num(osdmap.num_osds);
  if (numOsds > 0) out.push({ type: 'osd', running: num(osdmap.num_up_osds), total: numOsds });
  return out;
}

/**
 * A pool as the PVE UI shows it: `bytes_used` of `bytes_used / percent_used` (Ceph computes the
 * fraction against used + what the pool can still take), so that quotient is the pool's size.
 */
export function cephPool(p: PveCephPoolEntry): CephPool {
  const used = num(p.bytes_used);
  const fraction = num(p.percent_used);
  const total = fraction > 0 ? used / fraction : 0;
  return {
    id: num(p.pool),
    name: str(p.pool_name),
    storedBytes: used,
    availableBytes: total > used ? Math.round(total - used) : 0,
    objects: num((p as { objects?: unknown }).objects),
    percentUsed: fraction,
  };
}

export interface CephInput {
  instance: string;
  status: Record<string, unknown>;
  /** `/nodes/{n}/ceph/pool` of an online node (undefined when it could not be read). */
  pools?: PveCephPoolEntry[];
  now: number;
}

export function normaliseCeph(input: CephInput): CephCluster {
  const s = input.status;
  const fsid = str(s.fsid) || undefined;
  const health = obj(s.health);
  const monmap = obj(s.monmap);
  const mgrmap = obj(s.mgrmap);
  const osdmap = obj(obj(s.osdmap).osdmap ?? s.osdmap);
  const pgmap = obj(s.pgmap);
  const svc = services(s);
  const totalBytes = num(pgmap.bytes_total);
  const usedBytes = num(pgmap.bytes_used);
  const availableBytes = num(pgmap.bytes_avail);
  const pools = input.pools ? input.pools.map(cephPool) : undefined;
  const mgrSvc = svc.find((x) => x.type === 'mgr');
  const cluster: CephCluster = {
    id: cephId(input.instance, fsid),
    instance: input.instance,
    name: 'Ceph',
    fsid,
    health: str(health.status ?? s.health, 'HEALTH_UNKNOWN'),
    healthMessage: healthMessage(health),
    totalBytes,
    usedBytes,
    availableBytes,
    usagePercent: totalBytes > 0 ? Math.round((usedBytes / totalBytes) * 1000) / 10 : 0,
    numMons: optNum(monmap.num_mons) ?? (Array.isArray(monmap.mons) ? monmap.mons.length : 0),
    numMgrs: optNum(mgrmap.num_mgrs) ?? mgrSvc?.total ?? 0,
    numOsds: num(osdmap.num_osds),
    numOsdsUp: num(osdmap.num_up_osds),
    numOsdsIn: num(osdmap.num_in_osds),
    numPGs: num(pgmap.num_pgs),
    pools,
    services: svc,
    lastUpdated: input.now,
  };
  if (!cluster.fsid) delete cluster.fsid;
  if (!cluster.healthMessage) delete cluster.healthMessage;
  if (!cluster.pools) delete cluster.pools;
  return cluster;
}
