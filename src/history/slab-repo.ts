/** SQLite access for `metric_slabs` (migration 026). Blobs are little-endian Float32 arrays. */
import type { Database } from 'better-sqlite3';
import { Slab } from './slab.js';
import { chunkMs, isResourceKind, KIND_METRICS, type ResourceKind, type Tier } from './tiers.js';

interface Row {
  kind: string;
  chunk_start: number;
  ids: string;
  data: Buffer;
}

/** Copies a blob into an aligned Float32Array (SQLite's buffer may start at any byte offset). */
function toFloats(buf: Buffer): Float32Array | undefined {
  if (buf.byteLength % 4 !== 0) return undefined;
  const copy = new Float32Array(buf.byteLength / 4);
  new Uint8Array(copy.buffer).set(buf);
  return copy;
}

export interface StoredSlab {
  kind: ResourceKind;
  slab: Slab;
}

export class SlabRepo {
  readonly #upsert;
  readonly #range;
  readonly #prune;

  constructor(private readonly db: Database) {
    this.#upsert = db.prepare(
      `INSERT INTO metric_slabs (tier, kind, chunk_start, ids, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tier, kind, chunk_start) DO UPDATE SET ids = excluded.ids, data = excluded.data`,
    );
    this.#range = db.prepare(
      'SELECT kind, chunk_start, ids, data FROM metric_slabs WHERE tier = ? AND chunk_start > ? AND chunk_start <= ?',
    );
    this.#prune = db.prepare('DELETE FROM metric_slabs WHERE tier = ? AND chunk_start < ?');
  }

  save(items: ReadonlyArray<{ kind: ResourceKind; slab: Slab }>): void {
    if (items.length === 0) return;
    this.db.transaction(() => {
      for (const { kind, slab } of items) {
        const used = slab.used();
        const blob = Buffer.from(used.buffer, used.byteOffset, used.byteLength);
        this.#upsert.run(slab.tier.id, kind, slab.start, JSON.stringify(slab.ids), blob);
      }
    })();
  }

  /** Slabs of `tier` overlapping [from, to], optionally of some kinds only. */
  load(tier: Tier, from: number, to: number, kinds?: readonly ResourceKind[]): StoredSlab[] {
    const rows = this.#range.all(tier.id, from - chunkMs(tier), to) as Row[];
    const out: StoredSlab[] = [];
    for (const r of rows) {
      if (!isResourceKind(r.kind) || (kinds && !kinds.includes(r.kind))) continue;
      const data = toFloats(r.data);
      let ids: unknown;
      try {
        ids = JSON.parse(r.ids);
      } catch {
        continue;
      }
      if (!data || !Array.isArray(ids)) continue;
      const slab = Slab.restore(tier, KIND_METRICS[r.kind].length, r.chunk_start, ids as string[], data);
      if (slab) out.push({ kind: r.kind, slab });
    }
    return out;
  }

  /** Deletes chunks that ended before `now - retention`. */
  prune(tier: Tier, now: number): number {
    return this.#prune.run(tier.id, now - tier.retentionMs - chunkMs(tier) + 1).changes;
  }
}
