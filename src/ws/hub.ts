/**
 * The /ws hub: keeps the connected browsers and scripts up to date (wire contract §2).
 *
 * - On connect: `welcome`, then `initialState` (raw shape).
 * - After state commits: one `rawData` (frontend shape) per burst of commits. Pollers commit one
 *   by one; broadcasting per commit would send the whole estate once per poller, so commits are
 *   coalesced: at most one broadcast per `coalesceMs`.
 * - Every message is serialised once and the same Buffer is written to every client.
 * - `ping` every 30 s (plus a protocol ping frame; a client that did not answer the previous
 *   frame is dropped), client `ping` → `pong`, client `requestData` → `rawData` in raw shape.
 * - A client whose send buffer grows beyond `maxBufferedBytes` (it does not read) is dropped, so
 *   one slow reader cannot make the server hold an unbounded backlog.
 * - Delta clients (`/ws?deltas=1` or `=2`, docs/WEBSOCKET.md) get the frontend document once as
 *   a versioned `initialState`, then `stateDelta` messages; each version's delta is computed and
 *   serialised once per encoding in use, for all of them.
 */
import type { WebSocket } from 'ws';
import type { Clock } from '../clock.js';
import type { PulseEventMap, PulseEvents } from '../events.js';
import type { Logger } from '../logging.js';
import type { PulseState } from '../model/state.js';
import { type DeltaEncoding, diffDocuments } from '../state/delta.js';
import { frontendWireLists } from '../state/raw-shape.js';
import { escapeJsonForHtml, joinPieces, serialiseFrontend } from '../state/serialise.js';
import type { StateSnapshots } from '../state/snapshots.js';
import type { StateStore } from '../state/store.js';

export interface HubDeps {
  store: StateStore;
  events: PulseEvents;
  snapshots: StateSnapshots;
  clock: Clock;
  logger: Logger;
}

/** Envelope `{type, data}` as a JSON string. NaN/±Inf become null, as JSON.stringify does.
 * `timestamp` (RFC3339) is added for the types the contract stamps (node_auto_registered, update:progress). */
export function envelope(type: string, data: unknown, timestamp?: string): string {
  return JSON.stringify(timestamp === undefined ? { type, data } : { type, data, timestamp });
}

interface Client {
  socket: WebSocket;
  /** Answered the last protocol ping frame. */
  alive: boolean;
  /** Delta client: the document version it holds (-1 before its first full state). */
  deltaVersion?: number;
  /** Delta client: the encoding it asked for. */
  encoding?: DeltaEncoding;
}

/**
 * The document delta clients hold, one per version: the store's state (objects shared with the
 * store: what the serialiser takes and deltas are computed on, converting to wire form only what
 * a delta carries), and its full message, built once.
 */
interface DeltaDoc {
  version: number;
  state: PulseState;
  full?: Buffer[];
}

/** Messages at most this large are compressed for clients that negotiated permessage-deflate;
 * a full document is not, so its megabytes are not deflated once per client. */
const COMPRESS_BELOW = 1024 * 1024;

export class WsHub {
  coalesceMs = 500;
  pingIntervalMs = 30_000;
  /** Clients with more than this many unsent bytes are dropped. */
  maxBufferedBytes = 64 * 1024 * 1024;
  /** Counters for tests and benchmarks. */
  readonly counters = {
    stateBroadcasts: 0,
    messagesSent: 0,
    bytesSent: 0,
    droppedSlow: 0,
    deltasBuilt: 0,
    deltaBytesSent: 0,
    fullStatesToDeltaClients: 0,
  };

  readonly #clients = new Set<Client>();
  #deps?: HubDeps;
  #unsubscribe: Array<() => void> = [];
  #pending?: NodeJS.Timeout;
  #lastBroadcast = -Infinity;
  #pingTimer?: NodeJS.Timeout;
  #stopped = false;
  /** The document delta clients are at; kept only while a delta client is connected. */
  #deltaDoc?: DeltaDoc;
  #deltaVersion = 0;
  /** Monotonic milliseconds for pacing (not the injected clock: pacing is real elapsed time). */
  readonly #mono = () => performance.now();

  get size(): number {
    return this.#clients.size;
  }

  start(deps: HubDeps): void {
    this.#deps = deps;
    this.#stopped = false;
    this.#unsubscribe.push(deps.store.onChange(() => this.scheduleStateBroadcast()));
    const forward = <K extends keyof PulseEventMap>(
      event: K,
      type: string,
      map: (...a: PulseEventMap[K]) => unknown,
      stamped = false,
      to: 'all' | 'plain' = 'all',
    ) => {
      const listener = (...args: PulseEventMap[K]) =>
        this.broadcast(type, map(...args), stamped ? new Date(deps.clock.now()).toISOString() : undefined, to);
      // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's typed overloads do not narrow generic keys
      (deps.events as any).on(event, listener);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      this.#unsubscribe.push(() => (deps.events as any).off(event, listener));
    };
    // A delta client's alert list changes arrive in its stateDelta (activeAlerts, recentlyResolved);
    // one message per alert, which a poll can raise by the hundred, is for plain clients only.
    forward('alert', 'alert', (alert) => alert, false, 'plain');
    forward('alertResolved', 'alertResolved', (e) => ({ alertId: e.alertId }), false, 'plain');
    forward('nodeDeleted', 'node_deleted', (e) => ({ nodeType: e.nodeType }));
    forward('settingsUpdate', 'settingsUpdate', (e) => ({ theme: e.theme }));
    forward('nodeAutoRegistered', 'node_auto_registered', (e) => e, true);
    forward('updateProgress', 'update:progress', (e) => e, true);
    forward('discoveryUpdate', 'discovery_update', (e) => e);
    this.#pingTimer = setInterval(() => this.pingAll(), this.pingIntervalMs);
    this.#pingTimer.unref();
  }

  get deltaClients(): number {
    let n = 0;
    for (const c of this.#clients) if (c.deltaVersion !== undefined) n++;
    return n;
  }

  /**
   * Takes over an upgraded socket: greets it, sends the raw state (a delta client: the versioned
   * frontend document), listens for requests.
   */
  attach(socket: WebSocket, opts: { deltas?: DeltaEncoding } = {}): void {
    const deps = this.#need();
    if (this.#stopped) {
      socket.close(1001, 'server shutting down');
      return;
    }
    const client: Client = { socket, alive: true };
    if (opts.deltas) {
      client.deltaVersion = -1;
      client.encoding = opts.deltas;
    }
    this.#clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data, isBinary) => this.#onMessage(client, data, isBinary));
    socket.on('close', () => this.#forget(client));
    socket.on('error', (err) => {
      deps.logger.debug({ err }, 'websocket client error');
      this.#forget(client);
    });
    this.#send(client, Buffer.from(envelope('welcome', { message: 'Connected to Pulse WebSocket' })));
    if (opts.deltas) this.#sendFullToDeltaClient(client);
    else this.#send(client, deps.snapshots.rawEnvelope('initialState'));
  }

  #forget(client: Client): void {
    this.#clients.delete(client);
    // Without delta clients the last document would only hold old objects in memory.
    if (client.deltaVersion !== undefined && this.deltaClients === 0) this.#deltaDoc = undefined;
  }

  /** The current delta document; built (with a new version) when there is none yet. */
  #currentDeltaDoc(): DeltaDoc {
    this.#deltaDoc ??= { version: ++this.#deltaVersion, state: this.#need().snapshots.frontendDocument() };
    return this.#deltaDoc;
  }

  /**
   * Sends the full document a delta client's deltas apply to: `{type:"initialState", version,
   * data}`. Its lists come from the snapshot's fragment cache, so they are the very JSON
   * /api/state and `rawData` send; only the small remainder is written again.
   */
  #sendFullToDeltaClient(client: Client): void {
    const d = this.#currentDeltaDoc();
    if (!d.full) {
      const snapshots = this.#need().snapshots;
      const pieces = serialiseFrontend(d.state, snapshots.fragments, snapshots.wire);
      d.full = [
        Buffer.from(`{"type":"initialState","version":${d.version},"data":`),
        ...pieces.map((p) => p.bytes),
        Buffer.from('}'),
      ];
    }
    client.deltaVersion = d.version;
    this.counters.fullStatesToDeltaClients++;
    this.#send(client, d.full);
  }

  /**
   * Moves delta clients to a new version: the delta from the document they hold is computed and
   * serialised once and sent to each client at the previous version; any other is sent the full
   * document again.
   */
  #broadcastDeltas(): void {
    const prev = this.#deltaDoc;
    if (!prev) return;
    const snapshots = this.#need().snapshots;
    const next: DeltaDoc = { version: ++this.#deltaVersion, state: snapshots.frontendDocument() };
    this.#deltaDoc = next;
    const toWire = frontendWireLists(snapshots.wire);
    // One message per encoding some client at the previous version uses, built when first needed.
    const messages = new Map<DeltaEncoding, Buffer>();
    const messageFor = (encoding: DeltaEncoding): Buffer => {
      let m = messages.get(encoding);
      if (!m) {
        const delta = diffDocuments(prev.state, next.state, encoding, toWire);
        this.counters.deltasBuilt++;
        m = Buffer.from(
          escapeJsonForHtml(
            `{"type":"stateDelta","base":${prev.version},"version":${next.version},"data":${JSON.stringify(delta)}}`,
          ),
          'utf8',
        );
        messages.set(encoding, m);
      }
      return m;
    };
    for (const client of [...this.#clients]) {
      if (client.deltaVersion === undefined) continue;
      if (client.deltaVersion === prev.version) {
        const message = messageFor(client.encoding ?? 1);
        client.deltaVersion = next.version;
        this.counters.deltaBytesSent += message.length;
        this.#send(client, message);
      } else this.#sendFullToDeltaClient(client);
    }
  }

  /** The version delta clients are brought to (0 before any delta client connected). */
  get deltaVersion(): number {
    return this.#deltaDoc?.version ?? 0;
  }

  /** The last full document sent to delta clients, as a string (tests). */
  deltaDocumentJson(): string | undefined {
    const d = this.#deltaDoc;
    if (!d) return undefined;
    const snapshots = this.#need().snapshots;
    return joinPieces(serialiseFrontend(d.state, snapshots.fragments, snapshots.wire));
  }

  /** Sends `{type, data}` to every client (serialised once). */
  /** Sends one message to every client, or (`plain`) to the clients without deltas only. */
  broadcast(type: string, data: unknown, timestamp?: string, to: 'all' | 'plain' = 'all'): void {
    if (this.#clients.size === 0 || (to === 'plain' && this.deltaClients === this.#clients.size)) return;
    const buf = Buffer.from(envelope(type, data, timestamp), 'utf8');
    for (const client of [...this.#clients])
      if (to === 'all' || client.deltaVersion === undefined) this.#send(client, buf);
  }

  /** Broadcasts `rawData` now (e.g. right after an alert acknowledgement). */
  broadcastState(): void {
    if (this.#pending) {
      clearTimeout(this.#pending);
      this.#pending = undefined;
    }
    this.#lastBroadcast = this.#mono();
    const deps = this.#need();
    deps.snapshots.prewarm();
    if (this.#clients.size === 0) return;
    this.counters.stateBroadcasts++;
    this.#broadcastDeltas();
    // The full document is built only when some client still wants it whole.
    if (this.deltaClients < this.#clients.size) {
      const full = deps.snapshots.frontendEnvelope('rawData');
      for (const client of [...this.#clients]) if (client.deltaVersion === undefined) this.#send(client, full);
    }
    // With delta clients alone, the lists serialised last (for a client's initialState) would
    // otherwise stay held until a client connects again.
    deps.snapshots.releaseUnread();
  }

  /** Called on every commit: at most one broadcast per `coalesceMs`, trailing edge included. */
  scheduleStateBroadcast(): void {
    if (this.#pending || this.#stopped) return;
    const wait = Math.max(0, this.#lastBroadcast + this.coalesceMs - this.#mono());
    // Even with no wait, defer to the next turn so a synchronous burst of commits is one update.
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.broadcastState();
    }, wait);
    this.#pending.unref();
  }

  /** Closes every socket (1001 going away); sockets that do not finish the close handshake
   * within `graceMs` are terminated, so shutdown is never held up by a client. */
  async stop(graceMs = 500): Promise<void> {
    this.#stopped = true;
    for (const u of this.#unsubscribe.splice(0)) u();
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = undefined;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    const sockets = [...this.#clients].map((c) => c.socket);
    if (sockets.length === 0) return;
    const closed = sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.readyState === s.CLOSED) return resolve();
          s.once('close', () => resolve());
        }),
    );
    for (const s of sockets) {
      try {
        s.close(1001, 'server shutting down');
      } catch {
        s.terminate();
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    for (const s of sockets) if (s.readyState !== s.CLOSED) s.terminate();
    this.#clients.clear();
    this.#deltaDoc = undefined;
  }

  #need(): HubDeps {
    if (!this.#deps) throw new Error('WsHub used before start()');
    return this.#deps;
  }

  #onMessage(client: Client, data: unknown, isBinary: boolean): void {
    if (isBinary) return;
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return; // not JSON: ignored, like any unknown message
    }
    const type = msg !== null && typeof msg === 'object' ? (msg as { type?: unknown }).type : undefined;
    const deps = this.#need();
    if (type === 'ping') {
      const timestamp = Math.floor(deps.clock.now() / 1000);
      this.#send(client, Buffer.from(envelope('pong', { timestamp })));
    } else if (type === 'requestData') {
      if (client.deltaVersion !== undefined) this.#sendFullToDeltaClient(client);
      else this.#send(client, deps.snapshots.rawEnvelope('rawData'));
    }
  }

  /** The periodic tick: a `ping` envelope and a protocol ping frame to every client; drops clients
   * that did not answer the previous frame. Public so tests need not wait 30 s. */
  pingAll(): void {
    if (this.#clients.size === 0) return;
    const deps = this.#need();
    const message = Buffer.from(envelope('ping', { timestamp: Math.floor(deps.clock.now() / 1000) }));
    for (const client of [...this.#clients]) {
      if (!client.alive) {
        deps.logger.debug('dropping websocket client that stopped answering pings');
        this.#drop(client);
        continue;
      }
      client.alive = false;
      try {
        client.socket.ping();
      } catch {
        this.#drop(client);
        continue;
      }
      this.#send(client, message);
    }
  }

  /** Sends one text message; pieces are sent as fragments of that message (no copy into one buffer). */
  #send(client: Client, msg: Buffer | Buffer[]): void {
    const s = client.socket;
    if (s.readyState !== s.OPEN) return;
    if (s.bufferedAmount > this.maxBufferedBytes) {
      this.counters.droppedSlow++;
      this.#deps?.logger.warn({ buffered: s.bufferedAmount }, 'dropping slow websocket client');
      this.#drop(client);
      return;
    }
    const pieces = Array.isArray(msg) ? msg : [msg];
    let bytes = 0;
    for (const piece of pieces) bytes += piece.length;
    // Only delta clients' small messages are compressed (when the client negotiated it): other
    // clients' bytes stay exactly as before, and no document is deflated once per client.
    const compress = client.deltaVersion !== undefined && bytes <= COMPRESS_BELOW;
    pieces.forEach((piece, i) => {
      s.send(piece, { binary: false, fin: i === pieces.length - 1, compress });
    });
    this.counters.messagesSent++;
    this.counters.bytesSent += bytes;
  }

  #drop(client: Client): void {
    this.#forget(client);
    client.socket.terminate();
  }
}
