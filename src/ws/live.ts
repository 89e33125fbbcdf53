/**
 * Wires the live-state services at start-up (called by the composition root): the serialised
 * snapshot cache, metric history recording, the /ws hub and the memory reclaimer, each with its
 * stopper.
 */
import type { AppDeps } from '../deps.js';

export function startLiveServices(deps: AppDeps): void {
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
