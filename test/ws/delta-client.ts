/**
 * A delta client as a test sees it: keeps the document from `initialState`, applies each
 * `stateDelta` whose base is the version it holds, and asks for the full state (`requestData`)
 * when one does not fit. It can be told to lose the next delta, as a flaky network would.
 */
import WebSocket from 'ws';
import { applyDelta, type StateDelta } from '../../src/state/delta.js';

export class DeltaClient {
  doc: Record<string, unknown> | undefined;
  version = -1;
  fullStates = 0;
  deltas = 0;
  resyncs = 0;
  /** Deltas to ignore, as if lost. */
  lose = 0;
  readonly texts: string[] = [];
  #waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = String(data);
      this.texts.push(text);
      this.#onMessage(JSON.parse(text));
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static open(url: string, opts: WebSocket.ClientOptions = {}): Promise<DeltaClient> {
    const ws = new WebSocket(url, opts);
    const c = new DeltaClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }

  #onMessage(msg: { type: string; version?: number; base?: number; data: unknown }): void {
    if (msg.type === 'initialState' && typeof msg.version === 'number') {
      this.doc = msg.data as Record<string, unknown>;
      this.version = msg.version;
      this.fullStates++;
    } else if (msg.type === 'stateDelta') {
      if (this.lose > 0) {
        this.lose--;
        return;
      }
      if (this.doc === undefined || msg.base !== this.version) {
        // A version went missing: the full state again, and nothing applied meanwhile.
        this.resyncs++;
        this.version = -1;
        this.ws.send(JSON.stringify({ type: 'requestData' }));
        return;
      }
      this.doc = applyDelta(this.doc, msg.data as StateDelta);
      this.version = msg.version as number;
      this.deltas++;
    }
  }

  /** Resolves once the client holds `version`. */
  waitVersion(version: number, ms = 5000): Promise<void> {
    return this.#until(
      () => this.version === version,
      ms,
      () => `at version ${this.version}, wanted ${version}`,
    );
  }

  /** Resolves once the deltas it was told to lose have arrived (and been ignored). */
  waitLost(ms = 5000): Promise<void> {
    return this.#until(
      () => this.lose === 0,
      ms,
      () => `still losing ${this.lose}`,
    );
  }

  async #until(done: () => boolean, ms: number, what: () => string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`delta client ${what()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}
