/** PVE storage content (disks, ISOs, templates, vzdump backups) and per-node storage status. */
import type { Guest, PveInstance, Storage } from '../estate/model.js';
import { ApiError, type Route, type RouteContext } from '../http/api.js';
import { backupKeyFingerprint } from '../pbs/store.js';
import { unit } from '../random.js';
import { backupsOn } from './backups.js';
import { STATUS_TTL } from './core-routes.js';
import { diskStorageOf, diskVolid } from './guest-facts.js';
import { findNode, nodeStorage, storageOnNode, visible } from './views.js';

type R = Route<PveInstance>;

function storageOf(ctx: RouteContext<PveInstance>): Storage {
  findNode(ctx.instance, ctx.params.node);
  const s = ctx.instance.storages.find((x) => x.storage === ctx.params.storage);
  if (!s || !storageOnNode(s, ctx.params.node))
    throw new ApiError(500, `storage '${ctx.params.storage}' does not exist`);
  return s;
}

const ISOS = [
  ['debian-12.7.0-amd64-netinst.iso', 661_651_456],
  ['ubuntu-24.04.1-live-server-amd64.iso', 2_773_874_688],
  ['virtio-win-0.1.262.iso', 708_800_512],
] as const;
const TEMPLATES = [
  ['debian-12-standard_12.7-1_amd64.tar.zst', 126_322_115],
  ['alpine-3.20-default_20240908_amd64.tar.xz', 3_120_484],
  ['ubuntu-24.04-standard_24.04-2_amd64.tar.zst', 141_381_225],
] as const;

function diskItems(inst: PveInstance, s: Storage, node: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const guests: Guest[] = [...inst.guests.values()].filter(
    (g) => (s.shared || g.node === node) && diskStorageOf(inst, g)?.storage === s.storage,
  );
  for (const g of guests) {
    const item: Record<string, unknown> = {
      volid: diskVolid(inst, g),
      content: g.type === 'qemu' ? 'images' : 'rootdir',
      format: s.type === 'zfspool' && g.type === 'lxc' ? 'subvol' : 'raw',
      size: g.maxdisk,
      used: Math.floor(g.maxdisk * (0.2 + unit(g.seed, 'thin') * 0.6)),
      vmid: g.vmid,
      ctime: Math.floor(g.startedAt / 1000) - 86400 * 90,
    };
    out.push(item);
  }
  return out;
}

function contentItems(inst: PveInstance, s: Storage, node: string, now: number): Record<string, unknown>[] {
  const kinds = s.content.split(',');
  const out: Record<string, unknown>[] = [];
  const ctime0 = Math.floor(now / 1000) - 86400 * 200;
  if (kinds.includes('iso')) {
    ISOS.forEach(([name, size], i) => {
      out.push({
        volid: `${s.storage}:iso/${name}`,
        content: 'iso',
        format: 'iso',
        size,
        ctime: ctime0 + i * 86400 * 20,
      });
    });
  }
  if (kinds.includes('vztmpl')) {
    TEMPLATES.forEach(([name, size], i) => {
      out.push({
        volid: `${s.storage}:vztmpl/${name}`,
        content: 'vztmpl',
        format: name.endsWith('xz') ? 'txz' : 'tzst',
        size,
        ctime: ctime0 + i * 86400 * 15,
      });
    });
  }
  if (kinds.includes('images') || kinds.includes('rootdir')) out.push(...diskItems(inst, s, node));
  if (kinds.includes('backup')) {
    for (const b of backupsOn(inst, s.storage, now)) {
      if (!s.shared && b.node !== node) continue;
      const item: Record<string, unknown> = {
        volid: b.volid,
        content: 'backup',
        format:
          s.type === 'pbs' ? (b.type === 'qemu' ? 'pbs-vm' : 'pbs-ct') : b.type === 'qemu' ? 'vma.zst' : 'tar.zst',
        size: b.size,
        ctime: b.ctime,
        vmid: b.vmid,
        subtype: b.type,
        notes: b.notes,
      };
      if (b.protected) item.protected = 1;
      // PVE passes on the key fingerprint PBS reports for an encrypted snapshot.
      const fingerprint =
        s.type === 'pbs' ? backupKeyFingerprint(b.type === 'qemu' ? 'vm' : 'ct', String(b.vmid)) : undefined;
      if (fingerprint) item.encrypted = fingerprint;
      if (b.verified)
        item.verification = { state: b.verified, upid: b.upid.replace(':vzdump::', ':verificationjob::') };
      out.push(item);
    }
  }
  return out;
}

export const storageRoutes: R[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/content',
    handler: (ctx) => {
      const s = storageOf(ctx);
      // Shared storage lists the same volumes on every node: build once per status cycle.
      const key = `content:${ctx.instance.name}:${s.storage}:${s.shared ? '*' : ctx.params.node}`;
      let items = ctx.sim.cached(key, () => contentItems(ctx.instance, s, ctx.params.node, ctx.now), STATUS_TTL);
      if (ctx.args.content) items = items.filter((i) => i.content === ctx.args.content);
      if (ctx.args.vmid) items = items.filter((i) => i.vmid === Number(ctx.args.vmid));
      // Listing a storage needs Datastore.Audit/AllocateSpace; backups of guests you cannot see are hidden.
      return items.filter(
        (i) => i.vmid === undefined || visible(ctx.identity, `/vms/${i.vmid}`, ['VM.Audit', 'VM.Backup'], true),
      );
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/status',
    handler: (ctx) => nodeStorage(storageOf(ctx), ctx.now),
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}',
    handler: (ctx) => {
      storageOf(ctx);
      return [
        'content',
        'download-url',
        'file-restore',
        'import-metadata',
        'prunebackups',
        'rrd',
        'rrddata',
        'status',
        'upload',
      ].map((subdir) => ({ subdir }));
    },
  },
];
