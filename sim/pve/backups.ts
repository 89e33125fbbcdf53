/**
 * Scheduled vzdump backups, computed from the clock instead of stored: every job runs at its
 * time of day, each guest's archive appears a little later, a few runs fail (deterministically),
 * and retention keeps the last N runs. Backups taken through the control API are added on top.
 */

import { backupVolid } from '../estate/actions.js';
import type { Guest, PveInstance, SimTask, Storage } from '../estate/model.js';
import { GiB, guestsOnNode } from '../estate/model.js';
import { hash32, unit } from '../random.js';

export interface BackupJob {
  id: string;
  storage: Storage;
  /** Seconds after midnight UTC. */
  at: number;
  /** 1 = daily, 7 = weekly (on `weekday`). */
  everyDays: number;
  weekday: number;
  keep: number;
  /** Guests in the job. */
  selects: (g: Guest) => boolean;
  all: boolean;
  vmids?: number[];
}

export interface BackupItem {
  volid: string;
  storage: string;
  vmid: number;
  type: 'qemu' | 'lxc';
  ctime: number;
  size: number;
  notes: string;
  protected: boolean;
  verified?: 'ok' | 'failed';
  node: string;
  upid: string;
}

const DAY = 86400;
const jobCache = new WeakMap<PveInstance, BackupJob[]>();

/** The instance's backup jobs, derived from its storages. */
export function backupJobs(inst: PveInstance): BackupJob[] {
  const hit = jobCache.get(inst);
  if (hit) return hit;
  const backupCapable = inst.storages.filter((s) => s.content.split(',').includes('backup') && s.enabled);
  const jobs: BackupJob[] = [];
  const pbs = backupCapable.find((s) => s.type === 'pbs');
  const shared = backupCapable.find((s) => s.type !== 'pbs' && s.shared);
  const local = backupCapable.find((s) => !s.shared);
  const daily = pbs ?? local ?? shared;
  if (daily) {
    jobs.push({
      id: `backup-${hash32(inst.seed, 'job-daily').toString(16).padStart(8, '0')}-daily`,
      storage: daily,
      at: 2 * 3600,
      everyDays: 1,
      weekday: 0,
      keep: inst.guests.size > 1000 ? 3 : daily.type === 'pbs' ? 14 : 7,
      selects: (g) => g.backup,
      all: true,
    });
  }
  if (shared && shared !== daily) {
    const vmids = [...inst.guests.values()].filter((g) => g.tags.includes('prod') && g.backup).map((g) => g.vmid);
    if (vmids.length) {
      jobs.push({
        id: `backup-${hash32(inst.seed, 'job-weekly').toString(16).padStart(8, '0')}-weekly`,
        storage: shared,
        at: 3 * 3600 + 1800,
        everyDays: 7,
        weekday: 6,
        keep: 4,
        selects: (g) => vmids.includes(g.vmid),
        all: false,
        vmids,
      });
    }
  }
  jobCache.set(inst, jobs);
  return jobs;
}

/** Start times (seconds) of the job's runs that have begun by `now`, newest last. */
export function jobRuns(job: BackupJob, nowSec: number, count: number): number[] {
  const out: number[] = [];
  let day = Math.floor(nowSec / DAY) * DAY;
  while (out.length < count) {
    const t = day + job.at;
    const weekday = new Date(day * 1000).getUTCDay();
    if (t <= nowSec && (job.everyDays === 1 || weekday === job.weekday)) out.push(t);
    day -= DAY;
  }
  return out.reverse();
}

/** Deterministic failures: about 3 % of guest backups fail. */
export function backupFailed(inst: PveInstance, g: Guest, runStart: number): boolean {
  return unit(inst.seed, `fail/${g.vmid}/${runStart}`) < 0.03 || g.lock === 'backup';
}

function guestOffset(g: Guest, index: number): number {
  return 30 + index * 45 + (g.seed % 30);
}

function upidFor(node: string, runStart: number, seed: number): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  const pid = 100000 + (hash32(seed, `${node}/${runStart}`) % 900000);
  return `UPID:${node}:${hex(pid)}:${hex(10_000_000 + (pid % 1000) * 997)}:${hex(runStart)}:vzdump::root@pam:`;
}

function backupSize(g: Guest, runStart: number): number {
  const base = g.maxdisk * (0.05 + unit(g.seed, 'bsize') * 0.3);
  return Math.floor(base * (1 + ((runStart / DAY) % 30) / 300) + GiB / 10);
}

/** Every backup archive present on `storageName` at `now` (scheduled ones plus manual ones). */
export function backupsOn(inst: PveInstance, storageName: string, nowMs: number): BackupItem[] {
  const nowSec = Math.floor(nowMs / 1000);
  const out: BackupItem[] = [];
  for (const job of backupJobs(inst)) {
    if (job.storage.storage !== storageName) continue;
    const runs = jobRuns(job, nowSec, job.keep);
    const guests = [...inst.guests.values()].filter(job.selects).sort((a, b) => a.vmid - b.vmid);
    for (const runStart of runs) {
      const byNode = new Map<string, number>();
      for (const g of guests) {
        const idx = byNode.get(g.node) ?? 0;
        byNode.set(g.node, idx + 1);
        const ctime = runStart + guestOffset(g, idx);
        if (ctime > nowSec || backupFailed(inst, g, runStart)) continue;
        if (g.backupStoppedAt !== undefined && runStart > g.backupStoppedAt) continue;
        const isPbs = job.storage.type === 'pbs';
        const protectedFlag = unit(g.seed, `prot/${runStart}`) < 0.04;
        out.push({
          volid: backupVolid(job.storage.type, job.storage.storage, g.type, g.vmid, ctime),
          storage: storageName,
          vmid: g.vmid,
          type: g.type,
          ctime,
          size: backupSize(g, runStart),
          notes: g.name,
          protected: protectedFlag,
          verified:
            isPbs && g.backupVerify && nowSec - ctime > 6 * 3600
              ? unit(g.seed, `verify/${runStart}`) < 0.02
                ? 'failed'
                : 'ok'
              : undefined,
          node: g.node,
          upid: upidFor(g.node, runStart, inst.seed),
        });
      }
    }
  }
  for (const m of inst.manualBackups) {
    if (m.storage !== storageName || m.ctime > nowSec) continue;
    const s = inst.storages.find((x) => x.storage === m.storage);
    out.push({
      volid: backupVolid(s?.type ?? 'dir', m.storage, m.type, m.vmid, m.ctime),
      storage: m.storage,
      vmid: m.vmid,
      type: m.type,
      ctime: m.ctime,
      size: m.size,
      notes: m.notes,
      protected: m.protected,
      node: m.node,
      upid: m.upid,
    });
  }
  return out;
}

/** The vzdump tasks of a node: one per job run that touched a guest on it. */
export function vzdumpTasks(inst: PveInstance, node: string, nowMs: number): SimTask[] {
  const nowSec = Math.floor(nowMs / 1000);
  const tasks: SimTask[] = [];
  for (const job of backupJobs(inst)) {
    const guests = guestsOnNode(inst, node).filter(job.selects);
    if (!guests.length) continue;
    for (const runStart of jobRuns(job, nowSec, Math.min(job.keep, 7))) {
      const upid = upidFor(node, runStart, inst.seed);
      const end = runStart + guestOffset(guests[guests.length - 1], guests.length - 1) + 20;
      const failed = guests.some((g) => backupFailed(inst, g, runStart));
      const running = end > nowSec;
      const m = /^UPID:[^:]+:([0-9A-F]{8}):([0-9A-F]{8}):/.exec(upid)!;
      tasks.push({
        upid,
        node,
        pid: Number.parseInt(m[1], 16),
        pstart: Number.parseInt(m[2], 16),
        starttime: runStart,
        endtime: running ? undefined : end,
        type: 'vzdump',
        id: '',
        user: 'root@pam',
        status: running ? undefined : failed ? 'job errors' : 'OK',
      });
    }
  }
  return tasks;
}

/** Log lines of a vzdump run on a node (for /tasks/{upid}/log). */
export function vzdumpLog(inst: PveInstance, task: SimTask): string[] {
  const job = backupJobs(inst).find((j) => jobRuns(j, task.starttime, 1)[0] === task.starttime);
  const guests = guestsOnNode(inst, task.node).filter((g) => (job ? job.selects(g) : g.backup));
  const lines = [
    `INFO: starting new backup job: vzdump --mode snapshot --storage ${job?.storage.storage ?? 'local'} --all 1 --notes-template '{{guestname}}'`,
  ];
  for (const g of guests) {
    lines.push(`INFO: Starting Backup of VM ${g.vmid} (${g.type})`);
    if (backupFailed(inst, g, task.starttime)) {
      lines.push(
        `ERROR: Backup of VM ${g.vmid} failed - ${g.lock === 'backup' ? `can't lock file '/var/lock/qemu-server/lock-${g.vmid}.conf' - got timeout` : 'job failed with err -5 - Input/output error'}`,
      );
    } else {
      lines.push(`INFO: Finished Backup of VM ${g.vmid} (00:00:${String(20 + (g.seed % 39)).padStart(2, '0')})`);
    }
  }
  lines.push(task.status === 'OK' ? 'INFO: Backup job finished successfully' : 'INFO: Backup job finished with errors');
  if (task.status && task.status !== 'OK') lines.push(`TASK ERROR: ${task.status}`);
  else lines.push('TASK OK');
  return lines;
}
