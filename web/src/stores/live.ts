/**
 * The live picture: this module alone owns the /ws socket and the state store. Components only
 * read `live.state` (and call `refreshState()` after an action). A full state goes through
 * `reconcile(…, {key: 'id'})` and a delta (`/ws?deltas=2`) sets only the fields it names
 * (delta-apply.ts), so a row whose values did not change keeps its object and its DOM, and a
 * changed value updates only the cells that read it.
 */
import { emptyState } from '@model/empty-state';
import type { Guest, PulseState, Storage } from '@model/state';
import { type Accessor, batch, createMemo, createRoot, createSignal } from 'solid-js';
import { $RAW, createStore, produce, reconcile, unwrap } from 'solid-js/store';
import type { StateDelta } from '../../../src/state/delta';
import { api, storedApiToken } from '../api/client';
import { type Changes, DeltaApplier, touches } from './delta-apply';
import { findSignalTables } from './store-cells';
import { applyServerTheme } from './theme';

export type ConnectionStatus = 'connecting' | 'connected' | 'offline';

export type LiveState = PulseState;

const [state, setState] = createStore<LiveState>(emptyState());
const [connection, setConnection] = createSignal<ConnectionStatus>('offline');
const [lastMessageAt, setLastMessageAt] = createSignal(0);
const [unacknowledgedAlerts, setUnacknowledgedAlerts] = createSignal(0);
/** Bumped after every change of the store (all of them are made here). */
const [version, setVersion] = createSignal(0);
/** What the last change of the store changed (delta-apply.ts `Changes`). */
const [lastChanges, setLastChanges] = createSignal<Changes>('all', { equals: false });

/**
 * A store list's own array: reading it subscribes to nothing, and costs no proxy per item.
 * For views that go through a whole list (counts over 10,000 guests): subscribing to a field of
 * every item made each such view re-run on any item's change, and made every write of that
 * field go through a signal. Such a view reads `live.version()` instead, and re-runs once per
 * state message.
 */
export function rawList<T>(list: readonly T[]): readonly T[] {
  return (list as unknown as Record<symbol, T[] | undefined>)[$RAW] ?? list;
}

/**
 * After each change of the store: counts the unacknowledged alerts on the raw list (the nav
 * badge; through the store it subscribed to every alert, thousands on a large estate, and re-ran
 * on each change of the list), and bumps `version`.
 */
function changed(changes: Changes = 'all'): void {
  setLastChanges(changes);
  let n = 0;
  for (const a of rawList(state.activeAlerts)) if (!a.acknowledged) n++;
  setUnacknowledgedAlerts(n);
  setVersion((v) => v + 1);
}
const deltas = new DeltaApplier(
  { state, set: setState as unknown as (...args: unknown[]) => void },
  { produce, reconcile, raw: $RAW, cells: findSignalTables({ createStore, createRoot, createMemo, raw: $RAW }) },
);

const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** The raw shape (initialState) carries tags as string[]; the frontend shape joins them with commas. */
function normaliseGuest(g: Guest): Guest {
  const tags = (g as { tags?: unknown }).tags;
  if (Array.isArray(tags)) return { ...g, tags: tags.join(',') };
  return g;
}

/** Times arrive as unix ms (frontend shape) or RFC3339 (raw shape); the UI keeps ms. */
function toMs(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) || t < 0 ? 0 : t;
  }
  return 0;
}

/** Applies a state document of either shape. Keys a message lacks keep their last value. */
export function applyState(doc: Partial<PulseState> & Record<string, unknown>): void {
  batch(() => applyStateNow(doc));
  changed();
}

function applyStateNow(doc: Partial<PulseState> & Record<string, unknown>): void {
  const keyed = (key: keyof LiveState, items: unknown) => {
    setState(key as 'nodes', reconcile(arr(items) as never, { key: 'id' }));
  };
  if ('nodes' in doc) keyed('nodes', doc.nodes);
  if ('vms' in doc) keyed('vms', arr<Guest>(doc.vms).map(normaliseGuest));
  if ('containers' in doc) keyed('containers', arr<Guest>(doc.containers).map(normaliseGuest));
  if ('dockerHosts' in doc) keyed('dockerHosts', doc.dockerHosts);
  if ('storage' in doc) {
    // The frontend shape drops zfsPool; keep the pool health learnt from the raw shape.
    // (unwrap: a store proxy cannot be structured-cloned)
    const prev = new Map(unwrap(state.storage).map((s) => [s.id, s.zfsPool]));
    const next = arr<Storage>(doc.storage).map((s) =>
      s.zfsPool || !prev.get(s.id) ? s : { ...s, zfsPool: structuredClone(prev.get(s.id)) },
    );
    keyed('storage', next);
  }
  if ('cephClusters' in doc) keyed('cephClusters', doc.cephClusters);
  if ('physicalDisks' in doc) keyed('physicalDisks', doc.physicalDisks);
  if ('pbs' in doc) keyed('pbs', doc.pbs);
  if ('pmg' in doc) keyed('pmg', doc.pmg);
  if ('pbsBackups' in doc && Array.isArray(doc.pbsBackups)) keyed('pbsBackups', doc.pbsBackups);
  if ('activeAlerts' in doc) keyed('activeAlerts', doc.activeAlerts);
  if ('recentlyResolved' in doc && Array.isArray(doc.recentlyResolved)) keyed('recentlyResolved', doc.recentlyResolved);
  if (doc.pveBackups && typeof doc.pveBackups === 'object') {
    const b = doc.pveBackups;
    setState('pveBackups', 'backupTasks', reconcile(arr(b.backupTasks), { key: 'id' }));
    setState('pveBackups', 'storageBackups', reconcile(arr(b.storageBackups), { key: 'id' }));
    setState('pveBackups', 'guestSnapshots', reconcile(arr(b.guestSnapshots), { key: 'id' }));
  }
  if (doc.connectionHealth && typeof doc.connectionHealth === 'object') {
    setState('connectionHealth', reconcile({ ...doc.connectionHealth }));
  }
  if (doc.stats && typeof doc.stats === 'object') setState('stats', reconcile({ ...doc.stats }));
  if ('lastUpdate' in doc) setState('lastUpdate', toMs(doc.lastUpdate));
}

/** The document version this socket's deltas apply to (-1: waiting for a full state). */
let deltaVersion = -1;

/**
 * Applies one `stateDelta` in place (delta-apply.ts): only the objects and fields it names are
 * touched. A delta for another version means one was missed: ask for the full state again.
 */
function applyStateDelta(msg: { base?: number; version?: number; data?: unknown }): void {
  if (msg.base !== deltaVersion || typeof msg.version !== 'number' || !msg.data) {
    // Ask once; the deltas that arrive before the full state are dropped the same way.
    if (deltaVersion !== -1) socket?.send(JSON.stringify({ type: 'requestData' }));
    deltaVersion = -1;
    return;
  }
  const delta = msg.data as StateDelta;
  let changes: Map<string, ReadonlySet<string> | true> | undefined;
  batch(() => {
    changes = deltas.apply(delta);
    if (delta.set) applyStateNow(delta.set);
  });
  // Collections a delta sets whole are replaced; its other keys (stats, lastUpdate) are no lists.
  for (const key of Object.keys(delta.set ?? {})) changes?.set(key, true);
  changed(changes);
  deltaVersion = msg.version;
}

let socket: WebSocket | undefined;

/** Told when a connection attempt is refused before it opens (e.g. the session expired). */
const refusedListeners = new Set<() => void>();
export function onSocketRefused(fn: () => void): () => void {
  refusedListeners.add(fn);
  return () => refusedListeners.delete(fn);
}
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryDelay = 1000;
let wanted = false;

function wsUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = storedApiToken();
  return `${proto}//${location.host}/ws?deltas=2${token ? `&token=${encodeURIComponent(token)}` : ''}`;
}

function handleMessage(ev: MessageEvent): void {
  let msg: { type?: string; data?: unknown; version?: number; base?: number };
  try {
    msg = JSON.parse(String(ev.data));
  } catch {
    return; // not ours to understand; the next broadcast brings the full picture anyway
  }
  setLastMessageAt(Date.now());
  switch (msg.type) {
    case 'initialState':
    case 'rawData':
      if (msg.data && typeof msg.data === 'object') applyState(msg.data as Record<string, unknown>);
      if (typeof msg.version === 'number' && msg.data && typeof msg.data === 'object') {
        // The document the next deltas apply to: its lists' ids are what their row indexes name.
        deltas.reset(msg.data as Record<string, unknown>);
        deltaVersion = msg.version;
      }
      break;
    case 'stateDelta':
      applyStateDelta(msg);
      break;
    // No `alert` / `alertResolved` here: a delta client's alert list changes come in its deltas.
    case 'settingsUpdate':
      applyServerTheme((msg.data as { theme?: unknown } | undefined)?.theme);
      break;
    case 'ping':
      socket?.send(JSON.stringify({ type: 'pong' }));
      break;
    default:
      break;
  }
}

function open(): void {
  if (!wanted) return;
  setConnection('connecting');
  const ws = new WebSocket(wsUrl());
  socket = ws;
  deltaVersion = -1;
  let opened = false;
  ws.onopen = () => {
    opened = true;
    retryDelay = 1000;
    setConnection('connected');
  };
  ws.onmessage = handleMessage;
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = undefined;
    setConnection('offline');
    if (!wanted) return;
    if (!opened) for (const fn of refusedListeners) fn();
    retryTimer = setTimeout(open, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15_000);
  };
}

/** Fetches the state once over REST (fast first paint, and after an action). */
export async function refreshState(): Promise<void> {
  const doc = await api.get<PulseState & Record<string, unknown>>('/api/state');
  applyState(doc);
}

export function startLive(): void {
  if (wanted) return;
  wanted = true;
  open();
  refreshState().catch(() => {
    // the socket delivers the state too; a failed first fetch is not fatal
  });
}

export function stopLive(): void {
  wanted = false;
  clearTimeout(retryTimer);
  const ws = socket;
  socket = undefined;
  ws?.close();
  setConnection('offline');
  setState(reconcile(emptyState()));
  changed();
}

/**
 * A counter that moves when a state message may have changed one of `fields` (top-level keys) of
 * the objects of `collections`, or their membership. For a view that goes through a whole list on
 * the raw objects (`rawList`): it re-runs when what it reads changed, not on every update, and
 * subscribes to no field of any object. Call it where a computation may be owned (a component).
 */
export function changedIn(collections: readonly string[], fields: readonly string[]): Accessor<number> {
  let n = 0;
  return createMemo(() => (touches(lastChanges(), collections, fields) ? ++n : n));
}

export const live = { state, connection, lastMessageAt, unacknowledgedAlerts, version };
