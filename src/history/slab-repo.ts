/**
 * SQLite access for `metric_slabs` (migration 027). A slab is stored in parts of at most
 * `ROWS_PER_PART` resources: part p holds rows [p·R, (p+1)·R) with their ids and a little-endian
 * Float32 blob laid out like the slab ([row][metric][slot]).
 */
import type { Database } from 'better-sqlite3';
import { Slab } from './slab.js';
import { chunkMs, isResourceKind, KIND_METRICS, longestChunkMs, type ResourceKind, type Tier } from './tiers.js';

/** ~860 KB per part for the 10-s tier of guests: a write that does not stall the event loop. */
export const ROWS_PER_PART = 512;

interface Row {
  kind: string;
  chunk_start: number;
  part: number;
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
  /** One stored part (its own ids and rows). */
  slab: Slab;
  part: number;
}

export const partsOf = (slab: Slab): number => Math.ceil(slab.ids.length / ROWS_PER_PART);

export class SlabRepo {
  readonly #upsert;
  readonly #range;
  readonly #prune;

  constructor(private readonly db: Database) {
    this.#upsert = db.prepare(
      `INSERT INTO metric_slabs (tier, kind, chunk_start, part, ids, data) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tier, kind, chunk_start, part) DO UPDATE SET ids = excluded.ids, data = excluded.data`,
    );
    this.#range = db.prepare(
      'SELECT kind, chunk_start, part, ids, data FROM metric_slabs WHERE tier = ? AND chunk_start > ? AND chunk_start <= ?',
    );
    this.#prune = db.prepare('DELETE FROM metric_slabs WHERE tier = ? AND chunk_start < ?');
  }

  /** Writes part `part` of `slab` (nothing when the slab has fewer rows). */
  savePart(kind: ResourceKind, slab: Slab, part: number): void {
    const from = part * ROWS_PER_PART;
    const to = Math.min(slab.ids.length, from + ROWS_PER_PART);
    if (from >= to) return;
    const data = slab.data.subarray(from * slab.rowSize, to * slab.rowSize);
    const blob = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.#upsert.run(slab.tier.id, kind, slab.start, part, JSON.stringify(slab.ids.slice(from, to)), blob);
  }

  /** Writes every part of every slab in one transaction (shutdown). */
  saveAll(items: ReadonlyArray<{ kind: ResourceKind; slab: Slab }>): void {
    if (items.length === 0) return;
    this.db.transaction(() => {
      for (const { kind, slab } of items) for (let p = 0; p < partsOf(slab); p++) this.savePart(kind, slab, p);
    })();
  }

  /**
   * Stored parts of `tier` overlapping [from, to], optionally of some kinds only, and optionally
   * only parts holding at least one resource `wanted` accepts (a chart of the rows on screen does
   * not copy the other parts' megabytes of samples).
   */
  load(
    tier: Tier,
    from: number,
    to: number,
    kinds?: readonly ResourceKind[],
    wanted?: (kind: ResourceKind, id: string) => boolean,
  ): StoredSlab[] {
    const rows = this.#range.all(tier.id, from - longestChunkMs(tier), to) as Row[];
    const out: StoredSlab[] = [];
    for (const r of rows) {
      const kind = r.kind;
      if (!isResourceKind(kind) || (kinds && !kinds.includes(kind))) continue;
      let ids: unknown;
      try {
        ids = JSON.parse(r.ids);
      } catch {
        continue;
      }
      if (!Array.isArray(ids)) continue;
      if (wanted && !ids.some((id) => wanted(kind, id))) continue;
      const data = toFloats(r.data);
      if (!data) continue;
      const slab = Slab.restore(tier, KIND_METRICS[kind].length, r.chunk_start, ids as string[], data);
      if (slab) out.push({ kind: kind, slab, part: r.part });
    }
    return out;
  }

  /** The whole stored slab of `kind` starting at `start` (its parts joined), to resume it. */
  loadWhole(tier: Tier, kind: ResourceKind, start: number): Slab | undefined {
    const parts = this.load(tier, start + chunkMs(tier) - 1, start, [kind])
      .filter((p) => p.slab.start === start)
      .sort((a, b) => a.part - b.part);
    if (parts.length === 0) return undefined;
    const ids = parts.flatMap((p) => p.slab.ids);
    const data = new Float32Array(parts.reduce((n, p) => n + p.slab.used().length, 0));
    let at = 0;
    for (const p of parts) {
      data.set(p.slab.used(), at);
      at += p.slab.used().length;
    }
    return Slab.restore(tier, KIND_METRICS[kind].length, start, ids, data);
  }

  /** Deletes chunks that ended before `now - retention`. */
  prune(tier: Tier, now: number): number {
    return this.#prune.run(tier.id, now - tier.retentionMs - longestChunkMs(tier) + 1).changes;
  }
}
