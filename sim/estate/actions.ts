/**
 * Changes to the live estate requested through the control API (or the simulated API's own
 * power actions): metrics overrides, power state, migration, adding/removing guests, backups.
 * Each returns plain data; the control module turns errors into HTTP replies.
 */
import { hash32 } from '../random.js';
import { makeGuest } from './build.js';
import { guestCounter, naturalCounter } from './metrics.js';
import {
  COUNTERS,
  GiB,
  type Guest,
  type MetricOverrides,
  type PveInstance,
  type PveNode,
  type SimTask,
} from './model.js';
import type { GuestSpec } from './spec.js';

export class ActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const GUEST_METRICS = ['cpu', 'mem', 'disk', 'netin', 'netout', 'diskread', 'diskwrite', 'uptime'] as const;
const NODE_METRICS = ['cpu', 'mem', 'disk', 'uptime', 'swap'] as const;

function checkNumber(k: string, v: unknown): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new ActionError(400, `${k} must be a non-negative number or null`);
  if (k === 'cpu' && v > 1) throw new ActionError(400, 'cpu is a fraction between 0 and 1');
  return v;
}

/** Sets (number) or clears (null) metric overrides of a guest. Counters stay monotonic after a clear. */
export function setGuestMetrics(g: Guest, patch: Record<string, unknown>, now: number): void {
  for (const k of Object.keys(patch))
    if (!(GUEST_METRICS as readonly string[]).includes(k)) throw new ActionError(400, `unknown metric ${k}`);
  for (const k of GUEST_METRICS) {
    if (!(k in patch)) continue;
    const v = checkNumber(k, patch[k]);
    if (v === null) {
      if ((COUNTERS as readonly string[]).includes(k)) {
        const c = k as (typeof COUNTERS)[number];
        const held = g.overrides[c];
        if (held !== undefined) g.counterOffsets[c] = held - naturalCounter(g, c, now);
      }
      delete g.overrides[k];
    } else {
      g.overrides[k] = k === 'cpu' ? v : Math.floor(v);
    }
  }
}

export function setNodeMetrics(n: PveNode | { overrides: MetricOverrides }, patch: Record<string, unknown>): void {
  for (const k of Object.keys(patch))
    if (!(NODE_METRICS as readonly string[]).includes(k)) throw new ActionError(400, `unknown metric ${k}`);
  for (const k of NODE_METRICS) {
    if (!(k in patch)) continue;
    const v = checkNumber(k, patch[k]);
    if (v === null) delete n.overrides[k];
    else n.overrides[k] = k === 'cpu' ? v : Math.floor(v);
  }
}

export function newTask(
  inst: PveInstance,
  node: string,
  type: string,
  id: string,
  now: number,
  user = 'root@pam',
): SimTask {
  const pid = 100000 + (hash32(inst.seed, `${node}/${type}/${id}/${now}/${inst.tasks.length}`) % 900000);
  const pstart = 10_000_000 + (hash32(inst.seed, `pstart/${now}`) % 90_000_000);
  const starttime = Math.floor(now / 1000);
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  const upid = `UPID:${node}:${hex(pid)}:${hex(pstart)}:${hex(starttime)}:${type}:${id}:${user}:`;
  const task: SimTask = { upid, node, pid, pstart, starttime, type, id, user, endtime: starttime + 1, status: 'OK' };
  inst.tasks.push(task);
  if (inst.tasks.length > 500) inst.tasks.splice(0, inst.tasks.length - 500);
  return task;
}

export function guestOf(inst: PveInstance, vmid: number): Guest {
  const g = inst.guests.get(vmid);
  if (!g) throw new ActionError(404, `no guest ${inst.name}/${vmid}`);
  return g;
}

export function startGuest(inst: PveInstance, g: Guest, now: number): SimTask {
  if (g.template) throw new ActionError(400, "you can't start a vm if it's a template");
  if (g.status !== 'running') {
    g.status = 'running';
    g.startedAt = now;
    g.counterOffsets = {};
    delete g.overrides.uptime;
  }
  return newTask(inst, g.node, g.type === 'qemu' ? 'qmstart' : 'vzstart', String(g.vmid), now);
}

export function stopGuest(inst: PveInstance, g: Guest, now: number): SimTask {
  g.status = 'stopped';
  g.counterOffsets = {};
  return newTask(inst, g.node, g.type === 'qemu' ? 'qmstop' : 'vzstop', String(g.vmid), now);
}

export function migrateGuest(inst: PveInstance, g: Guest, target: string, now: number): SimTask {
  if (!inst.nodes.some((n) => n.name === target)) throw new ActionError(400, `no such node ${target}`);
  if (g.node === target) throw new ActionError(400, `guest ${g.vmid} is already on ${target}`);
  const from = g.node;
  g.node = target;
  inst.topology++;
  return newTask(inst, from, g.type === 'qemu' ? 'qmigrate' : 'vzmigrate', String(g.vmid), now);
}

export function addGuest(inst: PveInstance, spec: GuestSpec, now: number): Guest {
  if (!Number.isInteger(spec.vmid) || spec.vmid < 100) throw new ActionError(400, 'vmid must be an integer >= 100');
  if (spec.type !== 'qemu' && spec.type !== 'lxc') throw new ActionError(400, 'type must be qemu or lxc');
  if (inst.guests.has(spec.vmid)) throw new ActionError(409, `vmid ${spec.vmid} already exists`);
  if (!inst.nodes.some((n) => n.name === spec.node)) throw new ActionError(400, `no such node ${spec.node}`);
  const g = makeGuest(inst.name, inst.seed, spec, now);
  g.startedAt = now;
  g.snapshots = [];
  inst.guests.set(g.vmid, g);
  inst.topology++;
  return g;
}

export function removeGuest(inst: PveInstance, vmid: number): void {
  if (!inst.guests.delete(vmid)) throw new ActionError(404, `no guest ${inst.name}/${vmid}`);
  inst.topology++;
}

/** Takes a vzdump backup now: a finished task and a volume on the chosen backup storage. */
export function takeBackup(
  inst: PveInstance,
  g: Guest,
  opts: { storage?: string; notes?: string; protected?: boolean },
  now: number,
): { volid: string; upid: string } {
  const storage = opts.storage
    ? inst.storages.find((s) => s.storage === opts.storage)
    : inst.storages.find((s) => s.content.split(',').includes('backup') && (!s.nodes || s.nodes.includes(g.node)));
  if (!storage?.content.split(',').includes('backup')) throw new ActionError(400, 'no backup storage');
  const task = newTask(inst, g.node, 'vzdump', String(g.vmid), now);
  const ctime = Math.floor(now / 1000);
  const size = Math.floor((guestCounter(g, 'diskwrite', now) % (20 * GiB)) + GiB * (1 + (g.seed % 7)));
  inst.manualBackups.push({
    vmid: g.vmid,
    type: g.type,
    storage: storage.storage,
    ctime,
    size,
    notes: opts.notes ?? `${g.name} (manual)`,
    protected: opts.protected ?? false,
    node: g.node,
    upid: task.upid,
  });
  return { volid: backupVolid(storage.type, storage.storage, g.type, g.vmid, ctime), upid: task.upid };
}

export function backupVolid(
  storageType: string,
  storage: string,
  type: 'qemu' | 'lxc',
  vmid: number,
  ctime: number,
): string {
  const iso = new Date(ctime * 1000).toISOString();
  if (storageType === 'pbs')
    return `${storage}:backup/${type === 'qemu' ? 'vm' : 'ct'}/${vmid}/${iso.replace(/\.\d+Z$/, 'Z')}`;
  const stamp = iso
    .replace(/\.\d+Z$/, '')
    .replace('T', '-')
    .replace(/:/g, '_');
  const ext = type === 'qemu' ? 'vma.zst' : 'tar.zst';
  return `${storage}:backup/vzdump-${type}-${vmid}-${stamp}.${ext}`;
}

const SERVER_METRICS = ['cpu', 'mem', 'uptime'] as const;

/** PBS/PMG host metrics: cpu fraction, used memory bytes, uptime seconds; null clears. */
export function setServerMetrics(target: { overrides: MetricOverrides }, patch: Record<string, unknown>): void {
  for (const k of Object.keys(patch))
    if (!(SERVER_METRICS as readonly string[]).includes(k)) throw new ActionError(400, `unknown metric ${k}`);
  for (const k of SERVER_METRICS) {
    if (!(k in patch)) continue;
    const v = checkNumber(k, patch[k]);
    if (v === null) delete target.overrides[k];
    else target.overrides[k] = k === 'cpu' ? v : Math.floor(v);
  }
}

const QUEUE_FIELDS = ['active', 'deferred', 'hold', 'incoming', 'oldest_age'] as const;

export function setQueue(held: Record<string, number>, patch: Record<string, unknown>): void {
  for (const k of Object.keys(patch))
    if (!(QUEUE_FIELDS as readonly string[]).includes(k)) throw new ActionError(400, `unknown queue field ${k}`);
  for (const k of QUEUE_FIELDS) {
    if (!(k in patch)) continue;
    const v = checkNumber(k, patch[k]);
    if (v === null) delete held[k];
    else held[k] = Math.floor(v);
  }
}

export function usedFraction(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
    throw new ActionError(400, 'usedFraction must be between 0 and 1');
  return v;
}

/** Changes a guest's descriptive state: name, tags, lock, agent. */
export function patchGuest(g: Guest, patch: Record<string, unknown>): void {
  const allowed = ['name', 'tags', 'lock', 'agent', 'agentConfigured'];
  for (const k of Object.keys(patch)) if (!allowed.includes(k)) throw new ActionError(400, `cannot change ${k}`);
  if ('name' in patch) {
    if (typeof patch.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(patch.name))
      throw new ActionError(400, 'name must be a DNS-style name');
    g.name = patch.name;
  }
  if ('tags' in patch) {
    if (!Array.isArray(patch.tags) || patch.tags.some((t) => typeof t !== 'string' || !/^[A-Za-z0-9_+.-]+$/.test(t)))
      throw new ActionError(400, 'tags must be a list of simple words');
    g.tags = patch.tags as string[];
  }
  if ('lock' in patch) {
    if (
      patch.lock !== null &&
      !['backup', 'migrate', 'snapshot', 'clone', 'rollback', 'create', 'suspended'].includes(String(patch.lock))
    ) {
      throw new ActionError(400, 'lock must be a PVE lock name or null');
    }
    g.lock = patch.lock === null ? undefined : String(patch.lock);
  }
  for (const k of ['agent', 'agentConfigured'] as const) {
    if (!(k in patch)) continue;
    if (typeof patch[k] !== 'boolean') throw new ActionError(400, `${k} must be a boolean`);
    if (g.type !== 'qemu') throw new ActionError(400, 'only VMs have a guest agent');
    g[k] = patch[k] as boolean;
  }
  if (g.agent) g.agentConfigured = true;
}
