/**
 * GuestMetadataService: what /api/guests/metadata calls and what configuration export/import
 * reads and replaces. Guests are addressed by their /api/state id, or (published API) by node
 * name and VMID, which is resolved against the live state.
 */
import type { Database } from 'better-sqlite3';
import type { Clock } from '../clock.js';
import type { PulseState } from '../model/state.js';
import {
  emptyMetadata,
  type GuestMetadata,
  MetadataValidationError,
  parseMetadataBody,
  validateGuestId,
} from './metadata.js';
import { GuestMetadataRepo } from './repo.js';

export class GuestMetadataService {
  readonly repo: GuestMetadataRepo;

  constructor(
    db: Database,
    clock: Clock,
    private readonly state: () => Readonly<PulseState>,
  ) {
    this.repo = new GuestMetadataRepo(db, () => clock.now());
  }

  /** Every stored entry as the map `{guestId: metadata}` Pulse answers with. */
  all(): Record<string, GuestMetadata> {
    const out: Record<string, GuestMetadata> = {};
    for (const m of this.repo.list()) out[m.id] = m;
    return out;
  }

  get(rawId: string): GuestMetadata {
    const id = validateGuestId(rawId);
    return this.repo.get(id) ?? emptyMetadata(id);
  }

  set(rawId: string, body: unknown): GuestMetadata {
    const id = validateGuestId(rawId);
    return this.repo.set(parseMetadataBody(id, body));
  }

  delete(rawId: string): void {
    this.repo.delete(validateGuestId(rawId));
  }

  /**
   * The state id of guest `vmid` on `node`: the guest currently shown with that node and VMID,
   * else `<node>-<vmid>` (the id Pulse gives guests of a standalone node named like its instance).
   */
  resolveId(node: string, vmid: string): string {
    if (!/^\d{1,10}$/.test(vmid)) throw new MetadataValidationError('vmid must be a number');
    const n = validateGuestId(node);
    const id = Number(vmid);
    const s = this.state();
    const hit = [...(s.vms ?? []), ...(s.containers ?? [])].find((g) => g.node === n && g.vmid === id);
    return hit?.id ?? `${n}-${id}`;
  }
}
