import type { Alert } from '@model/state';
import { describe, expect, it } from 'vitest';
import { type AlertMessage, foldAlertMessages, removeAndAdd } from './alert-messages';

const alert = (id: string, value = 90): Alert => ({
  id,
  type: 'cpu',
  level: 'warning',
  resourceId: id.split('-')[0],
  resourceName: id,
  node: 'pve1',
  instance: 'pve',
  message: `cpu ${value}%`,
  value,
  threshold: 80,
  startTime: '2026-01-01T00:00:00Z',
  acknowledged: false,
});
const raised = (a: Alert): AlertMessage => ({ kind: 'raised', alert: a });
const resolved = (id: string): AlertMessage => ({ kind: 'resolved', id });

/** The list the messages give applied one by one, the way the UI used to apply them. */
function oneByOne(list: Alert[], messages: AlertMessage[]): Alert[] {
  let out = [...list];
  for (const m of messages) {
    if (m.kind === 'resolved') out = out.filter((a) => a.id !== m.id);
    else {
      const i = out.findIndex((a) => a.id === m.alert.id);
      if (i >= 0) out[i] = m.alert;
      else out.push(m.alert);
    }
  }
  return out;
}

/** What live.ts does with a burst: fold, update in place, then remove and add in place. */
function applyFolded(list: Alert[], messages: AlertMessage[]): Alert[] {
  const c = foldAlertMessages(list, messages);
  const out = [...list];
  for (const [i, a] of c.update) out[i] = a;
  removeAndAdd(out, out, c);
  return out;
}

describe('foldAlertMessages', () => {
  it('updates listed alerts in place, removes resolved ones and appends new ones', () => {
    const list = [alert('a'), alert('b'), alert('c')];
    const c = foldAlertMessages(list, [raised(alert('b', 95)), resolved('c'), raised(alert('d')), resolved('x')]);
    expect(c.update).toEqual([[1, alert('b', 95)]]);
    expect([...c.remove]).toEqual(['c']);
    expect(c.add).toEqual([alert('d')]);
  });

  it('lets the last message about an alert win', () => {
    const list = [alert('a')];
    const c = foldAlertMessages(list, [
      resolved('a'),
      raised(alert('a', 99)),
      raised(alert('n', 81)),
      resolved('n'),
      raised(alert('m', 82)),
      raised(alert('m', 83)),
    ]);
    expect(c.update).toEqual([[0, alert('a', 99)]]);
    expect(c.remove.size).toBe(0);
    expect(c.add).toEqual([alert('m', 83)]);
  });

  it('gives the same list as applying the messages one by one', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round++) {
      const list = ids.filter(() => next() < 0.5).map((id) => alert(id));
      const messages = Array.from({ length: 1 + Math.floor(next() * 8) }, () => {
        const id = ids[Math.floor(next() * ids.length)];
        return next() < 0.5 ? resolved(id) : raised(alert(id, Math.round(next() * 100)));
      });
      const want = oneByOne(list, messages);
      // Membership and content match; new alerts may join in a different order, so compare as sets.
      const byId = (l: Alert[]) => Object.fromEntries(l.map((a) => [a.id, a]));
      expect(byId(applyFolded(list, messages))).toEqual(byId(want));
      // Alerts listed and not resolved keep their order (one by one, a resolved and re-raised
      // alert moves to the end; folded, it stays: views sort the list themselves).
      const stayed = (id: string) =>
        list.some((a) => a.id === id) && !messages.some((m) => m.kind === 'resolved' && m.id === id);
      const kept = (l: Alert[]) => l.map((a) => a.id).filter(stayed);
      expect(kept(applyFolded(list, messages))).toEqual(kept(want));
    }
  });

  it('removes and adds in place, writing only the indexes whose alert changes', () => {
    const list = ['a', 'b', 'c', 'd'].map((id) => alert(id));
    const writes: number[] = [];
    const draft = new Proxy([...list], {
      set(t, k, v) {
        if (k !== 'length') writes.push(Number(k));
        return Reflect.set(t, k, v);
      },
    });
    removeAndAdd(draft, [...list], { update: [], remove: new Set(['c']), add: [alert('e')] });
    expect(draft.map((a) => a.id)).toEqual(['a', 'b', 'd', 'e']);
    expect(writes).toEqual([2, 3]);
  });
});
