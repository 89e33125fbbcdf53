/** PVE cluster-wide: options, backup jobs and not-backed-up, replication, HA, Ceph. */

import { storageUsed } from '../estate/metrics.js';
import type { PveInstance } from '../estate/model.js';
import { ApiError, type Route } from '../http/api.js';
import { hash32 } from '../random.js';
import { backupJobs, jobRuns } from './backups.js';
import { nodeOnline } from './views.js';

type R = Route<PveInstance>;

export interface ReplicationJob {
  id: string;
  guest: number;
  jobnum: number;
  source: string;
  target: string;
  schedule: string;
  failing: boolean;
}

/** Guests on ZFS nodes replicate to the next member (clusters only); one job fails. */
export function replicationJobs(inst: PveInstance): ReplicationJob[] {
  if (!inst.cluster || inst.nodes.length < 2) return [];
  const zfsNodes = new Set(
    inst.nodes
      .filter((n) => inst.storages.some((s) => s.type === 'zfspool' && (!s.nodes || s.nodes.includes(n.name))))
      .map((n) => n.name),
  );
  const jobs: ReplicationJob[] = [];
  for (const g of inst.guests.values()) {
    if (!zfsNodes.has(g.node) || g.template || jobs.length >= 20) continue;
    const idx = inst.nodes.findIndex((n) => n.name === g.node);
    const target = inst.nodes[(idx + 1) % inst.nodes.length].name;
    jobs.push({
      id: `${g.vmid}-0`,
      guest: g.vmid,
      jobnum: 0,
      source: g.node,
      target,
      schedule: '*/15',
      failing: jobs.length === 1,
    });
  }
  return jobs;
}

/** Ceph status as Ceph Squid shapes it (see ../shared/fixtures/pve-ceph). */
export function cephStatus(inst: PveInstance, now: number): Record<string, unknown> {
  const ceph = inst.ceph;
  if (!ceph) throw new ApiError(500, 'binary not installed: /usr/bin/ceph-mon');
  const mons = inst.nodes.slice(0, 3).filter(nodeOnline);
  const osds = inst.nodes.length * 2;
  const upOsds = inst.nodes.filter(nodeOnline).length * 2;
  const { total, used, pools } = cephSpace(inst, now);
  const warn = ceph.health === 'HEALTH_WARN' || upOsds < osds;
  const checks: Record<string, unknown> = {};
  if (warn) {
    checks.OSD_NEARFULL = {
      severity: 'HEALTH_WARN',
      summary: { message: '1 nearfull osd(s)', count: 1 },
      muted: false,
    };
    if (upOsds < osds) {
      checks.OSD_DOWN = {
        severity: 'HEALTH_WARN',
        summary: { message: `${osds - upOsds} osds down`, count: osds - upOsds },
        muted: false,
      };
    }
  }
  return {
    fsid: `9d4c2f0a-1626-4f6e-9b7a-${hash32(inst.seed, 'fsid').toString(16).padStart(12, '0').slice(0, 12)}`,
    health: { status: warn ? 'HEALTH_WARN' : 'HEALTH_OK', checks, mutes: [] },
    election_epoch: 148,
    quorum: mons.map((_, i) => i),
    quorum_names: mons.map((n) => n.name),
    quorum_age: Math.floor((now - Math.max(...inst.nodes.map((n) => n.bootedAt))) / 1000),
    monmap: { epoch: 3, min_mon_release_name: 'squid', num_mons: Math.min(3, inst.nodes.length) },
    mgrmap: {
      available: true,
      num_standbys: Math.max(0, Math.min(3, inst.nodes.length) - 1),
      modules: [
        'balancer',
        'crash',
        'devicehealth',
        'iostat',
        'nfs',
        'pg_autoscaler',
        'restful',
        'status',
        'telemetry',
      ],
      services: {},
    },
    servicemap: {
      services: {
        mon: { daemons: Object.fromEntries(mons.map((n) => [n.name, { hostname: n.name, status: 'running' }])) },
      },
    },
    osdmap: {
      epoch: 412,
      num_osds: osds,
      num_up_osds: upOsds,
      osd_up_since: 0,
      num_in_osds: osds,
      osd_in_since: 0,
      num_remapped_pgs: 0,
    },
    pgmap: {
      pgs_by_state: [{ state_name: 'active+clean', count: 129 }],
      num_pgs: 129,
      num_pools: pools.length,
      num_objects: Math.floor(used / 4_194_304),
      data_bytes: Math.floor(used / 3),
      bytes_used: used,
      bytes_avail: total - used,
      bytes_total: total,
      read_bytes_sec: 1_200_000,
      write_bytes_sec: 3_400_000,
      read_op_per_sec: 40,
      write_op_per_sec: 120,
    },
    fsmap: { epoch: 12, by_rank: [], up: 1, in: 1, max: 1 },
    progress_events: {},
  };
}

/** Replicas per pool: the PVE default (size 3, min_size 2). */
const CEPH_SIZE = 3;

interface CephPoolSim {
  id: number;
  name: string;
  /** Raw bytes allocated, replicas included (Ceph's `bytes_used`). */
  rawUsed: number;
  pgs: number;
  application: string;
}

/**
 * Raw capacity and pools: `.mgr`, one pool per RBD storage and a data + metadata pair per
 * CephFS. A pool stores what its storage reports as used, three times over.
 */
function cephSpace(inst: PveInstance, now: number): { total: number; used: number; pools: CephPoolSim[] } {
  const backed = inst.storages.filter((s) => s.type === 'rbd' || s.type === 'cephfs');
  const pools: CephPoolSim[] = [
    { id: 1, name: '.mgr', rawUsed: 3 * 1024 ** 2 * CEPH_SIZE, pgs: 1, application: 'mgr' },
  ];
  for (const s of backed) {
    const stored = storageUsed(s, now);
    if (s.type === 'rbd') {
      pools.push({ id: pools.length + 1, name: s.storage, rawUsed: stored * CEPH_SIZE, pgs: 64, application: 'rbd' });
    } else {
      pools.push({
        id: pools.length + 1,
        name: `${s.storage}_data`,
        rawUsed: stored * CEPH_SIZE,
        pgs: 32,
        application: 'cephfs',
      });
      const meta = Math.floor(stored / 2000) * CEPH_SIZE;
      pools.push({
        id: pools.length + 1,
        name: `${s.storage}_metadata`,
        rawUsed: meta,
        pgs: 32,
        application: 'cephfs',
      });
    }
  }
  const total = Math.max(...backed.map((s) => s.total), 1) * CEPH_SIZE;
  const used = Math.min(
    total,
    pools.reduce((sum, p) => sum + p.rawUsed, 0),
  );
  return { total, used, pools };
}

/**
 * `/nodes/{node}/ceph/pool` as PVE renders it: the pool settings plus `bytes_used` and
 * `percent_used` from `ceph df`, where Ceph divides raw used by raw used + raw available.
 */
export function cephPoolList(inst: PveInstance, now: number): Record<string, unknown>[] {
  if (!inst.ceph) throw new ApiError(500, 'binary not installed: /usr/bin/ceph-mon');
  const { total, used, pools } = cephSpace(inst, now);
  const avail = Math.max(0, total - used);
  return pools.map((p) => {
    const o: Record<string, unknown> = {
      pool: p.id,
      pool_name: p.name,
      size: CEPH_SIZE,
      min_size: 2,
      pg_num: p.pgs,
      pg_num_final: p.pgs,
      pg_autoscale_mode: 'on',
      crush_rule: 0,
      crush_rule_name: 'replicated_rule',
      type: 'replicated',
      application_metadata: { [p.application]: {} },
      autoscale_status: {
        pool_name: p.name,
        pool_id: p.id,
        pg_num_target: p.pgs,
        pg_num_final: p.pgs,
        raw_used: p.rawUsed,
        raw_used_rate: CEPH_SIZE,
        capacity_ratio: p.rawUsed / total,
        would_adjust: false,
      },
      bytes_used: p.rawUsed,
      percent_used: p.rawUsed + avail > 0 ? p.rawUsed / (p.rawUsed + avail) : 0,
    };
    if (p.application === 'mgr') o.pg_num_min = 1;
    return o;
  });
}

export const clusterRoutes: R[] = [
  {
    method: 'GET',
    path: '/cluster/options',
    handler: ({ instance }) => ({
      keyboard: 'en-us',
      console: 'html5',
      migration: { type: 'secure' },
      ha: { shutdown_policy: 'conditional' },
      'next-id': { lower: '100', upper: '1000000' },
      email_from: `root@${instance.nodes[0].name}.example.com`,
    }),
  },
  {
    method: 'GET',
    path: '/cluster/backup',
    handler: ({ instance, now }) =>
      backupJobs(instance).map((j) => {
        const next = jobRuns(j, Math.floor(now / 1000) + 8 * 86400, 8).find((t) => t > now / 1000);
        const o: Record<string, unknown> = {
          id: j.id,
          type: 'vzdump',
          schedule:
            j.everyDays === 1
              ? `${String(j.at / 3600).padStart(2, '0')}:00`
              : `sat ${Math.floor(j.at / 3600)}:${String((j.at % 3600) / 60).padStart(2, '0')}`,
          storage: j.storage.storage,
          mode: 'snapshot',
          compress: 'zstd',
          enabled: 1,
          'notes-template': '{{guestname}}',
          'notification-mode': 'notification-system',
          'prune-backups': { 'keep-last': j.keep },
          'next-run': next,
        };
        if (j.all) {
          o.all = 1;
          const excluded = [...instance.guests.values()].filter((g) => !g.backup).map((g) => g.vmid);
          if (excluded.length) o.exclude = excluded.join(',');
        } else {
          o.vmid = (j.vmids ?? []).join(',');
        }
        return o;
      }),
  },
  {
    method: 'GET',
    path: '/cluster/backup-info/not-backed-up',
    handler: ({ instance }) => {
      const jobs = backupJobs(instance);
      return [...instance.guests.values()]
        .filter((g) => !jobs.some((j) => j.selects(g)))
        .sort((a, b) => a.vmid - b.vmid)
        .map((g) => ({ vmid: g.vmid, type: g.type, name: g.name }));
    },
  },
  {
    method: 'GET',
    path: '/cluster/replication',
    handler: ({ instance }) =>
      replicationJobs(instance).map((j) => ({
        id: j.id,
        type: 'local',
        guest: j.guest,
        jobnum: j.jobnum,
        target: j.target,
        source: j.source,
        schedule: j.schedule,
      })),
  },
  {
    method: 'GET',
    path: '/cluster/ha/status/current',
    handler: ({ instance, now }) => {
      const online = instance.nodes.filter(nodeOnline);
      const out: Record<string, unknown>[] = [
        {
          id: 'quorum',
          type: 'quorum',
          node: online[0]?.name ?? instance.nodes[0].name,
          status: 'OK',
          quorate: online.length > instance.nodes.length / 2 ? 1 : 0,
        },
      ];
      const ha = [...instance.guests.values()].filter((g) => g.hastate);
      if (!instance.cluster) return out;
      out.push({
        id: 'master',
        type: 'master',
        node: online[0]?.name ?? '',
        status: `${online[0]?.name ?? ''} (active, ${new Date(now).toUTCString()})`,
        timestamp: Math.floor(now / 1000),
      });
      for (const n of instance.nodes) {
        out.push({
          id: `lrm:${n.name}`,
          type: 'lrm',
          node: n.name,
          status: nodeOnline(n)
            ? `${n.name} (${ha.some((g) => g.node === n.name) ? 'active' : 'idle'}, ${new Date(now).toUTCString()})`
            : `${n.name} (old timestamp - dead?)`,
          timestamp: Math.floor(now / 1000),
        });
      }
      for (const g of ha) {
        out.push({
          id: `service:${g.vmid}`,
          type: 'service',
          sid: `vm:${g.vmid}`,
          node: g.node,
          state: g.hastate,
          status: `vm:${g.vmid} (${g.node}, ${g.hastate})`,
          request_state: g.hastate,
          max_restart: 1,
          max_relocate: 1,
          crm_state: g.hastate,
        });
      }
      return out;
    },
  },
  {
    method: 'GET',
    path: '/cluster/ceph/status',
    handler: ({ instance, now }) => cephStatus(instance, now),
  },
];
