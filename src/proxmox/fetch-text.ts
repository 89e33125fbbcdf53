/**
 * One HTTP exchange through an undici Pool, its body gathered as text: `Dispatcher.dispatch` with a
 * handler that keeps the body's chunks, rather than undici's `request()`, which builds a Readable
 * stream, an AsyncResource and their state for every response only for the body to be read whole.
 * A large estate's poll makes over 13,000 calls, so that machinery was a measurable share of the
 * cycle's CPU (docs/BENCHMARKS.md, "A lighter HTTP exchange").
 */
import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher, Pool } from 'undici';

export interface TextRequest {
  method: 'GET' | 'POST';
  /** Path and query, from the pool's origin. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange's deadline (ms), queueing for a socket included. */
  timeoutMs: number;
}

export interface TextResponse {
  status: number;
  statusText: string;
  text: string;
}

const BOM = 0xfeff;

/** Gathers one response; settles its promise once, on the end or on the first error. */
class TextCollector implements Dispatcher.DispatchHandler {
  #status = 0;
  #statusText = '';
  /** The body's first piece, while it is the only one (most answers come in one). */
  #first: Buffer | undefined;
  /** From the second piece on, the body is decoded as it arrives, so no piece is held. */
  #decoder: StringDecoder | undefined;
  #text = '';
  #controller: Dispatcher.DispatchController | undefined;
  /** Why the exchange was given up before undici started it (the deadline passed while queued). */
  #abortReason: Error | undefined;
  #timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (r: TextResponse) => void,
    private readonly reject: (err: Error) => void,
    timeoutMs: number,
  ) {
    this.#timer = setTimeout(() => this.#abort(), timeoutMs);
  }

  #abort(): void {
    const err = Object.assign(new Error('call deadline passed'), { name: 'TimeoutError' });
    if (this.#controller) {
      this.#controller.abort(err);
      return;
    }
    // Still queued for a socket: fail now, and abort it unsent once undici starts it.
    this.#abortReason = err;
    this.reject(err);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#abortReason) controller.abort(this.#abortReason);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, _h: unknown, statusMessage?: string): void {
    // Called again after a 1xx; the last one is the answer.
    this.#status = statusCode;
    this.#statusText = statusMessage ?? '';
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    // A piece is a view of the socket's read buffer: held until the answer ends, the pieces of a
    // long answer outlive a young-generation collection and their memory waits for a full one.
    if (this.#decoder) this.#text += this.#decoder.write(chunk);
    else if (this.#first === undefined) this.#first = chunk;
    else {
      this.#decoder = new StringDecoder('utf8');
      this.#text = this.#decoder.write(this.#first) + this.#decoder.write(chunk);
      this.#first = undefined;
    }
  }

  onResponseEnd(): void {
    clearTimeout(this.#timer);
    let text = this.#decoder ? this.#text + this.#decoder.end() : (this.#first?.toString('utf8') ?? '');
    // As undici's body.text(): a UTF-8 byte-order mark is not part of the text.
    if (text.charCodeAt(0) === BOM) text = text.slice(1);
    this.resolve({ status: this.#status, statusText: this.#statusText, text });
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  fail(error: Error): void {
    clearTimeout(this.#timer);
    this.reject(error);
  }
}

/** Sends `req` through `pool` and resolves with the status and the whole body as text. */
export function fetchText(pool: Pool, req: TextRequest): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    const handler = new TextCollector(resolve, reject, req.timeoutMs);
    try {
      pool.dispatch(
        {
          method: req.method,
          path: req.path,
          headers: req.headers,
          body: req.body ?? null,
          // The handler's deadline is the only timer: undici's own headers and body timers could
          // not fire before it, and would cost a timer object per call that outlives the call.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        handler,
      );
    } catch (err) {
      handler.fail(err as Error);
    }
  });
}
