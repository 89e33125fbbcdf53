/**
 * StateSnapshots: the serialised state document, built once per state version and shared by
 * every reader (each GET /api/state reply and each WebSocket client get the same string).
 *
 * The document is the store's state completed with `stats` and `performance` (which describe this
 * process, not the watched estate). Serialising a 10,000-guest state costs tens of milliseconds
 * and megabytes, so it must not happen per request or per client: the cache key is the store's
 * version. A cached document also expires after `maxAgeMs` of clock time, so that `stats.uptime`
 * keeps moving while nothing is polled (no nodes configured).
 */
import type { Clock } from '../clock.js';
import type { Performance, PulseState, Stats } from '../model/state.js';
import { PACKAGE_VERSION } from '../version.js';
import { localOffsetMinutes, toRawState, toRfc3339 } from './raw-shape.js';
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

interface Cached {
  version: number;
  builtAt: number;
  json: string;
}

/**
 * Go's encoder escapes `<`, `>`, `&` (and U+2028/9) inside JSON strings, so a JSON body sniffed as
 * HTML cannot run script. These characters only occur inside strings, so a textual pass is safe.
 */
export function escapeJsonForHtml(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class StateSnapshots {
  /** How many times a full state document was serialised (tests and benchmarks read it). */
  serialisations = 0;
  maxAgeMs = 10_000;
  #src?: SnapshotSource;
  #frontend?: Cached;
  #raw?: Cached;
  #rawDataMessage?: { json: string; message: string };

  bind(src: SnapshotSource): void {
    this.#src = src;
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

  /** GET /api/state body and WS `rawData` payload. */
  frontendJson(): string {
    if (this.#fresh(this.#frontend)) return this.#frontend.json;
    const src = this.#source();
    const json = escapeJsonForHtml(JSON.stringify(this.frontendDocument()));
    this.serialisations++;
    this.#frontend = { version: src.store.version, builtAt: src.clock.now(), json };
    return json;
  }

  /** WS `initialState` payload and the reply to `requestData`. */
  rawJson(): string {
    if (this.#fresh(this.#raw)) return this.#raw.json;
    const src = this.#source();
    const now = src.clock.now();
    const json = escapeJsonForHtml(JSON.stringify(toRawState(this.frontendDocument(), this.#tz(now))));
    this.serialisations++;
    this.#raw = { version: src.store.version, builtAt: now, json };
    return json;
  }

  /** The complete `rawData` envelope, built from the cached document without re-serialising. */
  rawDataMessage(): string {
    const json = this.frontendJson();
    if (this.#rawDataMessage?.json !== json) {
      this.#rawDataMessage = { json, message: `{"type":"rawData","data":${json}}` };
    }
    return this.#rawDataMessage.message;
  }
}
