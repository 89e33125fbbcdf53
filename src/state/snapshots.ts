/**
 * StateSnapshots: the serialised state document, built once per state version and shared by
 * every reader (each GET /api/state reply and each WebSocket client get the same bytes).
 *
 * The document is the store's state completed with `stats` and `performance` (which describe this
 * process, not the watched estate). Serialising a 10,000-guest state costs tens of milliseconds
 * and megabytes, so it must not happen per request or per client: the cache key is the store's
 * version. A cached document also expires after `maxAgeMs` of clock time, so that `stats.uptime`
 * keeps moving while nothing is polled (no nodes configured).
 */
import { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import type { Performance, PulseState, Stats } from '../model/state.js';
import { PACKAGE_VERSION } from '../version.js';
import { gzipPieces, type Piece } from './gzip-join.js';
import { localOffsetMinutes, toRfc3339, WireTimes } from './raw-shape.js';
import { FragmentCache, joinPieces, listAt, serialiseFrontend, serialiseRaw } from './serialise.js';
import type { StateStore } from './store.js';

export interface SnapshotSource {
  store: StateStore;
  clock: Clock;
  /** Process start, unix ms. */
  startedAt: number;
  /** Connected WebSocket clients, for `stats.webSocketClients`. */
  wsClients?: () => number;
  /** Offset for RFC3339 times in the raw shape (default: the host's local offset). */
  tzOffsetMinutes?: (ms: number) => number;
}

/**
 * One serialised document, as pieces (see serialise.ts: unchanged lists are the same Piece from
 * version to version, never copied into one big buffer). The gzip body derived from it is built at
 * most once and kept on the same entry, so both are dropped together when the version moves on.
 */
interface Cached {
  version: number;
  builtAt: number;
  pieces: Piece[];
  length: number;
  gzip?: Promise<Buffer[]>;
}

const ENVELOPE_SUFFIX = Buffer.from('}');
const prefixes = new Map<string, Buffer>();
/** `{"type":<type>,"data":` — the start of an envelope whose data is an already serialised body. */
function envelopePrefix(type: string): Buffer {
  let p = prefixes.get(type);
  if (!p) {
    p = Buffer.from(`{"type":${JSON.stringify(type)},"data":`);
    prefixes.set(type, p);
  }
  return p;
}

export { escapeJsonForHtml } from './serialise.js';

export class StateSnapshots {
  /** How many times a full state document was serialised (tests and benchmarks read it). */
  serialisations = 0;
  maxAgeMs = 10_000;
  /** The JSON of the frontend document's lists, reused while a list is unchanged (serialise.ts). */
  readonly fragments = new FragmentCache();
  prewarmWindowMs = 5 * 60_000;
  /** When /api/state was last sent gzip-compressed, and last sent uncompressed (clock ms). */
  #lastGzipRead = Number.NEGATIVE_INFINITY;
  #lastPlainRead = Number.NEGATIVE_INFINITY;
  /** RFC3339 forms of the backup and PBS lists, shared by both shapes and the /api/backups routes. */
  readonly wire = new WireTimes((ms) => this.#tz(ms));
  #src?: SnapshotSource;
  #frontend?: Cached;
  #raw?: Cached;

  bind(src: SnapshotSource): void {
    this.#src = src;
    // A new version makes the cached documents stale: let their megabytes go now rather than
    // when the next reader asks.
    src.store.onChange(() => {
      this.#frontend = undefined;
      this.#raw = undefined;
    });
  }

  #source(): SnapshotSource {
    if (!this.#src) throw new Error('StateSnapshots used before bind()');
    return this.#src;
  }

  /** `stats` of this process (§1.8), merged over anything a poller already put there. */
  stats(state: Readonly<PulseState>): Stats {
    const src = this.#source();
    const now = src.clock.now();
    const given = state.stats as Partial<Stats>;
    return {
      startTime: toRfc3339(src.startedAt, this.#tz(src.startedAt)),
      uptime: Math.max(0, Math.floor((now - src.startedAt) / 1000)),
      pollingCycles: typeof given.pollingCycles === 'number' ? given.pollingCycles : src.store.version,
      webSocketClients: src.wsClients?.() ?? 0,
      version: PACKAGE_VERSION,
    };
  }

  performance(state: Readonly<PulseState>): Performance {
    const src = this.#source();
    const given = state.performance as Partial<Performance>;
    return {
      apiCallDuration: given.apiCallDuration ?? null,
      lastPollDuration: given.lastPollDuration ?? 0,
      pollingStartTime: given.pollingStartTime ?? toRfc3339(src.startedAt, this.#tz(src.startedAt)),
      totalApiCalls: given.totalApiCalls ?? 0,
      failedApiCalls: given.failedApiCalls ?? 0,
    };
  }

  #tz(ms: number): number {
    return (this.#src?.tzOffsetMinutes ?? localOffsetMinutes)(ms);
  }

  /** The complete frontend-shape document (objects shared with the store; do not mutate). */
  frontendDocument(): PulseState {
    const state = this.#source().store.get();
    return {
      nodes: state.nodes ?? [],
      vms: state.vms ?? [],
      containers: state.containers ?? [],
      dockerHosts: state.dockerHosts ?? [],
      storage: state.storage ?? [],
      cephClusters: state.cephClusters ?? [],
      physicalDisks: state.physicalDisks ?? [],
      pbs: state.pbs ?? [],
      pmg: state.pmg ?? [],
      pveBackups: {
        backupTasks: state.pveBackups?.backupTasks ?? [],
        storageBackups: state.pveBackups?.storageBackups ?? [],
        guestSnapshots: state.pveBackups?.guestSnapshots ?? [],
      },
      pbsBackups: state.pbsBackups ?? [],
      metrics: state.metrics ?? {},
      performance: this.performance(state),
      stats: this.stats(state),
      activeAlerts: state.activeAlerts ?? [],
      recentlyResolved: state.recentlyResolved ?? [],
      connectionHealth: state.connectionHealth ?? {},
      lastUpdate: state.lastUpdate,
    };
  }

  #fresh(c: Cached | undefined): c is Cached {
    const src = this.#source();
    return c !== undefined && c.version === src.store.version && src.clock.now() - c.builtAt < this.maxAgeMs;
  }

  #build(pieces: Piece[]): Cached {
    const src = this.#source();
    this.serialisations++;
    let length = 0;
    for (const p of pieces) length += p.length;
    return { version: src.store.version, builtAt: src.clock.now(), pieces, length };
  }

  #frontendEntry(): Cached {
    if (!this.#fresh(this.#frontend)) {
      this.#frontend = this.#build(serialiseFrontend(this.frontendDocument(), this.fragments, this.wire));
    }
    return this.#frontend;
  }

  #rawEntry(): Cached {
    if (!this.#fresh(this.#raw)) {
      const tz = this.#tz(this.#source().clock.now());
      // The raw shape is built rarely (a client connects, or asks with requestData): its converted
      // lists are not kept between versions, only the lists it shares with the frontend shape.
      this.#raw = this.#build(
        serialiseRaw(this.frontendDocument(), tz, new FragmentCache(), this.fragments, this.wire),
      );
    }
    return this.#raw;
  }

  /**
   * The frontend document (UTF-8 JSON) as pieces in order, and its length (tests, benchmarks:
   * compacted pieces are inflated on the event loop and kept; GET /api/state uses `frontendStream`).
   */
  frontendPieces(): { pieces: Buffer[]; length: number } {
    const entry = this.#frontendEntry();
    return { pieces: entry.pieces.map((p) => p.bytes), length: entry.length };
  }

  /**
   * The same bytes for one reader (GET /api/state), in order, and their length: the pieces kept
   * compressed are inflated in zlib's thread pool, side by side, as they are sent (gzip-join.ts
   * Piece.chunks).
   * The pieces are those of the version current now, whenever the chunks are read.
   */
  frontendStream(): { chunks: AsyncGenerator<Buffer>; length: number } {
    const { pieces, length } = this.#frontendEntry();
    async function* chunks() {
      // Started together on the first read: the pieces inflate side by side, and a reply that
      // never starts inflates nothing.
      const readers = pieces.map((p) => p.chunks());
      try {
        for (const r of readers) yield* r;
      } finally {
        // A reader who left early: the pieces still inflating ahead are stopped too.
        for (const r of readers) if (r instanceof Readable) r.destroy();
      }
    }
    return { chunks: chunks(), length };
  }

  /** Length in bytes of the GET /api/state body (built if needed; restores no compacted piece). */
  frontendLength(): number {
    return this.#frontendEntry().length;
  }

  /**
   * HTTP readers call this with how the body was sent, so `prewarm` knows which form is wanted
   * and the gzip step knows whether the uncompressed pieces are still needed.
   */
  noteHttpRead(gzip: boolean): void {
    const now = this.#source().clock.now();
    if (gzip) this.#lastGzipRead = now;
    else this.#lastPlainRead = now;
  }

  /**
   * After a burst of commits (the hub's coalesced tick): when /api/state was read in the last
   * `prewarmWindowMs`, builds the new body now (and its gzip, if it was read compressed), so the
   * next reader does not pay for them. Nobody reading → nothing is built.
   */
  prewarm(): void {
    if (this.#recently(this.#lastGzipRead)) this.frontendGzip().catch(() => {});
    else if (this.#recently(this.#lastPlainRead)) this.#frontendEntry();
  }

  #recently(readAt: number): boolean {
    return this.#source().clock.now() - readAt <= this.prewarmWindowMs;
  }

  #readRecently(): boolean {
    return this.#recently(this.#lastGzipRead) || this.#recently(this.#lastPlainRead);
  }

  /**
   * After the document went to every WebSocket client: when /api/state was not read in the last
   * `prewarmWindowMs`, nobody is expected to ask for this version again, so it is let go now
   * rather than held until the next commit; so are the lists the next version will serialise
   * afresh anyway, and the others are kept compressed (FragmentCache.release). A reader who does
   * come builds it again.
   */
  releaseUnread(): void {
    if (this.#readRecently()) return;
    this.#frontend = undefined;
    this.#raw = undefined;
    // The frontend document's lists are the store's own (frontendDocument).
    const now = this.#source().store.get();
    this.fragments.release((key) => listAt(now, key));
  }

  /**
   * The same body gzip-compressed, as pieces: compressed in zlib's thread pool, and only the pieces
   * this version did not share with an earlier one (gzip-join.ts).
   */
  frontendGzip(): Promise<Buffer[]> {
    const entry = this.#frontendEntry();
    entry.gzip ??= gzipPieces(entry.pieces).then((body) => {
      // Readers of this version are now served the gzip body; its large pieces keep only their
      // deflate data until someone asks for the uncompressed document (gzip-join.ts Piece). Not
      // while someone reads it uncompressed (a script polling with plain curl): that reader would
      // inflate the guests' lists of every version again.
      if (!this.#recently(this.#lastPlainRead)) for (const p of entry.pieces) p.compact();
      return body;
    });
    return entry.gzip;
  }

  /**
   * Bytes of the current frontend document held uncompressed, and its length (tests, benchmarks;
   * reading it restores nothing). After its gzip body is built, large pieces hold only that.
   */
  frontendResidency(): { resident: number; length: number } {
    const entry = this.#frontend;
    let resident = 0;
    for (const p of entry?.pieces ?? []) if (p.resident) resident += p.length;
    return { resident, length: entry?.length ?? 0 };
  }

  /** GET /api/state body as a string (tests, diagnostics: it copies the whole document). */
  frontendJson(): string {
    return joinPieces(this.#frontendEntry().pieces);
  }

  /** The raw-shape document (WS `initialState`, reply to `requestData`) as a string (tests). */
  rawJson(): string {
    return joinPieces(this.#rawEntry().pieces);
  }

  /**
   * `{type, data: <frontend document>}` as pieces (prefix, the document's pieces, suffix): the WS
   * hub sends them as fragments of one message, so the megabytes of the body are never copied
   * into an envelope.
   */
  frontendEnvelope(type: string): Buffer[] {
    return [envelopePrefix(type), ...this.#frontendEntry().pieces.map((p) => p.bytes), ENVELOPE_SUFFIX];
  }

  /** `{type, data: <raw document>}` in pieces (WS `initialState`, `requestData` replies). */
  rawEnvelope(type: string): Buffer[] {
    return [envelopePrefix(type), ...this.#rawEntry().pieces.map((p) => p.bytes), ENVELOPE_SUFFIX];
  }
}
