/** /api/charts and /api/storage-charts (wire-contract §7.6). */
import { type Static, Type } from 'typebox';

export const CHART_RANGE_NAMES = ['5m', '15m', '30m', '1h', '4h', '12h', '24h', '7d'] as const;

export const ChartsQuery = Type.Object({
  range: Type.Optional(
    Type.Union(
      CHART_RANGE_NAMES.map((r) => Type.Literal(r)),
      { default: '1h' },
    ),
  ),
  ids: Type.Optional(Type.String({ description: 'State ids of the resources wanted, comma-separated (at most 2000)' })),
  metrics: Type.Optional(Type.String({ description: 'Metric names to keep, comma-separated (e.g. cpu)' })),
});

const Point = Type.Object({ timestamp: Type.Integer({ description: 'ms since epoch' }), value: Type.Number() });
const Chart = Type.Record(Type.String(), Type.Array(Point), { description: 'metric name → points' });

export const ChartsReply = Type.Object({
  data: Type.Record(Type.String(), Chart, { description: 'guest id → chart' }),
  nodeData: Type.Record(Type.String(), Chart, { description: 'node id → chart' }),
  storageData: Type.Record(Type.String(), Chart, { description: 'storage id → {disk: points}' }),
  timestamp: Type.Integer(),
  stats: Type.Object({ oldestDataTimestamp: Type.Integer() }),
});
export type ChartsReply = Static<typeof ChartsReply>;

export const StorageChartsQuery = Type.Object({
  range: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 1440, default: 60, description: 'Minutes' })),
});

export const StorageChartsReply = Type.Record(
  Type.String(),
  Type.Record(Type.String(), Type.Array(Type.Object({ value: Type.Number(), timestamp: Type.String() }))),
  { description: 'storage id → metric → points with RFC3339 times' },
);
