/**
 * `GET /api/alerts/history` query parameters (wire-contract §5.5), parsed and validated:
 * limit (default 100, 0 = all, ≤ 10000), offset ≥ 0, startTime/endTime RFC3339,
 * severity warning|critical|all, resourceId.
 */
export interface HistoryQuery {
  /** 0 = no limit */
  limit: number;
  offset: number;
  /** ms */
  startTime?: number;
  endTime?: number;
  severity?: 'warning' | 'critical';
  resourceId?: string;
}

export class QueryError extends Error {}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function intParam(raw: string, name: string, max: number): number {
  if (!/^\d+$/.test(raw)) throw new QueryError(`Invalid ${name}: must be a non-negative integer`);
  const n = Number(raw);
  if (n > max) throw new QueryError(`Invalid ${name}: must be at most ${max}`);
  return n;
}

function timeParam(raw: string, name: string): number {
  const ms = RFC3339.test(raw) ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(ms)) throw new QueryError(`Invalid ${name}: must be an RFC3339 time`);
  return ms;
}

export function parseHistoryQuery(q: Record<string, unknown>): HistoryQuery {
  const one = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    // The route's schema has already turned numeric parameters into numbers.
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') throw new QueryError(`Invalid ${name}: give it once`);
    return v;
  };
  const out: HistoryQuery = { limit: 100, offset: 0 };
  const limit = one('limit');
  if (limit !== undefined && limit !== '') out.limit = intParam(limit, 'limit', 10_000);
  const offset = one('offset');
  if (offset !== undefined && offset !== '') out.offset = intParam(offset, 'offset', Number.MAX_SAFE_INTEGER);
  const start = one('startTime');
  if (start) out.startTime = timeParam(start, 'startTime');
  const end = one('endTime');
  if (end) out.endTime = timeParam(end, 'endTime');
  if (out.startTime !== undefined && out.endTime !== undefined && out.startTime > out.endTime) {
    throw new QueryError('Invalid time range: startTime is after endTime');
  }
  const severity = one('severity');
  if (severity !== undefined && severity !== '' && severity !== 'all') {
    if (severity !== 'warning' && severity !== 'critical') {
      throw new QueryError('Invalid severity: must be warning, critical or all');
    }
    out.severity = severity;
  }
  const resourceId = one('resourceId');
  if (resourceId) {
    if (resourceId.length > 500) throw new QueryError('Invalid resourceId: too long');
    out.resourceId = resourceId;
  }
  return out;
}
