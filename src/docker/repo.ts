/** Persistence of Docker hosts (`docker_hosts`) and re-enrolment blocks (`docker_removed_hosts`). */
import type { Database } from 'better-sqlite3';
import type { DockerHost } from '../model/docker.js';

export interface StoredHost {
  host: DockerHost;
  receivedAt: number;
  hidden: boolean;
}

export class DockerHostRepo {
  constructor(private readonly db: Database) {}

  loadHosts(): StoredHost[] {
    const rows = this.db.prepare('SELECT host, received_at, hidden FROM docker_hosts').all() as Array<{
      host: string;
      received_at: number;
      hidden: number;
    }>;
    const out: StoredHost[] = [];
    for (const r of rows) {
      try {
        const host = JSON.parse(r.host) as DockerHost;
        if (typeof host?.id === 'string') out.push({ host, receivedAt: r.received_at, hidden: r.hidden === 1 });
      } catch {
        // An unreadable row is dropped; the agent's next report recreates the host.
      }
    }
    return out;
  }

  saveHost(h: StoredHost): void {
    this.db
      .prepare(
        `INSERT INTO docker_hosts (id, host, received_at, hidden) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET host = excluded.host, received_at = excluded.received_at, hidden = excluded.hidden`,
      )
      .run(h.host.id, JSON.stringify(h.host), h.receivedAt, h.hidden ? 1 : 0);
  }

  deleteHost(id: string): void {
    this.db.prepare('DELETE FROM docker_hosts WHERE id = ?').run(id);
  }

  loadRemoved(): Map<string, number> {
    const rows = this.db.prepare('SELECT id, removed_at FROM docker_removed_hosts').all() as Array<{
      id: string;
      removed_at: number;
    }>;
    return new Map(rows.map((r) => [r.id, r.removed_at]));
  }

  setRemoved(id: string, at: number): void {
    this.db
      .prepare(
        'INSERT INTO docker_removed_hosts (id, removed_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET removed_at = excluded.removed_at',
      )
      .run(id, at);
  }

  clearRemoved(id: string): void {
    this.db.prepare('DELETE FROM docker_removed_hosts WHERE id = ?').run(id);
  }
}
