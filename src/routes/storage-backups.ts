/**
 * Storage and backup views of the live state (wire-contract §3): /api/storage[/id],
 * /api/backups[/unified|/pve|/pbs], /api/snapshots. Read-only projections, no polling here.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import type { Storage } from '../model/state.js';

/** The raw Storage shape (no frontend duplicates). */
function rawStorage(s: Storage): Omit<Storage, 'storage' | 'avail'> {
  const { storage: _s, avail: _a, ...rest } = s;
  return rest;
}

export function registerStorageBackupRoutes(app: FastifyInstance, deps: AppDeps): void {
  const seconds = () => Math.floor(deps.clock.now() / 1000);

  app.get('/api/storage', { config: { guard: 'authenticated' } }, async () => ({
    data: deps.state.get().storage.map(rawStorage),
    timestamp: seconds(),
  }));

  app.get<{ Params: { id: string } }>('/api/storage/:id', { config: { guard: 'authenticated' } }, async (req) => {
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
  });

  const all = () => {
    const s = deps.state.get();
    return {
      backupTasks: s.pveBackups.backupTasks,
      storageBackups: s.pveBackups.storageBackups,
      guestSnapshots: s.pveBackups.guestSnapshots,
      pbsBackups: s.pbsBackups,
    };
  };
  app.get('/api/backups', { config: { guard: 'authenticated' } }, async () => all());
  app.get('/api/backups/unified', { config: { guard: 'authenticated' } }, async () => all());
  app.get('/api/backups/pve', { config: { guard: 'authenticated' } }, async () => ({
    backups: deps.state.get().pveBackups,
  }));
  app.get('/api/backups/pbs', { config: { guard: 'authenticated' } }, async () => ({
    instances: deps.state.get().pbs,
  }));
  app.get('/api/snapshots', { config: { guard: 'authenticated' } }, async () => ({
    snapshots: deps.state.get().pveBackups.guestSnapshots,
  }));
}
