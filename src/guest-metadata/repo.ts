/** Persistence of guest metadata in `guest_metadata` (one row per guest id). */
import type { Database } from 'better-sqlite3';
import type { GuestMetadata } from './metadata.js';

interface Row {
  id: string;
  custom_url: string;
  description: string;
  tags: string | null;
}

function fromRow(r: Row): GuestMetadata {
  let tags: string[] | null = null;
  if (r.tags !== null) {
    try {
      const parsed = JSON.parse(r.tags) as unknown;
      tags = Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : null;
    } catch {
      tags = null;
    }
  }
  return { id: r.id, customUrl: r.custom_url, description: r.description, tags };
}

export class GuestMetadataRepo {
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  list(): GuestMetadata[] {
    return (this.db.prepare('SELECT * FROM guest_metadata ORDER BY id').all() as Row[]).map(fromRow);
  }

  get(id: string): GuestMetadata | undefined {
    const r = this.db.prepare('SELECT * FROM guest_metadata WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  set(m: GuestMetadata): GuestMetadata {
    this.db
      .prepare(
        `INSERT INTO guest_metadata (id, custom_url, description, tags, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET custom_url = excluded.custom_url, description = excluded.description,
           tags = excluded.tags, updated_at = excluded.updated_at`,
      )
      .run(m.id, m.customUrl, m.description, m.tags === null ? null : JSON.stringify(m.tags), this.now());
    return this.get(m.id)!;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM guest_metadata WHERE id = ?').run(id).changes > 0;
  }

  /** Replaces everything (configuration import). Run inside the caller's transaction. */
  replaceAll(items: readonly GuestMetadata[]): void {
    this.db.prepare('DELETE FROM guest_metadata').run();
    for (const m of items) this.set(m);
  }
}
