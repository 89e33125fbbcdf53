/** Which guests the alert rounds have seen running (kept in AlertMemory.seenRunning). */
import type { AlertMemory } from './memory.js';

/**
 * The guests seen running (`memory.seenRunning`), copied on the first change only: most rounds see
 * the same guests running as the last one.
 */
export class RunningGuests {
  readonly #memory: AlertMemory;
  readonly #seen: Set<string>;
  #own = false;

  constructor(memory: AlertMemory) {
    this.#memory = memory;
    this.#seen = seenSet(memory.seenRunning ?? {});
  }

  /** Whether the guest had been seen running before this round. */
  wasRunning(id: string): boolean {
    return this.#seen.has(id);
  }

  mark(id: string): void {
    if (this.#seen.has(id)) return;
    const m = this.#memory;
    if (!this.#own) {
      m.seenRunning = { ...m.seenRunning };
      this.#own = true;
    }
    (m.seenRunning as Record<string, true>)[id] = true;
  }
}

// seenRunning as a Set, per seenRunning object (replaced, never edited, by the rounds): asked
// for every guest, a Set lookup by a fresh id string is a hash, a property lookup a string-table search.
const seenSets = new WeakMap<Record<string, true>, Set<string>>();

export function seenSet(seenRunning: Record<string, true>): Set<string> {
  let set = seenSets.get(seenRunning);
  if (!set) {
    set = new Set(Object.keys(seenRunning));
    seenSets.set(seenRunning, set);
  }
  return set;
}
