/**
 * Wires the live-state services at start-up (called by the composition root): the serialised
 * snapshot cache, metric history recording, the /ws hub and the memory reclaimer, each with its
 * stopper.
 */
import type { Clock } from '../clock.js';
import type { PulseEvents } from '../events.js';
import type { MetricHistory } from '../history/service.js';
import type { Logger } from '../logging.js';
import type { MemoryReclaimer } from '../runtime/memory-reclaim.js';
import type { Settings } from '../settings/env.js';
import type { StateSnapshots } from '../state/snapshots.js';
import type { StateStore } from '../state/store.js';
import type { WsHub } from './hub.js';

/** What the live-state services need from the composition root. */
export interface LiveDeps {
  settings: Pick<Settings, 'memoryReclaim'>;
  logger: Logger;
  clock: Clock;
  startedAt: number;
  state: StateStore;
  snapshots: StateSnapshots;
  events: PulseEvents;
  history: MetricHistory;
  wsHub: WsHub;
  memory: MemoryReclaimer;
  onClose(stop: () => Promise<void> | void): void;
}

export function startLiveServices(deps: LiveDeps): void {
  deps.snapshots.bind({
    store: deps.state,
    clock: deps.clock,
    startedAt: deps.startedAt,
    wsClients: () => deps.wsHub.size,
  });
  deps.history.start(deps.state);
  // Stoppers run in reverse: the hub closes its sockets first, then history is written out.
  deps.onClose(() => deps.history.close());
  deps.wsHub.start({
    store: deps.state,
    events: deps.events,
    snapshots: deps.snapshots,
    clock: deps.clock,
    logger: deps.logger,
  });
  deps.onClose(() => deps.wsHub.stop());
  // Last listener: its quiet period starts after the others have run for a commit.
  if (deps.settings.memoryReclaim) {
    deps.memory.start(deps.state);
    deps.onClose(() => deps.memory.stop());
  }
}
