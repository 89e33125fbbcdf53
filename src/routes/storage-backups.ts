/**
 * Storage and backup views of the live state (wire-contract §3): /api/storage[/id],
 * /api/backups[/unified|/pve|/pbs], /api/snapshots. Read-only projections, no polling here.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import type { Storage } from '../model/state.js';
import { ErrorReply } from '../schemas/common.js';
import {
  BackupsReply,
  IdParams,
  PbsBackupsReply,
  PveBackupsReply,
  SnapshotsReply,
  StorageListReply,
  StorageOneReply,
} from '../schemas/storage.js';
import type { Services } from '../services.js';

/** The raw Storage shape (no frontend duplicates). */
function rawStorage(s: Storage): Omit<Storage, 'storage' | 'avail'> {
  const { storage: _s, avail: _a, ...rest } = s;
  return rest;
}

export function registerStorageBackupRoutes(
  app: FastifyInstance,
  deps: Pick<Services, 'clock' | 'snapshots' | 'state'>,
): void {
  const seconds = () => Math.floor(deps.clock.now() / 1000);

  const read = (summary: string, reply: object) => ({
    config: { guard: 'authenticated' as const },
    schema: { summary, response: { 200: reply } },
  });
  app.get('/api/storage', read('Every storage of every instance', StorageListReply), async () => ({
    data: deps.state.get().storage.map(rawStorage),
    timestamp: seconds(),
  }));

  const oneSchema = {
    summary: 'One storage by id, or the storage a node id sees',
    params: IdParams,
    response: { 200: StorageOneReply, 404: ErrorReply },
  };
  app.get<{ Params: { id: string } }>(
    '/api/storage/:id',
    { config: { guard: 'authenticated' }, schema: oneSchema },
    async (req) => {
      const { id } = req.params;
      const state = deps.state.get();
      const one = state.storage.find((s) => s.id === id);
      if (one) return { data: rawStorage(one), timestamp: seconds() };
      // The published API also documents /api/storage/<node-id>: that node's storage (shared included).
      const node = state.nodes.find((n) => n.id === id);
      if (node) {
        const list = state.storage.filter(
          (s) => s.instance === node.instance && (s.node === node.name || s.nodes?.includes(node.name)),
        );
        return { data: list.map(rawStorage), timestamp: seconds() };
      }
      throw new HttpError(404, `Storage ${id} not found`, { code: 'storage_not_found' });
    },
  );

  // Backup times go out as RFC3339 like in the state document (wire-contract §10): Pulse's UI and
  // scripts call `new Date(x)` on them. Converted afresh per request: nothing is kept per backup.
  const all = () => deps.snapshots.wire.backups(deps.state.get());
  app.get(
    '/api/backups',
    read('PVE backup tasks, storage backups, snapshots and PBS backups', BackupsReply),
    async () => all(),
  );
  app.get('/api/backups/unified', read('Same as /api/backups', BackupsReply), async () => all());
  app.get('/api/backups/pve', read('PVE backups only', PveBackupsReply), async () => ({
    backups: deps.snapshots.wire.pveBackups(deps.state.get()),
  }));
  // The published API: "PBS backups only" → `backups`. Pulse 4.24's UI reads `instances` (the PBS
  // servers) from the same route, so both are there.
  app.get('/api/backups/pbs', read('PBS backups only, with the PBS servers', PbsBackupsReply), async () => {
    const s = deps.state.get();
    return {
      backups: (s.pbsBackups ?? []).map(deps.snapshots.wire.pbsBackup),
      instances: s.pbs.map(deps.snapshots.wire.pbsInstance),
    };
  });
  app.get('/api/snapshots', read('Guest snapshots', SnapshotsReply), async () => ({
    snapshots: (deps.state.get().pveBackups?.guestSnapshots ?? []).map(deps.snapshots.wire.guestSnapshot),
  }));
}
