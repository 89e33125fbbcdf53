/**
 * StateStore: the live picture behind /api/state and /ws.
 *
 * Pollers replace their slice of the state (per instance) and call `commit()` at the end of a
 * poll; listeners (ws hub, history recorder, alert engine) receive the new snapshot. Snapshots are
 * immutable: a listener may keep a reference without copying.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { emptyState } from '../model/empty-state.js';
import type { PulseState } from '../model/state.js';

export { emptyState };

export type StateListener = (next: Readonly<PulseState>, prev: Readonly<PulseState>) => void;

export class StateStore {
  #state: PulseState = emptyState();
  #version = 0;
  readonly #events = new EventEmitter();

  constructor(private readonly clock: Clock) {
    this.#events.setMaxListeners(50);
  }

  /** The current snapshot. Do not mutate it. */
  get(): Readonly<PulseState> {
    return this.#state;
  }

  /** Increases by one on every commit; lets caches (e.g. serialised JSON) know when to refresh. */
  get version(): number {
    return this.#version;
  }

  /** Applies `change` to a shallow copy of the state and notifies listeners. */
  commit(change: (draft: PulseState) => void): void {
    const prev = this.#state;
    const next: PulseState = { ...prev };
    change(next);
    next.lastUpdate = this.clock.now();
    this.#state = next;
    this.#version++;
    this.#events.emit('changed', next, prev);
  }

  onChange(listener: StateListener): () => void {
    this.#events.on('changed', listener);
    return () => this.#events.off('changed', listener);
  }
}
