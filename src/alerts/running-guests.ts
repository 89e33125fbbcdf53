/** Which guests the alert rounds have seen running (kept in AlertMemory.seenRunning). */
import type { AlertMemory } from './memory.js';

/** Numbers the rounds, so a round can tell the guests it has met from those of earlier rounds. */
let rounds = 0;

/**
 * The guests seen running (`memory.seenRunning`), copied on the first change only: most rounds see
 * the same guests running as the last one. Also counts which of them the round meets, so the
 * common round — all still there — finds none gone without looking them up again.
 */
export class RunningGuests {
  readonly #memory: AlertMemory;
  /** seenRunning's ids → the round that last met each. */
  readonly #seen: Map<string, { round: number }>;
  readonly #round = ++rounds;
  #met = 0;
  #own = false;

  constructor(memory: AlertMemory) {
    this.#memory = memory;
    this.#seen = seenRounds(memory.seenRunning ?? {});
  }

  /** Notes the guest as present this round; whether it had been seen running before this round. */
  meet(id: string): boolean {
    const last = this.#seen.get(id);
    if (last === undefined) return false;
    // Updated in place: no second lookup to store it.
    if (last.round !== this.#round) {
      last.round = this.#round;
      this.#met++;
    }
    return true;
  }

  /** Records the guest as running now (`wasRunning`: what `meet` said). */
  mark(id: string, wasRunning: boolean): void {
    if (wasRunning) return;
    const m = this.#memory;
    if (!this.#own) {
      m.seenRunning = { ...m.seenRunning };
      this.#own = true;
    }
    (m.seenRunning as Record<string, true>)[id] = true;
  }

  /**
   * Guests seen running before this round that it did not meet, unless `observed` holds their id
   * (as a resource of another kind).
   */
  gone(observed: (id: string) => boolean): string[] {
    if (this.#met === this.#seen.size) return [];
    const out: string[] = [];
    for (const [id, last] of this.#seen) if (last.round !== this.#round && !observed(id)) out.push(id);
    return out;
  }
}

// seenRunning as a Map, per seenRunning object (replaced, never edited, by the rounds): asked for
// every guest, a Map lookup by a fresh id string is a hash, a property lookup a string-table
// search. The values hold the round numbers of RunningGuests.meet (0: not met yet).
const seenMaps = new WeakMap<Record<string, true>, Map<string, { round: number }>>();

function seenRounds(seenRunning: Record<string, true>): Map<string, { round: number }> {
  let map = seenMaps.get(seenRunning);
  if (!map) {
    map = new Map();
    for (const id of Object.keys(seenRunning)) map.set(id, { round: 0 });
    seenMaps.set(seenRunning, map);
  }
  return map;
}
