/**
 * Folds a burst of `alert` / `alertResolved` socket messages into one change of the active-alert
 * list (pure, no Solid).
 *
 * A poll that raises or clears many alerts sends one message per alert, right after its state
 * delta. Applied one by one, each message searched the list and each resolution replaced the whole
 * array, re-running every view of the list (the alert badge, the dashboard's count): O(alerts) per
 * message, hundreds of times per poll (docs/BENCHMARKS.md). Folded, a burst costs one pass.
 */
import type { Alert } from '@model/state';

export type AlertMessage = { kind: 'raised'; alert: Alert } | { kind: 'resolved'; id: string };

export interface AlertChanges {
  /** Alerts already listed: their position in the list and their new content. */
  update: Array<[number, Alert]>;
  /** Ids of listed alerts that leave the list. */
  remove: Set<string>;
  /** Alerts that join the list, in the order of their last message. */
  add: Alert[];
}

/**
 * What `messages`, applied in order to `list`, change: each alert's last message wins. An alert
 * resolved and raised again in the same burst stays where it is, with its new content.
 */
export function foldAlertMessages(
  list: ReadonlyArray<{ id: string }>,
  messages: readonly AlertMessage[],
): AlertChanges {
  const at = new Map<string, number>();
  for (let i = 0; i < list.length; i++) at.set(list[i].id, i);
  const last = new Map<string, Alert | undefined>();
  for (const m of messages) {
    const id = m.kind === 'raised' ? m.alert.id : m.id;
    // Re-inserting moves the id to the end: new alerts join in the order of their last raise.
    last.delete(id);
    last.set(id, m.kind === 'raised' ? m.alert : undefined);
  }
  const out: AlertChanges = { update: [], remove: new Set(), add: [] };
  for (const [id, alert] of last) {
    const i = at.get(id);
    if (alert === undefined) {
      if (i !== undefined) out.remove.add(id);
    } else if (i !== undefined) out.update.push([i, alert]);
    else out.add.push(alert);
  }
  return out;
}

/**
 * Removes and adds what `c` says, in place: `draft` is the store's list inside `produce` (or a
 * plain array), `held` the same list's raw array, from which ids are read without a proxy. Kept
 * alerts close up in order and only indexes whose alert changes are written, with the draft's own
 * element (the store's setter unwraps a raw object by walking it, a draft's element at once); an
 * index is written only after it was read.
 */
export function removeAndAdd(draft: Alert[], held: readonly Alert[], c: AlertChanges): void {
  const n = held.length;
  let w = 0;
  for (let r = 0; r < n; r++) {
    if (c.remove.has(held[r].id)) continue;
    if (w !== r) draft[w] = draft[r];
    w++;
  }
  for (const a of c.add) draft[w++] = a;
  if (draft.length !== w) draft.length = w;
}
