/**
 * GET /api/charts and GET /api/storage-charts (wire contract §7.6), answered from the metric
 * history (src/history). Resources are those in the current state; one that has no history yet
 * gets a single point with its current value, so a chart is never missing for a live resource.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { guestValues, nodeValues, storageValues } from '../history/extract.js';
import { VersionedReplyCache } from '../history/reply-cache.js';
import type { ResourceChart } from '../history/service.js';
import { KIND_METRICS, type ResourceKind, roundMetric } from '../history/tiers.js';
import { badRequest } from '../http/errors.js';
import { ChartsQuery, ChartsReply, StorageChartsQuery, StorageChartsReply } from '../schemas/charts.js';
import { ErrorReply } from '../schemas/common.js';
import type { Services } from '../services.js';
import { localOffsetMinutes, toRfc3339 } from '../state/raw-shape.js';
import { acceptsGzip } from './state.js';

const MIN = 60_000;
export const CHART_RANGES: Record<string, number> = {
  '5m': 5 * MIN,
  '15m': 15 * MIN,
  '30m': 30 * MIN,
  '1h': 60 * MIN,
  '4h': 240 * MIN,
  '12h': 720 * MIN,
  '24h': 1440 * MIN,
  '7d': 7 * 1440 * MIN,
};

/**
 * Points per series for a reply: up to 120, fewer when the estate is large, so that a reply stays
 * near half a million points (~20 MB of JSON, ~2.5 MB gzipped) and its computation well under a
 * second: a 10,000-guest estate (74,000 series) gets 6 points per series, never fewer.
 */
export const CHART_POINT_BUDGET = 500_000;
export function pointsPerSeries(seriesCount: number): number {
  return Math.max(6, Math.min(120, Math.floor(CHART_POINT_BUDGET / Math.max(1, seriesCount))));
}

/** A chart holding only the current value of each metric (for resources without history). */
function currentPoints(kind: ResourceKind, values: number[], now: number): ResourceChart {
  const chart: ResourceChart = {};
  KIND_METRICS[kind].forEach((name, m) => {
    const v = values[m];
    chart[name] = Number.isFinite(v) ? [{ timestamp: now, value: roundMetric(name, v) }] : [];
  });
  return chart;
}

const queryParam = (q: unknown, name: string): string | undefined => {
  const v = (q as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/** At most this many ids per /api/charts request (a screenful of rows plus a detail view, with room). */
export const CHART_IDS_MAX = 2000;

/**
 * `ids=<id>,<id>,…` (state ids of nodes, guests or storage): only their series are answered.
 * `metrics=<name>,…` narrows each series to those metrics (a sparkline needs `cpu` only).
 * Both absent: today's whole-estate answer.
 */
export function parseChartFilter(q: unknown): { ids?: Set<string>; metrics?: Set<string> } {
  const out: { ids?: Set<string>; metrics?: Set<string> } = {};
  const ids = queryParam(q, 'ids');
  if (ids !== undefined) {
    const list = ids.split(',').filter((id) => id.length > 0);
    if (list.length > CHART_IDS_MAX) throw badRequest(`Too many ids (${list.length}); at most ${CHART_IDS_MAX}`);
    out.ids = new Set(list);
  }
  const metrics = queryParam(q, 'metrics');
  if (metrics !== undefined) {
    const known = new Set<string>([...KIND_METRICS.guest, ...KIND_METRICS.node]);
    const list = metrics.split(',').filter((m) => m.length > 0);
    const bad = list.find((m) => !known.has(m));
    if (bad !== undefined) throw badRequest(`Unknown metric "${bad}"; expected some of ${[...known].join(', ')}`);
    out.metrics = new Set(list);
  }
  return out;
}

export function registerChartRoutes(app: FastifyInstance, deps: Pick<Services, 'clock' | 'history' | 'state'>): void {
  // Between two polls, repeated requests for the same range share one computed reply.
  const cache = new VersionedReplyCache(10_000);
  const send = async (
    req: FastifyRequest,
    reply: FastifyReply,
    r: { body: Promise<Buffer>; gzip: () => Promise<Buffer> },
  ) => {
    const body = await r.body;
    reply.header('Vary', 'Accept-Encoding').type('application/json; charset=utf-8');
    if (body.length > 16 * 1024 && acceptsGzip(req.headers['accept-encoding'])) {
      return reply.header('Content-Encoding', 'gzip').send(await r.gzip());
    }
    return reply.send(body);
  };

  const chartsSchema = {
    summary: 'Metric history of guests, nodes and storage (all, or the ids asked for)',
    querystring: ChartsQuery,
    response: { 200: ChartsReply, 400: ErrorReply },
  };
  app.get('/api/charts', { config: { guard: 'authenticated' }, schema: chartsSchema }, async (req, reply) => {
    const range = queryParam(req.query, 'range') ?? '1h';
    const rangeMs = CHART_RANGES[range];
    const filter = parseChartFilter(req.query);
    const now = deps.clock.now();
    // Sorted, so the same set of rows in another order shares one cached reply.
    const key = `charts:${range}:${filter.ids ? [...filter.ids].sort().join(',') : '*'}:${filter.metrics ? [...filter.metrics].sort().join(',') : '*'}`;
    return send(
      req,
      reply,
      cache.get(key, deps.state.version, now, () => chartsReply(rangeMs, now, filter)),
    );
  });

  /**
   * The /api/charts body as JSON text. Built resource by resource with a turn of the event loop
   * every 500 resources, so a 10,000-guest reply does not hold up other requests.
   */
  async function chartsReply(
    rangeMs: number,
    now: number,
    filter: { ids?: Set<string>; metrics?: Set<string> } = {},
  ): Promise<string> {
    const state = deps.state.get();
    const wanted = <T extends { id: string }>(list: readonly T[]): readonly T[] =>
      filter.ids ? list.filter((x) => filter.ids?.has(x.id)) : list;
    const guests = wanted([...state.vms, ...state.containers]);
    const nodes = wanted(state.nodes);
    const storage = wanted(state.storage);
    const ids = {
      guest: new Set(guests.map((g) => g.id)),
      node: new Set(nodes.map((n) => n.id)),
      storage: new Set(storage.map((s) => s.id)),
    };
    const metricCount = (kind: 'guest' | 'node') =>
      filter.metrics ? KIND_METRICS[kind].filter((m) => filter.metrics?.has(m)).length : KIND_METRICS[kind].length;
    const series = ids.guest.size * metricCount('guest') + ids.node.size * metricCount('node') + ids.storage.size;
    /** The chart narrowed to the asked metrics (the series are computed for all, then dropped). */
    const only = (chart: ResourceChart): ResourceChart => {
      if (!filter.metrics) return chart;
      const out: ResourceChart = {};
      for (const name of Object.keys(chart)) if (filter.metrics.has(name)) out[name] = chart[name];
      return out;
    };
    // With ids, kinds none of them belong to are not read at all.
    const kinds = filter.ids ? (['guest', 'node', 'storage'] as const).filter((k) => ids[k].size > 0) : undefined;
    const history = await deps.history.queryAsync({ rangeMs, ids, kinds, maxPoints: pointsPerSeries(series) });

    const entries = async <T>(list: readonly T[], id: (x: T) => string, chart: (x: T) => unknown): Promise<string> => {
      const parts: string[] = [];
      for (let i = 0; i < list.length; i++) {
        if (i > 0 && i % 500 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        parts.push(`${JSON.stringify(id(list[i]))}:${JSON.stringify(chart(list[i]))}`);
      }
      return `{${parts.join(',')}}`;
    };
    const data = await entries(
      guests,
      (g) => g.id,
      (g) => only(history.series.guest.get(g.id) ?? currentPoints('guest', guestValues(g), now)),
    );
    const nodeData = await entries(
      nodes,
      (n) => n.id,
      (n) => only(history.series.node.get(n.id) ?? currentPoints('node', nodeValues(n), now)),
    );
    // Storage has one chart metric (`disk`): left out when metrics are named without it.
    const storageData = await entries(
      filter.metrics && !filter.metrics.has('disk') ? [] : storage,
      (s) => s.id,
      (s) => ({ disk: (history.series.storage.get(s.id) ?? currentPoints('storage', storageValues(s), now)).usage }),
    );
    let oldest = history.oldest;
    if (oldest === undefined || oldest > now) oldest = now;
    return (
      `{"data":${data},"nodeData":${nodeData},"storageData":${storageData}` +
      `,"timestamp":${now},"stats":{"oldestDataTimestamp":${oldest}}}`
    );
  }

  const storageSchema = {
    summary: 'Storage usage history with RFC3339 times',
    querystring: StorageChartsQuery,
    response: { 200: StorageChartsReply, 400: ErrorReply },
  };
  app.get('/api/storage-charts', { config: { guard: 'authenticated' }, schema: storageSchema }, async (req) => {
    const minutes = (req.query as { range?: number }).range ?? 60;
    const now = deps.clock.now();
    const storage = deps.state.get().storage;
    const history = deps.history.query({
      rangeMs: minutes * MIN,
      kinds: ['storage'],
      ids: { storage: new Set(storage.map((s) => s.id)) },
    });
    const tz = localOffsetMinutes(now);
    const out: Record<string, Record<string, Array<{ value: number; timestamp: string }>>> = {};
    for (const s of storage) {
      const chart = history.series.storage.get(s.id) ?? currentPoints('storage', storageValues(s), now);
      const entry: Record<string, Array<{ value: number; timestamp: string }>> = {};
      for (const name of KIND_METRICS.storage) {
        entry[name] = chart[name].map((p) => ({ value: p.value, timestamp: toRfc3339(p.timestamp, tz) }));
      }
      out[s.id] = entry;
    }
    return out;
  });
}
