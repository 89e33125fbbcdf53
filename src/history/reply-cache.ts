/**
 * Caches a serialised reply per key while the state version is unchanged and for at most
 * `maxAgeMs` of clock time: several dashboards asking for the same chart range between two polls
 * share one computation (for a 10,000-guest estate that is seconds and tens of megabytes), and the
 * gzip form is computed at most once, off the event loop.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

interface Entry {
  version: number;
  at: number;
  /** Resolves to the body; shared by requests that arrive while it is being built. */
  body: Promise<Buffer>;
  gzip?: Promise<Buffer>;
}

export class VersionedReplyCache {
  readonly #entries = new Map<string, Entry>();
  readonly counters = { hits: 0, misses: 0 };

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxEntries = 16,
  ) {}

  /**
   * The cached body for `key`, or `build()` (JSON text) cached; concurrent callers share one
   * build. A failed build is not kept.
   */
  get(
    key: string,
    version: number,
    now: number,
    build: () => Promise<string>,
  ): { body: Promise<Buffer>; gzip: () => Promise<Buffer> } {
    let e = this.#entries.get(key);
    if (e && e.version === version && now - e.at < this.maxAgeMs && now >= e.at) {
      this.counters.hits++;
    } else {
      this.counters.misses++;
      const body = build().then((json) => Buffer.from(json, 'utf8'));
      const fresh: Entry = { version, at: now, body };
      body.catch(() => {
        if (this.#entries.get(key) === fresh) this.#entries.delete(key);
      });
      e = fresh;
      this.#entries.delete(key);
      this.#entries.set(key, e);
      while (this.#entries.size > this.maxEntries) {
        const oldest = this.#entries.keys().next().value;
        if (oldest === undefined) break;
        this.#entries.delete(oldest);
      }
    }
    const entry = e;
    return {
      body: entry.body,
      gzip: () => {
        entry.gzip ??= entry.body.then((b) => gzipAsync(b, { level: 1 }));
        return entry.gzip;
      },
    };
  }
}
