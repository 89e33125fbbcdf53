/** SQLite access for `metric_chunks` (migration 025). Blobs are little-endian Float32 arrays. */
import type { Database } from 'better-sqlite3';
import { chunkMs, isResourceKind, type ResourceKind, type Tier } from './tiers.js';

export interface StoredChunk {
  kind: ResourceKind;
  resource: string;
  start: number;
  data: Float32Array;
}

interface Row {
  kind: string;
  resource: string;
  chunk_start: number;
  data: Buffer;
}

/** Copies a blob into an aligned Float32Array (SQLite's buffer may start at any byte offset). */
function toFloats(buf: Buffer): Float32Array | undefined {
  if (buf.byteLength % 4 !== 0) return undefined;
  const copy = new Float32Array(buf.byteLength / 4);
  new Uint8Array(copy.buffer).set(buf);
  return copy;
}

export class ChunkRepo {
  readonly #upsert;
  readonly #range;
  readonly #rangeKind;
  readonly #prune;

  constructor(private readonly db: Database) {
    this.#upsert = db.prepare(
      `INSERT INTO metric_chunks (tier, kind, resource, chunk_start, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tier, chunk_start, kind, resource) DO UPDATE SET data = excluded.data`,
    );
    this.#range = db.prepare(
      'SELECT kind, resource, chunk_start, data FROM metric_chunks WHERE tier = ? AND chunk_start > ? AND chunk_start <= ?',
    );
    this.#rangeKind = db.prepare(
      'SELECT kind, resource, chunk_start, data FROM metric_chunks WHERE tier = ? AND chunk_start > ? AND chunk_start <= ? AND kind = ?',
    );
    this.#prune = db.prepare('DELETE FROM metric_chunks WHERE tier = ? AND chunk_start < ?');
  }

  /** Writes chunks in one transaction. */
  save(items: ReadonlyArray<{ tier: Tier; kind: ResourceKind; resource: string; start: number; data: Float32Array }>) {
    if (items.length === 0) return;
    this.db.transaction(() => {
      for (const it of items) {
        const blob = Buffer.from(it.data.buffer, it.data.byteOffset, it.data.byteLength);
        this.#upsert.run(it.tier.id, it.kind, it.resource, it.start, blob);
      }
    })();
  }

  /** Chunks of `tier` overlapping [from, to] (optionally of one kind). */
  load(tier: Tier, from: number, to: number, kind?: ResourceKind): StoredChunk[] {
    const lo = from - chunkMs(tier);
    const rows = (kind ? this.#rangeKind.all(tier.id, lo, to, kind) : this.#range.all(tier.id, lo, to)) as Row[];
    const out: StoredChunk[] = [];
    for (const r of rows) {
      const data = toFloats(r.data);
      if (!data || !isResourceKind(r.kind)) continue;
      out.push({ kind: r.kind, resource: r.resource, start: r.chunk_start, data });
    }
    return out;
  }

  /** Chunks that start exactly at `start` (the current chunk of a tier, to resume after a restart). */
  loadAt(tier: Tier, start: number): StoredChunk[] {
    return this.load(tier, start + chunkMs(tier) - 1, start).filter((c) => c.start === start);
  }

  /** Deletes chunks that ended before `now - retention`. */
  prune(tier: Tier, now: number): number {
    return this.#prune.run(tier.id, now - tier.retentionMs - chunkMs(tier)).changes;
  }

  /** Oldest chunk start of any tier (ms), or undefined when empty. */
  oldest(): number | undefined {
    const row = this.db.prepare('SELECT MIN(chunk_start) AS t FROM metric_chunks').get() as { t: number | null };
    return row.t ?? undefined;
  }
}
