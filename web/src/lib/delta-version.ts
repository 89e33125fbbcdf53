/**
 * Whether a `stateDelta` applies to the document a client holds: only one whose base is the held
 * version does; any other means a message was missed, and the client asks for the full state again.
 */
export type DeltaAction = 'apply' | 'resync' | 'wait';

/** `held` is the version of the document held, -1 while waiting for a full state. */
export function deltaAction(held: number, msg: { base?: unknown; version?: unknown; data?: unknown }): DeltaAction {
  if (msg.base === held && held !== -1 && typeof msg.version === 'number' && msg.data) return 'apply';
  // While waiting, the deltas that arrive before the full state are dropped without asking again.
  return held === -1 ? 'wait' : 'resync';
}
