/** A small WebSocket test client that records every message and lets a test wait for one. */
import WebSocket from 'ws';

export interface Envelope {
  type: string;
  data: any;
}

export class TestWsClient {
  readonly messages: Envelope[] = [];
  readonly rawSizes: number[] = [];
  #waiters: Array<() => void> = [];
  closed?: { code: number; reason: string };

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = String(data);
      this.rawSizes.push(Buffer.byteLength(text));
      this.messages.push(JSON.parse(text));
      for (const w of this.#waiters.splice(0)) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static open(url: string, opts: WebSocket.ClientOptions = {}): Promise<TestWsClient> {
    const ws = new WebSocket(url, opts);
    const client = new TestWsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Resolves when `count` messages of `type` have arrived (default 1). Rejects after `ms`. */
  async waitFor(type: string, count = 1, ms = 5000): Promise<Envelope[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.filter((m) => m.type === type);
      if (found.length >= count) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) before ${count}×${type}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count}×${type}; got ${this.types().join(',')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async waitClosed(ms = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closed;
  }

  types(): string[] {
    return this.messages.map((m) => m.type);
  }

  send(obj: unknown): void {
    this.ws.send(JSON.stringify(obj));
  }

  close(): void {
    this.ws.close();
  }
}

/** The /ws URL of a running Pulse. */
export const wsUrl = (httpUrl: string, query = ''): string => `${httpUrl.replace(/^http/, 'ws')}/ws${query}`;

/** Expects an upgrade to be refused; resolves with the HTTP status. */
export function refusedStatus(url: string, opts: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    ws.once('open', () => {
      ws.close();
      reject(new Error('upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', () => {});
  });
}

/**
 * Lets the server's start-up work queued with setImmediate run (the pollers commit their first,
 * possibly empty, slices on the next turn), so a test's own commits are not overwritten by it.
 */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
